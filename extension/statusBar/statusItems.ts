import * as vscode from 'vscode';
import { COMMANDS } from '../commands/commandIds';
import type { StatusItemSpec } from './statusBarText';

/** What the test API reports of one item (VS Code offers no way to read status bar items). */
export interface StatusItemSnapshot {
  id: string;
  text: string;
  tooltip: string;
  command?: string;
  visible: boolean;
}

/**
 * One status bar slot whose content changes: VS Code fixes an item's position at creation, so
 * slots keep their place and specs move through them.
 */
export class StatusSlot implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private spec: StatusItemSpec | undefined;

  constructor(id: string, name: string, priority: number) {
    this.item = vscode.window.createStatusBarItem(id, vscode.StatusBarAlignment.Left, priority);
    this.item.name = name;
  }

  show(spec: StatusItemSpec): void {
    this.spec = spec;
    this.item.text = spec.text;
    const tooltip = new vscode.MarkdownString(spec.tooltip, true);
    tooltip.isTrusted = false;
    this.item.tooltip = tooltip;
    this.item.command = { command: COMMANDS.openDashboard, title: 'Open Dashboard', arguments: [spec.focus] };
    this.item.backgroundColor = spec.background ? new vscode.ThemeColor(`statusBarItem.${spec.background}Background`) : undefined;
    this.item.accessibilityInformation = { label: plainText(spec.text), role: 'button' };
    this.item.show();
  }

  hide(): void {
    this.spec = undefined;
    this.item.hide();
  }

  snapshot(): StatusItemSnapshot | undefined {
    if (!this.spec) return undefined;
    return { id: this.spec.id, text: this.spec.text, tooltip: this.spec.tooltip, command: COMMANDS.openDashboard, visible: true };
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** `$(sync~spin) Arch` → `Arch` for screen readers. */
function plainText(text: string): string {
  return text.replace(/\$\([^)]*\)\s*/g, '').trim();
}
