import * as vscode from 'vscode';
import type { TreeNodeSpec } from './treeNode';

const COLLAPSIBLE: Record<TreeNodeSpec['collapsible'], vscode.TreeItemCollapsibleState> = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

/** The one place a node spec becomes a VS Code tree item. */
export function treeItem(spec: TreeNodeSpec): vscode.TreeItem {
  const item = new vscode.TreeItem(spec.label, COLLAPSIBLE[spec.collapsible]);
  item.id = spec.id;
  if (spec.description !== undefined) item.description = spec.description;
  item.tooltip = new vscode.MarkdownString(spec.tooltip, true);
  item.iconPath = new vscode.ThemeIcon(spec.icon.id, spec.icon.color ? new vscode.ThemeColor(spec.icon.color) : undefined);
  item.contextValue = spec.contextValue;
  if (spec.command) item.command = spec.command;
  return item;
}
