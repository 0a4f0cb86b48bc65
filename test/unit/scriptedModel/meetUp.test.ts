import { afterEach, describe, expect, it, vi } from 'vitest';
import { MeetUp } from '../../../extension/scriptedModel/meetUp';

const never = new AbortController().signal;

describe('scripted model meet-up', () => {
  afterEach(() => vi.useRealTimers());

  it('holds the first request of the role until the second arrives, then lets both go', async () => {
    const meetUp = new MeetUp({ role: 'secondary-coder', count: 2, maxWaitMs: 60_000 });
    let firstLetGo = false;
    const first = meetUp.arrive('secondary-coder', never).then(() => (firstLetGo = true));
    await Promise.resolve();
    expect(firstLetGo).toBe(false);
    await meetUp.arrive('secondary-coder', never);
    await first;
    expect(firstLetGo).toBe(true);
    // Once met, later requests of the role are not held.
    await meetUp.arrive('secondary-coder', never);
  });

  it('never holds other roles, and lets a lone request go after the longest wait', async () => {
    vi.useFakeTimers();
    const meetUp = new MeetUp({ role: 'secondary-coder', count: 2, maxWaitMs: 1_000 });
    await meetUp.arrive('code-sceptic', never);
    let letGo = false;
    const lone = meetUp.arrive('secondary-coder', never).then(() => (letGo = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(letGo).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await lone;
    expect(letGo).toBe(true);
  });
});
