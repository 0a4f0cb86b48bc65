import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_ORGANISER_BUDGET, buildOrganiserContext } from '../../../extension/engine/organiser/organiserContext';
import { countTokens } from '../../../extension/engine/tokens/tokenCounter';
import { isOrchestraError } from '../../../extension/engine/util/errors';
import { aRole, aSnapshot, anAgent, anArtifact } from './snapshotBuilder';

/** The lines of one section of the context text, without its title and its data-block tags. */
function section(text: string, title: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(title);
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && /^[A-Z][A-Z-]+$/.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((line) => !/^<\/?untrusted-data/.test(line));
}

function words(count: number): string {
  return Array.from({ length: count }, (_, index) => `word${index % 97}`).join(' ');
}

describe('buildOrganiserContext', () => {
  it('states the task, the phase and the board counts', () => {
    const snapshot = aSnapshot().withTask('Write a tiny CSV parser.').withPhase('CODE_REVIEW').withFiles(4, { approved: 1, working: 2 }).build();

    const context = buildOrganiserContext(snapshot);

    expect(section(context.text, 'TASK')).toEqual(['Write a tiny CSV parser.']);
    expect(section(context.text, 'STATE')).toContain('phase: CODE_REVIEW — in words: reviewing the code');
    expect(section(context.text, 'STATE')).toContain('files: 4 planned — 1 pending, 2 reviewing, 1 approved');
  });

  it('says which phase a paused run returns to and why it needs attention', () => {
    const snapshot = aSnapshot().withPhase('PAUSED', { pausedFrom: 'TESTING', attention: { reason: 'Tests failed three times.' } }).build();

    const state = section(buildOrganiserContext(snapshot).text, 'STATE');

    expect(state[0]).toBe('phase: PAUSED (paused from TESTING) — in words: paused while running the tests');
    expect(state).toContain('attention: <untrusted-data>Tests failed three times.</untrusted-data>');
  });

  it('shows a to-do window: active and blocked items first, then the next pending ones, then counts', () => {
    const snapshot = aSnapshot().withTodo({ done: 7, pending: 25, blocked: 1, 'in-progress': 2 }).build();

    const context = buildOrganiserContext(snapshot);
    const todo = section(context.text, 'TO-DO');

    expect(todo.slice(0, 3).map((line) => line.split(':')[0]).sort()).toEqual(['blocked', 'in-progress', 'in-progress']);
    expect(todo[3]).toBe('pending: pending item 0 (secondary-coder)');
    expect(todo.filter((line) => line.startsWith('pending:'))).toHaveLength(10);
    expect(todo.at(-1)).toBe('+15 more pending, 7 done');
    expect(context.omitted.todo).toBe(22);
  });

  it('lists artifacts as id, type, producer, status and summary, and nothing of their content', () => {
    const withContent = [
      { ...anArtifact({ id: 'plan-1', type: 'plan', producer: 'architect-1', summary: 'Plan: three files.' }), content: 'CONTENT-MARKER-PLAN' },
      { ...anArtifact({ id: 'code-2', files: ['src/a.ts'], status: 'needs-revision', summary: 'Parser for src/a.ts.' }), content: 'CONTENT-MARKER-CODE' },
    ];
    const snapshot = aSnapshot().withFiles(1).withArtifactList(withContent).build();

    const context = buildOrganiserContext(snapshot);

    expect(section(context.text, 'ARTIFACTS')).toEqual([
      'plan-1 plan by architect-1 [completed] Plan: three files.',
      'code-2 code by secondary-coder-1 [needs-revision] Parser for src/a.ts.',
    ]);
    expect(context.text).not.toContain('CONTENT-MARKER');
  });

  it('shows only the newest artifact per type of an unfinished file and counts the older ones', () => {
    const artifacts = [
      anArtifact({ id: 'code-1', files: ['src/a.ts'], summary: 'first try' }),
      anArtifact({ id: 'review-2', type: 'review', files: ['src/a.ts'], summary: 'needs work' }),
      anArtifact({ id: 'code-3', files: ['src/a.ts'], summary: 'second try' }),
    ];
    const context = buildOrganiserContext(aSnapshot().withArtifactList(artifacts).build());
    const lines = section(context.text, 'ARTIFACTS');

    expect(lines.some((line) => line.startsWith('code-3 '))).toBe(true);
    expect(lines.some((line) => line.startsWith('review-2 '))).toBe(true);
    expect(lines.some((line) => line.startsWith('code-1 '))).toBe(false);
    expect(lines.at(-1)).toBe('+1 more artifacts: 1 older versions and reviews');
  });

  it('rolls approved files up per folder with the range of their artifact ids', () => {
    const snapshot = aSnapshot().withFiles(200, { approved: 200, folders: 4 }).withArtifacts(600).build();

    const context = buildOrganiserContext(snapshot);
    const lines = section(context.text, 'ARTIFACTS');
    const mod0Ids = snapshot.workflow.files
      .filter((file) => file.path.startsWith('src/mod0/'))
      .map((file) => Number(file.codeArtifactId!.replace('code-', '')))
      .sort((a, b) => a - b);

    expect(lines).toContain(`src/mod0/ — 50 files approved (code-${mod0Ids[0]}…code-${mod0Ids.at(-1)})`);
    expect(lines.filter((line) => / — \d+ files approved/.test(line))).toHaveLength(4);
    expect(lines.some((line) => line.startsWith('code-'))).toBe(false);
    expect(context.omitted.artifacts).toBe(598);
  });

  it('collapses folders into their parent when there are too many folder lines', () => {
    const snapshot = aSnapshot().withFiles(300, { approved: 300, folders: 150 }).withArtifacts(900).build();

    const lines = section(buildOrganiserContext(snapshot).text, 'ARTIFACTS');
    const rollups = lines.filter((line) => line.includes(' approved'));

    expect(rollups).toEqual([expect.stringMatching(/^src\/ — 300 files approved in 150 folders \(code-\d+…code-\d+\)$/)]);
  });

  it.each([0, 10, 200, 2000, 5000])('stays within the budget with %i artifacts', (count) => {
    const snapshot = aSnapshot()
      .withTask(words(10_000))
      .withFiles(Math.ceil(count / 3), { approved: Math.floor(count / 6), working: 5 })
      .withArtifacts(count, (id) => `${id}: ${words(60)}`)
      .withTodo({ done: count, pending: count, 'in-progress': 8, blocked: 3 })
      .withAgents(Array.from({ length: 30 }, (_, index) => anAgent(`secondary-coder-${index + 1}`, 'working', words(30))))
      .withRoles(Array.from({ length: 40 }, (_, index) => aRole(`role-${index}`, words(80))))
      .withSkills(Array.from({ length: 100 }, (_, index) => `skill ${index}`))
      .build();

    const context = buildOrganiserContext(snapshot, 2000);

    expect(context.tokens).toBe(countTokens(context.text));
    expect(context.tokens).toBeLessThanOrEqual(2000);
    expect(context.text).toContain('word0 word1 word2');
    expect(countTokens(section(context.text, 'TASK').join('\n'))).toBeLessThanOrEqual(300);
  });

  it('never exceeds any budget, whatever the sizes and summaries', () => {
    const sizes = fc.record({
      budget: fc.integer({ min: MIN_ORGANISER_BUDGET, max: 4000 }),
      files: fc.integer({ min: 0, max: 600 }),
      approvedShare: fc.double({ min: 0, max: 1, noNaN: true }),
      folders: fc.integer({ min: 1, max: 80 }),
      artifacts: fc.integer({ min: 0, max: 1500 }),
      summaries: fc.array(fc.string({ unit: 'grapheme', maxLength: 300 }), { minLength: 1, maxLength: 8 }),
      task: fc.string({ unit: 'binary', maxLength: 3000 }),
      todo: fc.integer({ min: 0, max: 400 }),
      agents: fc.integer({ min: 0, max: 60 }),
    });
    fc.assert(
      fc.property(sizes, (size) => {
        const snapshot = aSnapshot()
          .withTask(size.task)
          .withFiles(size.files, { approved: Math.floor(size.files * size.approvedShare), working: 2, folders: size.folders })
          .withArtifacts(size.artifacts, (_, index) => size.summaries[index % size.summaries.length]!)
          .withTodo({ pending: size.todo, done: size.todo, 'in-progress': size.todo % 7 })
          .withAgents(Array.from({ length: size.agents }, (_, index) => anAgent(`debugger-${index + 1}`, 'working', size.summaries[0])))
          .withSkills(size.summaries)
          .build();

        const context = buildOrganiserContext(snapshot, size.budget);

        expect(countTokens(context.text)).toBeLessThanOrEqual(size.budget);
        expect(context.tokens).toBe(countTokens(context.text));
      }),
      { numRuns: 40 },
    );
  });

  it('keeps the phase and the task when the budget is the smallest allowed', () => {
    const snapshot = aSnapshot().withTask(words(5000)).withFiles(500, { approved: 250 }).withArtifacts(2000).withTodo({ pending: 100 }).build();

    const context = buildOrganiserContext(snapshot, MIN_ORGANISER_BUDGET);

    expect(context.tokens).toBeLessThanOrEqual(MIN_ORGANISER_BUDGET);
    expect(context.text).toContain('phase: CODE_IMPLEMENTATION');
    expect(section(context.text, 'TASK')[0]).toMatch(/^word0 word1/);
  });

  it('refuses a budget too small to hold the essentials', () => {
    expect.assertions(1);
    try {
      buildOrganiserContext(aSnapshot().build(), MIN_ORGANISER_BUDGET - 1);
    } catch (error) {
      expect(isOrchestraError(error, 'invalid-input')).toBe(true);
    }
  });

  it('puts agents that need someone before busy and idle ones, and lists active roles and skills', () => {
    const snapshot = aSnapshot()
      .withAgents([anAgent('architect-1', 'idle'), anAgent('debugger-1', 'needs-attention'), anAgent('secondary-coder-2', 'working', 'implementing src/b.ts')])
      .withRoles([aRole('debugger', 'Runs the tests.')])
      .withSkills(['vitest'])
      .build();

    const context = buildOrganiserContext(snapshot);

    expect(section(context.text, 'AGENTS')).toEqual(['debugger-1 needs-attention', 'secondary-coder-2 working — implementing src/b.ts', 'architect-1 idle']);
    expect(section(context.text, 'ROLES')).toEqual(['Debugger — Runs the tests.']);
    expect(section(context.text, 'SKILLS')).toEqual(['vitest']);
  });
});
