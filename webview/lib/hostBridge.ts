import { parseHostMessage, type HostMessage, type HostSingleMessage } from '../../extension/protocol/dashboardProtocol';
import type { ArtifactContent, ArtifactLoadOutcome } from './artifactLoad';
import type { PartLoadOutcome } from './partLoad';
import type { TranscriptPartBody } from '../../extension/protocol/transcriptPart';
import type { RequestMessage, RequestOutcome } from './request';
import { parseUiState, type UiState } from './uiState';
import type { VsCodeApi } from './vscodeApi';

/** Where `message` events arrive: `window` in VS Code (and in the static test page). */
export type MessageSource = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

export interface HostBridgeOptions {
  api: VsCodeApi;
  source: MessageSource;
  /** How long a request waits for its answer. */
  timeoutMs?: number;
  newRequestId?: () => string;
}

export interface HostMessageHandlers {
  /** Called for every valid message, with batches already unwrapped. */
  onMessage: (message: HostSingleMessage) => void;
  /** Called for every message that fails validation; the message is dropped. */
  onInvalid?: (problem: string) => void;
}

type Pending =
  | { kind: 'request'; resolve: (outcome: RequestOutcome) => void; timer: ReturnType<typeof setTimeout> }
  | { kind: 'artifact'; resolve: (outcome: ArtifactLoadOutcome) => void; timer: ReturnType<typeof setTimeout> }
  | { kind: 'part'; resolve: (outcome: PartLoadOutcome) => void; timer: ReturnType<typeof setTimeout> };

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The webview's side of the dashboard protocol: validates what arrives, matches answers to requests
 * by id, and keeps the webview's own UI state in VS Code's per-panel storage. Nothing here throws at
 * the host's messages; an invalid one is counted and reported through `onInvalid`.
 */
export class HostBridge {
  private readonly pending = new Map<string, Pending>();
  private readonly timeoutMs: number;
  private readonly newRequestId: () => string;
  private counter = 0;
  private handlers: HostMessageHandlers | undefined;
  invalidCount = 0;

  constructor(private readonly options: HostBridgeOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.newRequestId = options.newRequestId ?? (() => `r${Date.now().toString(36)}-${(this.counter += 1)}`);
  }

  /**
   * Starts listening and tells the host the webview is ready (once; the host answers with the whole
   * state). Returns the way to stop, which also ends the requests still waiting.
   */
  start(handlers: HostMessageHandlers): () => void {
    // A second start (a remounted shell) takes over; its `ready` makes the host send everything again.
    if (!this.handlers) this.options.source.addEventListener('message', this.onEvent);
    this.handlers = handlers;
    this.options.api.postMessage({ type: 'ready' });
    return () => this.dispose();
  }

  /** Sends a request; resolves with the host's `request/done`, or `{ ok: false }` on timeout. */
  request(message: RequestMessage): Promise<RequestOutcome> {
    return new Promise((resolve) => {
      const requestId = this.newRequestId();
      const timer = setTimeout(() => this.settle(requestId, { ok: false, error: 'The extension did not answer in time. Try again, or reload the window.' }), this.timeoutMs);
      this.pending.set(requestId, { kind: 'request', resolve, timer });
      this.options.api.postMessage({ ...message, requestId });
    });
  }

  /** Asks for an artifact's full content; resolves with the host's `artifact/content`. */
  loadArtifact(artifactId: string): Promise<ArtifactLoadOutcome> {
    return new Promise((resolve) => {
      const requestId = this.newRequestId();
      const timer = setTimeout(() => this.settle(requestId, { ok: false, error: 'The artifact did not arrive in time. Try again.' }), this.timeoutMs);
      this.pending.set(requestId, { kind: 'artifact', resolve, timer });
      this.options.api.postMessage({ type: 'artifact/load', requestId, artifactId });
    });
  }

  /** Asks for the folded bodies of one transcript part; resolves with the host's `transcript/partContent`. */
  loadPart(agentId: string, turn: string, partId: string): Promise<PartLoadOutcome> {
    return new Promise((resolve) => {
      const requestId = this.newRequestId();
      const timer = setTimeout(() => this.settle(requestId, { ok: false, error: 'The transcript part did not arrive in time. Try again.' }), this.timeoutMs);
      this.pending.set(requestId, { kind: 'part', resolve, timer });
      this.options.api.postMessage({ type: 'transcript/loadPart', requestId, agentId, turn, partId });
    });
  }

  readUiState(): UiState {
    return parseUiState(this.options.api.getState());
  }

  writeUiState(state: UiState): void {
    this.options.api.setState(state);
  }

  dispose(): void {
    this.options.source.removeEventListener('message', this.onEvent);
    this.handlers = undefined;
    for (const [requestId] of this.pending) this.settle(requestId, { ok: false, error: 'The dashboard was closed.' });
  }

  private readonly onEvent = (event: Event): void => {
    const parsed = parseHostMessage((event as MessageEvent).data);
    if (!parsed.ok) {
      this.invalidCount += 1;
      this.handlers?.onInvalid?.(parsed.problem);
      return;
    }
    this.dispatch(parsed.message);
  };

  private dispatch(message: HostMessage): void {
    if (message.type === 'batch') {
      for (const inner of message.messages) this.dispatch(inner);
      return;
    }
    if (message.type === 'request/done') this.onDone(message.requestId, message.ok, message.error);
    else if (message.type === 'artifact/content') {
      const { requestId, type: _type, ...artifact } = message;
      this.settle(requestId, { ok: true, artifact });
    } else if (message.type === 'transcript/partContent') this.settle(message.requestId, { ok: true, body: message.body });
    this.handlers?.onMessage(message);
  }

  private onDone(requestId: string, ok: boolean, error: string | undefined): void {
    // For `artifact/load`, the content has settled the request already; a done without it is a failure.
    this.settle(requestId, ok ? { ok: true } : { ok: false, error: error ?? 'The extension could not do that.' });
  }

  private settle(requestId: string, outcome: { ok: false; error: string } | { ok: true; artifact?: ArtifactContent; body?: TranscriptPartBody }): void {
    const pending = this.pending.get(requestId);
    if (!pending) return;
    this.pending.delete(requestId);
    clearTimeout(pending.timer);
    if (pending.kind === 'request') pending.resolve(outcome.ok ? { ok: true } : outcome);
    else if (pending.kind === 'part') pending.resolve(outcome.ok && outcome.body ? { ok: true, body: outcome.body } : { ok: false, error: outcome.ok ? 'The extension sent no content for this part.' : outcome.error });
    else if (outcome.ok && outcome.artifact) pending.resolve({ ok: true, artifact: outcome.artifact });
    else pending.resolve({ ok: false, error: outcome.ok ? 'The extension sent no content for this artifact.' : outcome.error });
  }
}

/** What the dashboard shell needs of the bridge; tests may hand in a `HostBridge` over a fake API. */
export type DashboardBridge = Pick<HostBridge, 'start' | 'request' | 'loadArtifact' | 'readUiState' | 'writeUiState'> & Partial<Pick<HostBridge, 'loadPart'>>;
