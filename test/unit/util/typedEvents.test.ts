import { EventEmitter } from 'eventemitter3';
import { describe, expect, it, vi } from 'vitest';
import { TypedEmitter, subscribe } from '../../../extension/engine/util/typedEvents';

type Events = {
  'agent:statusChanged': (id: string, status: string) => void;
  'message:sent': (id: string) => void;
};

describe('TypedEmitter', () => {
  it('calls listeners with the emitted arguments until their subscription is disposed', () => {
    const emitter = new TypedEmitter<Events>();
    const listener = vi.fn();
    const subscription = emitter.on('agent:statusChanged', listener);
    emitter.emit('agent:statusChanged', 'architect-1', 'working');
    subscription.dispose();
    emitter.emit('agent:statusChanged', 'architect-1', 'idle');
    expect(listener.mock.calls).toEqual([['architect-1', 'working']]);
    expect(emitter.listenerCount('agent:statusChanged')).toBe(0);
  });

  it('off removes a listener Node-style', () => {
    const emitter = new TypedEmitter<Events>();
    const listener = vi.fn();
    emitter.on('message:sent', listener);
    emitter.off('message:sent', listener);
    emitter.emit('message:sent', 'm1');
    expect(listener).not.toHaveBeenCalled();
  });

  it('disposing one of two subscriptions of the same listener keeps the other', () => {
    const emitter = new TypedEmitter<Events>();
    const listener = vi.fn();
    const first = emitter.on('message:sent', listener);
    emitter.on('message:sent', listener);
    first.dispose();
    emitter.emit('message:sent', 'm1');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('once runs a listener a single time', () => {
    const emitter = new TypedEmitter<Events>();
    const listener = vi.fn();
    emitter.once('message:sent', listener);
    emitter.emit('message:sent', 'm1');
    emitter.emit('message:sent', 'm2');
    expect(listener.mock.calls).toEqual([['m1']]);
  });

  it('without an error reporter a throwing listener reaches emit', () => {
    const emitter = new TypedEmitter<Events>();
    emitter.on('message:sent', () => {
      throw new Error('boom');
    });
    expect(() => emitter.emit('message:sent', 'm1')).toThrow('boom');
  });

  it('with an error reporter a throwing listener is reported and later listeners still run', () => {
    const reported = vi.fn();
    const emitter = new TypedEmitter<Events>({ onListenerError: reported });
    const later = vi.fn();
    const failing = (): void => {
      throw new Error('boom');
    };
    emitter.on('message:sent', failing);
    emitter.on('message:sent', later);
    emitter.emit('message:sent', 'm1');
    expect(reported).toHaveBeenCalledWith(expect.objectContaining({ message: 'boom' }), 'message:sent');
    expect(later).toHaveBeenCalledWith('m1');
    emitter.off('message:sent', failing);
    emitter.emit('message:sent', 'm2');
    expect(reported).toHaveBeenCalledTimes(1);
  });

  it('subscribe gives a disposable for an untyped emitter', () => {
    const emitter = new EventEmitter();
    const listener = vi.fn();
    subscribe(emitter, 'tick', listener).dispose();
    emitter.emit('tick');
    expect(listener).not.toHaveBeenCalled();
  });
});
