import { z } from 'zod';
import { ARTIFACT_TYPE_NAMES } from './viewModel';
import { RoleJoinSchema, WorkflowDefinitionSchema } from './workflowDefinition';

/**
 * The Agent Roles tab's data. The config shapes mirror the engine's `RolesConfig` (checked by
 * `test/unit/protocol`); the host validates every saved config again with the engine's schema.
 */
const RoleId = z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'A role id is 2–40 lower-case letters, digits or dashes, starting with a letter.');
const ArtifactType = z.enum(ARTIFACT_TYPE_NAMES);

export const ROLE_CATEGORIES = ['coordination', 'planning', 'implementation', 'review', 'documentation', 'testing', 'custom'] as const;

export const RoleCardSchema = z.object({
  id: RoleId,
  name: z.string().min(1).max(60),
  description: z.string().min(1).max(400),
  category: z.enum(ROLE_CATEGORIES),
  required: z.boolean(),
  builtin: z.boolean(),
  capabilities: z.array(z.string().min(1)),
  inputArtifacts: z.array(ArtifactType),
  outputArtifacts: z.array(ArtifactType),
  prompt: z.string().min(1),
  active: z.boolean(),
  instances: z.number().int().min(1).max(8),
  /** Where a custom role takes part in the workflow (see workflowDefinition.ts). */
  joins: RoleJoinSchema.optional(),
});
export type RoleCard = z.infer<typeof RoleCardSchema>;

export const ProfileViewSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  label: z.string().min(1).max(80),
  providerID: z.string().min(1),
  modelID: z.string().min(1),
  variant: z.string().optional(),
  baseURL: z.url().optional(),
  apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
  /** USD per million tokens. */
  cost: z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }).optional(),
});
export type ProfileView = z.infer<typeof ProfileViewSchema>;

/** The editable configuration: what `roles/save` carries and the config manager stores. */
export const RolesConfigViewSchema = z.object({
  profiles: z.array(ProfileViewSchema),
  /** Built-in roles as changed by the user, and custom roles in full. */
  roles: z.array(RoleCardSchema),
  assignments: z.record(RoleId, z.string()),
  /** The workflow as the user changed it; absent: the built-in workflow. */
  workflow: WorkflowDefinitionSchema.optional(),
});
export type RolesConfigView = z.infer<typeof RolesConfigViewSchema>;

/** A model Kilo reports (from its providers), offered in the profile dropdown. */
export const DiscoveredModelSchema = z.object({
  providerID: z.string(),
  modelID: z.string(),
  label: z.string(),
  /** The provider has credentials (or needs none). */
  connected: z.boolean(),
  cost: z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }).optional(),
});
export type DiscoveredModel = z.infer<typeof DiscoveredModelSchema>;

export const ConfigIssueViewSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  roleId: z.string().optional(),
  message: z.string(),
});
export type ConfigIssueView = z.infer<typeof ConfigIssueViewSchema>;

export const TEMPLATE_IDS = ['economy', 'balanced', 'best-quality'] as const;
export const TemplateViewSchema = z.object({ id: z.enum(TEMPLATE_IDS), name: z.string(), description: z.string() });

export const CostPreviewSchema = z.object({
  /** Estimated USD for one typical task (see `basis`). */
  totalUsd: z.number().nonnegative(),
  perRole: z.array(z.object({ roleId: z.string(), usd: z.number().nonnegative(), priced: z.boolean() })),
  /** What the estimate assumes, in words ("a 10-file task; tokens per role from …"). */
  basis: z.string(),
});
export type CostPreview = z.infer<typeof CostPreviewSchema>;

export const RolesViewSchema = z.object({
  config: RolesConfigViewSchema,
  discovered: z.array(DiscoveredModelSchema),
  /** Why discovery found nothing, when it did not run (Kilo not reachable …). */
  discoveryProblem: z.string().optional(),
  issues: z.array(ConfigIssueViewSchema),
  templates: z.array(TemplateViewSchema),
  costPreview: CostPreviewSchema,
  /** Saved changes reach agents at the next task start; true while a run is live. */
  appliesAtNextStart: z.boolean(),
  /** "Kilo default (provider/model)": what a role without an assignment runs on, when Kilo has a default. */
  kiloDefault: z.string().optional(),
});
export type RolesView = z.infer<typeof RolesViewSchema>;
