import { describe, expect, it } from 'vitest';
import { RolesConfigViewSchema } from '../../../extension/protocol/rolesView';
import { DEFAULT_TESTS_EVERY, definitionFromForm, setWorkflowField, workflowForm } from '../../../webview/roles/workflowDraft';
import { aRolesView } from './rolesViewBuilder';

const base = () => aRolesView().build().config;

describe('the Workflow section’s draft', () => {
  it('shows the built-in workflow when the config has none', () => {
    expect(workflowForm(base())).toEqual({
      documentation: true,
      testing: true,
      maxPlanRevisions: 3,
      maxFixRounds: 3,
      maxTestCycles: 2,
      testsWhen: 'end',
      testsEvery: DEFAULT_TESTS_EVERY,
      diagnosticsEnabled: true,
      diagnosticsCommand: '',
      diagnosticsMaxRounds: 2,
    });
    expect(definitionFromForm(workflowForm(base()))).toBeUndefined();
  });

  it('keeps only what differs from the built-in workflow, and never changes its input', () => {
    const config = base();
    const off = setWorkflowField(config, 'documentation', false);
    expect(off.ok && off.config.workflow).toEqual({ documentation: false });
    expect(config).not.toHaveProperty('workflow');
    if (!off.ok) return;
    const back = setWorkflowField(off.config, 'documentation', true);
    expect(back.ok && back.config).not.toHaveProperty('workflow');
  });

  it('schedules tests every N approved files with N, and after each folder without', () => {
    const every = setWorkflowField(base(), 'testsWhen', 'every-files');
    expect(every.ok && every.config.workflow).toEqual({ tests: { when: 'every-files', files: DEFAULT_TESTS_EVERY } });
    if (!every.ok) return;
    const three = setWorkflowField(every.config, 'testsEvery', 3);
    expect(three.ok && three.config.workflow).toEqual({ tests: { when: 'every-files', files: 3 } });
    if (!three.ok) return;
    expect(workflowForm(three.config)).toMatchObject({ testsWhen: 'every-files', testsEvery: 3 });
    const folders = setWorkflowField(three.config, 'testsWhen', 'each-folder');
    expect(folders.ok && folders.config.workflow).toEqual({ tests: { when: 'each-folder' } });
  });

  it('sets the diagnostics gate: off, a command and its rounds', () => {
    const off = setWorkflowField(base(), 'diagnosticsEnabled', false);
    expect(off.ok && off.config.workflow).toEqual({ diagnostics: { enabled: false } });
    const command = setWorkflowField(base(), 'diagnosticsCommand', '  npx tsc --noEmit -p .  ');
    expect(command.ok && command.config.workflow).toEqual({ diagnostics: { command: 'npx tsc --noEmit -p .' } });
    if (!command.ok) return;
    const rounds = setWorkflowField(command.config, 'diagnosticsMaxRounds', 4);
    expect(rounds.ok && rounds.config.workflow).toEqual({ diagnostics: { command: 'npx tsc --noEmit -p .', maxRounds: 4 } });
    expect(rounds.ok && RolesConfigViewSchema.safeParse(rounds.config).success).toBe(true);
  });

  it('refuses values the schema refuses, with a reason under the field', () => {
    expect(setWorkflowField(base(), 'maxFixRounds', 21)).toEqual({ ok: false, errors: { maxFixRounds: 'A whole number from 0 to 20.' } });
    expect(setWorkflowField(base(), 'maxPlanRevisions', Number.NaN)).toEqual({ ok: false, errors: { maxPlanRevisions: 'A whole number from 0 to 20.' } });
    expect(setWorkflowField(base(), 'diagnosticsMaxRounds', 1.5)).toEqual({ ok: false, errors: { diagnosticsMaxRounds: 'A whole number from 0 to 10.' } });
    const every = setWorkflowField(base(), 'testsWhen', 'every-files');
    if (!every.ok) throw new Error('every-files should be accepted');
    expect(setWorkflowField(every.config, 'testsEvery', 0)).toEqual({ ok: false, errors: { testsEvery: 'A whole number of files from 1 to 1000.' } });
    expect(setWorkflowField(base(), 'diagnosticsCommand', 'npm test\nrm -rf /')).toEqual({ ok: false, errors: { diagnosticsCommand: 'A command is one line.' } });
  });
});
