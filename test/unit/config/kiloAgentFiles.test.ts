import { describe, expect, it } from 'vitest';
import { parseAgentFile, roleIdFromFileName, roleToAgentFile } from '../../../extension/config/kiloAgentFiles';
import { builtinRole } from '../../../extension/engine/roles/builtinRoles';

describe('Kilo agent files', () => {
  it('writes a role as front matter (description, mode: subagent, model) and the prompt as body, and reads it back', () => {
    const role = { id: 'architect', description: 'Plans: "files", purposes & order', prompt: builtinRole('architect')!.prompt };
    const file = roleToAgentFile(role, { providerID: 'openrouter', modelID: 'anthropic/claude-sonnet' });
    expect(file.fileName).toBe('architect.md');
    expect(file.content.split('\n').slice(0, 5)).toEqual(['---', `description: ${JSON.stringify(role.description)}`, 'mode: subagent', 'model: "openrouter/anthropic/claude-sonnet"', '---']);

    expect(parseAgentFile(file.fileName, file.content)).toEqual({
      ok: true,
      agent: { roleId: 'architect', description: role.description, prompt: role.prompt.trim(), model: { providerID: 'openrouter', modelID: 'anthropic/claude-sonnet' } },
    });
  });

  it('reads what people write by hand: CRLF, plain and single-quoted values, comments, nested blocks', () => {
    const text = "---\r\ndescription: 'It''s a reviewer' # why\r\nmode: subagent\r\nmodel: anthropic/claude-haiku\r\ntools:\r\n  write: false\r\n---\r\n\r\nReview the code.\r\n";
    expect(parseAgentFile('Reviewer.md', text)).toEqual({ ok: true, agent: { roleId: 'reviewer', description: "It's a reviewer", prompt: 'Review the code.', model: { providerID: 'anthropic', modelID: 'claude-haiku' } } });
    expect(parseAgentFile('helper.md', '---\ndescription: helps # note\n---\nHelp.')).toMatchObject({ ok: true, agent: { description: 'helps' } });
  });

  it('refuses hostile or unusable file names', () => {
    for (const name of ['../evil.md', 'sub/dir.md', 'a\\b.md', 'x\0.md', 'notes.txt', 'x.md', '1abc.md', 'has space.md', '.md']) {
      expect(roleIdFromFileName(name).ok).toBe(false);
      expect(parseAgentFile(name, '---\n---\nPrompt').ok).toBe(false);
    }
  });

  it('says what is wrong with a malformed file, naming the file', () => {
    const problem = (text: string) => {
      const result = parseAgentFile('coder.md', text);
      return result.ok ? 'parsed' : result.problem;
    };
    expect(problem('Just a prompt')).toMatch(/^coder\.md: .*front matter/);
    expect(problem('---\ndescription: x\nPrompt')).toMatch(/not closed/);
    expect(problem('---\ndescription: x\n---\n   \n')).toMatch(/no prompt/);
    expect(problem('---\nmodel: just-a-model\n---\nP')).toMatch(/provider\/model/);
    expect(problem('---\ndescription: "unterminated\n---\nP')).toMatch(/not a valid string/);
    expect(problem('---\n: nothing\n---\nP')).toMatch(/key: value/);
    expect(problem(`---\n---\n${'x'.repeat(200_001)}`)).toMatch(/larger than/);
  });
});
