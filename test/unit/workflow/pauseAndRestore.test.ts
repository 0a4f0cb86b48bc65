import { describe, expect, it } from 'vitest';
import { restore } from '../../../extension/engine/workflow/workflowMachine';
import { WorkflowStateSchema } from '../../../extension/engine/workflow/workflowSchema';
import type { WorkflowState } from '../../../extension/engine/workflow/workflowTypes';
import { Driver, aConfig, deepFreeze, playRun } from './workflowFixtures';

const BUDGET = 'The run budget of $0.15 would be passed: spent $0.14, next turn ~$0.02 (secondary-coder)';

/** A run in CODE_IMPLEMENTATION with implement work out. */
function coding(): Driver {
  const driver = playRun({ until: (d) => d.inFlight('implement').length > 0 });
  expect(driver.state.phase).toBe('CODE_IMPLEMENTATION');
  return driver;
}

describe('PAUSE with a reason', () => {
  it('pauses, aborts what is in flight and shows the reason as attention', () => {
    const driver = coding();
    const running = driver.inFlight().map((work) => work.id);
    const result = driver.send({ type: 'PAUSE', reason: BUDGET });
    expect(result.state.phase).toBe('PAUSED');
    expect(result.state.pausedFrom).toBe('CODE_IMPLEMENTATION');
    expect(result.state.attention).toEqual({ reason: BUDGET });
    expect(driver.effectsOf('attention', result.effects)).toEqual([{ type: 'attention', attention: { reason: BUDGET } }]);
    expect(driver.effectsOf('abort', result.effects)).toEqual([{ type: 'abort', workIds: running }]);
  });

  it('a plain PAUSE still has no attention and is refused when already paused', () => {
    const driver = coding();
    expect(driver.send({ type: 'PAUSE' }).state.attention).toBeUndefined();
    expect(driver.try({ type: 'PAUSE' }).rejected).toMatch(/already paused/);
  });

  it('a reason while already paused is added to the attention without a second abort', () => {
    const driver = coding();
    driver.send({ type: 'PAUSE', reason: 'first' });
    const result = driver.send({ type: 'PAUSE', reason: 'second' });
    expect(result.state.attention?.reason).toBe('first\nsecond');
    expect(driver.effectsOf('abort', result.effects)).toEqual([]);
  });

  it('work aborted by the pause is held and sent again on RESUME, which clears the reason', () => {
    const driver = coding();
    const running = driver.inFlight().map((work) => work.id);
    driver.send({ type: 'PAUSE', reason: BUDGET });
    for (const id of running) driver.send({ type: 'WORK_ABORTED', workId: id });
    expect(driver.state.inFlight).toEqual({});
    const resumed = driver.send({ type: 'RESUME' });
    expect(resumed.state.phase).toBe('CODE_IMPLEMENTATION');
    expect(resumed.state.attention).toBeUndefined();
    expect(driver.effectsOf('dispatch', resumed.effects).map((effect) => effect.work.id).sort()).toEqual([...running].sort());
    expect(playRun({}, driver).state.phase).toBe('COMPLETED');
  });
});

describe('restore', () => {
  it('gives a paused state back as it was, and RESUME continues it to the end', () => {
    const driver = coding();
    const running = driver.inFlight().map((work) => work.id);
    driver.send({ type: 'PAUSE', reason: BUDGET });
    for (const id of running) driver.send({ type: 'WORK_ABORTED', workId: id });
    const saved: WorkflowState = JSON.parse(JSON.stringify(driver.state));
    const restored = restore(deepFreeze(saved));
    expect(restored).toEqual(saved);
    const again = new Driver(restored);
    const resumed = again.send({ type: 'RESUME' });
    expect(again.effectsOf('dispatch', resumed.effects).map((effect) => effect.work.id).sort()).toEqual([...running].sort());
    expect(playRun({}, again).state.phase).toBe('COMPLETED');
  });

  it('holds work that was out when the state was saved (a process that stopped mid-turn) and pauses', () => {
    const driver = coding();
    const running = driver.inFlight().map((work) => work.id);
    const restored = restore(deepFreeze(JSON.parse(JSON.stringify(driver.state)) as WorkflowState));
    expect(restored.phase).toBe('PAUSED');
    expect(restored.pausedFrom).toBe('CODE_IMPLEMENTATION');
    expect(restored.inFlight).toEqual({});
    expect(restored.deferred.flatMap((effect) => (effect.type === 'dispatch' ? [effect.work.id] : [])).sort()).toEqual([...running].sort());
    const again = new Driver(restored);
    expect(again.effectsOf('dispatch', again.send({ type: 'RESUME' }).effects).map((effect) => effect.work.id).sort()).toEqual([...running].sort());
    expect(playRun({}, again).state.phase).toBe('COMPLETED');
  });

  it('keeps the decision open so that RESUME asks it again', () => {
    const driver = playRun({ until: (d) => d.state.decision !== undefined });
    const decision = driver.decision();
    driver.send({ type: 'PAUSE', reason: BUDGET });
    const again = new Driver(restore(JSON.parse(JSON.stringify(driver.state)) as WorkflowState));
    const resumed = again.send({ type: 'RESUME' });
    expect(again.effectsOf('decide', resumed.effects)).toEqual([{ type: 'decide', request: decision }]);
  });

  it.each([
    ['IDLE', new Driver().state],
    ['COMPLETED', playRun().state],
    ['CANCELLED', (() => {
      const driver = new Driver();
      driver.start(aConfig());
      driver.send({ type: 'CANCEL' });
      return driver.state;
    })()],
  ])('refuses a run in %s', (phase, state) => {
    expect(state.phase).toBe(phase);
    expect(() => restore(state)).toThrow(`A run in ${phase} cannot be continued.`);
  });

  it('the saved state schema reads back every state a run passes through', () => {
    const seen: WorkflowState[] = [];
    const driver = new Driver();
    const send = driver.send.bind(driver);
    driver.send = (event) => {
      const result = send(event);
      seen.push(result.state);
      return result;
    };
    playRun({}, driver);
    driver.send = send;
    expect(seen.length).toBeGreaterThan(10);
    for (const state of seen) expect(WorkflowStateSchema.parse(JSON.parse(JSON.stringify(state)))).toEqual(JSON.parse(JSON.stringify(state)));
  });
});
