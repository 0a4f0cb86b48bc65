import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAILBOX_DIR, awaitAnswer, postToMailbox, serveMailbox, type MailboxMessage } from '../../../extension/engine/run/runMailbox';
import { rejection } from '../support/errors';

const aRunDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mailbox-'));
const never = () => new AbortController().signal;

describe('run mailbox', () => {
  it('answers messages posted before and after it starts, one at a time in the order posted', async () => {
    const runDir = aRunDir();
    const early = await postToMailbox(runDir, { kind: 'say', text: 'first' }, 1000);
    const seen: string[] = [];
    let active = 0;
    let overlapped = false;
    const served = serveMailbox(runDir, async (message: MailboxMessage) => {
      overlapped ||= ++active > 1;
      seen.push(message.kind === 'say' ? message.text : message.proposalId);
      await new Promise((resolve) => setImmediate(resolve));
      active -= 1;
      return { ok: true, text: `answer to ${seen.at(-1)}`, actions: [] };
    });
    const late = await postToMailbox(runDir, { kind: 'proposal', proposalId: 'p1', apply: true }, 2000);

    expect((await awaitAnswer(runDir, early, never())).text).toBe('answer to first');
    expect((await awaitAnswer(runDir, late, never())).text).toBe('answer to p1');
    served.dispose();
    expect(seen).toEqual(['first', 'p1']);
    expect(overlapped).toBe(false);
  });

  it('never answers a message twice, also when a new process serves the mailbox', async () => {
    const runDir = aRunDir();
    const id = await postToMailbox(runDir, { kind: 'say', text: 'once' });
    let handled = 0;
    const handle = async () => ({ ok: true, text: `answer ${++handled}`, actions: [] });
    const first = serveMailbox(runDir, handle);
    expect((await awaitAnswer(runDir, id, never())).text).toBe('answer 1');
    first.dispose();
    // A message file left beside its answer (a crash between the two) is not handed on again.
    fs.writeFileSync(path.join(runDir, MAILBOX_DIR, `${id}.json`), JSON.stringify({ kind: 'say', text: 'once' }));
    const next = await postToMailbox(runDir, { kind: 'say', text: 'next' });
    const second = serveMailbox(runDir, handle);
    expect((await awaitAnswer(runDir, next, never())).text).toBe('answer 2');
    second.dispose();
    expect(handled).toBe(2);
  });

  it('answers a malformed or oversized message with the reason and never hands it on', async () => {
    const runDir = aRunDir();
    const dir = path.join(runDir, MAILBOX_DIR);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '0000000000001-aaaaaaaa.json'), '{"kind":"rm","path":"/"}');
    fs.writeFileSync(path.join(dir, '0000000000002-bbbbbbbb.json'), JSON.stringify({ kind: 'say', text: 'x'.repeat(70_000) }));
    fs.writeFileSync(path.join(dir, 'notes.json'), '{"kind":"say","text":"not a message id"}');
    const handled: MailboxMessage[] = [];
    const served = serveMailbox(runDir, async (message) => {
      handled.push(message);
      return { ok: true, text: 'handled', actions: [] };
    });

    const malformed = await awaitAnswer(runDir, '0000000000001-aaaaaaaa', never());
    const oversized = await awaitAnswer(runDir, '0000000000002-bbbbbbbb', never());
    served.dispose();
    expect(malformed).toMatchObject({ ok: false, text: expect.stringContaining('not understood') });
    expect(oversized).toMatchObject({ ok: false, text: expect.stringContaining('more than the 65536 allowed') });
    expect(handled).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'notes.json'))).toBe(true);
  });

  it('answers a failing handler with what went wrong', async () => {
    const runDir = aRunDir();
    const id = await postToMailbox(runDir, { kind: 'say', text: 'hello' });
    const served = serveMailbox(runDir, async () => {
      throw new Error('the Organiser is rate-limited');
    });
    expect(await awaitAnswer(runDir, id, never())).toMatchObject({ ok: false, text: expect.stringContaining('the Organiser is rate-limited') });
    served.dispose();
  });

  it('stops waiting for an answer when asked to', async () => {
    const runDir = aRunDir();
    const id = await postToMailbox(runDir, { kind: 'say', text: 'anyone?' });
    const stop = new AbortController();
    const waiting = awaitAnswer(runDir, id, stop.signal);
    stop.abort();
    expect((await rejection(waiting)).reason).toBe('aborted');
  });

  it('refuses to post a message outside the schema', async () => {
    await expect(postToMailbox(aRunDir(), { kind: 'say', text: '   ' })).rejects.toThrow();
  });
});
