import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandChecker } from '../../../extension/engine/diagnostics/commandChecker';
import { describeGate, projectChecker } from '../../../extension/engine/diagnostics/projectChecker';

const repoTypeScript = path.resolve(__dirname, '../../../node_modules/typescript');
const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) fs.rmSync(dir, { recursive: true, force: true });
});

/** A workspace with the given pieces of a TypeScript project. */
function aWorkspace(pieces: { tsconfig?: boolean; typescript?: boolean; typeError?: boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'project-checker-'));
  temp.push(dir);
  if (pieces.tsconfig) fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [], skipLibCheck: true }, include: ['src'] }));
  if (pieces.typescript) {
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(repoTypeScript, path.join(dir, 'node_modules', 'typescript'), 'dir');
  }
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'a.ts'), pieces.typeError ? 'export const count: number = "three";\n' : 'export const count = 3;\n');
  return dir;
}

describe('choosing the headless checker', () => {
  it("uses the workflow definition's command when it sets one, split on spaces", () => {
    const checker = projectChecker({ workspace: aWorkspace({ tsconfig: true, typescript: true }), workflow: { diagnostics: { command: 'npx eslint --format unix src' } } });
    expect(checker).toBeInstanceOf(CommandChecker);
    expect(checker?.description).toBe('npx eslint --format unix src');
  });

  it("uses the project's own tsc when it has tsconfig.json and node_modules/typescript", () => {
    expect(projectChecker({ workspace: aWorkspace({ tsconfig: true, typescript: true }) })?.description).toBe('tsc --noEmit -p tsconfig.json');
  });

  it('has no checker (the gate is off) without tsconfig.json, or without TypeScript installed in the workspace', () => {
    expect(projectChecker({ workspace: aWorkspace({ typescript: true }) })).toBeUndefined();
    expect(projectChecker({ workspace: aWorkspace({ tsconfig: true }) })).toBeUndefined();
    expect(projectChecker({ workspace: aWorkspace() })).toBeUndefined();
  });

  it('has no checker when the definition turns the gate off, even with a command or a TypeScript project', () => {
    const workspace = aWorkspace({ tsconfig: true, typescript: true });
    expect(projectChecker({ workspace, workflow: { diagnostics: { enabled: false, command: 'npx tsc --noEmit' } } })).toBeUndefined();
    expect(projectChecker({ workspace, workflow: { diagnostics: { enabled: false } } })).toBeUndefined();
    expect(projectChecker({ workspace, workflow: { diagnostics: { maxRounds: 0 } } })).toBeUndefined();
  });

  it("runs the project's tsc with this Node, no shell and no PATH, and finds its type error", async () => {
    const workspace = aWorkspace({ tsconfig: true, typescript: true, typeError: true });
    const found = await projectChecker({ workspace, nodePath: process.execPath })!.check(['src/a.ts'], new AbortController().signal);
    expect(found).toEqual([{ file: 'src/a.ts', line: 1, column: 14, severity: 'error', source: 'TS2322', message: "Type 'string' is not assignable to type 'number'." }]);
  }, 120_000);
});

describe("the run's line about the gate", () => {
  it('names the checker and the rounds, and is absent when the gate is off', () => {
    const checker = { description: 'tsc --noEmit -p tsconfig.json', check: async () => [] };
    expect(describeGate(checker, 2)).toBe('Checks before review: tsc --noEmit -p tsconfig.json (errors go back to the coder, at most 2 rounds)');
    expect(describeGate(checker, 1)).toContain('at most 1 round)');
    expect(describeGate(undefined, 2)).toBeUndefined();
    expect(describeGate(checker, undefined)).toBeUndefined();
    expect(describeGate(checker, 0)).toBeUndefined();
  });
});
