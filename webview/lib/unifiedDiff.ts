import { structuredPatch } from 'diff';

export interface DiffLine {
  kind: 'added' | 'removed' | 'context' | 'hunk';
  text: string;
}

/**
 * A unified diff of two versions as lines to render as text (never as HTML). Three lines of context
 * around each change, like `git diff`; identical versions give no lines.
 */
export function unifiedDiff(previous: string, current: string, context = 3): DiffLine[] {
  const patch = structuredPatch('previous', 'current', previous, current, undefined, undefined, { context });
  const lines: DiffLine[] = [];
  for (const hunk of patch.hunks) {
    lines.push({ kind: 'hunk', text: `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@` });
    for (const line of hunk.lines) {
      if (line.startsWith('\\')) continue; // "\ No newline at end of file"
      const kind = line.startsWith('+') ? 'added' : line.startsWith('-') ? 'removed' : 'context';
      lines.push({ kind, text: line.slice(1) });
    }
  }
  return lines;
}
