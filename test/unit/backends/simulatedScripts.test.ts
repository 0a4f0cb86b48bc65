import { describe, expect, it } from 'vitest';
import type { AgentSession, WorkRequest } from '../../../extension/engine/backends/agentBackend';
import { AgentOutputSchema, type AgentOutput } from '../../../extension/engine/backends/agentOutput';
import { OrganiserActionSchema } from '../../../extension/engine/workflow/workflowTypes';
import { aHarness, aRequest, readIn, rejection, runRecorded } from './simulatedHarness';

/** Runs a request and returns its output, checked against the envelope the engine will apply. */
async function output(session: AgentSession, request: WorkRequest): Promise<AgentOutput> {
  const { reply } = await runRecorded(session, request);
  return AgentOutputSchema.parse(reply.output);
}

const file = (n: number): string => `src/module${String(n).padStart(2, '0')}.ts`;

describe('scripted architect', () => {
  it('plans as many files as configured, listed in the markdown plan too', async () => {
    const h = aHarness({ files: 12 });
    const plan = await output(await h.session('architect'), aRequest('plan').build());
    expect(plan.files.map((f) => f.path)).toEqual(Array.from({ length: 12 }, (_, i) => file(i + 1)));
    for (const entry of plan.files) expect(plan.content).toContain(entry.path);
    expect(plan.summary).toContain('build a calculator');
  });

  it('plans six files by default and keeps them when revising', async () => {
    const h = aHarness();
    const architect = await h.session('architect');
    const plan = await output(architect, aRequest('plan').build());
    const revised = await output(architect, aRequest('revise-plan').build());
    expect(plan.files).toHaveLength(6);
    expect(revised.files).toEqual(plan.files);
    expect(revised.content).toMatch(/Error handling/);
  });
});

describe('scripted code sceptic', () => {
  it('rejects the first plan with findings, then approves', async () => {
    const h = aHarness();
    const sceptic = await h.session('code-sceptic');
    const first = await output(sceptic, aRequest('review-plan').build());
    const second = await output(sceptic, aRequest('review-plan').build());
    expect(first.approved).toBe(false);
    expect(first.findings.length).toBeGreaterThan(0);
    expect(second.approved).toBe(true);
  });

  it('approves the first plan when told not to reject it', async () => {
    const h = aHarness({ rejectFirstPlan: false });
    expect((await output(await h.session('code-sceptic'), aRequest('review-plan').build())).approved).toBe(true);
  });

  it('remembers the rejected plan across sessions of the same backend', async () => {
    const h = aHarness();
    await output(await h.session('code-sceptic'), aRequest('review-plan').build());
    expect((await output(await h.session('code-sceptic', { instance: 2 }), aRequest('review-plan').build())).approved).toBe(true);
  });

  it('rejects every fifth file of the plan exactly once, whichever session reviews it', async () => {
    const h = aHarness({ files: 11 });
    const reviewAll = async (instance: number): Promise<string[]> => {
      const sceptic = await h.session('code-sceptic', { instance });
      const rejected: string[] = [];
      for (let n = 1; n <= 11; n++) {
        const review = await output(sceptic, aRequest('review-code').forFile(file(n)).build());
        if (!review.approved) {
          expect(review.findings).toEqual([expect.objectContaining({ file: file(n), severity: 'major' })]);
          rejected.push(file(n));
        }
      }
      return rejected;
    };
    expect(await reviewAll(1)).toEqual([file(5), file(10)]);
    expect(await reviewAll(2)).toEqual([]);
  });

  it('rejects every Nth file when N is configured, and none when it is 0', async () => {
    const every3 = aHarness({ files: 6, rejectEveryNthFile: 3 });
    const never = aHarness({ files: 6, rejectEveryNthFile: 0 });
    const verdicts = async (h: ReturnType<typeof aHarness>): Promise<boolean[]> => {
      const sceptic = await h.session('code-sceptic');
      const result: boolean[] = [];
      for (let n = 1; n <= 6; n++) result.push((await output(sceptic, aRequest('review-code').forFile(file(n)).build())).approved!);
      return result;
    };
    expect(await verdicts(every3)).toEqual([true, true, false, true, true, false]);
    expect(await verdicts(never)).toEqual([true, true, true, true, true, true]);
  });

  it('approves a file that was fixed before its review', async () => {
    const h = aHarness();
    await output(await h.session('secondary-coder'), aRequest('fix').forFile(file(5)).withDetail({ note: 'guard input' }).build());
    expect((await output(await h.session('code-sceptic'), aRequest('review-code').forFile(file(5)).build())).approved).toBe(true);
  });

  it('still rejects a file whose refused fix was never written', async () => {
    const h = aHarness();
    const coder = await h.session('secondary-coder');
    await rejection(runRecorded(coder, aRequest('fix').withDetail({ file: file(5) }).granting([]).build()));
    expect((await output(await h.session('code-sceptic'), aRequest('review-code').forFile(file(5)).build())).approved).toBe(false);
  });
});

describe('scripted coders and documentation writer', () => {
  it('writes a fix that guards the input, replacing the previous code', async () => {
    const h = aHarness();
    const coder = await h.session('secondary-coder');
    await output(coder, aRequest('implement').forFile(file(1)).build());
    const fixed = await output(coder, aRequest('fix').forFile(file(1)).withDetail({ note: 'guard input' }).build());
    expect(fixed.files).toEqual([expect.objectContaining({ path: file(1) })]);
    expect(readIn(h.workspace, file(1))).toContain('Array.isArray(input?.values)');
  });

  it('adds a header comment to each batch file and writes the overview when it is granted', async () => {
    const h = aHarness();
    const coder = await h.session('secondary-coder');
    for (const n of [1, 2]) await output(coder, aRequest('implement').forFile(file(n)).build());
    const writer = await h.session('documentation-writer');
    const { reply } = await runRecorded(writer, aRequest('document').forBatch([file(1), file(2)]).granting([file(1), file(2), 'docs/OVERVIEW.md']).build());
    expect(reply.changedFiles).toEqual([file(1), file(2), 'docs/OVERVIEW.md']);
    expect(readIn(h.workspace, file(1))).toMatch(/^\/\*\*\n \* src\/module01\.ts: Module 01[^]*export function runModule01/);
    expect(readIn(h.workspace, 'docs/OVERVIEW.md')).toMatch(/`src\/module01\.ts`[^]*`src\/module02\.ts`/);
  });

  it('leaves the overview alone when it is not granted', async () => {
    const h = aHarness();
    const { reply } = await runRecorded(await h.session('documentation-writer'), aRequest('document').forBatch([file(3)]).build());
    expect(reply.changedFiles).toEqual([file(3)]);
    expect(readIn(h.workspace, 'docs/OVERVIEW.md')).toBeUndefined();
  });

  it('documents a file once however often it is asked, and grows the overview without repeats', async () => {
    const h = aHarness();
    const writer = await h.session('documentation-writer');
    const request = (files: string[]) => aRequest('document').forBatch(files).granting([...files, 'docs/OVERVIEW.md']).build();
    await runRecorded(writer, request([file(1)]));
    const once = readIn(h.workspace, file(1));
    await runRecorded(writer, request([file(1), file(2)]));
    expect(readIn(h.workspace, file(1))).toBe(once);
    const overview = readIn(h.workspace, 'docs/OVERVIEW.md')!;
    expect(overview.match(/src\/module01\.ts/g)).toHaveLength(1);
    expect(overview).toContain(file(2));
  });
});

describe('scripted debugger', () => {
  it('reports the configured failing files on its first run only', async () => {
    const h = aHarness({ testFailures: 2 });
    const debuggerSession = await h.session('debugger');
    const first = await output(debuggerSession, aRequest('test').build());
    const second = await output(debuggerSession, aRequest('test').build());
    expect(first.tests).toMatchObject({ failed: 2, passed: 16 });
    expect(first.tests!.failures.map((f) => f.file)).toEqual([file(1), file(2)]);
    expect(second.tests).toEqual({ passed: 18, failed: 0, failures: [] });
  });

  it('points failures at the code files it was handed', async () => {
    const h = aHarness({ testFailures: 1 });
    const request = aRequest('test').withInput({ type: 'code', files: ['lib/parser.ts'] }).withInput({ type: 'code', files: ['lib/lexer.ts'] }).build();
    const report = await output(await h.session('debugger'), request);
    expect(report.tests!.failures).toEqual([expect.objectContaining({ file: 'lib/parser.ts' })]);
  });

  it('passes every test when no failures are configured', async () => {
    const h = aHarness();
    expect((await output(await h.session('debugger'), aRequest('test').build())).tests!.failed).toBe(0);
  });
});

describe('scripted organiser', () => {
  const decideRequest = () => aRequest('decide').withDetail({ recommended: 'approve_plan', options: ['approve_plan', 'revise_plan', 'escalate'] }).build();

  it('gives malformed decisions while they last, then the recommended action', async () => {
    const h = aHarness({ invalidDecisions: 2 });
    const organiser = await h.session('organiser');
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await runRecorded(organiser, decideRequest())).reply.output);
    expect(OrganiserActionSchema.safeParse(answers[0]).success).toBe(false);
    expect(OrganiserActionSchema.safeParse(answers[1]).success).toBe(false);
    expect(OrganiserActionSchema.parse(answers[2])).toMatchObject({ action: 'approve_plan' });
  });

  it('falls back to the first option when no action is recommended', async () => {
    const h = aHarness();
    const { reply } = await runRecorded(await h.session('organiser'), aRequest('decide').withDetail({ options: ['fix_file', 'accept_file'] }).build());
    expect(OrganiserActionSchema.parse(reply.output).action).toBe('fix_file');
  });

  it('answers a chat with the phase line of its context', async () => {
    const h = aHarness();
    const prompt = 'Task: finish the phase-two work\nphase: CODE_REVIEW (3 of 6 files approved)\nQuestion: how far along are we?';
    const { reply } = await runRecorded(await h.session('organiser'), aRequest('chat').withPrompt(prompt).build());
    expect(reply.output).toMatchObject({ answer: expect.stringContaining('phase: CODE_REVIEW (3 of 6 files approved)') });
    expect(AgentOutputSchema.parse(reply.output).summary).toBe((reply.output as { answer: string }).answer);
  });

  it('says it has nothing to report when its context has no phase', async () => {
    const h = aHarness();
    const { reply } = await runRecorded(await h.session('organiser'), aRequest('chat').withPrompt('Hello?').build());
    expect(reply.output).toMatchObject({ answer: 'I have no workflow status to report yet.' });
  });

  it('gives advice when consulted', async () => {
    const h = aHarness();
    const advice = await output(await h.session('architect'), aRequest('consult').withDetail({ note: 'Should module03 cache results?' }).build());
    expect(advice.content).toContain('Should module03 cache results?');
  });
});

describe('determinism', () => {
  it('gives the same answers to the same requests on two backends', async () => {
    const run = async (): Promise<unknown[]> => {
      const h = aHarness({ files: 10, testFailures: 1 });
      const replies: unknown[] = [];
      replies.push((await runRecorded(await h.session('architect'), aRequest('plan').build())).reply.output);
      replies.push((await runRecorded(await h.session('code-sceptic'), aRequest('review-plan').build())).reply.output);
      replies.push((await runRecorded(await h.session('code-sceptic'), aRequest('review-code').forFile(file(10)).build())).reply.output);
      replies.push((await runRecorded(await h.session('debugger'), aRequest('test').build())).reply);
      return replies;
    };
    expect(await run()).toEqual(await run());
  });
});
