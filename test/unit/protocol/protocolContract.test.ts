import { describe, expect, test } from 'vitest';
import { AgentStatusSchema } from '../../../extension/engine/agents/agentSchema';
import { ARTIFACT_TYPES, ArtifactStatusSchema } from '../../../extension/engine/artifacts/artifactSchema';
import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import { RoleCategorySchema, RoleDefinitionSchema, RoleOverrideSchema, RolesConfigSchema } from '../../../extension/engine/roles/roleSchema';
import { PHASES } from '../../../extension/engine/workflow/workflowTypes';
import { parseHostMessage, parseWebviewMessage } from '../../../extension/protocol/dashboardProtocol';
import { ROLE_CATEGORIES, RoleCardSchema, RolesConfigViewSchema } from '../../../extension/protocol/rolesView';
import { RoleJoinSchema, WorkflowDefinitionSchema } from '../../../extension/protocol/workflowDefinition';
import { AGENT_STATUSES, ARTIFACT_TYPE_NAMES, ArtifactViewSchema, PHASE_NAMES, emptyDashboardState } from '../../../extension/protocol/viewModel';
import { securityAuditorCard } from '../support/securityAuditor';

// The protocol stands alone so the webview bundle carries no engine code; these tests keep its
// copies of the engine's vocabularies from drifting.
describe('the protocol speaks the engine’s vocabulary', () => {
  test('phases, agent statuses, artifact types and role categories match the engine', () => {
    expect([...PHASE_NAMES]).toEqual([...PHASES]);
    expect([...AGENT_STATUSES]).toEqual(AgentStatusSchema.options);
    expect([...ARTIFACT_TYPE_NAMES]).toEqual([...ARTIFACT_TYPES]);
    expect([...ROLE_CATEGORIES]).toEqual(RoleCategorySchema.options);
    expect(ArtifactViewSchema.shape.status.options).toEqual(ArtifactStatusSchema.options);
  });

  test('every built-in role is a valid role card, and a roles config the tab saves is one the engine accepts', () => {
    const cards = BUILTIN_ROLES.map((role) => RoleCardSchema.parse(role));
    const saved = { profiles: [{ id: 'p1', label: 'P1', providerID: 'openai', modelID: 'gpt-x' }], roles: cards, assignments: { architect: 'p1' } };
    expect(RolesConfigSchema.safeParse(saved).success).toBe(true);
  });

  test('a role card has the fields of an engine role, and the view’s workflow and joins are the engine’s own schemas', () => {
    expect(Object.keys(RoleCardSchema.shape).sort()).toEqual(Object.keys(RoleOverrideSchema.shape).sort());
    expect(RoleCardSchema.shape.joins.unwrap()).toBe(RoleJoinSchema);
    expect(RoleDefinitionSchema.shape.joins.unwrap()).toBe(RoleJoinSchema);
    expect(RolesConfigViewSchema.shape.workflow.unwrap()).toBe(WorkflowDefinitionSchema);
    expect(RolesConfigSchema.shape.workflow.unwrap()).toBe(WorkflowDefinitionSchema);
  });

  test('a saved view with a workflow and a custom role that joins code review is a roles config the engine accepts', () => {
    const auditor = securityAuditorCard({ step: 'CODE_REVIEW', after: 'code-sceptic', files: 'src/**' });
    const view = RolesConfigViewSchema.parse({ profiles: [], roles: [...BUILTIN_ROLES.map((role) => RoleCardSchema.parse(role)), auditor], assignments: {}, workflow: { documentation: false, tests: { when: 'every-files', files: 3 } } });
    expect(view.workflow).toEqual({ documentation: false, tests: { when: 'every-files', files: 3 } });
    expect(view.roles.at(-1)?.joins).toEqual(auditor.joins);
    expect(RolesConfigSchema.parse(view)).toMatchObject({ workflow: view.workflow });
  });
});

describe('messages are validated on arrival', () => {
  test('a well-formed request passes and keeps its request id', () => {
    const parsed = parseWebviewMessage({ type: 'workflow/pause', requestId: 'r1' });
    expect(parsed).toEqual({ ok: true, message: { type: 'workflow/pause', requestId: 'r1' } });
  });

  test('unknown types, missing request ids and oversized chat text are rejected with a reason', () => {
    const unknown = parseWebviewMessage({ type: 'workflow/explode', requestId: 'r1' });
    const noId = parseWebviewMessage({ type: 'workflow/cancel' });
    const huge = parseWebviewMessage({ type: 'chat/send', requestId: 'r2', to: 'organiser', text: 'x'.repeat(4001) });
    for (const result of [unknown, noId, huge]) expect(result.ok).toBe(false);
    expect(unknown.ok ? '' : unknown.problem).toContain('workflow/explode');
    expect(huge.ok ? '' : huge.problem).toContain('text');
  });

  test('an artifact id that could name a path is rejected', () => {
    expect(parseWebviewMessage({ type: 'artifact/load', requestId: 'r3', artifactId: '../../etc/passwd' }).ok).toBe(false);
  });

  test('a batch carries only single messages, and a reset must carry a whole state', () => {
    const state = emptyDashboardState();
    expect(parseHostMessage({ type: 'batch', messages: [{ type: 'state/reset', state }] }).ok).toBe(true);
    expect(parseHostMessage({ type: 'batch', messages: [{ type: 'batch', messages: [] }] }).ok).toBe(false);
    expect(parseHostMessage({ type: 'state/reset', state: { agents: [] } }).ok).toBe(false);
  });
});
