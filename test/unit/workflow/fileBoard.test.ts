import { describe, expect, it } from 'vitest';
import { batchesOf, boardPhase } from '../../../extension/engine/workflow/fileBoard';
import type { FileEntry, FileStage } from '../../../extension/engine/workflow/workflowTypes';
import { Driver, REQUIRED_ONLY, aConfig, aResult, defaultResult, filePaths, playRun } from './workflowFixtures';

/** A run with the plan approved and the structure done, waiting in coding. */
function codingWith(options: { files?: number; coders?: number; sceptics?: number } = {}): Driver {
  const files = filePaths(options.files ?? 3);
  const instances = { ...REQUIRED_ONLY, 'secondary-coder': options.coders ?? 1, 'code-sceptic': options.sceptics ?? 1 };
  return playRun({
    config: aConfig({ instances }),
    respond: (work) => defaultResult(work, files),
    decide: (request) => (request.point === 'plan-ready' ? 'approve_plan' : request.recommended),
    until: (d) => d.state.phase === 'CODE_IMPLEMENTATION',
  });
}

const entry = (stage: FileStage): FileEntry => ({ path: `f-${stage}`, purpose: '', stage, fixes: 0 });

describe('file board: structure creation', () => {
  it('splits the files into batches in plan order', () => {
    expect(batchesOf(['a', 'b', 'c', 'd', 'e'], 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(batchesOf([], 3)).toEqual([]);
  });

  it('dispatches every batch at once, round robin over the primary coders, granting only the batch', () => {
    const driver = new Driver();
    driver.start(aConfig({ batchSize: 2, instances: { ...REQUIRED_ONLY, 'primary-coder': 2 } }));
    const { effects, state } = driver.done(driver.work('plan'), aResult().withArtifacts('plan-1').withFiles(5).build());

    expect(state.phase).toBe('STRUCTURE_CREATION');
    expect(state.batchesLeft).toBe(3);
    expect(driver.effectsOf('dispatch', effects).map(({ work }) => ({ instance: work.instance, grants: work.grants, files: work.files, inputs: work.inputs }))).toEqual([
      { instance: 1, grants: ['src/file1.ts', 'src/file2.ts'], files: ['src/file1.ts', 'src/file2.ts'], inputs: ['plan-1'] },
      { instance: 2, grants: ['src/file3.ts', 'src/file4.ts'], files: ['src/file3.ts', 'src/file4.ts'], inputs: ['plan-1'] },
      { instance: 1, grants: ['src/file5.ts'], files: ['src/file5.ts'], inputs: ['plan-1'] },
    ]);
  });

  it('codes each batch’s files as soon as that batch is in, with each file’s pseudocode as input', () => {
    const driver = new Driver();
    driver.start(aConfig({ batchSize: 2, instances: REQUIRED_ONLY }));
    driver.done(driver.work('plan'), aResult().withArtifacts('plan-1').withFiles(3).build());
    const [first, second] = driver.inFlight('structure');
    driver.done(second!, aResult().withFileArtifacts('pseudo', second!.files!).build());

    // The second batch's file goes to its coder; the first batch's files wait for their scaffold.
    expect(driver.state.phase).toBe('CODE_IMPLEMENTATION');
    expect(driver.state.batchesLeft).toBe(1);
    expect(driver.inFlight('implement').map((work) => work.file)).toEqual(['src/file3.ts']);
    expect(driver.work('implement', 'src/file3.ts')).toMatchObject({ grants: ['src/file3.ts'], inputs: ['pseudo:src/file3.ts', 'plan-1'] });
    expect(driver.state.files.map((f) => f.stage)).toEqual(['pending', 'pending', 'implementing']);

    driver.done(first!, aResult().withArtifacts('pseudo-a', 'pseudo-b').build());

    expect(driver.state.batchesLeft).toBe(0);
    expect(driver.state.files.map((f) => f.pseudocodeArtifactId)).toEqual(['pseudo-a', 'pseudo-b', 'pseudo:src/file3.ts']);
    expect(driver.work('implement', 'src/file1.ts')).toMatchObject({ grants: ['src/file1.ts'], inputs: ['pseudo-a', 'plan-1'] });
    expect(driver.inFlight('implement').map((work) => work.file).sort()).toEqual(['src/file1.ts', 'src/file2.ts', 'src/file3.ts']);
  });

  it('does not finish coding while a batch is still being scaffolded', () => {
    const driver = new Driver();
    driver.start(aConfig({ batchSize: 1, instances: REQUIRED_ONLY }));
    driver.done(driver.work('plan'), aResult().withArtifacts('plan-1').withFiles(2).build());
    const [first] = driver.inFlight('structure');
    driver.done(first!, aResult().withArtifacts('pseudo-1').build());
    // No reviewer in this team: the code is approved as it comes.
    driver.done(driver.work('implement', 'src/file1.ts'), aResult().withArtifacts('code-1').build());

    expect(driver.state.files.map((f) => f.stage)).toEqual(['approved', 'pending']);
    expect(driver.state.phase).toBe('CODE_IMPLEMENTATION');
    expect(driver.inFlight('structure').map((work) => work.files)).toEqual([['src/file2.ts']]);
  });

  it('splits 16 files into four even batches of at most 5', () => {
    expect(batchesOf(filePaths(16), 5).map((batch) => batch.length)).toEqual([4, 4, 4, 4]);
    expect(batchesOf(filePaths(11), 5).map((batch) => batch.length)).toEqual([4, 4, 3]);
    expect(batchesOf(filePaths(5), 5).map((batch) => batch.length)).toEqual([5]);
  });
});

describe('file board: coding', () => {
  it('gives two coders files alternately and sends each fix back to the file’s owner', () => {
    const driver = codingWith({ files: 4, coders: 2 });

    expect(driver.inFlight('implement').map((w) => [w.file, w.instance])).toEqual([
      ['src/file1.ts', 1],
      ['src/file2.ts', 2],
      ['src/file3.ts', 1],
      ['src/file4.ts', 2],
    ]);
    driver.done(driver.work('implement', 'src/file2.ts'));
    driver.done(driver.work('review-code', 'src/file2.ts'), aResult().withArtifacts('rev-2').rejected('Wrong').build());
    driver.decide('fix_file');

    expect(driver.work('fix', 'src/file2.ts')).toMatchObject({ role: 'secondary-coder', instance: 2, grants: ['src/file2.ts'] });
  });

  it('sends new code to review with the code as input and records the review', () => {
    const driver = codingWith();
    const { state, effects } = driver.done(driver.work('implement', 'src/file1.ts'), aResult().withArtifacts('code-1').build());

    expect(state.files[0]).toMatchObject({ stage: 'reviewing', codeArtifactId: 'code-1' });
    expect(state.phase).toBe('CODE_REVIEW');
    expect(driver.effectsOf('dispatch', effects)[0]!.work).toMatchObject({ kind: 'review-code', role: 'code-sceptic', file: 'src/file1.ts', inputs: ['code-1'], grants: [] });

    const approved = driver.done(driver.work('review-code', 'src/file1.ts'), aResult().withArtifacts('review-1').approved().build());
    expect(approved.state.files[0]).toMatchObject({ stage: 'approved', reviewArtifactId: 'review-1' });
    expect(approved.effects).toContainEqual({ type: 'artifactStatus', artifactId: 'code-1', status: 'approved', reviewedBy: 'code-sceptic-1', reviewArtifactId: 'review-1' });
  });

  it('shares reviews between two sceptics', () => {
    const driver = codingWith({ files: 4, sceptics: 2 });
    for (const work of driver.inFlight('implement')) driver.done(work);

    const reviewers = driver.inFlight('review-code').map((w) => w.instance);
    expect(new Set(reviewers)).toEqual(new Set([1, 2]));
    expect(reviewers.filter((r) => r === 1)).toHaveLength(2);
  });

  it('approves new code at once, marking it completed, when no sceptic takes part', () => {
    const driver = codingWith({ sceptics: 0 });
    const { state, effects } = driver.done(driver.work('implement', 'src/file1.ts'), aResult().withArtifacts('code-1').build());

    expect(state.files[0]!.stage).toBe('approved');
    expect(effects).toEqual([{ type: 'artifactStatus', artifactId: 'code-1', status: 'completed' }]);
  });

  it('fixes a rejected file with the code and review as inputs and the findings as note', () => {
    const driver = codingWith();
    driver.done(driver.work('implement', 'src/file1.ts'), aResult().withArtifacts('code-1').build());
    driver.done(driver.work('review-code', 'src/file1.ts'), aResult().withArtifacts('rev-1').rejected('Null check missing').build());
    expect(driver.state.files[0]).toMatchObject({ stage: 'reviewing', openFindings: '- [major] Null check missing' });
    expect(driver.decision()).toMatchObject({ point: 'file-reviewed', file: 'src/file1.ts', options: ['fix_file', 'accept_file', 'escalate'], recommended: 'fix_file' });

    const { state, effects } = driver.decide('fix_file');

    expect(state.phase).toBe('CODE_FIXING');
    expect(state.files[0]).toMatchObject({ stage: 'fixing', fixes: 1 });
    expect(state.files[0]!.openFindings).toBeUndefined();
    expect(effects).toContainEqual({ type: 'artifactStatus', artifactId: 'code-1', status: 'needs-revision', reviewArtifactId: 'rev-1' });
    expect(driver.work('fix', 'src/file1.ts')).toMatchObject({ inputs: ['code-1', 'rev-1'], note: '- [major] Null check missing' });
  });

  it('approves a rejected file the Organiser accepts', () => {
    const driver = codingWith({ files: 2 });
    driver.done(driver.work('implement', 'src/file1.ts'), aResult().withArtifacts('code-1').build());
    driver.done(driver.work('review-code', 'src/file1.ts'), aResult().withArtifacts('rev-1').rejected('Style').build());
    const { state } = driver.decide('accept_file');

    expect(state.files[0]).toMatchObject({ stage: 'approved' });
    expect(state.files[0]!.openFindings).toBeUndefined();
  });

  it('keeps one decision open and asks about the other rejected files in plan order, one answer at a time', () => {
    const driver = codingWith({ files: 3 });
    for (const work of driver.inFlight('implement')) driver.done(work);
    for (const path of ['src/file1.ts', 'src/file3.ts', 'src/file2.ts']) {
      driver.done(driver.work('review-code', path), aResult().withArtifacts(`rev:${path}`).rejected('No').build());
    }
    const fileDecisions = () => driver.effectsOf('decide').filter((e) => e.request.point === 'file-reviewed');
    expect(driver.decision().file).toBe('src/file1.ts');
    expect(fileDecisions()).toHaveLength(1);

    driver.decide('accept_file');
    expect(driver.decision().file).toBe('src/file2.ts');
    driver.decide('accept_file');
    expect(driver.decision().file).toBe('src/file3.ts');
    expect(fileDecisions()).toHaveLength(3);
  });

  it('takes the code artifact from the first artifact when the result names no file', () => {
    const driver = codingWith({ sceptics: 0 });
    const { state } = driver.done(driver.work('implement', 'src/file2.ts'), aResult().withArtifacts('only-artifact').build());

    expect(state.files[1]!.codeArtifactId).toBe('only-artifact');
  });

  it('treats an implementation without any code artifact as a failed attempt', () => {
    const driver = codingWith();
    const work = driver.work('implement', 'src/file1.ts');
    const { state, effects } = driver.done(work, aResult().build());

    expect(state.files[0]!.stage).toBe('implementing');
    expect(effects).toEqual([{ type: 'dispatch', work: { ...work, attempt: 2 }, delayMs: 1000 }]);
  });

  it('derives the coding phase from the board: fixing, then reviewing, then implementing', () => {
    expect(boardPhase([entry('implementing'), entry('reviewing'), entry('fixing')])).toBe('CODE_FIXING');
    expect(boardPhase([entry('implementing'), entry('reviewing'), entry('approved')])).toBe('CODE_REVIEW');
    expect(boardPhase([entry('implementing'), entry('approved')])).toBe('CODE_IMPLEMENTATION');
  });
});
