import { describe, expect, it } from 'vitest';
import { restore } from '../../../extension/engine/workflow/workflowMachine';
import type { Phase, WorkItem, WorkflowState } from '../../../extension/engine/workflow/workflowTypes';
import { Driver, aResult, deepFreeze, defaultResult, playRun, type Responder } from './workflowFixtures';

const ATTENTION = 'The run budget of $0.15 would be passed';

/** Rejects the first plan review and the first review of file1, so every phase is passed through. */
const rejectOnce: Responder = (work: WorkItem, driver: Driver) => {
  if (work.kind === 'review-plan' && driver.state.plan?.revisions === 0) return aResult().withArtifacts(`review@${work.id}`).rejected('the plan misses a file').build();
  const file = driver.state.files.find((entry) => entry.path === work.file);
  if (work.kind === 'review-code' && work.file === 'src/file1.ts' && file?.fixes === 0) return aResult().withArtifacts(`review@${work.id}`).rejected('off by one').build();
  return defaultResult(work);
};

/** Every state an uninterrupted run passes through (one PAUSE with a reason mid-run gives attention). */
function recordRun(): { states: WorkflowState[]; final: WorkflowState } {
  const states: WorkflowState[] = [];
  const driver = new Driver();
  const send = driver.send.bind(driver);
  driver.send = (event) => {
    const result = send(event);
    states.push(JSON.parse(JSON.stringify(result.state)) as WorkflowState);
    return result;
  };
  playRun({ respond: rejectOnce, until: (d) => d.state.phase === 'CODE_REVIEW' }, driver);
  driver.send({ type: 'PAUSE', reason: ATTENTION });
  driver.send({ type: 'RESUME' });
  playRun({ respond: rejectOnce }, driver);
  return { states, final: driver.state };
}

const approvedFiles = (state: WorkflowState) => state.files.map((file) => `${file.path}:${file.stage}`);
const heldWork = (state: WorkflowState) => state.deferred.flatMap((effect) => (effect.type === 'dispatch' ? [effect.work.id] : []));

const { states, final } = recordRun();
const resumable = states.filter((state) => !['IDLE', 'COMPLETED', 'CANCELLED', 'FAILED'].includes(state.phase));
const byPhase = new Map<Phase, WorkflowState[]>();
for (const state of resumable) byPhase.set(state.phase, [...(byPhase.get(state.phase) ?? []), state]);

describe('restore after a crash, in every phase', () => {
  it('the recorded run passes through every phase a run can be killed in', () => {
    expect(final.phase).toBe('COMPLETED');
    expect([...byPhase.keys()].sort()).toEqual(
      ['PLANNING', 'PLAN_REVIEW', 'PLAN_REVISION', 'STRUCTURE_CREATION', 'CODE_IMPLEMENTATION', 'CODE_REVIEW', 'CODE_FIXING', 'DOCUMENTATION', 'TESTING', 'PAUSED'].sort(),
    );
    expect(resumable.some((state) => state.decision !== undefined)).toBe(true);
    expect(resumable.some((state) => state.attention !== undefined)).toBe(true);
  });

  it.each([...byPhase.keys()])('%s: in-flight work is held, the decision and attention kept, and RESUME ends as an uninterrupted run', (phase) => {
    for (const saved of byPhase.get(phase)!) {
      const running = Object.keys(saved.inFlight);
      const restored = restore(deepFreeze(JSON.parse(JSON.stringify(saved)) as WorkflowState));
      expect(restored.phase).toBe('PAUSED');
      expect(restored.pausedFrom).toBe(saved.phase === 'PAUSED' ? saved.pausedFrom : saved.phase);
      expect(restored.inFlight).toEqual({});
      expect(heldWork(restored).sort()).toEqual([...heldWork(saved), ...running].sort());
      expect(restored.decision).toEqual(saved.decision);
      expect(restored.attention).toEqual(saved.attention);
      expect(restored.files).toEqual(saved.files);
      expect(restored.plan).toEqual(saved.plan);

      const again = new Driver(restored);
      const resumed = again.send({ type: 'RESUME' });
      const sent = again.effectsOf('dispatch', resumed.effects).map((effect) => effect.work.id);
      for (const id of running) expect(sent).toContain(id);
      // An open decision is asked again, unless the attention it escalated is answered by RESUME.
      if (saved.decision && !saved.attention) expect(again.effectsOf('decide', resumed.effects).map((effect) => effect.request.id)).toContain(saved.decision.id);
      const ended = playRun({ respond: rejectOnce }, again).state;
      expect(ended.phase).toBe('COMPLETED');
      expect(approvedFiles(ended)).toEqual(approvedFiles(final));
    }
  });
});
