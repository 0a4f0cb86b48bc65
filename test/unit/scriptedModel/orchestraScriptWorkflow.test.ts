import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { roleMarker, workMarker } from '../../../extension/engine/roles/roleMarker';
import { AgentOutputSchema } from '../../../extension/engine/backends/agentOutput';
import { orchestraScript } from '../../../extension/scriptedModel/orchestraScript';
import type { Script, ScriptedTurn } from '../../../extension/scriptedModel/scriptedModelServer';
import { SCRIPTED_OPTIONS_ENV, scriptOptionsFromEnv } from '../../../extension/scriptedModel/scriptOptionsEnv';
import { toScriptRequest } from '../../../extension/scriptedModel/scriptRequest';

// The work a definition-driven workflow adds: reviews by custom roles, custom steps, and a coder
// whose first attempt has a type error that only the diagnostics gate's findings make it fix.

const STRUCTURED = { type: 'function', function: { name: 'StructuredOutput', parameters: {} } };

function kiloRequest(role: string, prompt: string, toolResult?: { name: string; content: string }) {
  const messages: unknown[] = [
    { role: 'system', content: `You are a role.\n${roleMarker(role)}` },
    { role: 'user', content: `${prompt}\n<environment_details>\nWorking directory: /ws\n</environment_details>` },
  ];
  if (toolResult) {
    messages.push({ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: toolResult.name, arguments: '{}' } }] });
    messages.push({ role: 'tool', tool_call_id: 'c1', content: toolResult.content });
  }
  return toScriptRequest({ model: 'm', messages, tools: [STRUCTURED], stream: true } as never);
}

function envelope(turn: ScriptedTurn): Record<string, unknown> {
  expect(turn.toolCalls?.[0]?.name).toBe('StructuredOutput');
  const result = turn.toolCalls![0]!.arguments;
  expect(AgentOutputSchema.safeParse(result).success, JSON.stringify(result)).toBe(true);
  return result;
}

/** The content the coder writes for `kind` of `file` (after reading its scaffold). */
async function written(script: Script, kind: 'implement' | 'fix', file: string, note = ''): Promise<string> {
  const prompt = `${kind === 'fix' ? `Fix ${file}.` : `Implement ${file}.`}\n${note}\n${workMarker(kind, [file])}`;
  const turn = await script(kiloRequest('secondary-coder', prompt, { name: 'read', content: '// scaffold' }));
  const call = turn.toolCalls?.find((candidate) => candidate.name === 'write');
  expect(call?.arguments.filePath).toBe(`/ws/${file}`);
  return call!.arguments.content as string;
}

// The repository's strict settings; no DOM types, and the library files parsed once for every check.
const COMPILER_OPTIONS: ts.CompilerOptions = { strict: true, noEmit: true, noUnusedLocals: true, noUnusedParameters: true, allowJs: true, checkJs: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, lib: ['lib.es2022.d.ts'], types: [], skipLibCheck: true, skipDefaultLibCheck: true };
const host = ts.createCompilerHost(COMPILER_OPTIONS);
const libraries = new Map<string, ts.SourceFile | undefined>();
const readSource = host.getSourceFile.bind(host);
host.getSourceFile = (fileName, language, onError, fresh) => {
  if (!fileName.includes(`${path.sep}node_modules${path.sep}typescript${path.sep}`)) return readSource(fileName, language, onError, fresh);
  if (!libraries.has(fileName)) libraries.set(fileName, readSource(fileName, language, onError, fresh));
  return libraries.get(fileName);
};

/** The type errors `tsc --noEmit` reports for `files` under the repository's strict settings. */
function typeErrors(files: Record<string, string>): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scripted-ts-'));
  const roots = Object.entries(files).map(([name, content]) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    return file;
  });
  const program = ts.createProgram(roots, COMPILER_OPTIONS, host);
  const found = ts.getPreEmitDiagnostics(program).map((d) => `TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  fs.rmSync(dir, { recursive: true, force: true });
  return found;
}

const GATE_NOTE = 'The checker found 1 error in src/fines.ts; fix them:\n- line 2:7 TS2322: Type \'string\' is not assignable to type \'number\'.';

describe('orchestraScript in a workflow from a definition', () => {
  it('with typeErrorFirst, the first implement of a listed TypeScript file has a type error and the gate-driven fix compiles', async () => {
    const script = orchestraScript({ typeErrorFirst: ['src/fines.ts'] });
    const first = await written(script, 'implement', 'src/fines.ts');
    expect(first).toContain('const count: number = "three";');
    expect(typeErrors({ 'src/fines.ts': first })).toEqual([expect.stringMatching(/^TS2322 Type 'string' is not assignable to type 'number'/)]);

    const fixed = await written(script, 'fix', 'src/fines.ts', GATE_NOTE);
    expect(fixed).not.toContain('"three"');
    expect(typeErrors({ 'src/fines.ts': fixed })).toEqual([]);
    // A second implement (a retry) is correct: the error is planted once.
    expect(typeErrors({ 'src/fines.ts': await written(script, 'implement', 'src/fines.ts') })).toEqual([]);
  });

  it('files not listed, scaffolds and a reviewer-driven fix of a TypeScript file all compile', async () => {
    const script = orchestraScript({ typeErrorFirst: ['src/fines.ts'] });
    const structure = await script(kiloRequest('primary-coder', `Structure.\n${workMarker('structure', ['src/a.ts', 'src/b.ts'])}`));
    const scaffolds = Object.fromEntries(structure.toolCalls!.map((call) => [String(call.arguments.filePath).replace('/ws/', ''), call.arguments.content as string]));
    expect(Object.keys(scaffolds)).toEqual(['src/a.ts', 'src/b.ts']);
    expect(typeErrors(scaffolds)).toEqual([]);
    expect(typeErrors({ 'src/loans.ts': await written(script, 'implement', 'src/loans.ts') })).toEqual([]);
    const guarded = await written(script, 'fix', 'src/loans.ts', 'Reject input that is not an object.');
    expect(guarded).toContain("throw new TypeError('input must be an object')");
    expect(typeErrors({ 'src/loans.ts': guarded })).toEqual([]);
  });

  it('a listed JavaScript file gets a JSDoc type error that checkJs reports, and plain JavaScript once fixed', async () => {
    const script = orchestraScript({ typeErrorFirst: ['src/fines.js'] });
    expect(typeErrors({ 'src/fines.js': await written(script, 'implement', 'src/fines.js') })).toEqual([expect.stringMatching(/^TS2322/)]);
    const fixed = await written(script, 'fix', 'src/fines.js', GATE_NOTE.replace('fines.ts', 'fines.js'));
    expect(fixed).not.toContain('@ts-check');
  });

  it('a custom reviewer approves with a valid envelope; rejectOnce makes it reject each listed file once, and leaves the Code Sceptic alone', async () => {
    const script = orchestraScript({ rejectOnce: { role: 'security-auditor', files: ['src/loans.js'] } });
    const review = async (role: string, file: string) => envelope(await script(kiloRequest(role, `Review ${file}.\n${workMarker('review-code', [file])}`)));
    expect(await review('security-auditor', 'src/fines.js')).toMatchObject({ approved: true });
    expect(await review('code-sceptic', 'src/loans.js')).toMatchObject({ approved: true });
    const rejection = await review('security-auditor', 'src/loans.js');
    expect(rejection).toMatchObject({ approved: false, findings: [{ file: 'src/loans.js', severity: 'major' }] });
    expect(await review('security-auditor', 'src/loans.js')).toMatchObject({ approved: true });
  });

  it("rejectFilesOnce stays the Code Sceptic's: a custom reviewer approves those files", async () => {
    const script = orchestraScript({ rejectFilesOnce: ['src/overdue.js'] });
    const review = async (role: string) => envelope(await script(kiloRequest(role, `Review.\n${workMarker('review-code', ['src/overdue.js'])}`)));
    expect(await review('security-auditor')).toMatchObject({ approved: true });
    expect(await review('code-sceptic')).toMatchObject({ approved: false });
    expect(await review('code-sceptic')).toMatchObject({ approved: true });
  });

  it('a custom step granted files writes them first, then answers', async () => {
    const script = orchestraScript();
    const prompt = `Step.\nYou may create or change only these files: CHANGELOG.md. Every other file is read-only.\n${workMarker('step', ['src/loans.js'])}`;
    const first = await script(kiloRequest('changelog-writer', prompt));
    expect(first.toolCalls).toEqual([{ name: 'write', arguments: { filePath: '/ws/CHANGELOG.md', content: expect.stringContaining('src/loans.js') } }]);
    expect(envelope(await script(kiloRequest('changelog-writer', prompt, { name: 'write', content: 'Wrote file successfully.' }))).content).toContain('src/loans.js');
  });

  it('a custom step gets a valid envelope with content naming its files', async () => {
    const result = envelope(await orchestraScript()(kiloRequest('changelog-writer', `Step.\n${workMarker('step', ['src/loans.js', 'src/fines.js'])}`)));
    expect(result.content).toContain('src/loans.js');
    expect(result.content).toContain('src/fines.js');
  });
});

describe(`${SCRIPTED_OPTIONS_ENV}`, () => {
  it('reads the options as JSON, {} when unset', () => {
    expect(scriptOptionsFromEnv({})).toEqual({});
    const options = { typeErrorFirst: ['src/fines.ts'], rejectOnce: { role: 'security-auditor', files: ['src/loans.js'] } };
    expect(scriptOptionsFromEnv({ [SCRIPTED_OPTIONS_ENV]: JSON.stringify(options) })).toEqual(options);
  });

  it.each([
    ['{not json', /is not JSON/],
    ['{"typeErrorFirst":"src/a.ts"}', /at typeErrorFirst:/],
    ['{"rejectOnce":{"role":"x"}}', /at rejectOnce\.files:/],
    ['{"typo":true}', /typo/],
  ])('refuses %s naming the problem', (value, message) => {
    expect(() => scriptOptionsFromEnv({ [SCRIPTED_OPTIONS_ENV]: value })).toThrow(message);
  });
});
