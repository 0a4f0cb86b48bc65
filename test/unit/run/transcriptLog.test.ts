import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentBackend, AgentReply, BackendEvent } from '../../../extension/engine/backends/agentBackend';
import { ProfileSchema, RoleDefinitionSchema } from '../../../extension/engine/roles/roleSchema';
import { MAX_LINES_PER_AGENT, TranscriptLog, readTranscript, transcriptAgents, transcriptFile } from '../../../extension/engine/run/transcriptLog';
import { transcribingBackend } from '../../../extension/engine/run/transcriptRecorder';
import { OrchestraError } from '../../../extension/engine/util/errors';
import type { TranscriptLine } from '../../../extension/protocol/transcriptPart';

function aRunDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'transcripts-'));
}

function aLine(id: string, status: 'running' | 'completed', turn = 'w1'): TranscriptLine {
  return { v: 1, turn, atMs: 5, part: { id, kind: 'tool', tool: 'bash', status, target: 'npm test', output: { text: status, size: status.length } } };
}

describe('the run folder keeps every agent’s transcript', () => {
  it('appends part versions and reads back the last version of each part, in first-seen order', async () => {
    const runDir = aRunDir();
    const log = new TranscriptLog(runDir);
    expect(log.append('secondary-coder-1', aLine('a', 'running'))).toBe(true);
    expect(log.append('secondary-coder-1', aLine('b', 'running'))).toBe(true);
    expect(log.append('secondary-coder-1', aLine('a', 'completed'))).toBe(true);
    // The same part id in another turn is another part.
    expect(log.append('secondary-coder-1', aLine('a', 'running', 'w2'))).toBe(true);
    const { lines, skipped } = await readTranscript(runDir, 'secondary-coder-1');
    expect(skipped).toBe(0);
    expect(lines.map((line) => `${line.turn}/${line.part.id}:${line.part.status}`)).toEqual(['w1/a:completed', 'w1/b:running', 'w2/a:running']);
    expect(await transcriptAgents(runDir)).toEqual(['secondary-coder-1']);
  });

  it('skips a torn last line and lines that are not parts, and reads the rest', async () => {
    const runDir = aRunDir();
    new TranscriptLog(runDir).append('architect-1', aLine('a', 'completed'));
    const file = transcriptFile(runDir, 'architect-1');
    fs.appendFileSync(file, '{"v":1,"turn":"w1","atMs":1,"part":{"id":"x"}}\nnot json\n{"v":1,"turn":"w1","at');
    const { lines, skipped } = await readTranscript(runDir, 'architect-1');
    expect(lines.map((line) => line.part.id)).toEqual(['a']);
    expect(skipped).toBe(3);
    expect(await readTranscript(runDir, 'nobody-1')).toEqual({ lines: [], skipped: 0 });
  });

  it('refuses an agent id that could leave the folder and a line that does not pass the schema', () => {
    const log = new TranscriptLog(aRunDir());
    expect(log.append('../escape', aLine('a', 'running'))).toBe(false);
    expect(log.append('coder-1', { ...aLine('a', 'running'), part: { id: '', kind: 'tool' } } as TranscriptLine)).toBe(false);
    expect(() => transcriptFile('/r', '../../etc')).toThrow();
  });

  it('keeps at most MAX_LINES_PER_AGENT lines per agent, counting those of an earlier process, the last one saying why', async () => {
    const runDir = aRunDir();
    const file = transcriptFile(runDir, 'coder-1');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const one = `${JSON.stringify(aLine('old', 'completed'))}\n`;
    fs.writeFileSync(file, one.repeat(MAX_LINES_PER_AGENT - 2));
    const log = new TranscriptLog(runDir);
    expect(log.append('coder-1', aLine('n1', 'running'))).toBe(true);
    expect(log.append('coder-1', aLine('n2', 'running'))).toBe(true);
    expect(log.append('coder-1', aLine('n3', 'running'))).toBe(false);
    const { lines } = await readTranscript(runDir, 'coder-1');
    expect(lines.at(-1)?.part).toMatchObject({ id: 'transcript-capped', kind: 'error' });
    expect(lines.map((line) => line.part.id)).not.toContain('n3');
  });
});

describe('a backend wrapped to keep transcripts', () => {
  const role = RoleDefinitionSchema.parse({ id: 'secondary-coder', name: 'Coder', description: 'A role.', category: 'implementation', required: false, prompt: 'Work.' });
  const profile = ProfileSchema.parse({ id: 'p', label: 'P', providerID: 'x', modelID: 'm' });

  /** A fake backend whose one turn reports a part and a retry, then ends as told. */
  function aFakeBackend(end: () => AgentReply): AgentBackend {
    return {
      kind: 'simulated',
      dispose: async () => undefined,
      startSession: async (spec) => ({
        agentId: spec.agentId,
        sessionId: 's1',
        close: async () => undefined,
        run: async (_request, _signal, onEvent: (event: BackendEvent) => void) => {
          onEvent({ type: 'part', part: { id: 'p1', kind: 'text', text: { text: 'hello', size: 5 } } });
          onEvent({ type: 'retry', attempt: 1, nextAttemptAt: 0, message: '503', cause: 'server-error' });
          return end();
        },
      }),
    };
  }

  it('tags each part with its work and step, turns retries and a failed turn into parts, and passes every event on', async () => {
    const runDir = aRunDir();
    const told: string[] = [];
    const wrapped = transcribingBackend(
      aFakeBackend(() => {
        throw new OrchestraError('rate-limited', 'too many requests');
      }),
      { log: new TranscriptLog(runDir), sinceStart: () => 42, onPart: (agentId, line) => told.push(`${agentId}:${line.part.id}`) },
    );
    const session = await wrapped.startSession({ agentId: 'secondary-coder-1', role, profile, workspace: runDir });
    const events: BackendEvent[] = [];
    const request = { workId: 'w7', kind: 'implement' as const, prompt: 'p', grants: [], inputs: [], detail: { file: 'src/a.ts' } };
    await expect(session.run(request, new AbortController().signal, (event) => events.push(event))).rejects.toThrow('too many requests');
    expect(events.map((event) => event.type)).toEqual(['part', 'retry']);
    expect(told).toEqual(['secondary-coder-1:p1', 'secondary-coder-1:retry-1', 'secondary-coder-1:turn-error']);
    const { lines } = await readTranscript(runDir, 'secondary-coder-1');
    expect(lines[0]).toMatchObject({ turn: 'w7', step: 'implement src/a.ts', atMs: 42 });
    expect(lines[2]?.part.text?.text).toContain('rate-limited');
  });
});
