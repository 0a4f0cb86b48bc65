import { describe, expect, it } from 'vitest';
import { MAX_CHAT_ACTIONS, readChatReply } from '../../../extension/engine/organiser/chatReply';

const addFile = { kind: 'add-file', path: 'src/report.js', purpose: 'Overdue loans by member.' };

describe('readChatReply', () => {
  it('reads {answer, actions} as an object, as JSON text and inside a code fence', () => {
    const reply = { answer: 'Adding the report.', actions: [addFile] };
    for (const output of [reply, JSON.stringify(reply), `\`\`\`json\n${JSON.stringify(reply)}\n\`\`\``]) {
      expect(readChatReply(output)).toEqual({ answer: 'Adding the report.', actions: [addFile], dropped: [] });
    }
  });

  it('takes plain text as an answer without actions, and nothing readable as undefined', () => {
    expect(readChatReply('We are coding.')).toEqual({ answer: 'We are coding.', actions: [], dropped: [] });
    expect(readChatReply('')).toBeUndefined();
    expect(readChatReply({ thoughts: 'hmm' })).toBeUndefined();
    expect(readChatReply(42)).toBeUndefined();
  });

  it('keeps the good actions and says why each bad one was dropped', () => {
    const reply = readChatReply({
      answer: 'ok',
      actions: [addFile, { kind: 'rm-rf' }, { kind: 'add-file', path: 'a.js', purpose: 'x'.repeat(5000) }, { kind: 'set-budget', usd: -3 }, null],
    });
    expect(reply?.actions).toEqual([addFile]);
    expect(reply?.dropped).toHaveLength(4);
    expect(reply?.dropped[0]).toContain('action 2 ("rm-rf")');
    expect(reply?.dropped[3]).toContain('action 5 (no kind)');
  });

  it(`reads at most ${MAX_CHAT_ACTIONS} actions`, () => {
    const reply = readChatReply({ answer: 'ok', actions: Array.from({ length: 9 }, () => ({ kind: 'skip-step', step: 'testing' })) });
    expect(reply?.actions).toHaveLength(MAX_CHAT_ACTIONS);
    expect(reply?.dropped).toEqual(['4 more actions than the 5 allowed']);
  });

  it('caps a huge answer and ignores actions that are not a list', () => {
    const reply = readChatReply({ answer: 'a'.repeat(50_000), actions: { kind: 'skip-step' } });
    expect(reply?.answer.length).toBe(4000);
    expect(reply?.actions).toEqual([]);
  });
});
