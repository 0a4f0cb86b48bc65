/*
 * At activation: a run of this workspace that did not finish (interrupted by a signal, paused, or
 * cut off by a crash) is offered once, as a notification with Resume, Show and Discard. Only run
 * folders are read: no server starts until the user chooses Resume.
 */
import * as vscode from 'vscode';
import { COMMANDS } from '../commands/commandIds';
import { describeUnfinished } from '../engine/run/unfinishedRuns';
import { describeError } from '../engine/util/errors';
import type { RunLog } from './runLog';
import { discardUnfinishedRun, resumableRuns, resumeUnfinishedRun, showUnfinishedRun, type UnfinishedRunDeps } from './unfinishedRunActions';
import { userWords } from './userErrors';

export const OFFER_CHOICES = ['Resume', 'Show', 'Discard'] as const;
export type OfferChoice = (typeof OFFER_CHOICES)[number];

/** One offer as made: what it said, and how it was answered once it was. */
export interface ResumeOfferRecord {
  runId: string;
  message: string;
  answer?: OfferChoice | 'dismissed';
}

/** workspaceState key: the run ids already offered in this workspace (newest last, capped). */
const OFFERED_KEY = 'kiloOrchestra.offeredRuns';
const OFFERED_KEPT = 100;

export interface ResumeOfferOptions {
  workspaceState: vscode.Memento;
  actions: UnfinishedRunDeps;
  log: RunLog;
  /** Shows the notification; VS Code's by default. */
  ask?: (message: string, choices: readonly OfferChoice[]) => Thenable<OfferChoice | undefined>;
}

export class ResumeOffers {
  private readonly made: ResumeOfferRecord[] = [];
  /** Answers given through `answer` (the host tests' way to click), by run id. */
  private readonly pending = new Map<string, (choice: OfferChoice) => void>();
  private readonly waiting: Array<(offer: ResumeOfferRecord) => void> = [];

  constructor(private readonly options: ResumeOfferOptions) {}

  /**
   * Offers the newest resumable run not offered before, marking every run found as offered (so
   * each is offered once, and a reload while the notification shows does not offer it twice).
   * Never throws: a problem is logged.
   */
  async offerAtActivation(workspace: string | undefined): Promise<void> {
    if (!workspace) return;
    try {
      const offered = new Set(this.options.workspaceState.get<string[]>(OFFERED_KEY, []));
      const fresh = (await resumableRuns(workspace, this.options.log)).filter((run) => !offered.has(run.runId));
      const newest = fresh[0];
      if (!newest) return;
      await this.options.workspaceState.update(OFFERED_KEY, [...offered, ...fresh.map((run) => run.runId)].slice(-OFFERED_KEPT));
      const more = fresh.length > 1 ? ` ${fresh.length - 1} more unfinished: "Kilo Orchestra: Resume Run" lists them.` : '';
      await this.offer(newest.runId, `Kilo Orchestra: ${describeUnfinished(newest)}${more}`);
    } catch (error) {
      this.options.log.warn(`Looking for an unfinished run to offer failed: ${describeError(error)}`);
    }
  }

  /** The offers made in this window so far. */
  offers(): ResumeOfferRecord[] {
    return this.made.map((offer) => ({ ...offer }));
  }

  /** Resolves with the first offer made (at once if one was). */
  whenOffered(): Promise<ResumeOfferRecord> {
    const first = this.made[0];
    if (first) return Promise.resolve({ ...first });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Answers an offer still open as a click on its button would; false when there is none for `runId`. */
  answer(runId: string, choice: OfferChoice): boolean {
    const resolve = this.pending.get(runId);
    if (!resolve) return false;
    resolve(choice);
    return true;
  }

  private async offer(runId: string, message: string): Promise<void> {
    const record: ResumeOfferRecord = { runId, message };
    this.made.push(record);
    this.options.log.info(message, { runId });
    const answered = new Promise<OfferChoice>((resolve) => this.pending.set(runId, resolve));
    for (const resolve of this.waiting.splice(0)) resolve({ ...record });
    const ask = this.options.ask ?? ((text, choices) => vscode.window.showWarningMessage(text, ...choices));
    const choice = await Promise.race([ask(message, OFFER_CHOICES), answered]);
    this.pending.delete(runId);
    record.answer = choice ?? 'dismissed';
    if (choice) await this.act(runId, choice);
  }

  private async act(runId: string, choice: OfferChoice): Promise<void> {
    const { actions, log } = this.options;
    try {
      if (choice === 'Resume') {
        if (await resumeUnfinishedRun(actions, runId)) await vscode.commands.executeCommand(COMMANDS.openDashboard);
      }
      else if (choice === 'Show') await showUnfinishedRun(actions, runId);
      else {
        await discardUnfinishedRun(actions, runId);
        void vscode.window.showInformationMessage(`Run ${runId} was discarded: it will not be offered or resumed again. Its files and artifacts stay.`);
      }
    } catch (error) {
      const { message, hint } = userWords(error);
      log.error(`${choice} of run ${runId} failed: ${message}`, { runId });
      void vscode.window.showErrorMessage(hint ? `${message} ${hint}` : message);
    }
  }
}
