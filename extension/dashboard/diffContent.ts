/*
 * The summary card's diffs in VS Code's own diff editor: the left side is the file as the
 * checkpoint before the run holds it, served on a scheme of our own from the private checkpoint
 * store; the right side is the workspace file itself (or an empty document for a deleted one).
 */
import * as vscode from 'vscode';
import { z } from 'zod';
import { checkpointFileContent } from '../engine/run/changedFiles';
import { resolveInWorkspace } from '../engine/util/paths';
import type { FileChangeView, RunSummaryView } from '../protocol/runSummaryView';
import type { SummaryDiffs } from './dashboardDeps';

export const CHECKPOINT_SCHEME = 'kilo-orchestra-checkpoint';

/** The query of a checkpoint URI: which commit, or the empty side of a deleted file's diff. */
const QuerySchema = z.union([z.object({ commit: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/) }), z.object({ empty: z.literal(true) })]);

/** A file as a checkpoint holds it; `undefined` commit: the empty document. */
export function checkpointUri(file: string, commit: string | undefined): vscode.Uri {
  return vscode.Uri.from({ scheme: CHECKPOINT_SCHEME, path: `/${file}`, query: JSON.stringify(commit ? { commit } : { empty: true }) });
}

/**
 * Serves checkpoint URIs from the open workspace's store only (never a folder a URI names), read
 * only; a file the checkpoint lacks (one the run added) is an empty document.
 */
export class CheckpointContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly workspace: () => string | undefined) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const workspace = this.workspace();
    if (!workspace) throw new Error('No folder is open, so there is no checkpoint to read.');
    let query: z.infer<typeof QuerySchema>;
    try {
      query = QuerySchema.parse(JSON.parse(uri.query));
    } catch {
      throw new Error(`${uri.toString()} does not name a checkpoint.`);
    }
    if ('empty' in query) return '';
    return (await checkpointFileContent(workspace, query.commit, uri.path.replace(/^\//, ''))) ?? '';
  }
}

/** Registers the provider; dispose to unregister. */
export function registerCheckpointContent(workspace: () => string | undefined): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(CHECKPOINT_SCHEME, new CheckpointContentProvider(workspace));
}

/** The two sides of one changed file's diff. */
function sides(workspace: string, summary: RunSummaryView, file: FileChangeView): { left: vscode.Uri; right: vscode.Uri } {
  const commit = summary.checkpoint?.commit;
  if (!commit) throw new Error('The run has no checkpoint before it, so there is nothing to compare with.');
  const left = checkpointUri(file.path, file.change === 'added' ? undefined : commit);
  const right = file.change === 'deleted' ? checkpointUri(file.path, undefined) : vscode.Uri.file(resolveInWorkspace(workspace, file.path));
  return { left, right };
}

/** The summary card's Open diff and Open changes, for the open workspace. */
export function summaryDiffs(workspace: () => string | undefined): SummaryDiffs {
  const folder = (): string => {
    const found = workspace();
    if (!found) throw new Error('No folder is open.');
    return found;
  };
  return {
    async openDiff(summary, file) {
      const { left, right } = sides(folder(), summary, file);
      const label = summary.checkpoint ? summary.checkpoint.label : 'checkpoint';
      await vscode.commands.executeCommand('vscode.diff', left, right, `${file.path} (${label} ↔ ${file.change === 'deleted' ? 'deleted' : 'now'})`, { preview: true });
    },
    async openChanges(summary) {
      const root = folder();
      const files = summary.files?.changed ?? [];
      if (files.length === 0) {
        await vscode.commands.executeCommand('workbench.view.scm');
        return;
      }
      const resources = files.map((file) => {
        const { left, right } = sides(root, summary, file);
        return [file.change === 'deleted' ? left : right, left, right] as const;
      });
      try {
        // The multi-file diff editor; older hosts lack it, and the Source Control view is the next best.
        await vscode.commands.executeCommand('vscode.changes', `Changes of run ${summary.runId}`, resources);
      } catch {
        await vscode.commands.executeCommand('workbench.view.scm');
      }
    },
  };
}
