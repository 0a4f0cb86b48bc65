import { z } from 'zod';
import { ArtifactTypeSchema } from '../artifacts/artifactSchema';
import { CommandTextSchema } from '../shell/commandPolicy';
import { hasWildcard, isControlFile } from '../util/workspaceFiles';
import { RoleJoinSchema, WorkflowDefinitionSchema } from '../../protocol/workflowDefinition';

/** Role ids the workflow itself knows about; user-defined roles use any other slug. */
export const BUILTIN_ROLE_IDS = [
  'organiser',
  'architect',
  'primary-coder',
  'secondary-coder',
  'code-sceptic',
  'documentation-writer',
  'debugger',
] as const;
export type BuiltinRoleId = (typeof BUILTIN_ROLE_IDS)[number];

export const RoleIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,39}$/, 'A role id is 2–40 lower-case letters, digits or dashes, starting with a letter.');

export const RoleCategorySchema = z.enum(['coordination', 'planning', 'implementation', 'review', 'documentation', 'testing', 'custom']);

/** The fields of a role, without defaults: overrides must carry only what the user wrote. */
const roleFields = {
  id: RoleIdSchema,
  name: z.string().min(1).max(60),
  description: z.string().min(1).max(400),
  category: RoleCategorySchema,
  required: z.boolean(),
  builtin: z.boolean(),
  capabilities: z.array(z.string().min(1)),
  inputArtifacts: z.array(ArtifactTypeSchema),
  outputArtifacts: z.array(ArtifactTypeSchema),
  /** The system prompt the role's agent works under. */
  prompt: z.string().min(1),
  active: z.boolean(),
  /** How many agents of this role may exist at once (Coder 1, Coder 2 …). */
  instances: z.number().int().min(1).max(8),
  /** Where a custom role takes part in the workflow (a second reviewer, a step after a phase); see workflowDefinition.ts. */
  joins: RoleJoinSchema.optional(),
};

export const RoleDefinitionSchema = z.object({
  ...roleFields,
  builtin: roleFields.builtin.default(false),
  capabilities: roleFields.capabilities.default([]),
  inputArtifacts: roleFields.inputArtifacts.default([]),
  outputArtifacts: roleFields.outputArtifacts.default([]),
  active: roleFields.active.default(true),
  instances: roleFields.instances.default(1),
});
export type RoleDefinition = z.infer<typeof RoleDefinitionSchema>;

/** A provider + model the user can assign to any role. Unknown keys are refused (a typo must not pass). */
export const ProfileSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  label: z.string().min(1).max(80),
  providerID: z.string().min(1),
  modelID: z.string().min(1),
  variant: z.string().optional(),
  /** For a custom OpenAI-compatible provider: its base URL (e.g. http://127.0.0.1:8000/v1). */
  baseURL: z.url().optional(),
  /** The environment variable holding that provider's key; keys are never written to disk. */
  apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
  /** For a custom provider: its price in USD per million tokens, so Kilo can report cost. */
  cost: z.strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() }).optional(),
});
export type Profile = z.infer<typeof ProfileSchema>;

/** A partial change to a built-in role, or a whole user-defined role. */
export const RoleOverrideSchema = z.strictObject(roleFields).partial().extend({ id: RoleIdSchema });
export type RoleOverride = z.infer<typeof RoleOverrideSchema>;

/**
 * One control file the user lets agents write, named exactly as the plan would: workspace-relative
 * with `/`, no `..`, no wildcard. `.git/` and `.kilo-orchestra/` can never be allowed, and a file that
 * is not a control file needs no permission, so both are refused rather than silently ignored.
 */
export const ControlFileNameSchema = z
  .string()
  .min(1)
  .max(300)
  .refine((name) => !/^([a-zA-Z]:|\/)/.test(name) && !name.includes('\\') && !name.split('/').some((part) => part === '' || part === '.' || part === '..'), 'A control file is named relative to the workspace, with / between folders and no "." or ".." steps.')
  .refine((name) => !hasWildcard(name), 'A control file is named exactly, without wildcards.')
  .refine((name) => !name.toLowerCase().split('/').some((part) => part === '.git' || part === '.kilo-orchestra'), 'Files under .git/ and .kilo-orchestra/ are never written by agents.')
  .refine((name) => isControlFile(name), 'Only control files (kilo.json, opencode.json, .kilo/…, .kilocode/…, .opencode/…, .vscode/…, node_modules/…) need allowing; other files are granted by the plan.');

/** The `--roles FILE` format and the stored configuration: profiles, role changes, role → profile. */
export const RolesConfigSchema = z.strictObject({
  profiles: z.array(ProfileSchema).default([]),
  roles: z.array(RoleOverrideSchema).default([]),
  assignments: z.record(RoleIdSchema, z.string()).default({}),
  /** The Debugger's test command, run exactly (default `npm test` when package.json has a test script). */
  testCommand: CommandTextSchema.optional(),
  /** Shell commands any role may run: exact, or ending in ` *` for plain arguments (see commandPolicy). */
  allowedCommands: z.array(CommandTextSchema).max(50).optional(),
  /** Control files (`kilo.json`, `.kilo/…`) agents may write when the plan names them; none by default. */
  allowControlFiles: z.array(ControlFileNameSchema).max(50).optional(),
  /** The workflow: optional steps, loop limits, when tests run, the diagnostics gate (see workflowDefinition.ts). */
  workflow: WorkflowDefinitionSchema.optional(),
});
export type RolesConfig = z.infer<typeof RolesConfigSchema>;

/** A role ready to run: its definition and the profile it runs on. */
export interface ResolvedRole {
  role: RoleDefinition;
  profile: Profile;
}
