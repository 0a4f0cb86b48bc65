import { describeError } from '../engine/util/errors';
import type { CreateSessionBody, KiloHttp } from './kiloHttp';

export interface ItemConversationsOptions {
  http: Pick<KiloHttp, 'createSession' | 'deleteSession'>;
  /** The body of a new session for this agent (title, mark, agent, model, no grants). */
  body: () => CreateSessionBody;
  /** The backend's record of the sessions to archive when the run ends. */
  opened: Set<string>;
  agentId: string;
  log?: (message: string) => void;
}

/**
 * One Kilo conversation per piece of work: a request that asks for a fresh conversation runs in a
 * session that holds no earlier work, so a reviewer's prompt stays the size of one file's review
 * instead of growing with every file it saw (Kilo sends the whole session history each turn).
 *
 * The next conversation is opened while the current work runs, so moving on costs no wait; and the
 * agent moves on when its work ends, before the reply goes out, so the session the run saves for
 * the agent is always the one its next (or in-flight) work runs in: a resume re-attaches exactly
 * that one. A finished conversation is deleted, so a long run does not pile sessions up in
 * `kilo serve`; one whose turn did not wind down is kept, and archived with the run.
 *
 * Opening the next session and deleting finished ones wait until the current turn is under way
 * (`underWay`): kilo serve does its work on one thread, and when a batch of agents starts at once
 * those calls (40 to 80 ms of its CPU each) would otherwise queue in front of the agents' prompts.
 */
export class ItemConversations {
  private spare: Promise<string | undefined> | undefined;
  /** The current work asked for a fresh conversation: its successor is opened once the turn is under way. */
  private spareWanted = false;
  /** Finished sessions waiting to be deleted (still in `opened`, so the run's end archives any left). */
  private readonly retiring: string[] = [];
  /** The current session holds earlier work (it was prompted, or re-attached from an earlier process). */
  private history: boolean;
  /** A re-attached session: the first work continues in it (it is the in-flight work, sent again). */
  private continuing: boolean;
  /** The current work began in a session that held nothing (opened by this process, never prompted). */
  private beganUntouched = false;

  constructor(
    private current: string,
    private readonly options: ItemConversationsOptions,
    reattached: boolean,
  ) {
    this.history = reattached;
    this.continuing = reattached;
  }

  get sessionId(): string {
    return this.current;
  }

  /** The current work runs in a session that held nothing before it (no diff, nothing spent). */
  isUntouched(): boolean {
    return this.beganUntouched;
  }

  /** Before a piece of work is prompted: a fresh one leaves a conversation with history behind. */
  async begin(fresh: boolean): Promise<void> {
    const continuing = this.continuing;
    this.continuing = false;
    if (fresh && this.history && !continuing) await this.moveOn(true);
    this.spareWanted = fresh;
    this.beganUntouched = !this.history;
    this.history = true;
  }

  /** The current work's turn has reached the model: the next session is opened and finished ones deleted now. */
  underWay(): void {
    if (this.spareWanted) this.spare ??= this.create();
    this.spareWanted = false;
    for (const sessionId of this.retiring.splice(0)) void this.retire(sessionId);
  }

  /** The work ended: after fresh work the agent moves to the next conversation. */
  async finish(fresh: boolean, woundDown: boolean): Promise<void> {
    if (fresh) await this.moveOn(woundDown);
  }

  private async moveOn(deleteOld: boolean): Promise<void> {
    const next = (await this.spare) ?? (await this.create());
    this.spare = undefined;
    this.spareWanted = false;
    // No new session (the server refused): the work goes on in the current one, history and all.
    if (next === undefined) return;
    const old = this.current;
    this.current = next;
    this.history = false;
    if (deleteOld) this.retiring.push(old);
  }

  private async create(): Promise<string | undefined> {
    try {
      const created = await this.options.http.createSession(this.options.body());
      this.options.opened.add(created.id);
      return created.id;
    } catch (error) {
      this.options.log?.(`${this.options.agentId}: could not open its next Kilo session (${describeError(error)}); its work continues in the current one.`);
      return undefined;
    }
  }

  private async retire(sessionId: string): Promise<void> {
    // Off the list first, so the run's end does not archive it meanwhile.
    this.options.opened.delete(sessionId);
    try {
      await this.options.http.deleteSession(sessionId);
    } catch (error) {
      // Back on the list: the run's end archives it instead.
      this.options.opened.add(sessionId);
      this.options.log?.(`${this.options.agentId}: its finished Kilo session ${sessionId} was not deleted (${describeError(error)}); it is archived with the run.`);
    }
  }
}
