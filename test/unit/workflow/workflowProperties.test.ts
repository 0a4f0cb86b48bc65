import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boardPhase, CODING_PHASES } from '../../../extension/engine/workflow/fileBoard';
import { initialWorkflowState, transition } from '../../../extension/engine/workflow/workflowMachine';
import { instancesOf } from '../../../extension/engine/workflow/workflowRoles';
import { rulesOf, type WorkflowRules } from '../../../extension/engine/workflow/workflowRules';
import {
  CHECKER_ROLE,
  DEFAULT_WORKFLOW_CONFIG,
  ORGANISER_ACTION_TYPES,
  PHASES,
  ROLE_FOR_KIND,
  TERMINAL_PHASES,
  WORK_KINDS,
  type Effect,
  type OrganiserAction,
  type OrganiserActionType,
  type WorkItem,
  type WorkResult,
  type WorkflowConfig,
  type WorkflowEvent,
  type WorkflowState,
} from '../../../extension/engine/workflow/workflowTypes';
import { OPTIONAL_STEPS, type UserChange } from '../../../extension/engine/workflow/userChangeSchema';
import { aResult, filePaths } from './workflowFixtures';

type Gen = fc.GeneratorValue;

const int = (g: Gen, min: number, max: number): number => g(fc.integer, { min, max });
const pick = <T>(g: Gen, items: readonly T[]): T => items[int(g, 0, items.length - 1)]!;
const chance = (g: Gen, percent: number): boolean => int(g, 1, 100) <= percent;

const STAGES = ['pending', 'implementing', 'checking', 'reviewing', 'fixing', 'approved'];
const PROFILES = ['spare', 'local-model', 'constructor'];
const SPAWN_ROLES = ['code-sceptic', 'debugger', 'documentation-writer', 'security-auditor', 'astrologer', 'organiser', 'constructor'];

/** Any workflow definition: steps on or off, extra reviewers (some on a glob), phase steps, test schedules, the gate. */
function randomRules(g: Gen): WorkflowRules {
  const reviewers = [{ role: 'code-sceptic' }, ...(chance(g, 50) ? [{ role: 'security-auditor' }] : []), ...(chance(g, 30) ? [{ role: 'sql-reviewer', files: pick(g, ['*.sql', 'src/file1.ts', 'src/**']) }] : [])];
  const phaseSteps = [
    ...(chance(g, 30) ? [{ role: 'changelog-writer', phase: 'DOCUMENTATION' as const, writes: ['CHANGELOG.md'] }] : []),
    ...(chance(g, 30) ? [{ role: 'release-checker', phase: 'TESTING' as const }] : []),
  ];
  const tests = pick(g, [{ when: 'end' as const }, { when: 'every-files' as const, files: int(g, 1, 3) }, { when: 'each-folder' as const }]);
  return {
    documentation: chance(g, 70),
    testing: chance(g, 80),
    reviewers,
    phaseSteps,
    tests,
    ...(chance(g, 40) ? { diagnosticsRounds: int(g, 1, 2) } : {}),
  };
}

function randomConfig(g: Gen): WorkflowConfig {
  return {
    ...DEFAULT_WORKFLOW_CONFIG,
    instances: {
      architect: 1,
      'primary-coder': int(g, 1, 2),
      'secondary-coder': int(g, 1, 3),
      'code-sceptic': int(g, 0, 2),
      'documentation-writer': int(g, 0, 1),
      debugger: int(g, 0, 1),
      'security-auditor': int(g, 0, 1),
      'sql-reviewer': int(g, 0, 1),
      'changelog-writer': int(g, 0, 1),
      'release-checker': int(g, 0, 1),
    },
    ...(chance(g, 75) ? { rules: randomRules(g) } : {}),
    batchSize: int(g, 1, 3),
    maxPlanRevisions: int(g, 0, 2),
    maxFixRounds: int(g, 0, 2),
    maxTestCycles: int(g, 0, 2),
    maxWorkAttempts: int(g, 1, 3),
    maxInstancesPerRole: int(g, 1, 3),
  };
}

/** Any plausible answer to a piece of work, including empty plans, rejections and missing artifacts. */
function randomResult(g: Gen, work: WorkItem, state: WorkflowState): WorkResult {
  const result = aResult().withArtifacts(`a@${work.id}`);
  if (chance(g, 10)) result.withSpawn(pick(g, SPAWN_ROLES));
  switch (work.kind) {
    case 'plan':
    case 'revise-plan': {
      // Empty plans and plans with paths the recorder left out both go back to the Architect.
      const plan = result.withFiles(chance(g, 5) ? [] : filePaths(int(g, 1, 4))).build();
      return chance(g, 10) ? { ...plan, planProblems: ['"src/*": a pattern, not a file'] } : plan;
    }
    case 'review-plan':
    case 'review-code':
      return (chance(g, 50) ? result.approved() : result.rejected('A finding')).build();
    case 'implement':
    case 'fix':
      return chance(g, 5) ? aResult().build() : result.build();
    case 'check':
      return chance(g, 50) ? { artifactIds: [] } : { artifactIds: [], diagnostics: [{ file: work.file, severity: 'major', message: 'line 1: an error' }] };
    case 'test': {
      if (chance(g, 40)) return result.build();
      const files = [...state.files.map((f) => f.path), 'not/planned.ts', undefined];
      return result.withFailures(...Array.from({ length: int(g, 1, 2) }, () => ({ file: pick(g, files), message: 'broken' }))).build();
    }
    default:
      return result.build();
  }
}

/** A person's answer to a stop; reassigning names one of their profiles. */
function anAnswer(g: Gen, allowed: readonly OrganiserActionType[]): OrganiserAction {
  const action = pick(g, allowed);
  return action === 'reassign_work' ? { action, reason: '', profileId: pick(g, PROFILES) } : { action, reason: '' };
}

function oldestFirst(state: WorkflowState): WorkItem[] {
  return Object.values(state.inFlight).sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
}

/** An event a well-behaved environment might send now. */
function plausibleEvent(g: Gen, state: WorkflowState): WorkflowEvent {
  if (state.phase === 'IDLE') return { type: 'START', task: 'task', config: randomConfig(g) };
  const running = oldestFirst(state);
  if (state.decision && chance(g, 60)) {
    return { type: 'DECIDE', decisionId: state.decision.id, action: { action: pick(g, state.decision.options), reason: '' } };
  }
  if (state.phase === 'PAUSED' && (running.length === 0 || chance(g, 30))) {
    const request = state.attention?.decision ?? state.decision;
    const allowed = request?.options.filter((o) => o !== 'escalate') ?? [];
    return allowed.length > 0 && chance(g, 50) ? { type: 'RESUME', action: anAnswer(g, allowed) } : { type: 'RESUME' };
  }
  if (running.length === 0) return { type: 'PAUSE' };
  const work = pick(g, running);
  if (state.phase === 'PAUSED' && chance(g, 50)) return { type: 'WORK_ABORTED', workId: work.id };
  return { type: 'WORK_DONE', workId: work.id, result: randomResult(g, work, state) };
}

/** Anything at all: unknown ids, actions that are not offered, lifecycle events at odd times. */
function arbitraryEvent(g: Gen, state: WorkflowState): WorkflowEvent {
  const workId = chance(g, 50) ? pick(g, [...Object.keys(state.inFlight), 'w0', 'constructor']) : `w${int(g, 0, 40)}`;
  const action = { action: pick(g, ORGANISER_ACTION_TYPES), reason: '', ...(chance(g, 50) ? { profileId: pick(g, PROFILES) } : {}) };
  const events: WorkflowEvent[] = [
    { type: 'START', task: 'again', config: randomConfig(g) },
    { type: 'WORK_DONE', workId, result: aResult().withArtifacts('x').withFiles(int(g, 0, 2)).build() },
    { type: 'WORK_FAILED', workId, message: 'boom', retryable: chance(g, 50) },
    { type: 'WORK_ABORTED', workId },
    { type: 'DECIDE', decisionId: chance(g, 50) && state.decision ? state.decision.id : `d${int(g, 0, 40)}`, action },
    { type: 'PAUSE', ...(chance(g, 50) ? { reason: 'A budget would be passed' } : {}) },
    { type: 'RESUME', ...(chance(g, 50) ? { action } : {}) },
    { type: 'CANCEL' },
    { type: 'FAIL', reason: 'random' },
    { type: 'USER_CHANGE', change: randomChange(g, state) },
  ];
  return pick(g, events);
}

/** Any change a person may ask for, on a file of the plan, a new one, or one that does not exist. */
function randomChange(g: Gen, state: WorkflowState): UserChange {
  const path = chance(g, 60) && state.files.length > 0 ? pick(g, state.files).path : `src/added${int(g, 0, 3)}.js`;
  const step = pick(g, OPTIONAL_STEPS);
  const changes: UserChange[] = [
    { kind: 'add-file', path, purpose: 'added by the user' },
    { kind: 'change-instructions', path, instructions: 'do it differently' },
    { kind: 'reopen-file', path, to: chance(g, 50) ? 'review' : 'fix', reason: 'look again' },
    { kind: 'skip-step', step },
    { kind: 'restore-step', step },
    { kind: 'set-role-profile', role: pick(g, ['secondary-coder', 'code-sceptic', 'debugger', 'organiser']), profileId: pick(g, PROFILES) },
    { kind: 'set-agent-profile', agentId: `${pick(g, ['secondary-coder', 'code-sceptic', 'organiser'])}-${int(g, 1, 3)}`, profileId: pick(g, PROFILES) },
    { kind: 'move-work', from: `secondary-coder-${int(g, 1, 3)}`, to: `${pick(g, ['secondary-coder', 'code-sceptic'])}-${int(g, 1, 3)}` },
  ];
  return pick(g, changes);
}

const pendingWork = (state: WorkflowState): WorkItem[] => [
  ...Object.values(state.inFlight),
  ...state.deferred.flatMap((effect) => (effect.type === 'dispatch' ? [effect.work] : [])),
];

function checkWork(work: WorkItem, state: WorkflowState): void {
  expect(WORK_KINDS).toContain(work.kind);
  if (work.kind === 'check') expect(work.role).toBe(CHECKER_ROLE);
  else if (work.kind === 'review-code') expect(rulesOf(state).reviewers.map((reviewer) => reviewer.role)).toContain(work.role);
  else if (work.kind === 'step') expect(rulesOf(state).phaseSteps.map((step) => step.role)).toContain(work.role);
  else if (work.kind !== 'consult') expect(work.role).toBe(ROLE_FOR_KIND[work.kind]);
  expect(Number.isInteger(work.instance) && work.instance >= 1 && (work.kind === 'check' || work.instance <= instancesOf(state.config, work.role))).toBe(true);
  expect(work.attempt >= 1 && work.attempt <= state.config.maxWorkAttempts).toBe(true);
}

/** The invariants every state the machine returns must keep. */
function checkWellFormed(state: WorkflowState, effects: Effect[]): void {
  expect(PHASES).toContain(state.phase);
  expect(state.phase === 'PAUSED').toBe(state.pausedFrom !== undefined);
  if (state.pausedFrom) expect(['PAUSED', 'IDLE', ...TERMINAL_PHASES]).not.toContain(state.pausedFrom);
  if (state.attention || state.deferred.length > 0) expect(state.phase).toBe('PAUSED');
  if (TERMINAL_PHASES.includes(state.phase)) {
    expect(state).toMatchObject({ inFlight: {}, deferred: [] });
    expect(state.decision).toBeUndefined();
    expect(state.outcome).toBeDefined();
    return;
  }
  for (const [id, work] of Object.entries(state.inFlight)) {
    expect(work.id).toBe(id);
    checkWork(work, state);
  }
  const pending = pendingWork(state);
  for (const work of pending) checkWork(work, state);
  expect(new Set(pending.map((w) => w.id)).size).toBe(pending.length);
  expect(new Set(state.files.map((f) => f.path)).size).toBe(state.files.length);
  for (const file of state.files) {
    expect(STAGES).toContain(file.stage);
    const work = pending.filter((w) => w.file === file.path && ['implement', 'fix', 'review-code', 'check'].includes(w.kind)).map((w) => w.kind);
    const expected: Record<string, string[]> = {
      pending: [],
      implementing: ['implement'],
      checking: ['check'],
      fixing: ['fix'],
      reviewing: file.openFindings === undefined ? ['review-code'] : [],
      approved: [],
    };
    expect(work, `${file.path} at ${file.stage}`).toEqual(expected[file.stage]);
  }
  // Documents are written as files are approved: a writer holds only approved files, each in one batch.
  const documenting = pending.filter((w) => w.kind === 'document').flatMap((w) => w.files ?? []);
  expect(new Set(documenting).size).toBe(documenting.length);
  for (const path of documenting) expect(state.files.find((f) => f.path === path)?.stage, `${path} is being documented`).toBe('approved');
  const phase = state.pausedFrom ?? state.phase;
  if (CODING_PHASES.includes(phase)) expect(phase).toBe(boardPhase(state.files));
  if (state.decision) {
    expect(state.decision.options).toContain(state.decision.recommended);
    expect(Number(state.decision.id.slice(1))).toBeLessThanOrEqual(state.seq);
  }
  for (const effect of effects) {
    if (effect.type === 'dispatch') expect(state.inFlight[effect.work.id]).toEqual(effect.work);
  }
}

// Hundreds of random runs each: seconds alone, much longer beside the other suites on CI's two shared cores.
describe('workflow machine properties', () => {
  it('keeps every state well-formed under any sequence of events, and rejects without change', () => {
    fc.assert(
      fc.property(fc.gen(), fc.integer({ min: 1, max: 120 }), (g, length) => {
        let state = initialWorkflowState();
        for (let i = 0; i < length; i++) {
          const event = chance(g, 70) ? plausibleEvent(g, state) : arbitraryEvent(g, state);
          const before = state;
          const result = transition(state, event);
          if (result.rejected) {
            expect(result.state).toBe(before);
            expect(result.effects).toEqual([]);
            continue;
          }
          expect(result.state.seq).toBeGreaterThanOrEqual(before.seq);
          checkWellFormed(result.state, result.effects);
          state = result.state;
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('always ends when every dispatch and decision is answered, even with failures and pauses', () => {
    const maxSteps = 3000;
    fc.assert(
      fc.property(fc.gen(), (g) => {
        let state = transition(initialWorkflowState(), { type: 'START', task: 'task', config: randomConfig(g) }).state;
        let failures = int(g, 0, 6);
        let pauses = int(g, 0, 3);
        let changes = int(g, 0, 4);
        const send = (event: WorkflowEvent) => {
          const result = transition(state, event);
          expect(result.rejected, `${event.type} in ${state.phase}`).toBeUndefined();
          state = result.state;
        };
        let steps = 0;
        for (; steps < maxSteps && !TERMINAL_PHASES.includes(state.phase); steps++) {
          const running = oldestFirst(state);
          if (state.phase === 'PAUSED') {
            // The environment settles what the pause aborted, then a person resumes.
            const work = running[0];
            if (work) send(chance(g, 50) ? { type: 'WORK_ABORTED', workId: work.id } : { type: 'WORK_DONE', workId: work.id, result: randomResult(g, work, state) });
            else {
              const request = state.attention?.decision;
              const allowed: OrganiserActionType[] = request?.options.filter((o) => o !== 'escalate') ?? [];
              send(allowed.length > 0 && chance(g, 50) ? { type: 'RESUME', action: anAnswer(g, allowed) } : { type: 'RESUME' });
            }
          } else if (changes > 0 && chance(g, 3)) {
            // A person's change may be refused in this state; an accepted one must not stop the run ending.
            changes -= 1;
            const result = transition(state, { type: 'USER_CHANGE', change: randomChange(g, state) });
            if (!result.rejected) state = result.state;
          } else if (pauses > 0 && chance(g, 2)) {
            pauses -= 1;
            send({ type: 'PAUSE' });
          } else if (state.decision && (running.length === 0 || chance(g, 50))) {
            send({ type: 'DECIDE', decisionId: state.decision.id, action: { action: pick(g, state.decision.options), reason: '' } });
          } else {
            expect(running.length, `stuck in ${state.phase} with nothing to answer`).toBeGreaterThan(0);
            const work = pick(g, running);
            if (failures > 0 && chance(g, 10)) {
              failures -= 1;
              send({ type: 'WORK_FAILED', workId: work.id, message: 'flaky', retryable: chance(g, 50) });
            } else {
              send({ type: 'WORK_DONE', workId: work.id, result: randomResult(g, work, state) });
            }
          }
        }
        expect(TERMINAL_PHASES, `stuck in ${state.phase} after ${steps} steps`).toContain(state.phase);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
