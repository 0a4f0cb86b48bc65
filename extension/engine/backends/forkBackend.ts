import pLimit, { type LimitFunction } from 'p-limit';
import { OrchestraError } from '../util/errors';
import type { AgentBackend, AgentReply, AgentSession, BackendEvent, SessionSpec, WorkRequest } from './agentBackend';
import type { ReplayBackend } from './replayBackend';

export interface ForkBackendOptions {
  /** Answers the run's first part from its recording. */
  replay: ReplayBackend;
  /** Answers everything asked once the fork has handed over: real Kilo sessions, or simulated ones. */
  live: AgentBackend;
  /** The transition (1-based, as state.json counts them) after which the live backend answers. */
  atTransition: number;
  /**
   * Most live turns at once (the run's own pool lets every agent ask, so the recording can order
   * the replayed answers): the `--max-agents` of the live part.
   */
  liveMaxActive: number;
}

/**
 * A fork of a recorded run: the recording answers until the run has made `atTransition` phase
 * changes, then every request asked from there on goes to the live backend, whose sessions are
 * opened on the profiles the fork's roles name (the changed assignment). The engine does not know:
 * it is told a transition happened (`noteTransition`), as anyone watching the run is.
 */
export class ForkBackend implements AgentBackend {
  private transitions = 0;
  private handedOver = false;
  private readonly liveLimit: LimitFunction;

  constructor(private readonly options: ForkBackendOptions) {
    if (!Number.isInteger(options.atTransition) || options.atTransition < 1) {
      throw new OrchestraError('invalid-config', `A fork hands over after transition 1 or later, not ${options.atTransition}.`);
    }
    this.liveLimit = pLimit(options.liveMaxActive);
  }

  /**
   * `simulated` while the recording answers, then the live backend's: the run is built while it
   * replays, so no provider's default caps hold back answers that reach no provider (the live part
   * has `liveMaxActive` instead), and state.json names the live runtime, which a resume needs.
   */
  get kind(): AgentBackend['kind'] {
    return this.handedOver ? this.options.live.kind : 'simulated';
  }

  /** True once requests go to the live backend. */
  get live(): boolean {
    return this.handedOver;
  }

  /** The run made a phase change; the one numbered `atTransition` hands over. */
  noteTransition(): void {
    this.transitions += 1;
    if (this.transitions < this.options.atTransition || this.handedOver) return;
    this.handedOver = true;
    // Requests asked before the hand-over are still answered from the recording, without waiting for an order.
    this.options.replay.releaseAll();
  }

  async startSession(spec: SessionSpec): Promise<AgentSession> {
    const replayed = await this.options.replay.startSession(spec);
    let live: Promise<AgentSession> | undefined;
    // Opened at the agent's first live request: an agent of the replayed part only costs nothing.
    const liveSession = (): Promise<AgentSession> =>
      (live ??= this.options.live.startSession(spec).catch((error: unknown) => {
        // A session that failed to open is opened again by the next request, as the pool would.
        live = undefined;
        throw error;
      }));
    return {
      agentId: spec.agentId,
      sessionId: replayed.sessionId,
      run: async (request: WorkRequest, signal: AbortSignal, onEvent: (event: BackendEvent) => void): Promise<AgentReply> => {
        if (!this.handedOver) return replayed.run(request, signal, onEvent);
        return this.liveLimit(async () => (await liveSession()).run(request, signal, onEvent));
      },
      close: async () => {
        await replayed.close();
        if (live) await (await live).close();
      },
    };
  }

  async dispose(): Promise<void> {
    await this.options.replay.dispose();
    await this.options.live.dispose();
  }
}
