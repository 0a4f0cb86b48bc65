import { describe, expect, it } from 'vitest';
import { deriveTodoList } from '../../../extension/engine/workflow/todoList';
import { initialWorkflowState } from '../../../extension/engine/workflow/workflowMachine';
import { BUILTIN_RULES } from '../../../extension/engine/workflow/workflowRules';
import { Driver, EVERY_ROLE, REQUIRED_ONLY, aConfig, aResult, defaultResult, playRun } from './workflowFixtures';

const statuses = (driver: Driver) => Object.fromEntries(deriveTodoList(driver.state).map((item) => [item.id, item.status]));

describe('to-do list', () => {
  it('lists the plan, its review, the scaffolding, documentation and testing, all pending, before the start', () => {
    const driver = new Driver({ ...initialWorkflowState(), config: aConfig() });

    expect(deriveTodoList(driver.state).map((item) => [item.id, item.role, item.status])).toEqual([
      ['plan', 'architect', 'pending'],
      ['plan-review', 'code-sceptic', 'pending'],
      ['structure', 'primary-coder', 'pending'],
      ['documentation', 'documentation-writer', 'pending'],
      ['testing', 'debugger', 'pending'],
    ]);
  });

  it("shows the plan in progress while it is written, then its review in progress beside the Organiser's question", () => {
    const driver = new Driver();
    driver.start();
    expect(statuses(driver).plan).toBe('in-progress');

    driver.done(driver.work('plan'));
    expect(driver.state.decision?.point).toBe('plan-ready');
    expect(statuses(driver)).toMatchObject({ plan: 'done', 'plan-review': 'in-progress' });

    // A review that is in before the answer waits for it.
    driver.done(driver.work('review-plan'));
    expect(statuses(driver)).toMatchObject({ plan: 'done', 'plan-review': 'blocked' });
  });

  it('shows the plan in progress again while it is revised', () => {
    const driver = playRun({ until: (d) => d.state.phase === 'PLAN_REVIEW' && d.state.decision === undefined });
    expect(statuses(driver).plan).toBe('done');
    driver.done(driver.work('review-plan'), aResult().withArtifacts('r').rejected('Split the parser out').build());
    driver.decide('revise_plan');
    expect(driver.state.phase).toBe('PLAN_REVISION');
    expect(statuses(driver).plan).toBe('in-progress');
  });

  it('shows one line per file with its stage, and a rejected review as blocked', () => {
    const driver = playRun({ until: (d) => d.state.phase === 'CODE_IMPLEMENTATION' });
    driver.done(driver.work('implement', 'src/file1.ts'));
    driver.done(driver.work('review-code', 'src/file1.ts'));
    driver.done(driver.work('implement', 'src/file2.ts'));
    driver.done(driver.work('review-code', 'src/file2.ts'), aResult().withArtifacts('r').rejected('No').build());

    const list = deriveTodoList(driver.state);
    expect(list.find((item) => item.id === 'file:src/file1.ts')).toEqual({
      id: 'file:src/file1.ts',
      title: 'Implement and review src/file1.ts',
      role: 'secondary-coder',
      file: 'src/file1.ts',
      status: 'done',
    });
    expect(statuses(driver)).toMatchObject({
      plan: 'done',
      'plan-review': 'done',
      structure: 'done',
      'file:src/file2.ts': 'blocked',
      'file:src/file3.ts': 'in-progress',
      documentation: 'pending',
      testing: 'pending',
    });
  });

  it('leaves out the roles that take part in nothing and names files for implementation only', () => {
    const driver = playRun({ config: aConfig({ instances: REQUIRED_ONLY }), until: (d) => d.state.phase === 'CODE_IMPLEMENTATION' });
    const list = deriveTodoList(driver.state);

    expect(list.map((item) => item.id)).toEqual(['plan', 'structure', 'file:src/file1.ts', 'file:src/file2.ts', 'file:src/file3.ts']);
    expect(list[2]!.title).toBe('Implement src/file1.ts');
  });

  it('blocks the work that failed too often until the person resumes', () => {
    const driver = playRun({ until: (d) => d.state.phase === 'CODE_IMPLEMENTATION' });
    const work = driver.work('implement', 'src/file2.ts');
    for (let i = 0; i < 3; i++) driver.send({ type: 'WORK_FAILED', workId: work.id, message: 'boom', retryable: true });

    expect(statuses(driver)).toMatchObject({ 'file:src/file1.ts': 'in-progress', 'file:src/file2.ts': 'blocked' });
  });

  it('blocks testing while a failed test run waits for a decision', () => {
    const driver = playRun({ until: (d) => d.state.phase === 'TESTING' });
    expect(statuses(driver)).toMatchObject({ documentation: 'done', testing: 'in-progress' });

    driver.done(driver.work('test'), aResult().withArtifacts('rep').withFailures({ file: 'src/file1.ts', message: 'x' }).build());
    expect(statuses(driver).testing).toBe('blocked');
  });

  it('marks everything done when the run completes', () => {
    const driver = playRun();

    expect(new Set(Object.values(statuses(driver)))).toEqual(new Set(['done']));
  });

  it('keeps what was finished and shows the rest as pending after a cancel', () => {
    const driver = playRun({ until: (d) => d.state.phase === 'CODE_IMPLEMENTATION' });
    driver.done(driver.work('implement', 'src/file1.ts'), defaultResult(driver.work('implement', 'src/file1.ts')));
    driver.done(driver.work('review-code', 'src/file1.ts'));
    driver.send({ type: 'CANCEL' });

    expect(statuses(driver)).toMatchObject({ plan: 'done', structure: 'done', 'file:src/file1.ts': 'done', 'file:src/file2.ts': 'pending', testing: 'pending' });
  });

  it('follows the workflow definition: no documentation item when it is off, and an item for a custom step', () => {
    const rules = { ...BUILTIN_RULES, documentation: false, phaseSteps: [{ role: 'release-checker', phase: 'TESTING' as const }] };
    const driver = new Driver({ ...initialWorkflowState(), config: aConfig({ rules, instances: { ...EVERY_ROLE, 'release-checker': 1 } }) });
    expect(deriveTodoList(driver.state).map((item) => item.id)).toEqual(['plan', 'plan-review', 'structure', 'testing', 'step:release-checker']);

    const done = playRun({ config: driver.state.config });
    expect(statuses(done)).toMatchObject({ testing: 'done', 'step:release-checker': 'done' });
  });
});
