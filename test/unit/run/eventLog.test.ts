import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventLog, type EventLogInput } from '../../../extension/engine/run/eventLog';
import { rejection } from '../support/errors';

function aLogFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'event-log-')), 'run', 'events.jsonl');
}

/** A message entry; `n` rides in its id so order can be checked. */
function anEntry(n = 0, overrides: Partial<EventLogInput> = {}): EventLogInput {
  return {
    kind: 'message',
    runId: 'run-1',
    agentId: 'architect-1',
    role: 'architect',
    correlationId: 'w1',
    data: { id: `m${n}`, from: 'organiser', to: 'architect-1', messageType: 'WORK_REQUEST', content: 'plan' },
    ...overrides,
  } as EventLogInput;
}

/** A whole line as the log writes it. */
function line(seq: number): string {
  return `${JSON.stringify({ seq, ts: '2025-01-01T00:00:00.000Z', kind: 'run', runId: 'run-1', data: { event: 'attention', reason: `r${seq}` } })}\n`;
}


describe('EventLog writing', () => {
  it('keeps the order of concurrent appends and numbers them 1, 2, 3 …', async () => {
    const file = aLogFile();
    const log = await EventLog.open(file);
    await Promise.all(Array.from({ length: 200 }, (_, n) => log.append(anEntry(n))));
    const { entries, truncatedTail } = await EventLog.read(file);
    expect(truncatedTail).toBe(false);
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 200 }, (_, n) => n + 1));
    expect(entries.map((entry) => entry.kind === 'message' && entry.data.id)).toEqual(Array.from({ length: 200 }, (_, n) => `m${n}`));
  });

  it('stamps entries with the injected clock and reads back every field', async () => {
    const file = aLogFile();
    const log = await EventLog.open(file, { clock: () => Date.UTC(2025, 4, 6, 7, 8, 9) });
    const written = await log.append(anEntry(0, { kind: 'decision', data: { event: 'organiser:decided', data: { action: 'approve_plan' } } }));
    expect(written).toMatchObject({ seq: 1, ts: '2025-05-06T07:08:09.000Z' });
    expect((await EventLog.read(file)).entries).toEqual([written]);
  });

  it('flush waits for appends nobody awaited', async () => {
    const file = aLogFile();
    const log = await EventLog.open(file);
    for (let n = 0; n < 20; n += 1) void log.append(anEntry(n));
    await log.flush();
    expect((await EventLog.read(file)).entries).toHaveLength(20);
  });

  it('rejects an invalid entry with invalid-input and reports it again at flush', async () => {
    const log = await EventLog.open(aLogFile());
    const error = await rejection(log.append(anEntry(0, { kind: 'gossip' as never })));
    expect(error.reason).toBe('invalid-input');
    expect(error.message).toContain('kind');
    expect(await rejection(log.flush())).toBe(error);
    await expect(log.flush()).resolves.toBeUndefined();
  });

  it('a failed write rejects the append with io-failed and fails the next flush', async () => {
    const file = aLogFile();
    const log = await EventLog.open(file);
    await log.append(anEntry());
    fs.rmSync(file);
    fs.mkdirSync(file);
    void log.append(anEntry());
    expect((await rejection(log.flush())).reason).toBe('io-failed');
  });

  it('refuses appends after close', async () => {
    const log = await EventLog.open(aLogFile());
    await log.close();
    expect((await rejection(log.append(anEntry()))).message).toContain('closed');
  });

  it('reopening continues the numbering and cuts off a crash-truncated last line', async () => {
    const file = aLogFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${line(1)}${line(2)}{"seq":3,"ts":"2025-01-`);
    const log = await EventLog.open(file);
    expect(log.repairedTail).toBe(true);
    expect((await log.append(anEntry())).seq).toBe(3);
    const { entries, truncatedTail } = await EventLog.read(file);
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3]);
    expect(truncatedTail).toBe(false);
  });

  it('a whole last entry that lost its newline is kept, and the next entry starts on its own line', async () => {
    const file = aLogFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${line(1)}${line(2).trimEnd()}`);
    const log = await EventLog.open(file);
    expect(log.repairedTail).toBe(false);
    expect((await log.append(anEntry())).seq).toBe(3);
    await log.close();
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').filter(Boolean).map((entry) => JSON.parse(entry).seq)).toEqual([1, 2, 3]);
  });
});

describe('EventLog reading', () => {
  it('tolerates a truncated last line and says so', async () => {
    const file = aLogFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${line(1)}${line(2)}{"seq":3,"ts":"20`);
    const { entries, truncatedTail } = await EventLog.read(file);
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2]);
    expect(truncatedTail).toBe(true);
  });

  it('reports a malformed line in the middle by its line number and keeps the entries around it', async () => {
    const file = aLogFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${line(1)}${line(2)}not json at all\n${line(4)}`);
    const { entries, problems } = await EventLog.read(file);
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 4]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('line 3');
    expect(problems[0]).toContain('not valid JSON');
  });

  it('reports a well-formed JSON line that is not an entry by its line number', async () => {
    const file = aLogFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${line(1)}{"seq":2}\n${line(3)}`);
    const { entries, problems } = await EventLog.read(file);
    expect(entries.map((entry) => entry.seq)).toEqual([1, 3]);
    expect(problems).toEqual([expect.stringContaining('line 2 is not a log entry')]);
  });

  it('reopening after a damaged line numbers on from the highest seq, readable or not', async () => {
    const file = aLogFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${line(1)}{"seq":7,"ts":"x","kind":"run","runId":"run-1","data":{"event":"nonsense"}}\n`);
    const log = await EventLog.open(file);
    expect((await log.append(anEntry())).seq).toBe(8);
  });

  it('a missing file is not-found', async () => {
    expect((await rejection(EventLog.read(aLogFile()))).reason).toBe('not-found');
  });
});
