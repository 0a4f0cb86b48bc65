import type { RolesConfig } from '../engine/roles/roleSchema';

/*
 * The roles file that goes along with the Kilo agent files on export: Kilo's agent files carry a
 * role's prompt and model, not where it joins the workflow nor the workflow itself, so those travel
 * in a file of the `--roles` format (the CLI reads it as it is). Pure: no file I/O.
 */

/** The name export writes and import recognises (any other `.json` is read as a roles file too). */
export const ROLES_FILE_NAME = 'kilo-orchestra-roles.json';

/** Larger than any real roles file; a bigger one is refused rather than parsed. */
export const MAX_ROLES_FILE_BYTES = 1_000_000;

/** The configuration as a roles file: profiles, role changes (custom roles with their joins), assignments, workflow. */
export function rolesFileContent(config: RolesConfig): string {
  const file: RolesConfig = {
    profiles: config.profiles,
    roles: config.roles,
    assignments: config.assignments,
    ...(config.workflow ? { workflow: config.workflow } : {}),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * An imported roles file onto the configuration: its profiles and roles replace those with the same
 * id (a role's entry as a whole, so a join left out in the file is left out), its assignments are
 * added, and its workflow, when it has one, replaces the workflow.
 */
export function mergeRolesFile(config: RolesConfig, imported: RolesConfig): RolesConfig {
  const byId = <T extends { id: string }>(mine: readonly T[], theirs: readonly T[]): T[] => [
    ...mine.map((item) => theirs.find((other) => other.id === item.id) ?? item),
    ...theirs.filter((other) => !mine.some((item) => item.id === other.id)),
  ];
  const workflow = imported.workflow ?? config.workflow;
  return {
    profiles: byId(config.profiles, imported.profiles),
    roles: byId(config.roles, imported.roles),
    assignments: { ...config.assignments, ...imported.assignments },
    ...(workflow ? { workflow } : {}),
  };
}
