import type * as vscode from 'vscode';
import { StatusSlot, type StatusItemSnapshot } from './statusItems';
import type { StatusItemSpec } from './statusBarText';

/** Priority of the run item; agent items sit just right of it. */
export const RUN_ITEM_PRIORITY = 100;

const IDLE: StatusItemSpec = {
  id: 'run',
  text: '$(organization) Orchestra',
  tooltip: '**Kilo Orchestra** — no task is running.  \n  \nClick to open the dashboard; start a task with "Kilo Orchestra: Start Orchestrated Task".',
  focus: { tab: 'run' },
};

/** The run's item: always shown, so the dashboard is one click away even before the first task. */
export class RunStatusItem implements vscode.Disposable {
  private readonly slot = new StatusSlot('kiloOrchestra.run', 'Kilo Orchestra run', RUN_ITEM_PRIORITY);

  constructor() {
    this.slot.show(IDLE);
  }

  update(spec: StatusItemSpec | undefined): void {
    this.slot.show(spec ?? IDLE);
  }

  snapshot(): StatusItemSnapshot[] {
    const snapshot = this.slot.snapshot();
    return snapshot ? [snapshot] : [];
  }

  dispose(): void {
    this.slot.dispose();
  }
}
