import type { HostMessage, HostSingleMessage } from '../protocol/dashboardProtocol';
import type { Disposable } from '../engine/util/disposable';

/** Starts a timer; the returned function cancels it. Tests pass a fake. */
export type ScheduleFn = (callback: () => void, delayMs: number) => () => void;

export interface MessageBatcherOptions {
  /** Receives one message per tick: the only message, or a `batch`. */
  post: (message: HostMessage) => void;
  /** How long deltas gather before they are posted (default 50 ms). */
  delayMs?: number;
  schedule?: ScheduleFn;
}

const DEFAULT_DELAY_MS = 50;

/** Upserts keyed by an id: later versions of an item replace earlier ones within a tick. */
type UpsertType = 'agents/didChange' | 'timeline/didChange' | 'artifacts/didChange' | 'chat/didChange';
/** Whole values: only the latest of a tick matters. */
const REPLACE_TYPES = new Set<HostSingleMessage['type']>(['run/didChange', 'files/didChange', 'todo/didChange', 'cost/didChange', 'roles/didChange']);

/**
 * Coalesces the host's deltas into one post per tick, so a burst of 1,000 run events becomes a
 * handful of posts: whole values keep only their latest, upserts collapse by id to the latest
 * version, transcript lines of one agent are joined, and a `state/reset` drops everything queued
 * before it (the reset already contains it). Other messages (replies, focus) pass in order.
 */
export class MessageBatcher implements Disposable {
  private readonly slots = new Map<string, HostSingleMessage>();
  private cancel: (() => void) | undefined;
  private oneOffs = 0;
  private disposed = false;

  constructor(private readonly options: MessageBatcherOptions) {}

  push(message: HostSingleMessage): void {
    if (this.disposed) return;
    if (message.type === 'state/reset') this.slots.clear();
    const key = this.keyOf(message);
    const existing = this.slots.get(key);
    this.slots.set(key, existing ? merge(existing, message) : message);
    this.cancel ??= (this.options.schedule ?? defaultSchedule)(() => this.flush(), this.options.delayMs ?? DEFAULT_DELAY_MS);
  }

  /** Posts what is queued now (also called by the timer). */
  flush(): void {
    this.cancel?.();
    this.cancel = undefined;
    if (this.slots.size === 0) return;
    const messages = [...this.slots.values()];
    this.slots.clear();
    this.options.post(messages.length === 1 ? messages[0]! : { type: 'batch', messages });
  }

  /** Drops what is queued; nothing is posted afterwards. */
  dispose(): void {
    this.disposed = true;
    this.cancel?.();
    this.cancel = undefined;
    this.slots.clear();
  }

  private keyOf(message: HostSingleMessage): string {
    if (REPLACE_TYPES.has(message.type) || isUpsert(message)) return message.type;
    if (message.type === 'transcript/didAppend' || message.type === 'transcript/partsDidChange') return `${message.type}:${message.agentId}`;
    return `${message.type}#${this.oneOffs++}`;
  }
}

function isUpsert(message: HostSingleMessage): message is Extract<HostSingleMessage, { type: UpsertType }> {
  return message.type === 'agents/didChange' || message.type === 'timeline/didChange' || message.type === 'artifacts/didChange' || message.type === 'chat/didChange';
}

function merge(earlier: HostSingleMessage, later: HostSingleMessage): HostSingleMessage {
  switch (later.type) {
    case 'agents/didChange':
      return { type: later.type, agents: upsert(earlier.type === later.type ? earlier.agents : [], later.agents, (agent) => agent.id) };
    case 'timeline/didChange':
      return { type: later.type, entries: upsert(earlier.type === later.type ? earlier.entries : [], later.entries, (entry) => String(entry.seq)) };
    case 'artifacts/didChange':
      return { type: later.type, artifacts: upsert(earlier.type === later.type ? earlier.artifacts : [], later.artifacts, (artifact) => artifact.id) };
    case 'chat/didChange':
      return { type: later.type, messages: upsert(earlier.type === later.type ? earlier.messages : [], later.messages, (message) => message.id) };
    case 'transcript/didAppend':
      return { ...later, entries: [...(earlier.type === later.type ? earlier.entries : []), ...later.entries] };
    case 'transcript/partsDidChange':
      // A tool call that ran and completed within one tick is posted once, in its last version.
      return { ...later, parts: upsert(earlier.type === later.type ? earlier.parts : [], later.parts, (part) => `${part.turn}\u0000${part.id}`) };
    default:
      return later;
  }
}

/** Items of `later` replace same-id items of `earlier` in place; new ones are appended. */
function upsert<T>(earlier: readonly T[], later: readonly T[], id: (item: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const item of earlier) byId.set(id(item), item);
  for (const item of later) byId.set(id(item), item);
  return [...byId.values()];
}

const defaultSchedule: ScheduleFn = (callback, delayMs) => {
  const timer = setTimeout(callback, delayMs);
  return () => clearTimeout(timer);
};
