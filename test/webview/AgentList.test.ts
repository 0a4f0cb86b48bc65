// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import AgentCard from '../../webview/components/AgentCard.svelte';
import AgentList from '../../webview/components/AgentList.svelte';
import { anAgent } from './fixtures/dashboardBuilders';

describe('AgentCard', () => {
  it.each([
    ['working', 'Working', '●'],
    ['waiting-rate-limit', 'Waiting (rate limit)', '◐'],
    ['needs-attention', 'Needs attention', '▲'],
    ['paused', 'Paused', '❚❚'],
    ['done', 'Done', '✓'],
    ['idle', 'Idle', '○'],
    ['terminated', 'Stopped', '■'],
  ] as const)('shows status %s in words and a symbol, not colour alone', (status, words, symbol) => {
    render(AgentCard, { agent: anAgent({ status }), onSelect: () => {} });
    const card = screen.getByTestId('agent-card-secondary-coder-1');
    expect(card.textContent).toContain(words);
    expect(card.textContent).toContain(symbol);
    expect(card.classList.contains(`status-${status}`)).toBe(true);
  });

  it('shows the current step, the last error and the cost', () => {
    render(AgentCard, { agent: anAgent({ currentStep: 'Writing src/login.ts', lastError: 'Rate limited', costUsd: 1.234 }), onSelect: () => {} });
    const card = screen.getByTestId('agent-card-secondary-coder-1');
    expect(card.textContent).toContain('Writing src/login.ts');
    expect(card.textContent).toContain('Rate limited');
    expect(card.textContent).toContain('$1.23');
  });

  it('names each agent once, the coders numbered ("Coder 2") and other roles by their name', () => {
    render(AgentCard, { agent: anAgent({ id: 'secondary-coder-2', instance: 2 }), onSelect: () => {} });
    expect(screen.getByTestId('agent-card-secondary-coder-2').textContent).toContain('Coder 2');
    expect(screen.getByTestId('agent-card-secondary-coder-2').textContent).not.toContain('#');
    render(AgentCard, { agent: anAgent({ id: 'primary-coder-1', role: 'primary-coder', roleName: 'Primary Coder' }), onSelect: () => {} });
    expect(screen.getByTestId('agent-card-primary-coder-1').textContent).toContain('Primary Coder');
  });
});

describe('AgentList', () => {
  it('renders one card per agent and reports the clicked agent', async () => {
    const onSelect = vi.fn();
    render(AgentList, { agents: [anAgent({ id: 'organiser', roleName: 'Organiser' }), anAgent({ id: 'architect', roleName: 'Architect' })], onSelect });
    expect(screen.getAllByRole('button')).toHaveLength(2);
    await fireEvent.click(screen.getByTestId('agent-card-architect'));
    expect(onSelect).toHaveBeenCalledWith('architect');
  });

  it('marks the selected agent as pressed', () => {
    render(AgentList, { agents: [anAgent({ id: 'organiser' }), anAgent({ id: 'architect' })], selectedId: 'architect', onSelect: () => {} });
    expect(screen.getByTestId('agent-card-architect').getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('agent-card-organiser').getAttribute('aria-pressed')).toBe('false');
  });

  it('says so when there are no agents', () => {
    render(AgentList, { agents: [], onSelect: () => {} });
    expect(screen.getByText('No agents yet.')).toBeTruthy();
  });
});
