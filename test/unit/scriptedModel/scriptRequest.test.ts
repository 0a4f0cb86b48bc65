import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitForStreaming } from '../../../extension/scriptedModel/chatAnswer';
import { parseChatRequest } from '../../../extension/scriptedModel/chatSchema';
import type { ChatRequest } from '../../../extension/scriptedModel/chatSchema';
import { detectRole, roleMarker } from '../../../extension/engine/roles/roleMarker';
import { toScriptRequest } from '../../../extension/scriptedModel/scriptRequest';
import type { ScriptRequest } from '../../../extension/scriptedModel/scriptRequest';
import { thrown } from '../support/errors';
import { aChatRequest, aModel, postChat } from './chatClient';
import type { ChatRequestBuilder } from './chatClient';

function parsed(builder: ChatRequestBuilder): ChatRequest {
  const result = parseChatRequest(builder.build());
  if (!result.ok) throw new Error(result.message);
  return result.request;
}

describe('role markers', () => {
  it('detects the role a marker names, wherever the line sits', () => {
    expect(detectRole(`You review code.\n${roleMarker('code-sceptic')}\nBe harsh.`)).toBe('code-sceptic');
    expect(detectRole(roleMarker('documentation-writer'))).toBe('documentation-writer');
  });

  it('finds nothing in a prompt without a marker or with a malformed one', () => {
    expect(detectRole('You are the architect.')).toBeUndefined();
    expect(detectRole('[kilo-orchestra:role=]')).toBeUndefined();
    expect(detectRole('[kilo-orchestra:role=Architect]')).toBeUndefined();
  });

  it('refuses to mark something that is not a role id', () => {
    expect(thrown(() => roleMarker('Not A Role')).reason).toBe('invalid-input');
  });
});

describe('the request a script sees', () => {
  it('joins all system text and takes the last user message', () => {
    const request = toScriptRequest(
      parsed(aChatRequest().withSystem('Part one.').withSystem('Part two.').withUser('first ask').withAssistantText('done').withUser('second ask')),
    );

    expect(request.system).toBe('Part one.\n\nPart two.');
    expect(request.lastUser).toBe('second ask');
  });

  it('counts assistant turns and lists the offered tool names and the model', () => {
    const request = toScriptRequest(
      parsed(
        aChatRequest()
          .forModel('coder')
          .withTools('read', 'write', 'bash')
          .withUser('go')
          .withAssistantToolCalls([{ id: 'a', name: 'read' }])
          .withToolResult('a', 'text')
          .withAssistantText('read it'),
      ),
    );

    expect(request.turn).toBe(2);
    expect(request.toolNames).toEqual(['read', 'write', 'bash']);
    expect(request.model).toBe('coder');
    expect(request.stream).toBe(false);
  });

  it('gives the tool results after the last assistant turn, with names resolved from the calls', () => {
    const request = toScriptRequest(
      parsed(
        aChatRequest()
          .withUser('go')
          .withAssistantToolCalls([{ id: 'old', name: 'glob' }])
          .withToolResult('old', 'a.ts')
          .withAssistantToolCalls([
            { id: 'r1', name: 'read', arguments: { path: 'a.ts' } },
            { id: 'b1', name: 'bash', arguments: { command: 'ls' } },
          ])
          .withToolResult('r1', 'export {}')
          .withToolResult('b1', 'a.ts\nb.ts')
          .withToolResult('stray', 'from nowhere'),
      ),
    );

    expect(request.toolResults).toEqual([
      { toolCallId: 'r1', name: 'read', content: 'export {}' },
      { toolCallId: 'b1', name: 'bash', content: 'a.ts\nb.ts' },
      { toolCallId: 'stray', name: undefined, content: 'from nowhere' },
    ]);
  });

  it('has no tool results when the user spoke after the assistant', () => {
    const request = toScriptRequest(parsed(aChatRequest().withUser('go').withAssistantText('ok').withUser('more')));

    expect(request.toolResults).toEqual([]);
    expect(request.turn).toBe(1);
  });

  it('finds the role in the system prompt first, then in user messages', () => {
    const inSystem = toScriptRequest(parsed(aChatRequest().withSystem(roleMarker('architect')).withUser(roleMarker('debugger'))));
    const inUser = toScriptRequest(parsed(aChatRequest().withSystem('generic').withUser(`${roleMarker('debugger')}\nfix it`).withUser('again')));

    expect(inSystem.role).toBe('architect');
    expect(inUser.role).toBe('debugger');
  });

  it('hands the script the same view over HTTP', async () => {
    const seen: ScriptRequest[] = [];
    const model = await aModel({ script: (request) => (seen.push(request), { text: 'ok' }) });
    await postChat(model, aChatRequest().withSystem(roleMarker('primary-coder')).withUser('build it').withTools('write').streaming().build());

    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ role: 'primary-coder', lastUser: 'build it', toolNames: ['write'], turn: 0, stream: true });
  });
});

describe('splitting streamed text', () => {
  it('cuts anything longer than a character into several pieces that join back exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 0, maxLength: 400 }), (text) => {
        const pieces = splitForStreaming(text);
        expect(pieces.join('')).toBe(text);
        if (Array.from(text).length > 1) expect(pieces.length).toBeGreaterThanOrEqual(2);
        for (const piece of pieces) expect(piece).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
      }),
    );
  });

  it('keeps pieces to at most 48 characters', () => {
    expect(Math.max(...splitForStreaming('x'.repeat(1000)).map((piece) => piece.length))).toBe(48);
  });
});
