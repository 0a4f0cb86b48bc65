import { toDisposable, type Disposable } from '../util/disposable';
import { OrchestraError } from '../util/errors';
import { TypedEmitter } from '../util/typedEvents';
import { oneLine } from '../util/zodLines';
import { RouterMessageSchema, type OutgoingMessage, type RouterMessage } from './messageSchema';

export type RouterEvents = {
  /** A message was accepted and queued for its recipient. */
  'message:sent': (message: RouterMessage) => void;
  /** A message left its recipient's queue through `next` or `take`. */
  'message:delivered': (message: RouterMessage) => void;
  /** A queued message will never be delivered (its recipient was terminated). */
  'message:dropped': (message: RouterMessage, reason: string) => void;
  /** A topic handler or event listener threw; delivery carried on. */
  'router:handlerError': (error: unknown, context: { topic?: string; event?: string }) => void;
};

export interface MessageRouterOptions {
  /** Epoch ms for message timestamps; `Date.now` by default. */
  clock?: () => number;
}

interface Waiter {
  resolve(message: RouterMessage): void;
  reject(error: OrchestraError): void;
}

interface Mailbox {
  queue: RouterMessage[];
  waiters: Waiter[];
  terminated: boolean;
}

/**
 * Carries messages between agents: one FIFO queue per registered address, plus topics for anyone
 * who wants to watch a kind of traffic. Every message is either queued, or refused with an error;
 * queued messages leave only by delivery, by `drain`/`remove`, or with a `message:dropped` event.
 */
export class MessageRouter {
  readonly events: TypedEmitter<RouterEvents>;
  private readonly mailboxes = new Map<string, Mailbox>();
  private readonly topics = new Map<string, Set<(message: RouterMessage) => void>>();
  private readonly clock: () => number;
  private counter = 0;

  constructor(options: MessageRouterOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.events = new TypedEmitter<RouterEvents>({
      onListenerError: (error, event) => {
        if (event === 'router:handlerError') throw error;
        this.events.emit('router:handlerError', error, { event });
      },
    });
  }

  /** Opens a mailbox for `address`; registering an active address again does nothing. */
  register(address: string): void {
    const existing = this.mailboxes.get(address);
    if (existing?.terminated) {
      throw new OrchestraError('recipient-terminated', `The address ${address} was terminated and cannot be registered again.`);
    }
    if (!existing) this.mailboxes.set(address, { queue: [], waiters: [], terminated: false });
  }

  /** True while `address` is registered and not terminated. */
  isRegistered(address: string): boolean {
    const mailbox = this.mailboxes.get(address);
    return mailbox !== undefined && !mailbox.terminated;
  }

  isTerminated(address: string): boolean {
    return this.mailboxes.get(address)?.terminated === true;
  }

  /**
   * Closes `address` for good: waiting `next` calls reject with `recipient-terminated`, and every
   * queued message is emitted as `message:dropped` and returned to the caller.
   */
  terminate(address: string, reason = `${address} was terminated`): RouterMessage[] {
    const mailbox = this.mailbox(address);
    if (mailbox.terminated) return [];
    mailbox.terminated = true;
    const dropped = mailbox.queue.splice(0);
    for (const waiter of mailbox.waiters.splice(0)) {
      waiter.reject(new OrchestraError('recipient-terminated', `${address} was terminated while waiting for a message.`));
    }
    for (const message of dropped) this.events.emit('message:dropped', message, reason);
    return dropped;
  }

  /**
   * Validates and queues a message for its recipient, then publishes it on the topic of its
   * `messageType`. Throws `invalid-input`, `unknown-recipient` or `recipient-terminated`.
   */
  send(outgoing: OutgoingMessage): RouterMessage {
    const parsed = RouterMessageSchema.safeParse({ ...outgoing, id: `m${this.counter + 1}`, timestamp: new Date(this.clock()).toISOString() });
    if (!parsed.success) {
      // Named by what it claims to be only when that is a plain word: the message is untrusted.
      const claimed = (outgoing as { messageType?: unknown } | null)?.messageType;
      const what = typeof claimed === 'string' && /^[a-z]{1,20}$/.test(claimed) ? `${claimed} message` : 'message';
      throw new OrchestraError('invalid-input', `The ${what} is not valid: ${oneLine(parsed.error)}.`);
    }
    const message = parsed.data;
    const mailbox = this.mailboxes.get(message.to);
    if (!mailbox) throw new OrchestraError('unknown-recipient', `No agent is registered at ${message.to}.`);
    if (mailbox.terminated) throw new OrchestraError('recipient-terminated', `${message.to} was terminated and takes no more messages.`);
    this.counter += 1;

    const waiter = mailbox.waiters.shift();
    if (waiter) {
      this.events.emit('message:sent', message);
      this.events.emit('message:delivered', message);
      waiter.resolve(message);
    } else {
      mailbox.queue.push(message);
      this.events.emit('message:sent', message);
    }
    this.publish(message.messageType, message);
    return message;
  }

  /**
   * The next message for `address` in FIFO order: at once when one is queued, else when one
   * arrives. Rejects with `aborted` when `signal` fires and `recipient-terminated` on terminate.
   */
  next(address: string, signal?: AbortSignal): Promise<RouterMessage> {
    let mailbox: Mailbox;
    try {
      mailbox = this.mailbox(address);
    } catch (error) {
      return Promise.reject(error);
    }
    if (mailbox.terminated) return Promise.reject(new OrchestraError('recipient-terminated', `${address} was terminated.`));
    if (signal?.aborted) return Promise.reject(abortedError(address));
    const queued = this.take(address);
    if (queued) return Promise.resolve(queued);

    return new Promise<RouterMessage>((resolve, reject) => {
      const onAbort = (): void => {
        const index = mailbox.waiters.indexOf(waiter);
        if (index >= 0) mailbox.waiters.splice(index, 1);
        reject(abortedError(address));
      };
      const waiter: Waiter = {
        resolve: (message) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(message);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      mailbox.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Removes and returns the oldest queued message, or undefined when the queue is empty. */
  take(address: string): RouterMessage | undefined {
    const message = this.mailbox(address).queue.shift();
    if (message) this.events.emit('message:delivered', message);
    return message;
  }

  queueLength(address: string): number {
    return this.mailbox(address).queue.length;
  }

  /** Removes and returns everything queued for `address` (e.g. on pause), oldest first. */
  drain(address: string): RouterMessage[] {
    return this.mailbox(address).queue.splice(0);
  }

  /** Removes and returns the queued messages of `address` that match `predicate`, oldest first. */
  remove(address: string, predicate: (message: RouterMessage) => boolean): RouterMessage[] {
    const mailbox = this.mailbox(address);
    const removed: RouterMessage[] = [];
    const kept: RouterMessage[] = [];
    for (const message of mailbox.queue) (predicate(message) ? removed : kept).push(message);
    mailbox.queue = kept;
    return removed;
  }

  /** Calls `handler` for every message published on `topic` until disposed. */
  subscribe(topic: string, handler: (message: RouterMessage) => void): Disposable {
    let handlers = this.topics.get(topic);
    if (!handlers) {
      handlers = new Set();
      this.topics.set(topic, handlers);
    }
    // A wrapper gives every subscription its own identity, so subscribing a handler twice works.
    const entry = (message: RouterMessage): void => handler(message);
    handlers.add(entry);
    return toDisposable(() => handlers.delete(entry));
  }

  /** Hands `message` to every subscriber of `topic`; a handler that throws is reported, not fatal. */
  publish(topic: string, message: RouterMessage): void {
    const handlers = this.topics.get(topic);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      try {
        handler(message);
      } catch (error) {
        this.events.emit('router:handlerError', error, { topic });
      }
    }
  }

  private mailbox(address: string): Mailbox {
    const mailbox = this.mailboxes.get(address);
    if (!mailbox) throw new OrchestraError('unknown-recipient', `No agent is registered at ${address}.`);
    return mailbox;
  }
}

function abortedError(address: string): OrchestraError {
  return new OrchestraError('aborted', `Waiting for a message for ${address} was aborted.`);
}

/** For logs: one line naming a message. */
export function describeMessage(message: RouterMessage): string {
  return `${message.id} ${message.messageType} ${message.from} → ${message.to} (${message.correlationId})`;
}
