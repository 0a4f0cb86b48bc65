/*
 * What one tree item shows, as plain data: the tree builders stay pure (no `vscode`), and the
 * providers turn a spec into a TreeItem in one place (treeItems.ts).
 */
export interface TreeNodeSpec {
  /** Stable across refreshes, so VS Code keeps expansion and selection. */
  id: string;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip: string;
  /** A codicon id (`sync~spin`), with a theme colour id when the state calls for one. */
  icon: { id: string; color?: string };
  collapsible: 'none' | 'collapsed' | 'expanded';
  /** Words joined by spaces; package.json's `viewItem =~ /…/` clauses match them. */
  contextValue: string;
  /** What a click runs. */
  command?: { command: string; title: string; arguments: unknown[] };
}

export function firstLine(text: string, max = 80): string {
  const line = text.trim().split(/\r?\n/, 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Agent- or user-written text must not turn into links or formatting in a tooltip. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (char) => `\\${char}`);
}
