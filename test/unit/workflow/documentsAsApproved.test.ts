import { describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import { workflowRules } from '../../../extension/engine/workflow/workflowRules';
import { Driver, REQUIRED_ONLY, aConfig, aResult } from './workflowFixtures';

/**
 * Documentation starts as files are approved (docsAndTests.ts's documentApproved): a team with no
 * Code Sceptic, so a file is approved as soon as its code comes in, and batches of two.
 */
function codingFourFiles(extra: Record<string, number> = {}, rules = workflowRules(BUILTIN_ROLES, undefined, false)): Driver {
  const driver = new Driver();
  driver.start(aConfig({ batchSize: 2, instances: { ...REQUIRED_ONLY, 'documentation-writer': 1, ...extra }, rules: { ...rules, reviewers: [] } }));
  driver.done(driver.work('plan'), aResult().withArtifacts('plan-1').withFiles(4).build());
  for (const structure of driver.inFlight('structure')) driver.done(structure, aResult().withFileArtifacts('pseudo', structure.files!).build());
  return driver;
}

const implemented = (driver: Driver, n: number) => driver.done(driver.work('implement', `src/file${n}.ts`), aResult().withArtifacts(`code-${n}`).build());

describe('documents are written as files are approved', () => {
  it('sends a batch of approved files to the writer while the others are still being coded, the overview with the first', () => {
    const driver = codingFourFiles();
    implemented(driver, 1);
    expect(driver.inFlight('document')).toEqual([]);

    implemented(driver, 2);

    expect(driver.state.phase).toBe('CODE_IMPLEMENTATION');
    expect(driver.inFlight('document').map((work) => ({ files: work.files, grants: work.grants }))).toEqual([
      { files: ['src/file1.ts', 'src/file2.ts'], grants: ['src/file1.ts', 'src/file2.ts', 'docs/OVERVIEW.md'] },
    ]);
    expect(driver.inFlight('implement').map((work) => work.file)).toEqual(['src/file3.ts', 'src/file4.ts']);
  });

  it('documents the rest once every file is approved, and the phase ends with the last batch', () => {
    const driver = codingFourFiles();
    implemented(driver, 1);
    implemented(driver, 2);
    driver.done(driver.work('document'), aResult().withArtifacts('doc-1').build());
    expect(driver.state.files.map((file) => file.documented)).toEqual([true, true, undefined, undefined]);
    implemented(driver, 3);
    expect(driver.inFlight('document')).toEqual([]);

    implemented(driver, 4);

    expect(driver.state.phase).toBe('DOCUMENTATION');
    // Not the first batch of the run: the overview is written already.
    expect(driver.work('document')).toMatchObject({ files: ['src/file3.ts', 'src/file4.ts'], grants: ['src/file3.ts', 'src/file4.ts'] });
    driver.done(driver.work('document'), aResult().withArtifacts('doc-2').build());
    expect(driver.state).toMatchObject({ phase: 'COMPLETED', documented: true });
  });

  it('leaves nothing for the documentation phase when every batch was written during coding', () => {
    const driver = codingFourFiles();
    for (const n of [1, 2, 3]) implemented(driver, n);
    driver.done(driver.work('document'), aResult().withArtifacts('doc-1').build());
    implemented(driver, 4);
    driver.done(driver.work('document'), aResult().withArtifacts('doc-2').build());

    expect(driver.state).toMatchObject({ phase: 'COMPLETED', documented: true });
  });

  it('stops the batch of a file the user sends back to work, and documents the file again with the next batch', () => {
    const driver = codingFourFiles();
    implemented(driver, 1);
    implemented(driver, 2);
    const batch = driver.work('document');

    const { effects } = driver.send({ type: 'USER_CHANGE', change: { kind: 'reopen-file', path: 'src/file1.ts', to: 'fix', reason: 'Name it better.' } });

    expect(effects).toContainEqual({ type: 'abort', workIds: [batch.id] });
    expect(driver.inFlight('document')).toEqual([]);
    expect(driver.work('fix', 'src/file1.ts')).toMatchObject({ grants: ['src/file1.ts'] });
    driver.done(driver.work('fix', 'src/file1.ts'), aResult().withArtifacts('code-1b').build());
    expect(driver.work('document')).toMatchObject({ files: ['src/file1.ts', 'src/file2.ts'] });
  });

  it('stops the batch of a file a milestone test sends back to its coder', () => {
    const rules = workflowRules(BUILTIN_ROLES, { tests: { when: 'every-files', files: 2 } }, false);
    const driver = codingFourFiles({ debugger: 1 }, rules);
    implemented(driver, 1);
    implemented(driver, 2);
    const batch = driver.work('document');
    const milestone = driver.inFlight('test')[0]!;

    const { effects } = driver.done(milestone, aResult().withArtifacts('report-1').withFailures({ file: 'src/file2.ts', message: 'expected 2, got 3' }).build());

    expect(effects).toContainEqual({ type: 'abort', workIds: [batch.id] });
    expect(driver.work('fix', 'src/file2.ts')).toMatchObject({ grants: ['src/file2.ts'] });
    expect(driver.inFlight('document')).toEqual([]);
  });

  it('stops documenting approved files when the user leaves documentation out during coding', () => {
    const driver = codingFourFiles();
    implemented(driver, 1);
    implemented(driver, 2);
    const batch = driver.work('document');

    const { effects } = driver.send({ type: 'USER_CHANGE', change: { kind: 'skip-step', step: 'documentation' } });

    expect(effects).toContainEqual({ type: 'abort', workIds: [batch.id] });
    implemented(driver, 3);
    implemented(driver, 4);
    expect(driver.inFlight('document')).toEqual([]);
    expect(driver.state.phase).toBe('COMPLETED');
  });
});
