import type { RolesConfigView } from '../../extension/protocol/rolesView';
import { DEFAULT_WORKFLOW, WorkflowDefinitionSchema, resolveWorkflow, type TestSchedule, type WorkflowDefinition } from '../../extension/protocol/workflowDefinition';

/*
 * The Workflow section's editing logic, pure like rolesDraft.ts: the definition as form fields, and
 * the fields back to a definition that holds only what differs from the built-in workflow (so later
 * improvements to the defaults reach users who did not change that field).
 */

export type TestsWhen = TestSchedule['when'];

export interface WorkflowForm {
  documentation: boolean;
  testing: boolean;
  maxPlanRevisions: number;
  maxFixRounds: number;
  maxTestCycles: number;
  testsWhen: TestsWhen;
  /** For `every-files`: after how many approved files. */
  testsEvery: number;
  diagnosticsEnabled: boolean;
  /** Empty: the running language features in VS Code, the project's own checker headless. */
  diagnosticsCommand: string;
  diagnosticsMaxRounds: number;
}

export type WorkflowField = keyof WorkflowForm;
export type WorkflowErrors = Partial<Record<WorkflowField, string>>;
export type WorkflowEditResult = { ok: true; config: RolesConfigView } | { ok: false; errors: WorkflowErrors };

/** What "every N approved files" starts with when the user picks it. */
export const DEFAULT_TESTS_EVERY = 5;
export const MAX_LOOP_LIMIT = 20;
export const MAX_DIAGNOSTICS_ROUNDS = 10;
export const MAX_TESTS_EVERY = 1000;

export const TESTS_WHEN_CHOICES: ReadonlyArray<{ value: TestsWhen; label: string }> = [
  { value: 'end', label: 'At the end' },
  { value: 'every-files', label: 'Every N approved files, and at the end' },
  { value: 'each-folder', label: 'After each folder, and at the end' },
];

export function workflowForm(config: RolesConfigView): WorkflowForm {
  const workflow = resolveWorkflow(config.workflow);
  return {
    documentation: workflow.documentation,
    testing: workflow.testing,
    maxPlanRevisions: workflow.maxPlanRevisions,
    maxFixRounds: workflow.maxFixRounds,
    maxTestCycles: workflow.maxTestCycles,
    testsWhen: workflow.tests.when,
    testsEvery: workflow.tests.when === 'every-files' ? workflow.tests.files : DEFAULT_TESTS_EVERY,
    diagnosticsEnabled: workflow.diagnostics.enabled,
    diagnosticsCommand: workflow.diagnostics.command ?? '',
    diagnosticsMaxRounds: workflow.diagnostics.maxRounds,
  };
}

/** The fields as a definition: only what differs from the built-in workflow; none when nothing does. */
export function definitionFromForm(form: WorkflowForm): WorkflowDefinition | undefined {
  const tests: TestSchedule = form.testsWhen === 'every-files' ? { when: 'every-files', files: form.testsEvery } : { when: form.testsWhen };
  const command = form.diagnosticsCommand.trim();
  const diagnostics = {
    ...(form.diagnosticsEnabled !== DEFAULT_WORKFLOW.diagnostics.enabled ? { enabled: form.diagnosticsEnabled } : {}),
    ...(command !== '' ? { command } : {}),
    ...(form.diagnosticsMaxRounds !== DEFAULT_WORKFLOW.diagnostics.maxRounds ? { maxRounds: form.diagnosticsMaxRounds } : {}),
  };
  const definition: WorkflowDefinition = {
    ...(form.documentation !== DEFAULT_WORKFLOW.documentation ? { documentation: form.documentation } : {}),
    ...(form.testing !== DEFAULT_WORKFLOW.testing ? { testing: form.testing } : {}),
    ...(form.maxPlanRevisions !== DEFAULT_WORKFLOW.maxPlanRevisions ? { maxPlanRevisions: form.maxPlanRevisions } : {}),
    ...(form.maxFixRounds !== DEFAULT_WORKFLOW.maxFixRounds ? { maxFixRounds: form.maxFixRounds } : {}),
    ...(form.maxTestCycles !== DEFAULT_WORKFLOW.maxTestCycles ? { maxTestCycles: form.maxTestCycles } : {}),
    ...(JSON.stringify(tests) !== JSON.stringify(DEFAULT_WORKFLOW.tests) ? { tests } : {}),
    ...(Object.keys(diagnostics).length > 0 ? { diagnostics } : {}),
  };
  return Object.keys(definition).length > 0 ? definition : undefined;
}

/**
 * Applies one changed field, checked with the protocol's WorkflowDefinitionSchema (the rule the host
 * applies again): a bad value leaves the config as it is and says why, under its field.
 */
export function setWorkflowField<F extends WorkflowField>(config: RolesConfigView, field: F, value: WorkflowForm[F]): WorkflowEditResult {
  const form: WorkflowForm = { ...workflowForm(config), [field]: value };
  const definition = definitionFromForm(form);
  const parsed = WorkflowDefinitionSchema.safeParse(definition ?? {});
  if (!parsed.success) {
    const errors: WorkflowErrors = {};
    for (const issue of parsed.error.issues) {
      const problem = fieldOfPath(issue.path);
      if (problem) errors[problem] ??= messageFor(problem, issue.message);
    }
    if (Object.keys(errors).length === 0) errors[field] = parsed.error.issues[0]?.message ?? 'This value is not allowed.';
    return { ok: false, errors };
  }
  const { workflow: _previous, ...rest } = config;
  return { ok: true, config: definition ? { ...rest, workflow: parsed.data } : rest };
}

function fieldOfPath(path: readonly PropertyKey[]): WorkflowField | undefined {
  const [section, inner] = path;
  if (section === 'tests') return 'testsEvery';
  if (section === 'diagnostics') return inner === 'command' ? 'diagnosticsCommand' : inner === 'maxRounds' ? 'diagnosticsMaxRounds' : 'diagnosticsEnabled';
  if (section === 'maxPlanRevisions' || section === 'maxFixRounds' || section === 'maxTestCycles') return section;
  return undefined;
}

function messageFor(field: WorkflowField, zodMessage: string): string {
  switch (field) {
    case 'maxPlanRevisions':
    case 'maxFixRounds':
    case 'maxTestCycles':
      return `A whole number from 0 to ${MAX_LOOP_LIMIT}.`;
    case 'diagnosticsMaxRounds':
      return `A whole number from 0 to ${MAX_DIAGNOSTICS_ROUNDS}.`;
    case 'testsEvery':
      return `A whole number of files from 1 to ${MAX_TESTS_EVERY}.`;
    case 'diagnosticsCommand':
      return zodMessage.startsWith('A command') ? zodMessage : 'A command is one line of up to 300 characters.';
    default:
      return zodMessage;
  }
}
