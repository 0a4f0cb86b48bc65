import type { Disposable } from '../engine/util/disposable';
import { parseWebviewMessage, type HostMessage, type HostSingleMessage } from '../protocol/dashboardProtocol';
import { MessageBatcher, type ScheduleFn } from './messageBatcher';
import { handleWebviewMessage, type DashboardHostDeps } from './webviewRequests';

export interface DashboardConnectionOptions {
  deps: DashboardHostDeps;
  /** Posts to the webview (`webview.postMessage`). */
  post: (message: HostMessage) => void;
  delayMs?: number;
  schedule?: ScheduleFn;
}

type Focus = Extract<HostSingleMessage, { type: 'view/focus' }>;

/**
 * The host end of one webview, without VS Code: validates what arrives, answers requests, and
 * forwards the source's deltas and role changes in batches once the webview has said `ready`.
 * Deltas before `ready` are dropped: the handshake's `state/reset` contains them.
 */
export class DashboardConnection implements Disposable {
  private readonly batcher: MessageBatcher;
  private sourceSubscription: Disposable | undefined;
  private readonly rolesSubscription: Disposable;
  private ready = false;
  private pendingFocus: Focus | undefined;

  constructor(private readonly options: DashboardConnectionOptions) {
    this.batcher = new MessageBatcher({
      post: options.post,
      ...(options.delayMs !== undefined ? { delayMs: options.delayMs } : {}),
      ...(options.schedule ? { schedule: options.schedule } : {}),
    });
    this.subscribeToSource();
    this.rolesSubscription = options.deps.roles.onDidChange(() => void this.postRoles());
  }

  /** A message from the webview: anything invalid is logged and, if it names a request, refused. */
  async receive(raw: unknown): Promise<void> {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.options.deps.log(`dashboard: refused an invalid message: ${parsed.problem}`);
      const requestId = requestIdOf(raw);
      if (requestId) this.post({ type: 'request/done', requestId, ok: false, error: 'The dashboard sent a request the extension does not understand; reload the window.' });
      return;
    }
    if (parsed.message.type === 'ready') {
      // A reloaded webview starts from nothing: anything queued for the old one is obsolete.
      this.ready = true;
    }
    await handleWebviewMessage(parsed.message, { deps: this.options.deps, post: (message) => this.post(message) });
    if (parsed.message.type === 'ready' && this.pendingFocus) {
      this.post(this.pendingFocus);
      this.pendingFocus = undefined;
    }
  }

  /** Another run is shown (a new live run, or one read back from disk): follow it and reset the view. */
  sourceChanged(): void {
    this.subscribeToSource();
    if (this.ready) this.post({ type: 'state/reset', state: this.options.deps.source().state() });
  }

  /** Shows a tab (and an agent); held until the webview is ready. */
  focus(tab: Focus['tab'], agentId?: string): void {
    const message: Focus = { type: 'view/focus', tab, ...(agentId !== undefined ? { agentId } : {}) };
    if (this.ready) this.post(message);
    else this.pendingFocus = message;
  }

  /** The webview went away (hidden without retained context, or reloading): wait for the next `ready`. */
  webviewReset(): void {
    this.ready = false;
  }

  flush(): void {
    this.batcher.flush();
  }

  dispose(): void {
    this.sourceSubscription?.dispose();
    this.rolesSubscription.dispose();
    this.batcher.dispose();
  }

  private subscribeToSource(): void {
    this.sourceSubscription?.dispose();
    this.sourceSubscription = this.options.deps.source().onMessage((message) => {
      if (this.ready) this.batcher.push(message);
    });
  }

  private async postRoles(): Promise<void> {
    if (!this.ready) return;
    try {
      this.post({ type: 'roles/didChange', roles: await this.options.deps.roles.view() });
    } catch (error) {
      this.options.deps.log(`dashboard: could not read the roles configuration: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private post(message: HostSingleMessage): void {
    this.batcher.push(message);
  }
}

function requestIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || !('requestId' in raw)) return undefined;
  const id = (raw as { requestId: unknown }).requestId;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : undefined;
}
