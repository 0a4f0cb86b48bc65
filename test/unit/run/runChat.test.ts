import { describe, expect, it } from 'vitest';
import type { ChatAction } from '../../../extension/engine/organiser/chatReply';
import type { OrganiserChatAnswer } from '../../../extension/engine/organiser/organiser';
import { RunChat, type ChatHost } from '../../../extension/engine/run/runChat';
import type { UserChange } from '../../../extension/engine/workflow/userChangeSchema';

/** A fake run: answers with the given actions, refuses changes the test names, records the rest. */
function aFakeHost(actions: ChatAction[], options: { refuse?: Record<string, string>; badPaths?: string[]; budget?: number } = {}) {
  const changes: UserChange[] = [];
  const told: string[] = [];
  let budget = options.budget;
  const host: ChatHost = {
    answer: async (): Promise<OrganiserChatAnswer> => ({ text: 'On it.', actions, dropped: [], contextTokens: 100 }),
    change: async (change) => {
      const why = options.refuse?.[change.kind];
      if (why === undefined) changes.push(change);
      return why;
    },
    grantablePath: async (path) => ((options.badPaths ?? []).includes(path) ? { problem: `${path} is outside the workspace.` } : { path: path.replace(/^\.\//, '') }),
    hasProfile: (id) => id === 'cheap',
    runBudgetUsd: () => budget,
    setRunBudget: (usd) => (budget = usd),
    tellAgent: async (agentId, message) => {
      told.push(`${agentId}: ${message}`);
      return 'Will do.';
    },
    pauseAgent: async (agentId) => {
      if (agentId === 'ghost-1') throw new Error('There is no agent ghost-1 in this run.');
      told.push(`pause ${agentId}`);
    },
    resumeAgent: async (agentId) => {
      told.push(`resume ${agentId}`);
    },
  };
  return { host, changes, told, budget: () => budget };
}

describe('RunChat', () => {
  it('applies cheap actions at once and says so', async () => {
    const fake = aFakeHost([
      { kind: 'skip-step', step: 'documentation' },
      { kind: 'change-instructions', path: './src/loans.js', instructions: 'Use dates, not strings.' },
      { kind: 'tell-agent', agentId: 'code-sceptic-1', message: 'Be strict about input checks.' },
    ]);
    const outcome = await new RunChat(fake.host).say('skip the docs and …');

    expect(outcome.text).toBe('On it.');
    expect(outcome.applied.map((note) => note.said)).toEqual(['leave documentation out of this run', 'give new instructions for src/loans.js', 'pass the message on to code-sceptic-1']);
    expect(outcome.applied[2]?.detail).toBe('Will do.');
    expect(fake.changes).toEqual([{ kind: 'skip-step', step: 'documentation' }, { kind: 'change-instructions', path: 'src/loans.js', instructions: 'Use dates, not strings.' }]);
    expect(outcome.proposals).toEqual([]);
  });

  it('holds actions that cost money or undo work as proposals until applied, checking them again then', async () => {
    const fake = aFakeHost([
      { kind: 'add-file', path: 'src/report.js', purpose: 'Overdue loans by member.' },
      { kind: 'reopen-file', path: 'src/loans.js', to: 'review', reason: 'Check the dates.' },
    ]);
    const chat = new RunChat(fake.host);
    const outcome = await chat.say('Also add src/report.js');

    expect(outcome.applied).toEqual([]);
    expect(outcome.proposals.map((proposal) => [proposal.id, proposal.said])).toEqual([
      ['p1', 'add src/report.js to the plan (Overdue loans by member.)'],
      ['p2', 'send src/loans.js back for another review'],
    ]);
    expect(fake.changes).toEqual([]);

    expect(await chat.applyProposal('p1')).toEqual({ applied: true, said: 'add src/report.js to the plan (Overdue loans by member.)' });
    expect(fake.changes).toEqual([{ kind: 'add-file', path: 'src/report.js', purpose: 'Overdue loans by member.' }]);
    expect(chat.dismissProposal('p2')).toBe(true);
    expect(chat.pending()).toEqual([]);
    expect((await chat.applyProposal('p2')).detail).toMatch(/no such proposal/);
  });

  it('refuses, with the reason, what the run or the machine does not allow', async () => {
    const fake = aFakeHost(
      [
        { kind: 'add-file', path: '../outside.js', purpose: 'x' },
        { kind: 'set-role-profile', role: 'secondary-coder', profileId: 'nowhere' },
        { kind: 'skip-step', step: 'testing' },
      ],
      { badPaths: ['../outside.js'], refuse: { 'skip-step': 'This team has no Debugger, so there is no testing step to skip.' } },
    );
    const outcome = await new RunChat(fake.host).say('…');

    expect(outcome.refused.map((note) => note.detail)).toEqual([
      '../outside.js is outside the workspace.',
      'There is no profile "nowhere"; add it in the Agent Roles tab first.',
      'This team has no Debugger, so there is no testing step to skip.',
    ]);
    expect(fake.changes).toEqual([]);
  });

  it('lowers a budget at once but proposes raising or removing it', async () => {
    const lower = aFakeHost([{ kind: 'set-budget', usd: 2 }], { budget: 5 });
    expect((await new RunChat(lower.host).say('…')).applied).toHaveLength(1);
    expect(lower.budget()).toBe(2);

    const raise = aFakeHost([{ kind: 'set-budget', usd: 20 }, { kind: 'set-budget', usd: null }], { budget: 5 });
    const chat = new RunChat(raise.host);
    const outcome = await chat.say('…');
    expect(outcome.proposals.map((proposal) => proposal.said)).toEqual(['set the run budget to $20.00', 'remove the run budget']);
    await chat.applyProposal('p1');
    expect(raise.budget()).toBe(20);
  });

  it('pauses and resumes one agent at once, and says why when there is no such agent', async () => {
    const fake = aFakeHost([
      { kind: 'pause-agent', agentId: 'secondary-coder-2' },
      { kind: 'resume-agent', agentId: 'secondary-coder-2' },
      { kind: 'pause-agent', agentId: 'ghost-1' },
    ]);
    const outcome = await new RunChat(fake.host).say('pause secondary-coder-2');
    expect(fake.told).toEqual(['pause secondary-coder-2', 'resume secondary-coder-2']);
    expect(outcome.applied.map((note) => note.said)).toEqual(['pause secondary-coder-2 (its work waits for it)', 'let secondary-coder-2 go on']);
    expect(outcome.refused.map((note) => note.detail)).toEqual(['There is no agent ghost-1 in this run.']);
  });
});
