import { describe, expect, it } from 'vitest';
import { MAX_PART_VERSIONS_PER_TURN, PartVersions, kiloPart } from '../../../extension/kilo/kiloPartCapture';
import { PART_BODY_CHARS, TranscriptPartSchema, type TranscriptPart } from '../../../extension/protocol/transcriptPart';

const DIR = '/work/space';

function tool(tool: string, state: Record<string, unknown>, id = 'prt_1') {
  return { id, messageID: 'msg_a', sessionID: 'ses_1', type: 'tool', tool, callID: 'call_1', state };
}

describe('Kilo message parts as transcript parts', () => {
  it('shows a write with its workspace-relative file, input and a patch built from the content when Kilo sends none', () => {
    const part = kiloPart(tool('write', { status: 'completed', input: { filePath: `${DIR}/src/a.ts`, content: 'export const a = 1;\n' }, output: 'Wrote file successfully.', metadata: { exists: false } }), DIR);
    expect(part).toMatchObject({ id: 'prt_1', kind: 'tool', tool: 'write', status: 'completed', target: 'src/a.ts', output: { text: 'Wrote file successfully.', size: 24 } });
    expect(part?.diff?.text).toContain('+export const a = 1;');
    expect(JSON.parse(part!.input!.text)).toEqual({ filePath: `${DIR}/src/a.ts`, content: 'export const a = 1;\n' });
  });

  it("prefers Kilo's own patch of an edit (metadata.diff), then filediff's before and after", () => {
    const given = kiloPart(tool('edit', { status: 'completed', input: { filePath: `${DIR}/b.ts`, oldString: 'x', newString: 'y' }, metadata: { diff: '@@ -1 +1 @@\n-old\n+new\n' } }), DIR);
    expect(given?.diff?.text).toBe('@@ -1 +1 @@\n-old\n+new\n');
    const fromFiles = kiloPart(tool('edit', { status: 'completed', input: { filePath: `${DIR}/b.ts` }, metadata: { filediff: { before: 'one\n', after: 'two\n' } } }), DIR);
    expect(fromFiles?.diff?.text).toContain('-one');
    expect(fromFiles?.diff?.text).toContain('+two');
    const fromInput = kiloPart(tool('edit', { status: 'completed', input: { filePath: `${DIR}/b.ts`, oldString: 'let a', newString: 'const a' } }), DIR);
    expect(fromInput?.diff?.text).toContain('+const a');
  });

  it('shows a running tool call as running, and a failed one with its error', () => {
    expect(kiloPart(tool('bash', { status: 'running', input: { command: 'npm test' } }), DIR)).toMatchObject({ status: 'running', target: 'npm test' });
    expect(kiloPart(tool('read', { status: 'error', input: { filePath: 'x' }, error: 'File not found' }), DIR)).toMatchObject({ status: 'error', text: { text: 'File not found' } });
  });

  it('cuts a huge output to the cap and notes the full size', () => {
    const output = 'y'.repeat(5_000_000);
    const part = kiloPart(tool('bash', { status: 'completed', input: { command: 'yes' }, output }), DIR);
    expect(part?.output?.text.length).toBe(PART_BODY_CHARS);
    expect(part?.output?.size).toBe(5_000_000);
    expect(TranscriptPartSchema.safeParse(part).success).toBe(true);
  });

  it('survives hostile parts: odd paths, control characters, input that is not JSON, wrong types', () => {
    const circular: Record<string, unknown> = { filePath: '../../etc/passwd\n\u0007x' };
    circular.self = circular;
    const odd = kiloPart(tool('read', { status: 'completed', input: circular, output: { not: 'a string' } }), DIR);
    expect(odd?.target).toBe('../../etc/passwd x');
    expect(odd?.input?.text).toBe('(not representable as JSON)');
    expect(odd?.output?.text).toContain('"not"');
    const big = kiloPart(tool('grep', { status: 'completed', input: { pattern: 1n as unknown } }), DIR);
    expect(big?.input?.text).toBe('(not representable as JSON)');
    expect(kiloPart(tool('x'.repeat(500), { status: 'weird', input: 'nope' }), DIR)).toMatchObject({ status: 'pending' });
    expect(kiloPart({ type: 'tool' }, DIR)).toBeUndefined(); // no id
    expect(kiloPart('not a part', DIR)).toBeUndefined();
    expect(kiloPart(null, DIR)).toBeUndefined();
    expect(kiloPart({ id: 'p', type: 'snapshot' }, DIR)).toBeUndefined();
    expect(kiloPart({ id: 'p', type: 'text', text: 42 }, DIR)).toBeUndefined();
    for (const part of [odd, big]) expect(TranscriptPartSchema.safeParse(part).success).toBe(true);
  });

  it("reads a step's tokens and cost, and never a negative cost", () => {
    expect(kiloPart({ id: 's1', type: 'step-finish', cost: 0.0123, tokens: { input: 1200, output: 300, reasoning: 50, cache: { read: 0, write: 0 } } }, DIR)).toEqual({ id: 's1', kind: 'step', tokens: { input: 1200, output: 350 }, costUsd: 0.0123 });
    expect(kiloPart({ id: 's2', type: 'step-finish', cost: -5, tokens: 'lots' }, DIR)).toEqual({ id: 's2', kind: 'step', tokens: { input: 0, output: 0 } });
  });
});

describe('which part versions are passed on', () => {
  const text = (length: number): TranscriptPart => ({ id: 't', kind: 'text', text: { text: 'a'.repeat(length), size: length } });

  it('passes every status change of a tool call once, and a streaming text only when it grew a lot or ended', () => {
    const versions = new PartVersions();
    expect(versions.accept({ id: 'c', kind: 'tool', status: 'pending' }, false)).toBe(false);
    const running: TranscriptPart = { id: 'c', kind: 'tool', status: 'running' };
    expect(versions.accept(running, false)).toBe(true);
    expect(versions.accept(running, false)).toBe(false);
    expect(versions.accept({ ...running, status: 'completed' }, false)).toBe(true);
    expect(versions.accept(text(10), false)).toBe(true);
    expect(versions.accept(text(20), false)).toBe(false);
    expect(versions.accept(text(3_000), false)).toBe(true);
    expect(versions.accept(text(3_010), true)).toBe(true);
  });

  it('stops at the cap per turn and says so once', () => {
    const versions = new PartVersions();
    for (let i = 0; i < MAX_PART_VERSIONS_PER_TURN; i += 1) expect(versions.accept({ id: `p${i}`, kind: 'tool', status: 'running' }, false)).toBe(true);
    expect(versions.capped).toBe(false);
    expect(versions.accept({ id: 'late', kind: 'tool', status: 'running' }, false)).toBe(false);
    expect(versions.capped).toBe(true);
  });
});
