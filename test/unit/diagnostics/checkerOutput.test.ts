import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_DIAGNOSTICS, parseCheckerOutput, workspacePath, workspaceRoots } from '../../../extension/engine/diagnostics/checkerOutput';
import { FileDiagnosticSchema } from '../../../extension/engine/diagnostics/diagnosticsChecker';
import { LIMITS } from '../../../extension/engine/util/limits';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'checker-output-'));
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

describe('reading tsc output', () => {
  it('reads the --pretty false form with file, line, column, code and message', () => {
    const output = "src/a.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.\n";
    expect(parseCheckerOutput(output, workspace)).toEqual([{ file: 'src/a.ts', line: 3, column: 7, severity: 'error', source: 'TS2322', message: "Type 'string' is not assignable to type 'number'." }]);
  });

  it('reads the pretty form with its colours stripped', () => {
    const output = "\x1b[96msrc/a.ts\x1b[0m:\x1b[93m3\x1b[0m:\x1b[93m7\x1b[0m - \x1b[91merror\x1b[0m\x1b[90m TS2322: \x1b[0mType 'string' is not assignable to type 'number'.\n\n\x1b[7m3\x1b[0m const count: number = \"three\";\n\x1b[7m \x1b[0m \x1b[91m      ~~~~~\x1b[0m\n\n\nFound 1 error in src/a.ts\x1b[90m:3\x1b[0m\n";
    expect(parseCheckerOutput(output, workspace)).toEqual([{ file: 'src/a.ts', line: 3, column: 7, severity: 'error', source: 'TS2322', message: "Type 'string' is not assignable to type 'number'." }]);
  });

  it('joins the indented lines of a message chain to the message', () => {
    const output = [
      "src/b.ts(10,3): error TS2345: Argument of type '{ a: string; }' is not assignable to parameter of type 'Loan'.",
      "  Property 'due' is missing in type '{ a: string; }' but required in type 'Loan'.",
      'src/c.ts(1,1): error TS1005: \';\' expected.',
    ].join('\n');
    const found = parseCheckerOutput(output, workspace);
    expect(found.map((d) => d.file)).toEqual(['src/b.ts', 'src/c.ts']);
    expect(found[0]!.message).toBe("Argument of type '{ a: string; }' is not assignable to parameter of type 'Loan'.\nProperty 'due' is missing in type '{ a: string; }' but required in type 'Loan'.");
  });

  it('keeps parentheses in folder names (route groups) as part of the path', () => {
    expect(parseCheckerOutput("app/(auth)/page.tsx(2,5): error TS2304: Cannot find name 'x'.", workspace)[0]?.file).toBe('app/(auth)/page.tsx');
  });

  it('reads nothing from a line without a file (a tsconfig error) or from the summary', () => {
    expect(parseCheckerOutput("error TS5058: The specified path does not exist: 'tsconfig.json'.\nFound 3 errors in 2 files.\n", workspace)).toEqual([]);
  });
});

describe('reading eslint and generic output', () => {
  it('reads eslint --format unix, errors and warnings, with the rule as source', () => {
    const output = `${workspace}/src/a.js:3:7: 'x' is not defined. [Error/no-undef]\n${workspace}/src/a.js:4:1: Unexpected console statement. [Warning/no-console]\n\n2 problems\n`;
    expect(parseCheckerOutput(output, workspace)).toEqual([
      { file: 'src/a.js', line: 3, column: 7, severity: 'error', message: "'x' is not defined.", source: 'eslint(no-undef)' },
      { file: 'src/a.js', line: 4, column: 1, severity: 'warning', message: 'Unexpected console statement.', source: 'eslint(no-console)' },
    ]);
  });

  it('reads an eslint parse error, which has no rule', () => {
    expect(parseCheckerOutput('src/a.js:2:10: Parsing error: Unexpected token ) [Error]', workspace)).toEqual([{ file: 'src/a.js', line: 2, column: 10, severity: 'error', message: 'Parsing error: Unexpected token )' }]);
  });

  it('reads eslint --format compact', () => {
    expect(parseCheckerOutput(`${workspace}/src/a.js: line 3, col 7, Error - 'x' is not defined. (no-undef)\n\n1 problem`, workspace)).toEqual([{ file: 'src/a.js', line: 3, column: 7, severity: 'error', message: "'x' is not defined.", source: 'eslint(no-undef)' }]);
  });

  it('reads file:line:col: error: message, with or without a column, and warnings', () => {
    const output = 'src/main.c:12:5: error: expected ; before }\nsrc/lib.py:8: error: Incompatible return value  [return-value]\nsrc/main.c:3:1: warning: unused variable\n';
    expect(parseCheckerOutput(output, workspace)).toEqual([
      { file: 'src/main.c', line: 12, column: 5, severity: 'error', message: 'expected ; before }' },
      { file: 'src/lib.py', line: 8, severity: 'error', message: 'Incompatible return value [return-value]' },
      { file: 'src/main.c', line: 3, column: 1, severity: 'warning', message: 'unused variable' },
    ]);
  });

  it('takes line 0 (a whole-file problem) as line 1 and leaves column 0 out', () => {
    expect(parseCheckerOutput('src/a.js:0:0: File ignored by default. [Warning]', workspace)).toEqual([{ file: 'src/a.js', line: 1, severity: 'warning', message: 'File ignored by default.' }]);
  });

  it('ignores lines that only look alike (grep output, prose, URLs)', () => {
    const output = 'src/a.ts:3:const x = 1;\nSee https://example.com:443/docs for help\nsrc/a.ts:3:7: something happened\nnpm ERR! code 1\n';
    expect(parseCheckerOutput(output, workspace)).toEqual([]);
  });
});

describe('paths the checker prints', () => {
  const roots = workspaceRoots(workspace);

  it('maps relative and absolute paths inside the workspace to workspace-relative / paths', () => {
    expect(workspacePath('src/a.ts', roots)).toBe('src/a.ts');
    expect(workspacePath('./src/../src/a.ts', roots)).toBe('src/a.ts');
    expect(workspacePath(path.join(workspace, 'src', 'a.ts'), roots)).toBe('src/a.ts');
    expect(workspacePath('src\\win\\a.ts', roots)).toBe('src/win/a.ts');
  });

  it('maps the workspace reached through a symbolic link too', () => {
    const link = path.join(os.tmpdir(), `checker-output-link-${process.pid}`);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(workspace, link);
    try {
      // The checker ran in the link, printed real paths (or the other way round).
      expect(workspacePath(path.join(fs.realpathSync(workspace), 'src/a.ts'), workspaceRoots(link))).toBe('src/a.ts');
      expect(workspacePath(path.join(link, 'src/a.ts'), workspaceRoots(link))).toBe('src/a.ts');
    } finally {
      fs.rmSync(link, { force: true });
    }
  });

  it('drops paths outside the workspace, in .git or the run store, and the workspace itself', () => {
    for (const outside of ['/etc/passwd', '../other/a.ts', 'src/../../x.ts', `${workspace}-sibling/a.ts`, '.git/config', '.kilo-orchestra/runs/x.json', workspace, 'C:/Windows/a.ts']) {
      expect(workspacePath(outside, roots), outside).toBeUndefined();
    }
    expect(parseCheckerOutput("/usr/lib/node_modules/x/index.d.ts(1,1): error TS1000: outside\n../up.ts(1,1): error TS1000: up\nsrc/in.ts(1,1): error TS1000: in", workspace).map((d) => d.file)).toEqual(['src/in.ts']);
  });
});

describe('hostile checker output', () => {
  it('drops paths with control, bidirectional or zero-width characters', () => {
    const output = ['src/a\x07.ts(1,1): error TS1: bell', 'src/\u202Egnp.ts(1,1): error TS1: bidi', 'src/\u200Ba.ts(1,1): error TS1: zero width', 'src/ok.ts(1,1): error TS1: fine'].join('\n');
    expect(parseCheckerOutput(output, workspace).map((d) => d.file)).toEqual(['src/ok.ts']);
  });

  it('cleans control characters out of messages and keeps a terminal-title escape from reaching the terminal', () => {
    const [found] = parseCheckerOutput('src/a.ts(1,1): error TS2322: bad\x1b]0;owned\x07 type\u202E here\x00 now\x1b[2J', workspace);
    expect(found?.message).toBe('bad type here now');
    expect(found?.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });

  it('cuts an enormous message to the finding limit and a line of megabytes without hanging', () => {
    const huge = `src/a.ts(1,1): error TS2322: ${'x'.repeat(5_000_000)}`;
    const [found] = parseCheckerOutput(huge, workspace);
    expect(found?.message.length).toBeLessThanOrEqual(LIMITS.findingChars);
    // Many near-matches on one line (the lazy path pattern's worst case) still return.
    expect(parseCheckerOutput(`${'a('.repeat(100_000)}`, workspace)).toEqual([]);
  });

  it('reads at most MAX_DIAGNOSTICS from an output of a million lines', () => {
    const output = 'src/a.ts(1,1): error TS1: e\n'.repeat(1_000_000);
    expect(parseCheckerOutput(output, workspace)).toHaveLength(MAX_DIAGNOSTICS);
  });

  it('drops absurd line numbers and empty messages, and every result passes the schema', () => {
    const output = ['src/a.ts(99999999999,1): error TS1: too far', 'src/a.ts(1,1): error TS1: ', 'src/a.ts(1,1): error TS1: \x1b[31m\x1b[0m', 'src/a.ts(2,3): error TS1: kept', `src/${'d/'.repeat(600)}a.ts(1,1): error TS1: long path`].join('\n');
    const found = parseCheckerOutput(output, workspace);
    expect(found.map((d) => d.message)).toEqual(['kept']);
    for (const diagnostic of found) expect(FileDiagnosticSchema.safeParse(diagnostic).success).toBe(true);
  });

  it('reads Windows line endings and lone carriage returns', () => {
    expect(parseCheckerOutput('src/a.ts(1,1): error TS1: one\r\nsrc/b.ts(1,1): error TS1: two\rsrc/c.ts(1,1): error TS1: three', workspace).map((d) => d.file)).toEqual(['src/a.ts', 'src/b.ts', 'src/c.ts']);
  });
});
