import type * as vscode from 'vscode';
import { RUN_ITEM_PRIORITY } from './runStatusItem';
import { StatusSlot, type StatusItemSnapshot } from './statusItems';
import { MAX_AGENT_ITEMS, type StatusItemSpec } from './statusBarText';

/** One compact item per active agent (plus the overflow item), created on first need, right of the run item. */
export class AgentIndicators implements vscode.Disposable {
  private readonly slots: StatusSlot[] = [];

  update(specs: readonly StatusItemSpec[]): void {
    specs.slice(0, MAX_AGENT_ITEMS).forEach((spec, index) => this.slot(index).show(spec));
    for (const slot of this.slots.slice(specs.length)) slot.hide();
  }

  snapshot(): StatusItemSnapshot[] {
    return this.slots.map((slot) => slot.snapshot()).filter((snapshot): snapshot is StatusItemSnapshot => snapshot !== undefined);
  }

  dispose(): void {
    for (const slot of this.slots.splice(0)) slot.dispose();
  }

  private slot(index: number): StatusSlot {
    while (this.slots.length <= index) {
      const n = this.slots.length;
      this.slots.push(new StatusSlot(`kiloOrchestra.agent${n}`, `Kilo Orchestra agent ${n + 1}`, RUN_ITEM_PRIORITY - 1 - n));
    }
    return this.slots[index]!;
  }
}
