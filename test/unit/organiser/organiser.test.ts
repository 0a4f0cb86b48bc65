import { describe, expect, it } from 'vitest';
import type { AgentReply, WorkRequest } from '../../../extension/engine/backends/agentBackend';
import { Organiser, type OrganiserOptions } from '../../../extension/engine/organiser/organiser';
import type { OrganiserSnapshot } from '../../../extension/engine/organiser/organiserContext';
import { OrchestraError, isOrchestraError } from '../../../extension/engine/util/errors';
import type { DecisionRequest } from '../../../extension/engine/workflow/workflowTypes';
import { aSnapshot } from './snapshotBuilder';

/** Stands in for the Organiser agent: answers from a script (an Error is thrown) and keeps every request. */
function fakeOrganiserAgent(...script: unknown[]) {
  const requests: WorkRequest[] = [];
  const ask = async (request: WorkRequest): Promise<AgentReply> => {
    requests.push(request);
    if (script.length === 0) throw new Error('the fake Organiser agent has no more answers');
    const next = script.shift();
    if (next instanceof Error) throw next;
    return { output: next, changedFiles: [], usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } };
  };
  return { ask, requests };
}

function aDecision(fields: Partial<DecisionRequest> = {}): DecisionRequest {
  return {
    id: 'decision-1',
    point: 'plan-reviewed',
    options: ['approve_plan', 'revise_plan', 'escalate'],
    recommended: 'revise_plan',
    question: 'The Code Sceptic rejected the plan with two findings. Revise it or approve it?',
    ...fields,
  };
}

function anOrganiser(agent: ReturnType<typeof fakeOrganiserAgent>, options: Partial<OrganiserOptions> = {}) {
  let snapshot: OrganiserSnapshot = aSnapshot().withPhase('PLAN_REVIEW').build();
  const log: Array<{ event: string; data: unknown }> = [];
  const organiser = new Organiser({ ask: agent.ask, snapshot: () => snapshot, log: (entry) => log.push(entry), ...options });
  return { organiser, log, setSnapshot: (next: OrganiserSnapshot) => (snapshot = next) };
}

describe('Organiser.decide', () => {
  it("returns the Organiser's valid action", async () => {
    const agent = fakeOrganiserAgent({ action: 'approve_plan', reason: 'The findings are cosmetic.' });
    const { organiser } = anOrganiser(agent);

    const decision = await organiser.decide(aDecision());

    expect(decision).toMatchObject({ action: { action: 'approve_plan', reason: 'The findings are cosmetic.' }, source: 'organiser', invalidAnswers: [] });
    expect(decision.contextTokens).toBeGreaterThan(0);
  });

  it('asks with the context, the question, each option with its meaning and a JSON Schema narrowed to the options', async () => {
    const agent = fakeOrganiserAgent({ action: 'revise_plan', reason: 'r' });
    const { organiser } = anOrganiser(agent);

    await organiser.decide(aDecision({ file: 'src/a.ts' }));

    const [request] = agent.requests;
    expect(request).toMatchObject({ workId: 'decision-1', kind: 'decide', grants: [], inputs: [] });
    expect(request!.detail).toEqual({ point: 'plan-reviewed', options: ['approve_plan', 'revise_plan', 'escalate'], recommended: 'revise_plan', file: 'src/a.ts' });
    expect(request!.prompt).toContain('phase: PLAN_REVIEW');
    expect(request!.prompt).toContain('The Code Sceptic rejected the plan with two findings.');
    expect(request!.prompt).toContain("- revise_plan: send the plan back to the Architect with the review's findings (what the built-in rule would do)");
    expect(request!.prompt).toContain('- escalate: stop and ask the user to decide');
    expect(request!.prompt).not.toContain('fix_file');
    expect(request!.prompt).toContain('Answer with JSON {action, reason}');
    const schema = request!.responseSchema as { properties: { action: { enum: string[] } } };
    expect(schema.properties.action.enum).toEqual(['approve_plan', 'revise_plan', 'escalate']);
  });

  it('falls back to the built-in rule after two invalid answers and records why each was rejected', async () => {
    const agent = fakeOrganiserAgent('I think we should approve it.', { verdict: 'approve' });
    const { organiser, log } = anOrganiser(agent);

    const decision = await organiser.decide(aDecision());

    expect(decision.source).toBe('rule');
    expect(decision.action.action).toBe('revise_plan');
    expect(decision.action.reason).toMatch(/^built-in rule: /);
    expect(decision.invalidAnswers).toHaveLength(2);
    expect(decision.invalidAnswers[0]).toContain('not JSON');
    expect(decision.invalidAnswers[1]).toContain('did not match {action, reason}');
    expect(agent.requests).toHaveLength(2);
    expect(log.map((entry) => entry.event)).toContain('organiser:fallback');
  });

  it('counts an action outside the offered options as invalid and says so in the next prompt', async () => {
    const agent = fakeOrganiserAgent({ action: 'fix_file', reason: 'x' }, { action: 'approve_plan', reason: 'fine' });
    const { organiser } = anOrganiser(agent);

    const decision = await organiser.decide(aDecision());

    expect(decision.source).toBe('organiser');
    expect(decision.action.action).toBe('approve_plan');
    expect(decision.invalidAnswers).toEqual(['"fix_file" is not one of the allowed options (approve_plan, revise_plan, escalate)']);
    expect(agent.requests[0]!.prompt).not.toContain('previous answer was rejected');
    expect(agent.requests[1]!.prompt).toContain('Your previous answer was rejected: "fix_file" is not one of the allowed options');
  });

  it('accepts an answer given as JSON text', async () => {
    const agent = fakeOrganiserAgent('```json\n{"action": "escalate", "reason": "unclear"}\n```');
    const { organiser } = anOrganiser(agent);

    expect((await organiser.decide(aDecision())).action).toEqual({ action: 'escalate', reason: 'unclear' });
  });

  it('treats a failed ask as an invalid answer and asks again', async () => {
    const agent = fakeOrganiserAgent(new OrchestraError('backend-failed', 'session closed'), { action: 'approve_plan', reason: '' });
    const { organiser } = anOrganiser(agent);

    const decision = await organiser.decide(aDecision());

    expect(decision.source).toBe('organiser');
    expect(decision.invalidAnswers).toEqual(['the request failed: session closed']);
  });

  it('lets an aborted ask propagate without falling back', async () => {
    const agent = fakeOrganiserAgent(new OrchestraError('aborted', 'run paused'), { action: 'approve_plan', reason: '' });
    const { organiser } = anOrganiser(agent);

    const outcome = await organiser.decide(aDecision()).then(
      () => 'resolved',
      (error: unknown) => error,
    );

    expect(isOrchestraError(outcome, 'aborted')).toBe(true);
    expect(agent.requests).toHaveLength(1);
  });

  it('honours a custom number of invalid answers', async () => {
    const agent = fakeOrganiserAgent({ action: 'nonsense' });
    const { organiser } = anOrganiser(agent, { maxInvalidAnswers: 1 });

    const decision = await organiser.decide(aDecision());

    expect(decision.source).toBe('rule');
    expect(decision.invalidAnswers).toEqual([expect.stringContaining('"nonsense" is not an action')]);
    expect(agent.requests).toHaveLength(1);
  });

  it('builds a fresh context for every call and carries nothing over from the previous one', async () => {
    const agent = fakeOrganiserAgent({ action: 'approve_plan', reason: 'REASON-OF-CALL-ONE' }, { action: 'accept_file', reason: 'two' });
    const { organiser, setSnapshot } = anOrganiser(agent);

    await organiser.decide(aDecision({ question: 'FIRST QUESTION about the plan?' }));
    setSnapshot(aSnapshot().withPhase('CODE_REVIEW').withFiles(3, { working: 1 }).build());
    await organiser.decide(aDecision({ id: 'decision-2', point: 'file-reviewed', options: ['fix_file', 'accept_file'], recommended: 'fix_file', question: 'SECOND QUESTION about src/a.ts?' }));

    const second = agent.requests[1]!.prompt;
    expect(second).toContain('SECOND QUESTION');
    expect(second).toContain('phase: CODE_REVIEW');
    expect(second).not.toContain('FIRST QUESTION');
    expect(second).not.toContain('PLAN_REVIEW');
    expect(second).not.toContain('REASON-OF-CALL-ONE');
  });

  it('refuses a decision that offers no options', async () => {
    const { organiser } = anOrganiser(fakeOrganiserAgent());

    await expect(organiser.decide(aDecision({ options: [] }))).rejects.toMatchObject({ reason: 'invalid-input' });
  });
});

describe('Organiser.answer and explain', () => {
  it.each([
    ['a plain string', 'We are reviewing the plan.'],
    ['an answer object', { answer: 'We are reviewing the plan.' }],
    ['a summary object', { summary: 'We are reviewing the plan.' }],
  ])('reads the reply when it is %s', async (_, output) => {
    const agent = fakeOrganiserAgent(output);
    const { organiser } = anOrganiser(agent);

    const reply = await organiser.answer('Where are we?');

    expect(reply.text).toBe('We are reviewing the plan.');
    expect(reply.contextTokens).toBeGreaterThan(0);
    expect(agent.requests[0]).toMatchObject({ kind: 'chat' });
    expect(agent.requests[0]!.prompt).toContain('Where are we?');
    expect(agent.requests[0]!.prompt).toContain('phase: PLAN_REVIEW');
  });

  it('says plainly when the Organiser gave no readable answer', async () => {
    const { organiser, log } = anOrganiser(fakeOrganiserAgent({ thoughts: ['hmm'] }));

    const reply = await organiser.answer('Where are we?');

    expect(reply.text).toContain('The Organiser gave no readable answer');
    expect(log.map((entry) => entry.event)).toContain('organiser:unreadable-answer');
  });

  it('carries only the last three exchanges into the next chat, each cut short, in a data block', async () => {
    const agent = fakeOrganiserAgent('reply one', 'reply two', 'reply three', 'reply four', 'reply five');
    const { organiser } = anOrganiser(agent);

    await organiser.answer('FIRST MESSAGE');
    await organiser.answer('SECOND MESSAGE');
    await organiser.answer(`THIRD MESSAGE ${'very long '.repeat(500)}`);
    await organiser.answer('FOURTH MESSAGE');
    await organiser.answer('FIFTH MESSAGE');

    const last = agent.requests[4]!.prompt;
    expect(last).toContain('RECENT CHAT');
    expect(last).not.toContain('FIRST MESSAGE');
    expect(last).not.toContain('reply one');
    expect(last).toMatch(/user: SECOND MESSAGE\nyou: reply two/);
    expect(last).toContain('THIRD MESSAGE');
    expect(last.split('very long').length - 1).toBeLessThan(100);
    expect(agent.requests[0]!.prompt).not.toContain('RECENT CHAT');
  });

  it('reads the actions of a chat answer and never gives any for explain', async () => {
    const action = { kind: 'add-file', path: 'src/report.js', purpose: 'Overdue loans by member.' };
    const agent = fakeOrganiserAgent({ answer: 'Adding it.', actions: [action, { kind: 'format-disk' }] }, { answer: 'Coding.', actions: [action] });
    const { organiser } = anOrganiser(agent);

    const reply = await organiser.answer('Also add src/report.js');
    expect(reply.actions).toEqual([action]);
    expect(reply.dropped).toEqual([expect.stringContaining('action 2 ("format-disk")')]);
    expect(agent.requests[0]!.prompt).toContain('"kind":"add-file"');

    const explained = await organiser.explain();
    expect(explained.actions).toEqual([]);
    expect(agent.requests[1]!.prompt).not.toContain('"kind":"add-file"');
  });

  it('explains the current state in plain words', async () => {
    const agent = fakeOrganiserAgent('The plan is under review.');
    const { organiser } = anOrganiser(agent);

    expect((await organiser.explain()).text).toBe('The plan is under review.');
    expect(agent.requests[0]!.prompt).toContain('Explain in plain words what is happening now and what comes next.');
  });

  it('passes on a failed chat ask', async () => {
    const { organiser } = anOrganiser(fakeOrganiserAgent(new OrchestraError('backend-failed', 'down')));

    await expect(organiser.answer('hello')).rejects.toMatchObject({ reason: 'backend-failed' });
  });
});

describe('Organiser.stats', () => {
  it('tracks turns and the largest and mean context size across decisions and chat', async () => {
    const agent = fakeOrganiserAgent('not json', { action: 'approve_plan', reason: '' }, 'an answer');
    const { organiser, setSnapshot } = anOrganiser(agent);
    expect(organiser.stats()).toEqual({ turns: 0, maxContextTokens: 0, meanContextTokens: 0 });

    const small = await organiser.decide(aDecision());
    setSnapshot(aSnapshot().withFiles(300, { approved: 100, working: 20 }).withArtifacts(900).withTodo({ pending: 50, done: 50 }).build());
    const large = await organiser.answer('status?');

    const stats = organiser.stats();
    expect(stats.turns).toBe(3);
    expect(stats.maxContextTokens).toBe(large.contextTokens);
    expect(large.contextTokens).toBeGreaterThan(small.contextTokens);
    expect(stats.meanContextTokens).toBe(Math.round((2 * small.contextTokens + large.contextTokens) / 3));
  });
});
