/*
 * The diagnostics gate in VS Code: the language features already running (the TypeScript server,
 * ESLint, any language extension) are the checker. Each file is opened as a document, its
 * diagnostics are left to settle, and its errors are read. The VS Code API stays behind
 * `LanguageFeatures`, so a unit test hands in a fake and this file needs no `vscode` at run time.
 */
import fs from 'node:fs/promises';
import type * as vscode from 'vscode';
import { cleanDiagnosticText, MAX_SOURCE_CHARS } from '../engine/diagnostics/checkerOutput';
import { FileDiagnosticSchema, type DiagnosticsChecker, type FileDiagnostic } from '../engine/diagnostics/diagnosticsChecker';
import { configuredChecker } from '../engine/diagnostics/projectChecker';
import type { Disposable } from '../engine/util/disposable';
import { OrchestraError, describeError } from '../engine/util/errors';
import { LIMITS, capText } from '../engine/util/limits';
import { resolveInWorkspace, toWorkspaceRelative } from '../engine/util/paths';
import { resolveWorkflow, type WorkflowDefinition } from '../protocol/workflowDefinition';

/** One diagnostic as a language feature reports it: 0-based positions, VS Code's severities. */
export interface LanguageDiagnostic {
  severity: 'error' | 'warning' | 'information' | 'hint';
  line: number;
  character: number;
  message: string;
  /** `ts`, `eslint` …, and the code within it (`2322`, `no-undef`). */
  source?: string;
  code?: string;
}

/** What the checker needs of VS Code; documents are named by their URI's string. */
export interface LanguageFeatures {
  /** Opens the file (absolute path) as a document, which starts the language features on it. */
  openDocument(absolutePath: string): Promise<{ uri: string; languageId: string }>;
  diagnostics(uri: string): LanguageDiagnostic[];
  /** Called with the URIs whose diagnostics changed. */
  onDidChangeDiagnostics(listener: (uris: readonly string[]) => void): Disposable;
}

/** How long to wait for a document's diagnostics to settle. */
export interface SettleTiming {
  /** A document no language feature reports on within this is clean. */
  firstReportMs: number;
  /** Settled: no new report for this long after the last one. */
  quietMs: number;
  /** Settled at the latest after this, however chatty the language features are. */
  maxMs: number;
}

export const DEFAULT_SETTLE: SettleTiming = { firstReportMs: 5_000, quietMs: 500, maxMs: 20_000 };

export interface LanguageDiagnosticsOptions {
  workspace: string;
  features: LanguageFeatures;
  timing?: Partial<SettleTiming>;
}

export class LanguageDiagnosticsChecker implements DiagnosticsChecker {
  readonly description = 'VS Code language features';
  /** The language servers run anyway; each check only waits for their reports, so coders' files are checked side by side. */
  readonly concurrency = 16;
  private readonly timing: SettleTiming;

  constructor(private readonly options: LanguageDiagnosticsOptions) {
    this.timing = { ...DEFAULT_SETTLE, ...options.timing };
  }

  async check(files: readonly string[], signal: AbortSignal): Promise<FileDiagnostic[]> {
    const found = await Promise.all(files.map((file) => this.checkFile(file, signal)));
    return found.flat();
  }

  private async checkFile(file: string, signal: AbortSignal): Promise<FileDiagnostic[]> {
    let relative: string;
    let absolute: string;
    try {
      relative = toWorkspaceRelative(file);
      absolute = resolveInWorkspace(this.options.workspace, relative);
    } catch {
      return []; // not a file of the workspace: nothing the gate should look at
    }
    const { features } = this.options;
    let uri: string | undefined;
    let reported: (() => void) | undefined;
    // Listening starts before the document opens, so a report that comes while it opens counts too.
    const early = new Set<string>();
    const settled = settle((listener) => {
      reported = listener;
      return features.onDidChangeDiagnostics((uris) => {
        if (uri === undefined) for (const changed of uris) early.add(changed);
        else if (uris.includes(uri)) listener();
      });
    }, this.timing, signal);
    let document: { uri: string; languageId: string };
    try {
      document = await features.openDocument(absolute);
    } catch (error) {
      settled.cancel();
      if (signal.aborted) throw aborted(relative);
      // A file the coder did not leave on disk (deleted, or a simulated run's) has nothing to check.
      if (!(await isFile(absolute))) return [];
      throw new OrchestraError('io-failed', `VS Code could not open ${relative} to check it: ${describeError(error)}`, { hint: 'Check that the file is text and not too large for the editor, or turn the gate off with "workflow": { "diagnostics": { "enabled": false } } in the roles file.', cause: error });
    }
    uri = document.uri;
    if (early.has(uri)) reported?.();
    // No language feature looks at plain text: nothing to wait for.
    if (document.languageId === 'plaintext') settled.cancel();
    else await settled.done;
    if (signal.aborted) throw aborted(relative);
    return features.diagnostics(uri).flatMap((diagnostic) => toFileDiagnostic(relative, diagnostic));
  }
}

/**
 * Resolves once reports stopped: `firstReportMs` with none, `quietMs` after the last, `maxMs` at
 * most; rejects when `signal` aborts. `cancel` ends the wait at once (resolved).
 */
function settle(subscribe: (listener: () => void) => Disposable, timing: SettleTiming, signal: AbortSignal): { done: Promise<void>; cancel(): void } {
  let finish!: (error?: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    let quiet = setTimeout(() => finish(), timing.firstReportMs);
    const limit = setTimeout(() => finish(), timing.maxMs);
    const subscription = subscribe(() => {
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(), timing.quietMs);
    });
    const onAbort = () => finish(new OrchestraError('aborted', 'The diagnostics check was stopped.'));
    signal.addEventListener('abort', onAbort, { once: true });
    finish = (error) => {
      clearTimeout(quiet);
      clearTimeout(limit);
      subscription.dispose();
      signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    if (signal.aborted) onAbort();
  });
  // A cancelled or abandoned wait must not surface as an unhandled rejection.
  done.catch(() => undefined);
  return { done, cancel: () => finish() };
}

async function isFile(absolute: string): Promise<boolean> {
  try {
    return (await fs.stat(absolute)).isFile();
  } catch {
    return false;
  }
}

function aborted(file: string): OrchestraError {
  return new OrchestraError('aborted', `The diagnostics check of ${file} was stopped.`);
}

/** A language feature's error or warning as the gate's FileDiagnostic (1-based), or nothing. */
export function toFileDiagnostic(file: string, diagnostic: LanguageDiagnostic): FileDiagnostic[] {
  if (diagnostic.severity !== 'error' && diagnostic.severity !== 'warning') return [];
  const source = diagnostic.source ? `${diagnostic.source}${diagnostic.code ? `(${diagnostic.code})` : ''}` : diagnostic.code;
  const parsed = FileDiagnosticSchema.safeParse({
    file,
    line: Math.max(1, Math.floor(diagnostic.line) + 1),
    column: Math.max(1, Math.floor(diagnostic.character) + 1),
    severity: diagnostic.severity,
    message: capText(cleanDiagnosticText(diagnostic.message), LIMITS.findingChars, true),
    ...(source ? { source: capText(cleanDiagnosticText(source), MAX_SOURCE_CHARS, true) } : {}),
  });
  return parsed.success ? [parsed.data] : [];
}

/**
 * The window's checker: none when the gate is off; the definition's `diagnostics.command` when the
 * user set one (they asked for that checker); else the language features.
 */
export function chooseWindowChecker(options: { workspace: string; workflow?: WorkflowDefinition; features: LanguageFeatures }): DiagnosticsChecker | undefined {
  const gate = resolveWorkflow(options.workflow).diagnostics;
  if (!gate.enabled || gate.maxRounds === 0) return undefined;
  return configuredChecker(options) ?? new LanguageDiagnosticsChecker({ workspace: options.workspace, features: options.features });
}

type VscodeApi = Pick<typeof vscode, 'workspace' | 'languages' | 'Uri' | 'DiagnosticSeverity'>;

/** The real VS Code behind `LanguageFeatures` (runController passes the `vscode` module in). */
export function vscodeLanguageFeatures(api: VscodeApi): LanguageFeatures {
  const severities = new Map<vscode.DiagnosticSeverity, LanguageDiagnostic['severity']>([
    [api.DiagnosticSeverity.Error, 'error'],
    [api.DiagnosticSeverity.Warning, 'warning'],
    [api.DiagnosticSeverity.Information, 'information'],
    [api.DiagnosticSeverity.Hint, 'hint'],
  ]);
  return {
    async openDocument(absolutePath) {
      const document = await api.workspace.openTextDocument(api.Uri.file(absolutePath));
      return { uri: document.uri.toString(), languageId: document.languageId };
    },
    diagnostics(uri) {
      return api.languages.getDiagnostics(api.Uri.parse(uri)).map((diagnostic) => {
        const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
        return {
          severity: severities.get(diagnostic.severity) ?? 'hint',
          line: diagnostic.range.start.line,
          character: diagnostic.range.start.character,
          message: diagnostic.message,
          ...(diagnostic.source ? { source: diagnostic.source } : {}),
          ...(code !== undefined ? { code: String(code) } : {}),
        };
      });
    },
    onDidChangeDiagnostics(listener) {
      return api.languages.onDidChangeDiagnostics((event) => listener(event.uris.map((uri) => uri.toString())));
    },
  };
}
