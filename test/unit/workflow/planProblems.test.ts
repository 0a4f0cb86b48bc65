import { describe, expect, it } from 'vitest';
import type { WorkResult } from '../../../extension/engine/workflow/workflowTypes';
import { Driver, REQUIRED_ONLY, aConfig, aResult, defaultResult, playRun } from './workflowFixtures';

// Plan problems (paths the recorder left out, or no files at all) go back to the Architect, bounded.

function withProblems(files: string[], ...problems: string[]): WorkResult {
  const result = aResult().withArtifacts('plan-x').withFiles(files).build();
  return problems.length > 0 ? { ...result, planProblems: problems } : result;
}

describe('workflow machine: plan problems', () => {
  it('sends a plan with left-out paths back to the Architect with the problems as the note', () => {
    const driver = new Driver();
    driver.start();
    const { state, effects } = driver.done(driver.work('plan'), withProblems(['src/a.ts'], '"src/*": a pattern, not a file'));

    expect(state.phase).toBe('PLAN_REVISION');
    const revise = driver.work('revise-plan');
    expect(revise.note).toContain('"src/*": a pattern, not a file');
    expect(revise.inputs).toContain('plan-x');
    expect(driver.effectsOf('artifactStatus', effects)).toEqual([{ type: 'artifactStatus', artifactId: 'plan-x', status: 'needs-revision' }]);
    expect(state.decision).toBeUndefined();
  });

  it('lists at most twenty problems to the Architect and counts the rest', () => {
    const driver = new Driver();
    driver.start();
    const problems = Array.from({ length: 25 }, (_, i) => `"src/${i}/*": a pattern`);
    driver.done(driver.work('plan'), withProblems(['src/a.ts'], ...problems));
    const note = driver.work('revise-plan').note ?? '';
    expect(note).toContain('"src/19/*"');
    expect(note).not.toContain('"src/20/*"');
    expect(note).toContain('and 5 more');
  });

  it('builds the revised plan once its problems are gone, through the usual review', () => {
    const driver = playRun({
      respond: (work) => {
        if (work.kind === 'plan') return withProblems(['src/a.ts'], '"src/*": a pattern');
        if (work.kind === 'revise-plan') return withProblems(['src/a.ts', 'src/b.ts']);
        return defaultResult(work);
      },
    });
    expect(driver.state.phase).toBe('COMPLETED');
    expect(driver.phases).toEqual(expect.arrayContaining(['PLAN_REVISION', 'PLAN_REVIEW', 'STRUCTURE_CREATION']));
    expect(driver.state.files.map((f) => f.path)).toEqual(['src/a.ts', 'src/b.ts']);
    expect(driver.state.plan?.revisions).toBe(1);
  });

  it('goes on with the usable files once the revisions allowed are used up', () => {
    const driver = playRun({
      config: aConfig({ instances: REQUIRED_ONLY, maxPlanRevisions: 2 }),
      respond: (work) => (work.kind === 'plan' || work.kind === 'revise-plan' ? withProblems(['src/a.ts'], '"src/*": a pattern') : defaultResult(work)),
    });
    expect(driver.effectsOf('dispatch').filter((e) => e.work.kind === 'revise-plan')).toHaveLength(2);
    expect(driver.state.phase).toBe('COMPLETED');
    expect(driver.state.files.map((f) => f.path)).toEqual(['src/a.ts']);
  });

  it('stops for the user when no file is left after the last revision, and resuming asks the Architect again', () => {
    const driver = new Driver();
    driver.start(aConfig({ maxPlanRevisions: 1 }));
    driver.done(driver.work('plan'), withProblems([], '"src/*": a pattern'));
    const { state, effects } = driver.done(driver.work('revise-plan'), withProblems([], '"lib/**": a pattern'));

    expect(state.phase).toBe('PAUSED');
    expect(state.attention?.reason).toMatch(/no file that can be written after 1 revision/);
    expect(state.attention?.reason).toContain('lib/**');
    expect(driver.effectsOf('attention', effects)).toHaveLength(1);
    expect(driver.effectsOf('finish', effects)).toEqual([]);

    const resumed = driver.send({ type: 'RESUME' });
    expect(resumed.state.phase).toBe('PLAN_REVISION');
    expect(driver.work('revise-plan').note).toContain('lib/**');
  });

  it('does not stop for a plan with no files while revisions are left', () => {
    const driver = new Driver();
    driver.start(aConfig({ maxPlanRevisions: 3 }));
    driver.done(driver.work('plan'), withProblems([]));
    driver.done(driver.work('revise-plan'), withProblems([]));
    const { state } = driver.done(driver.work('revise-plan'), withProblems([]));
    expect(state.phase).toBe('PLAN_REVISION');
    expect(state.attention).toBeUndefined();
  });
});

