import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandChecker } from '../../../extension/engine/diagnostics/commandChecker';
import type { Disposable } from '../../../extension/engine/util/disposable';
import { chooseWindowChecker, LanguageDiagnosticsChecker, toFileDiagnostic, type CheckedDocument, type LanguageDiagnostic, type LanguageFeatures } from '../../../extension/run/languageDiagnostics';
import { rejection } from '../support/errors';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'language-diagnostics-'));
for (const file of ['src/fines.ts', 'src/a.ts', 'src/logo.png', 'docs/notes.md', 'notes.txt']) {
  fs.mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
  fs.writeFileSync(path.join(workspace, file), '// code\n');
}
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));
const uriOf = (file: string) => `file://${path.join(workspace, file)}`;

/**
 * A fake of VS Code's language features: documents open when asked (or when `opened` lets them),
 * diagnostics are whatever the test `report`s, and each report fires the change event as VS Code does.
 */
class FakeLanguageFeatures implements LanguageFeatures {
  readonly opened: string[] = [];
  private readonly listeners = new Set<(uris: readonly string[]) => void>();
  private readonly byUri = new Map<string, LanguageDiagnostic[]>();
  languageId = 'typescript';
  openFails?: Error;
  /** Called once the document of `file` is open: the language server's reaction. */
  onOpen?: (file: string) => void;
  /** How long opening takes (VS Code showing a tab, reloading from disk). */
  openDelayMs = 0;
  /** What happened, in order: `released <file>` when the checker gives a document back, `read <file>` when it reads diagnostics. */
  readonly steps: string[] = [];

  async openDocument(absolutePath: string): Promise<CheckedDocument> {
    if (this.openFails) throw this.openFails;
    if (!fs.existsSync(absolutePath)) throw new Error(`cannot open ${absolutePath}: not found`);
    const file = path.relative(workspace, absolutePath).split(path.sep).join('/');
    if (this.openDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.openDelayMs));
    this.opened.push(file);
    queueMicrotask(() => this.onOpen?.(file));
    return { uri: uriOf(file), languageId: this.languageId, release: async () => void this.steps.push(`released ${file}`) };
  }

  diagnostics(uri: string): LanguageDiagnostic[] {
    this.steps.push(`read ${path.relative(workspace, new URL(uri).pathname)}`);
    return this.byUri.get(uri) ?? [];
  }

  onDidChangeDiagnostics(listener: (uris: readonly string[]) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  report(file: string, diagnostics: LanguageDiagnostic[]): void {
    this.byUri.set(uriOf(file), diagnostics);
    for (const listener of [...this.listeners]) listener([uriOf(file)]);
  }

  get listening(): number {
    return this.listeners.size;
  }
}

const typeError: LanguageDiagnostic = { severity: 'error', line: 1, character: 8, message: "Type 'string' is not assignable to type 'number'.", source: 'ts', code: '2322' };
const timing = { firstReportMs: 1_000, quietMs: 100, maxMs: 5_000 };
const never = new AbortController().signal;

describe('the VS Code checker', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("opens the file and returns its errors once the language server's reports have settled", async () => {
    const features = new FakeLanguageFeatures();
    // The server first reports the syntax pass (clean), then the semantic pass with the error.
    features.onOpen = (file) => {
      features.report(file, []);
      setTimeout(() => features.report(file, [typeError, { severity: 'warning', line: 4, character: 0, message: 'unused', source: 'ts', code: '6133' }, { severity: 'hint', line: 0, character: 0, message: 'could be const' }]), 50);
    };
    const checker = new LanguageDiagnosticsChecker({ workspace, features, timing });
    const checking = checker.check(['src/fines.ts'], never);
    await vi.advanceTimersByTimeAsync(60);
    // Still quiet for less than quietMs after the second report: not settled yet.
    let done = false;
    void checking.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(50);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(await checking).toEqual([
      { file: 'src/fines.ts', line: 2, column: 9, severity: 'error', message: "Type 'string' is not assignable to type 'number'.", source: 'ts(2322)' },
      { file: 'src/fines.ts', line: 5, column: 1, severity: 'warning', message: 'unused', source: 'ts(6133)' },
    ]);
    expect(features.opened).toEqual(['src/fines.ts']);
    expect(features.listening).toBe(0);
  });

  it('gives the document back (closes the tab it showed) after reading its diagnostics', async () => {
    const features = new FakeLanguageFeatures();
    features.onOpen = (file) => features.report(file, [typeError]);
    const checking = new LanguageDiagnosticsChecker({ workspace, features, timing }).check(['src/fines.ts'], never);
    await vi.advanceTimersByTimeAsync(timing.quietMs);
    expect(await checking).toHaveLength(1);
    expect(features.steps).toEqual(['read src/fines.ts', 'released src/fines.ts']);
  });

  it('waits the whole first-report bound from when the document is open, however long opening took', async () => {
    const features = new FakeLanguageFeatures();
    features.openDelayMs = timing.firstReportMs * 3;
    // The server reports well within the bound after the document opened, but after the bound from the call.
    features.onOpen = (file) => setTimeout(() => features.report(file, [typeError]), timing.firstReportMs / 2);
    const checking = new LanguageDiagnosticsChecker({ workspace, features, timing }).check(['src/fines.ts'], never);
    await vi.advanceTimersByTimeAsync(features.openDelayMs + timing.firstReportMs / 2 + timing.quietMs);
    expect(await checking).toHaveLength(1);
  });

  it('takes a file no language server reports on as clean after the first-report bound', async () => {
    const features = new FakeLanguageFeatures();
    const checking = new LanguageDiagnosticsChecker({ workspace, features, timing }).check(['docs/notes.md'], never);
    await vi.advanceTimersByTimeAsync(timing.firstReportMs);
    expect(await checking).toEqual([]);
  });

  it('waits longer for the first document of a language, whose server may only be starting, and the usual bound after', async () => {
    const features = new FakeLanguageFeatures();
    const checker = new LanguageDiagnosticsChecker({ workspace, features, timing: { ...timing, coldFirstReportMs: 3_000 } });
    let firstDone = false;
    const first = checker.check(['src/a.ts'], never).then(() => (firstDone = true));
    await vi.advanceTimersByTimeAsync(timing.firstReportMs);
    expect(firstDone).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    await first;
    let secondDone = false;
    const second = checker.check(['src/b.ts'], never).then(() => (secondDone = true));
    await vi.advanceTimersByTimeAsync(timing.firstReportMs);
    await second;
    expect(secondDone).toBe(true);
  });

  it('does not wait at all for a plain text document', async () => {
    const features = new FakeLanguageFeatures();
    features.languageId = 'plaintext';
    expect(await new LanguageDiagnosticsChecker({ workspace, features, timing }).check(['notes.txt'], never)).toEqual([]);
  });

  it('settles at the upper bound however chatty the server is', async () => {
    const features = new FakeLanguageFeatures();
    features.onOpen = (file) => {
      const chatter = setInterval(() => features.report(file, [typeError]), 50);
      setTimeout(() => clearInterval(chatter), 60_000);
    };
    const checking = new LanguageDiagnosticsChecker({ workspace, features, timing }).check(['src/a.ts'], never);
    await vi.advanceTimersByTimeAsync(timing.maxMs);
    expect(await checking).toHaveLength(1);
    vi.clearAllTimers();
  });

  it('ignores reports about other files while it waits', async () => {
    const features = new FakeLanguageFeatures();
    features.onOpen = () => setInterval(() => features.report('src/other.ts', [typeError]), 10);
    const checking = new LanguageDiagnosticsChecker({ workspace, features, timing }).check(['src/a.ts'], never);
    await vi.advanceTimersByTimeAsync(timing.firstReportMs);
    expect(await checking).toEqual([]);
    vi.clearAllTimers();
  });

  it('rejects as aborted when the run stops the check', async () => {
    const features = new FakeLanguageFeatures();
    const controller = new AbortController();
    const checking = new LanguageDiagnosticsChecker({ workspace, features, timing }).check(['src/a.ts'], controller.signal);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    expect((await rejection(checking)).reason).toBe('aborted');
    expect(features.listening).toBe(0);
  });

  it('rejects with what to do when VS Code cannot open the file', async () => {
    const features = new FakeLanguageFeatures();
    features.openFails = new Error('cannot open binary file');
    const error = await rejection(new LanguageDiagnosticsChecker({ workspace, features, timing }).check(['src/logo.png'], never));
    expect(error.reason).toBe('io-failed');
    expect(error.message).toContain('src/logo.png');
    expect(error.hint).toContain('enabled');
  });

  it('takes a file that is not on disk (deleted, or a simulated run) as clean', async () => {
    const features = new FakeLanguageFeatures();
    expect(await new LanguageDiagnosticsChecker({ workspace, features, timing }).check(['src/deleted.ts'], never)).toEqual([]);
  });

  it('never opens a path outside the workspace', async () => {
    const features = new FakeLanguageFeatures();
    expect(await new LanguageDiagnosticsChecker({ workspace, features, timing }).check(['../etc/passwd', '/etc/passwd'], never)).toEqual([]);
    expect(features.opened).toEqual([]);
  });
});

describe("a language feature's diagnostic as the gate's", () => {
  it('cleans control characters, caps the message and drops empty ones', () => {
    expect(toFileDiagnostic('src/a.ts', { severity: 'error', line: 0, character: 0, message: 'bad\x1b\u202E\x00 thing\n  more', source: 'x\u0007' })).toEqual([{ file: 'src/a.ts', line: 1, column: 1, severity: 'error', message: 'bad thing\nmore', source: 'x' }]);
    expect(toFileDiagnostic('src/a.ts', { severity: 'error', line: 0, character: 0, message: '\u0000' })).toEqual([]);
    expect(toFileDiagnostic('src/a.ts', { severity: 'error', line: 0, character: 0, message: 'x'.repeat(100_000) })[0]!.message.length).toBeLessThanOrEqual(2_000);
  });
});

describe("choosing the window's checker", () => {
  const features = new FakeLanguageFeatures();

  it('uses the language features by default', () => {
    expect(chooseWindowChecker({ workspace, features })?.description).toBe('VS Code language features');
  });

  it("prefers the definition's command when the user set one", () => {
    const checker = chooseWindowChecker({ workspace, features, workflow: { diagnostics: { command: 'npx tsc --noEmit -p tsconfig.json' } } });
    expect(checker).toBeInstanceOf(CommandChecker);
    expect(checker?.description).toBe('npx tsc --noEmit -p tsconfig.json');
  });

  it('has none when the gate is off', () => {
    expect(chooseWindowChecker({ workspace, features, workflow: { diagnostics: { enabled: false } } })).toBeUndefined();
  });
});
