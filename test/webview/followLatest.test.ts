// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { followLatest } from '../../webview/lib/followLatest';

/** jsdom does no layout, so the list's sizes are set by hand. */
function aScrollingList(scrollHeight: number, clientHeight = 100): HTMLElement {
  const node = document.createElement('ol');
  Object.defineProperty(node, 'scrollHeight', { configurable: true, get: () => scrollHeight });
  Object.defineProperty(node, 'clientHeight', { configurable: true, get: () => clientHeight });
  return node;
}

const settle = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('followLatest', () => {
  it('scrolls a list to its newest item when items arrive', async () => {
    const node = aScrollingList(500);
    followLatest(() => 3)(node);
    await settle();
    expect(node.scrollTop).toBe(500);
  });

  it('leaves the list where the user scrolled up to read', async () => {
    const node = aScrollingList(500);
    const cleanup = followLatest(() => 3)(node);
    await settle();
    node.scrollTop = 100;
    node.dispatchEvent(new Event('scroll'));
    if (typeof cleanup === 'function') cleanup();
    followLatest(() => 4)(node);
    await settle();
    expect(node.scrollTop).toBe(100);
  });
});
