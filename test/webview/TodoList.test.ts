// @vitest-environment jsdom
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import TodoList from '../../webview/components/TodoList.svelte';
import { aTodo } from './fixtures/dashboardBuilders';

describe('TodoList', () => {
  it('lists each item with its status, role and file, and counts the done ones', () => {
    render(TodoList, {
      todo: [
        aTodo({ id: 't1', title: 'Plan', status: 'done', role: 'architect' }),
        aTodo({ id: 't2', title: 'Write login', status: 'in-progress', file: 'src/login.ts' }),
        aTodo({ id: 't3', title: 'Review', status: 'blocked' }),
      ],
    });
    expect(screen.getByTestId('todo-list').querySelector('h2')?.textContent).toContain('1/3 done');
    expect(screen.getByTestId('todo-t1').textContent).toContain('Architect');
    expect(screen.getByTestId('todo-t2').textContent).toContain('src/login.ts');
    // Statuses in words, not their ids.
    expect(screen.getByTestId('todo-t2').textContent).toContain('in progress ·');
    expect(screen.getByTestId('todo-t2').textContent).not.toContain('in-progress');
    expect(screen.getByTestId('todo-t3').classList.contains('status-blocked')).toBe(true);
    expect(screen.getByTestId('todo-t3').textContent).toContain('blocked');
  });

  it('says when there is no to-do list yet', () => {
    render(TodoList, { todo: [] });
    expect(screen.getByText(/has not written a to-do list/)).toBeTruthy();
  });
});
