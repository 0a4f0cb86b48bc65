import { describe, expect, it } from 'vitest';
import type { DiagnosticsChecker, FileDiagnostic } from '../../../extension/engine/diagnostics/diagnosticsChecker';
import { DiagnosticChecks } from '../../../extension/engine/run/diagnosticChecks';
import type { WorkItem, WorkflowEvent } from '../../../extension/engine/workflow/workflowTypes';

/** A fake checker whose checks stay open until the test releases them; it counts how many run at once. */
class FakeGatedChecker implements DiagnosticsChecker {
  readonly description = 'fake gated checker';
  open = 0;
  most = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly started: Array<() => void> = [];
  constructor(readonly concurrency?: number) {}
  async check(files: readonly string[]): Promise<FileDiagnostic[]> {
    this.open += 1;
    this.most = Math.max(this.most, this.open);
    this.started.shift()?.();
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.open -= 1;
    return [{ file: files[0]!, line: 1, severity: 'error', message: 'broken' }, { file: 'other.ts', line: 1, severity: 'error', message: 'not asked' }];
  }
  nextStart(): Promise<void> {
    return new Promise((resolve) => this.started.push(resolve));
  }
  releaseAll(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

const checkOf = (id: string, file: string): WorkItem => ({ id, kind: 'check', role: 'diagnostics', instance: 1, grants: [], inputs: [], file, attempt: 1 });

function collecting() {
  const events: WorkflowEvent[] = [];
  let onEvent: (() => void) | undefined;
  const feed = async (event: WorkflowEvent) => {
    events.push(event);
    onEvent?.();
  };
  const until = (count: number) => new Promise<void>((resolve) => {
    const test = () => (events.length >= count ? resolve() : undefined);
    onEvent = test;
    test();
  });
  return { events, feed, until };
}

describe('DiagnosticChecks', () => {
  it('runs one check at a time for a checker that does not say otherwise, and keeps only the work file\'s errors', async () => {
    const checker = new FakeGatedChecker();
    const { events, feed, until } = collecting();
    const checks = new DiagnosticChecks({ checker, feed, reportFinding: () => undefined });
    const first = checker.nextStart();
    checks.run(checkOf('w1', 'a.ts'));
    checks.run(checkOf('w2', 'b.ts'));
    await first;
    const second = checker.nextStart();
    checker.releaseAll();
    await second;
    checker.releaseAll();
    await until(2);
    expect(checker.most).toBe(1);
    expect(events).toEqual([
      { type: 'WORK_DONE', workId: 'w1', result: { artifactIds: [], diagnostics: [{ file: 'a.ts', severity: 'major', message: 'line 1: broken' }] } },
      { type: 'WORK_DONE', workId: 'w2', result: { artifactIds: [], diagnostics: [{ file: 'b.ts', severity: 'major', message: 'line 1: broken' }] } },
    ]);
  });

  it('runs checks side by side up to the checker\'s concurrency', async () => {
    const checker = new FakeGatedChecker(2);
    const { feed, until } = collecting();
    const checks = new DiagnosticChecks({ checker, feed, reportFinding: () => undefined });
    const both = Promise.all([checker.nextStart(), checker.nextStart()]);
    for (const [id, file] of [['w1', 'a.ts'], ['w2', 'b.ts'], ['w3', 'c.ts']] as const) checks.run(checkOf(id, file));
    await both;
    expect(checker.open).toBe(2);
    const third = checker.nextStart();
    checker.releaseAll();
    await third;
    checker.releaseAll();
    await until(3);
    expect(checker.most).toBe(2);
  });
});
