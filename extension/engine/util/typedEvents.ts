import { EventEmitter } from 'eventemitter3';
import { toDisposable, type Disposable } from './disposable';

type Listener = (...args: any[]) => void;

/** An event map: event name (`'agent:statusChanged'`) → listener signature. */
export type EventMap<Events> = { [K in keyof Events]: (...args: any[]) => void };

export interface TypedEmitterOptions {
  /**
   * When given, a listener that throws is reported here and the remaining listeners still run, so
   * a faulty subscriber cannot break the code that emitted. Without it, the error reaches `emit`.
   */
  onListenerError?: (error: unknown, event: string) => void;
}

/**
 * eventemitter3 with an event map: names and arguments are checked, and every subscription returns
 * a `Disposable` so owners can register it and drop it on dispose.
 */
export class TypedEmitter<Events extends EventMap<Events>> {
  private readonly emitter = new EventEmitter();
  /** event → listener as given → the functions actually registered for it, so `off` can find them. */
  private readonly registered = new Map<string, Map<Listener, Listener[]>>();

  constructor(private readonly options: TypedEmitterOptions = {}) {}

  /** Subscribes `listener` to `event` until the returned disposable is disposed (or `off` is called). */
  on<K extends keyof Events & string>(event: K, listener: Events[K]): Disposable {
    const wrapped = this.guard(event, listener);
    let byListener = this.registered.get(event);
    if (!byListener) this.registered.set(event, (byListener = new Map()));
    byListener.set(listener, [...(byListener.get(listener) ?? []), wrapped]);
    this.emitter.on(event, wrapped);
    return toDisposable(() => this.unregister(event, listener, wrapped));
  }

  /** Like `on`, but the listener runs at most once; remove it early with the returned disposable. */
  once<K extends keyof Events & string>(event: K, listener: Events[K]): Disposable {
    const subscription = this.on(event, ((...args: any[]) => {
      subscription.dispose();
      listener(...args);
    }) as Events[K]);
    return subscription;
  }

  /** Removes the latest `on` subscription of `listener` to `event`, Node-style. */
  off<K extends keyof Events & string>(event: K, listener: Events[K]): void {
    const latest = this.registered.get(event)?.get(listener)?.at(-1);
    if (latest) this.unregister(event, listener, latest);
  }

  /** Calls every listener of `event` in subscription order; true when there was at least one. */
  emit<K extends keyof Events & string>(event: K, ...args: Parameters<Events[K]>): boolean {
    return this.emitter.emit(event, ...args);
  }

  listenerCount(event: keyof Events & string): number {
    return this.emitter.listenerCount(event);
  }

  /** Drops every subscription (for owners shutting down). */
  removeAllListeners(): void {
    this.emitter.removeAllListeners();
    this.registered.clear();
  }

  private unregister(event: string, listener: Listener, wrapped: Listener): void {
    this.emitter.off(event, wrapped);
    const byListener = this.registered.get(event);
    const remaining = (byListener?.get(listener) ?? []).filter((candidate) => candidate !== wrapped);
    if (remaining.length > 0) byListener?.set(listener, remaining);
    else byListener?.delete(listener);
  }

  private guard(event: string, listener: Listener): Listener {
    const report = this.options.onListenerError;
    // A fresh function per subscription: eventemitter3's `off` would remove every copy of a shared one.
    if (!report) return (...args: any[]) => listener(...args);
    return (...args: any[]) => {
      try {
        listener(...args);
      } catch (error) {
        try {
          report(error, event);
        } catch (reportError) {
          // The reporter itself failed: surface it as an uncaught error rather than lose both.
          queueMicrotask(() => {
            throw reportError;
          });
        }
      }
    };
  }
}

/** Anything with Node-style `on`/`off` (a raw eventemitter3 instance, a Node `EventEmitter`). */
export interface ListenerTarget {
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

/** Subscribes to an untyped emitter and returns a `Disposable` that unsubscribes. */
export function subscribe(target: ListenerTarget, event: string, listener: (...args: any[]) => void): Disposable {
  target.on(event, listener);
  return toDisposable(() => target.off(event, listener));
}
