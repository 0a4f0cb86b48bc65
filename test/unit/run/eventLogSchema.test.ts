import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedBackend } from '../../../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../../../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../../../extension/engine/roles/roleValidation';
import { EventLog } from '../../../extension/engine/run/eventLog';
import { EVENT_KINDS, EventLogEntrySchema, type EventLogInput } from '../../../extension/engine/run/eventLogSchema';
import { OrchestrationRun } from '../../../extension/engine/run/orchestrationRun';

/** Written by the run before entries were typed per kind (a 3-file simulated run). */
const OLD_LOG = path.join(__dirname, '../../fixtures/eventLog/simulated-run-v1.jsonl');

/** One entry of every kind, shaped as the run writes them. */
const ONE_OF_EACH: EventLogInput[] = [
  { kind: 'transition', runId: 'r', data: { from: 'IDLE', to: 'PLANNING', atMs: 3, event: 'START' } },
  { kind: 'message', runId: 'r', agentId: 'architect-1', correlationId: 'w1', data: { id: 'm1', from: 'organiser', to: 'architect-1', messageType: 'WORK_REQUEST', content: 'Plan it' } },
  { kind: 'agent', runId: 'r', agentId: 'architect-1', role: 'architect', data: { status: 'working', step: 'planning' } },
  { kind: 'decision', runId: 'r', agentId: 'organiser-1', role: 'organiser', data: { event: 'organiser:decided', data: { decision: 'd1', point: 'plan-ready', action: 'approve_plan', reason: 'fine' } } },
  { kind: 'artifact', runId: 'r', agentId: 'coder-1', role: 'coder', correlationId: 'w2', data: { id: 'src/a.ts', type: 'code', version: 1, summary: 'a' } },
  { kind: 'error', runId: 'r', data: { kind: 'grant-violation', message: 'wrote outside', workId: 'w2', agentId: 'coder-1' } },
  { kind: 'error', runId: 'r', data: { rejectedEvent: 'WORK_DONE', why: 'not in flight' } },
  { kind: 'error', runId: 'r', data: { fatal: 'Internal error: boom' } },
  { kind: 'run', runId: 'r', data: { event: 'started', task: 'Do it', backend: 'simulated', config: { maxRevisions: 2 } } },
  { kind: 'run', runId: 'r', data: { event: 'budget', scope: 'run', role: 'coder', limitUsd: 1, spentUsd: 0.9, reservedUsd: 0, estimateUsd: 0.2, reason: 'over budget' } },
  { kind: 'run', runId: 'r', data: { event: 'finished', status: 'COMPLETED' } },
];

function aLogFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'event-schema-')), 'events.jsonl');
}

describe('event log entries, one schema per kind', () => {
  it('every kind round-trips through the log unchanged', async () => {
    expect(new Set(ONE_OF_EACH.map((entry) => entry.kind))).toEqual(new Set(EVENT_KINDS));
    const file = aLogFile();
    const log = await EventLog.open(file, { clock: () => 0 });
    const written = await Promise.all(ONE_OF_EACH.map((entry) => log.append(entry)));
    await log.close();
    const { entries, problems } = await EventLog.read(file);
    expect(problems).toEqual([]);
    expect(entries).toEqual(written);
    expect(entries.map(({ seq: _seq, ts: _ts, ...input }) => input)).toEqual(ONE_OF_EACH);
  });

  it('refuses, at append, data that does not fit its kind', async () => {
    const log = await EventLog.open(aLogFile());
    const wrong = { kind: 'transition', runId: 'r', data: { from: 'IDLE', to: 'NOWHERE', atMs: 1 } } as unknown as EventLogInput;
    await expect(log.append(wrong)).rejects.toMatchObject({ reason: 'invalid-input' });
  });

  it('a damaged line among good ones is reported and skipped, the rest kept', async () => {
    const file = aLogFile();
    const good = ONE_OF_EACH.map((entry, index) => JSON.stringify({ seq: index + 1, ts: '2025-01-01T00:00:00.000Z', ...entry }));
    // Line 3: an agent entry whose status is not a status; line 5: JSON cut in the middle.
    good[2] = JSON.stringify({ seq: 3, ts: '2025-01-01T00:00:00.000Z', kind: 'agent', runId: 'r', data: { status: 'dreaming' } });
    good[4] = good[4]!.slice(0, 30);
    fs.writeFileSync(file, `${good.join('\n')}\n`);
    const { entries, problems } = await EventLog.read(file);
    expect(entries.map((entry) => entry.seq)).toEqual(ONE_OF_EACH.map((_, index) => index + 1).filter((seq) => seq !== 3 && seq !== 5));
    expect(problems).toEqual([expect.stringContaining('line 3 is not a log entry'), expect.stringContaining('line 5 is not valid JSON')]);
    expect(problems.every((problem) => !problem.includes('\n'))).toBe(true);
  });

  it('a log written before entries were typed still reads back whole', async () => {
    const { entries, problems, truncatedTail } = await EventLog.read(OLD_LOG);
    expect(problems).toEqual([]);
    expect(truncatedTail).toBe(false);
    expect(entries).toHaveLength(fs.readFileSync(OLD_LOG, 'utf8').trim().split('\n').length);
    expect(new Set(entries.map((entry) => entry.kind))).toEqual(new Set(['run', 'transition', 'message', 'agent', 'decision', 'artifact']));
    const finished = entries.at(-1);
    expect(finished?.kind === 'run' && finished.data.event === 'finished' && finished.data.status).toBe('COMPLETED');
  });

  it('every line a simulated run writes today reads back through the schema, retries and fallbacks included', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'event-schema-run-'));
    const run = await OrchestrationRun.create({
      workspace,
      task: 'Add overdue-loan tracking',
      roles: resolveRoles(simulatedRolesConfig()),
      backend: new SimulatedBackend({ files: 6, testFailures: 1, invalidDecisions: 2, failures: [{ role: 'code-sceptic', times: 1, error: 'backend-failed' }, { role: 'coder', times: 1, error: 'server-error' }] }),
      onAttention: 'fail',
      workflow: { retryBaseMs: 1 },
    });
    const report = await run.start();
    expect(report.status).toBe('COMPLETED');
    // An entry the schema refused at append would surface here as an event-log finding.
    expect(report.findings.filter((finding) => finding.kind === 'event-log')).toEqual([]);
    const lines = fs.readFileSync(path.join(run.runDir, 'events.jsonl'), 'utf8').trim().split('\n');
    const unread = lines.filter((text) => !EventLogEntrySchema.safeParse(JSON.parse(text)).success);
    expect(unread).toEqual([]);
    const { entries } = await EventLog.read(path.join(run.runDir, 'events.jsonl'));
    expect(entries).toHaveLength(lines.length);
    expect(entries.some((entry) => entry.kind === 'decision' && entry.data.event === 'organiser:invalid-answer')).toBe(true);
  }, 60_000);
});
