/*
 * The diagnostics gate in VS Code: the language features already running (the TypeScript server,
 * ESLint, any language extension) are the checker. Each file is opened as a document (in a
 * background tab: the TypeScript extension reports only on files a tab shows), its diagnostics
 * are left to settle, its errors are read, and the tab is closed again. The VS Code API stays behind
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

/** A document the checker opened; `release` undoes what opening it for the check showed (a tab). */
export interface CheckedDocument {
  uri: string;
  languageId: string;
  release?(): Promise<void>;
}

/** What the checker needs of VS Code; documents are named by their URI's string. */
export interface LanguageFeatures {
  /** Opens the file (absolute path) as a document, which starts the language features on it. */
  openDocument(absolutePath: string): Promise<CheckedDocument>;
  diagnostics(uri: string): LanguageDiagnostic[];
  /** Called with the URIs whose diagnostics changed. */
  onDidChangeDiagnostics(listener: (uris: readonly string[]) => void): Disposable;
}

/** How long to wait for a document's diagnostics to settle. */
export interface SettleTiming {
  /** A document no language feature reports on within this is clean. */
  firstReportMs: number;
  /**
   * The same for the first document of a language in this run: its language server may only start
   * now (TypeScript's starts with the first TypeScript file opened), and that takes longer.
   */
  coldFirstReportMs: number;
  /** Settled: no new report for this long after the last one. */
  quietMs: number;
  /** Settled at the latest after this, however chatty the language features are. */
  maxMs: number;
}

export const DEFAULT_SETTLE: SettleTiming = { firstReportMs: 5_000, coldFirstReportMs: 15_000, quietMs: 500, maxMs: 20_000 };

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
  /** Languages this run has checked a document of: their servers are up, so the shorter wait applies. */
  private readonly warmLanguages = new Set<string>();

  constructor(private readonly options: LanguageDiagnosticsOptions) {
    // A caller that sets only the first-report wait gets it for cold languages too.
    const given = options.timing ?? {};
    this.timing = { ...DEFAULT_SETTLE, ...given, coldFirstReportMs: given.coldFirstReportMs ?? given.firstReportMs ?? DEFAULT_SETTLE.coldFirstReportMs };
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
    let document: CheckedDocument;
    try {
      document = await features.openDocument(absolute);
    } catch (error) {
      settled.cancel();
      if (signal.aborted) throw aborted(relative);
      // A file the coder did not leave on disk (deleted, or a simulated run's) has nothing to check.
      if (!(await isFile(absolute))) return [];
      throw new OrchestraError('io-failed', `VS Code could not open ${relative} to check it: ${describeError(error)}`, { hint: 'Check that the file is text and not too large for the editor, or turn the gate off with "workflow": { "diagnostics": { "enabled": false } } in the roles file.', cause: error });
    }
    try {
      uri = document.uri;
      const cold = !this.warmLanguages.has(document.languageId);
      this.warmLanguages.add(document.languageId);
      settled.opened(cold ? this.timing.coldFirstReportMs : this.timing.firstReportMs);
      if (early.has(uri)) reported?.();
      // No language feature looks at plain text: nothing to wait for.
      if (document.languageId === 'plaintext') settled.cancel();
      else await settled.done;
      if (signal.aborted) throw aborted(relative);
      return features.diagnostics(uri).flatMap((diagnostic) => toFileDiagnostic(relative, diagnostic));
    } finally {
      await document.release?.().catch(() => undefined);
    }
  }
}

/**
 * From `opened` on (opening can take a while: a tab, a reload from disk), resolves once reports
 * stopped: `firstReportMs` with none, `quietMs` after the last, `maxMs` at most; rejects when
 * `signal` aborts. `cancel` ends the wait at once (resolved).
 */
function settle(subscribe: (listener: () => void) => Disposable, timing: SettleTiming, signal: AbortSignal): { done: Promise<void>; cancel(): void; opened(firstReportMs: number): void } {
  let finish!: (error?: Error) => void;
  let opened!: (firstReportMs: number) => void;
  const done = new Promise<void>((resolve, reject) => {
    let ended = false;
    let quiet: NodeJS.Timeout | undefined;
    let limit: NodeJS.Timeout | undefined;
    const subscription = subscribe(() => {
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(), timing.quietMs);
    });
    opened = (firstReportMs) => {
      if (ended || limit) return;
      quiet ??= setTimeout(() => finish(), firstReportMs);
      limit = setTimeout(() => finish(), timing.maxMs);
    };
    const onAbort = () => finish(new OrchestraError('aborted', 'The diagnostics check was stopped.'));
    signal.addEventListener('abort', onAbort, { once: true });
    finish = (error) => {
      if (ended) return;
      ended = true;
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
  return { done, cancel: () => finish(), opened: (firstReportMs) => opened(firstReportMs) };
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

type VscodeApi = Pick<typeof vscode, 'workspace' | 'languages' | 'window' | 'commands' | 'Uri' | 'TabInputText' | 'DiagnosticSeverity'>;

/** How long an open document may lag behind its file on disk before it is checked as it is. */
const DISK_SYNC_MS = 10_000;

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
      await untilAsOnDisk(api, document, absolutePath);
      const release = await showInBackgroundTab(api, document.uri);
      return { uri: document.uri.toString(), languageId: document.languageId, ...(release ? { release } : {}) };
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

/**
 * A document opened by an earlier check still holds the code of then until VS Code reloads it from
 * the coder's write: resolves once it holds what is on disk, or after DISK_SYNC_MS as it is.
 */
async function untilAsOnDisk(api: VscodeApi, document: vscode.TextDocument, absolutePath: string): Promise<void> {
  const onDisk = await fs.readFile(absolutePath, 'utf8').then((text) => text.replace(/^\uFEFF/, ''), () => undefined);
  if (onDisk === undefined) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      subscription.dispose();
      resolve();
    };
    const timer = setTimeout(done, DISK_SYNC_MS);
    const subscription = api.workspace.onDidChangeTextDocument((event) => {
      if (event.document.uri.toString() === document.uri.toString() && event.document.getText() === onDisk) done();
    });
    if (document.getText() === onDisk) done();
  });
}

/**
 * VS Code's TypeScript extension reports only on files shown in a tab (unless project diagnostics
 * are on), so a file no tab shows is opened in one in the background, without focus, for the check.
 * Resolves with what closes it again; nothing when a tab already showed the file (the user's).
 */
async function showInBackgroundTab(api: VscodeApi, uri: vscode.Uri): Promise<(() => Promise<void>) | undefined> {
  const key = uri.toString();
  const tabs = () => api.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof api.TabInputText && tab.input.uri.toString() === key);
  if (tabs().length > 0) return undefined;
  // `background` is vscode.open's own option: the tab opens without becoming the group's active editor.
  await api.commands.executeCommand('vscode.open', uri, { background: true, preview: false, preserveFocus: true });
  return async () => {
    // A file the user started editing meanwhile keeps its tab.
    if (api.workspace.textDocuments.some((document) => document.uri.toString() === key && document.isDirty)) return;
    const opened = tabs();
    if (opened.length > 0) await api.window.tabGroups.close(opened, true);
  };
}
