import { describe, expect, it } from 'vitest';
import { PLAN_REVIEW_FILES } from '../../../extension/engine/workflow/planning';
import { Driver, aConfig, aResult } from './workflowFixtures';

/** A plan of `files` files written, and the Organiser asked for its review; `sceptics` Code Sceptics. */
function reviewing(files: number, sceptics = 2): Driver {
  const driver = new Driver();
  driver.start(aConfig({ instances: { organiser: 1, architect: 1, 'primary-coder': 1, 'secondary-coder': 1, 'code-sceptic': sceptics } }));
  driver.done(driver.work('plan'), aResult().withArtifacts('plan-1').withFiles(files).build());
  driver.decide('request_plan_review');
  return driver;
}

describe('a long plan is reviewed in parts', () => {
  it('reviews a plan of up to 25 files whole, as one piece of work', () => {
    const driver = reviewing(PLAN_REVIEW_FILES);
    expect(driver.inFlight('review-plan')).toHaveLength(1);
    expect(driver.work('review-plan').files).toBeUndefined();
  });

  it('splits a longer plan into even parts of at most 25 files, spread over the Sceptics at once', () => {
    const driver = reviewing(60);
    const parts = driver.inFlight('review-plan');
    expect(parts.map((work) => work.files?.length)).toEqual([20, 20, 20]);
    expect(parts.flatMap((work) => work.files)).toEqual(driver.state.files.map((file) => file.path));
    expect(new Set(parts.map((work) => work.instance))).toEqual(new Set([1, 2]));
    expect(parts.every((work) => work.inputs[0] === 'plan-1' && work.grants.length === 0)).toBe(true);
  });

  it('approves the plan only once every part approved it', () => {
    const driver = reviewing(30);
    const [first, second] = driver.inFlight('review-plan');
    driver.done(first!, aResult().withArtifacts('review-a').approved().build());
    expect(driver.state).toMatchObject({ phase: 'PLAN_REVIEW', plan: { approved: false } });

    driver.done(second!, aResult().withArtifacts('review-b').approved().build());

    expect(driver.state).toMatchObject({ phase: 'STRUCTURE_CREATION', plan: { approved: true } });
  });

  it('asks the Organiser once every part is in, with the findings of every part that asked for changes', () => {
    const driver = reviewing(75, 3);
    const [first, second, third] = driver.inFlight('review-plan');
    driver.done(first!, aResult().withArtifacts('review-a').rejected('Part one misses validation.').build());
    expect(driver.state.decision).toBeUndefined();
    driver.done(second!, aResult().withArtifacts('review-b').approved().build());
    expect(driver.state.decision).toBeUndefined();

    driver.done(third!, aResult().withArtifacts('review-c').rejected('Part three names no tests.').build());

    expect(driver.decision()).toMatchObject({ point: 'plan-reviewed', recommended: 'revise_plan' });
    expect(driver.decision().question).toMatch(/Part one misses validation[^]*Part three names no tests/);
    driver.decide('revise_plan');
    expect(driver.work('revise-plan').note).toMatch(/Part one misses validation[^]*Part three names no tests/);
  });

  it('reviews the revised plan afresh, in parts again, forgetting the first round’s findings', () => {
    const driver = reviewing(30);
    const [first, second] = driver.inFlight('review-plan');
    driver.done(first!, aResult().withArtifacts('review-a').rejected('Too vague.').build());
    driver.done(second!, aResult().withArtifacts('review-b').approved().build());
    driver.decide('revise_plan');
    driver.done(driver.work('revise-plan'), aResult().withArtifacts('plan-2').withFiles(30).build());
    if (driver.state.decision?.point === 'plan-ready') driver.decide('request_plan_review');

    const parts = driver.inFlight('review-plan');
    expect(parts).toHaveLength(2);
    for (const part of parts) driver.done(part, aResult().withArtifacts(`review@${part.id}`).approved().build());
    expect(driver.state).toMatchObject({ phase: 'STRUCTURE_CREATION', plan: { approved: true } });
  });
});
