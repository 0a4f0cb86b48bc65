import type { RolesConfigView } from './protocol/rolesView';

/**
 * What `activate` returns. VS Code offers no way to read status bar items or a webview's state
 * from outside, so the real-host tests (test/vscode) read them here. Nothing in it changes
 * behaviour; it only reports.
 */
export interface OrchestraExtensionApi {
  /** The status bar items the extension shows now, in order (run item first). */
  statusBarItems(): Array<{ id: string; text: string; tooltip: string; command?: string; visible: boolean }>;
  /** The current or last run of this window. */
  currentRun(): { runId: string; phase: string; runDir: string } | undefined;
  /** Resolves when the current run reaches COMPLETED, CANCELLED or FAILED, with its final phase. */
  whenRunFinished(): Promise<{ runId: string; phase: string; reason?: string }>;
  /** Whether the dashboard panel exists and is visible. */
  dashboard(): { open: boolean; visible: boolean };
  /** Replaces the stored roles configuration (the same path as the roles tab's Save). */
  saveRolesConfig(config: RolesConfigView): Promise<void>;
  /** The log lines written so far to the "Kilo Orchestra" output channel in this session (most recent 2,000). */
  logLines(): string[];
}

/** Arguments `kiloOrchestra.startOrchestratedTask` accepts when called from code (tests, other extensions). */
export interface StartTaskArgs {
  task: string;
  /** Skip the confirmation that shows the assignments and the cost estimate. */
  skipConfirmation?: boolean;
}
