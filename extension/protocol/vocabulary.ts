/*
 * The words the product uses for its agents, phases and times, in one home for the host (status
 * bar, pickers, CLI, transcripts) and the webview (cards, chat, timeline), so they never drift
 * apart. Pure functions, no imports: the webview bundle takes this file as it is.
 */

/** What naming an agent needs of its role: the id and, when known, the role's configured name. */
export interface RoleNaming {
  id: string;
  name?: string;
  /** How many instances the role runs; more than one numbers every instance ("Coder 1"). */
  instances?: number;
}

/**
 * The built-in roles' names (the engine's builtinRoles.ts; a unit test keeps the two equal), used
 * when the caller has no roles configuration at hand (a run read from disk, the CLI's progress).
 */
export const BUILT_IN_ROLE_NAMES: Readonly<Record<string, string>> = {
  organiser: 'Organiser',
  architect: 'Architect',
  'primary-coder': 'Primary Coder',
  'secondary-coder': 'Secondary Coder',
  'code-sceptic': 'Code Sceptic',
  'documentation-writer': 'Documentation Writer',
  debugger: 'Debugger',
};

/**
 * The Secondary Coders are the run's coders: several work side by side, so each is "Coder N",
 * always numbered. A user who renamed the role gets their name, numbered the same way.
 */
const INSTANCE_BASE: Readonly<Record<string, string>> = { 'secondary-coder': 'Coder' };
const ALWAYS_NUMBERED: ReadonlySet<string> = new Set(['secondary-coder']);

/**
 * One display name per role instance, used everywhere an agent is named: "Architect",
 * "Primary Coder", "Coder 2". `roles` is the run's roles configuration (or any list of id and
 * name); a role it does not know is named from the built-in names, else from its id.
 */
export function agentDisplayName(roleId: string, instance: number, roles: readonly RoleNaming[] = []): string {
  const role = roles.find((candidate) => candidate.id === roleId);
  const builtIn = BUILT_IN_ROLE_NAMES[roleId];
  const configured = role?.name?.trim();
  const base = configured && configured !== builtIn ? configured : (INSTANCE_BASE[roleId] ?? builtIn ?? titleCase(roleId));
  const numbered = instance > 1 || ALWAYS_NUMBERED.has(roleId) || (role?.instances ?? 1) > 1;
  return numbered ? `${base} ${instance}` : base;
}

/** An agent id ("secondary-coder-2") in words; "organiser" and "user" are the two other parties of a conversation. */
export function agentIdDisplayName(agentId: string, roles: readonly RoleNaming[] = []): string {
  if (agentId === 'user') return 'You';
  if (agentId === 'organiser') return agentDisplayName('organiser', 1, roles);
  const match = /^(.+)-(\d+)$/.exec(agentId);
  return match ? agentDisplayName(match[1]!, Number(match[2]), roles) : agentDisplayName(agentId, 1, roles);
}

const PHASE_WORDS: Readonly<Record<string, string>> = {
  IDLE: 'Starting',
  PLANNING: 'Writing the plan',
  PLAN_REVIEW: 'Reviewing the plan',
  PLAN_REVISION: 'Revising the plan',
  STRUCTURE_CREATION: 'Laying out the files',
  CODE_IMPLEMENTATION: 'Writing the code',
  CODE_REVIEW: 'Reviewing the code',
  CODE_FIXING: 'Fixing the code',
  DOCUMENTATION: 'Writing the documentation',
  TESTING: 'Running the tests',
  COMPLETED: 'Completed',
  PAUSED: 'Paused',
  CANCELLED: 'Cancelled',
  FAILED: 'Failed',
};

/** A workflow phase in words: PLAN_REVIEW → "Reviewing the plan". An unknown name is put in sentence case. */
export function phaseInWords(phase: string): string {
  const known = PHASE_WORDS[phase];
  if (known) return known;
  const words = phase.toLowerCase().replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A length of time: "0s", "42s", "1m 20s", "1h 02m". Under a second counts as "0s": the product never shows milliseconds. */
export function durationInWords(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** Time since the run started: "+0s", "+1m 20s". The timeline and transcripts show only these, never clock times. */
export function sinceStartInWords(ms: number): string {
  return `+${durationInWords(ms)}`;
}

function titleCase(id: string): string {
  return id
    .split(/[-_\s]+/)
    .filter((word) => word !== '')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/**
 * An Organiser decision in words: its point and action ids ("plan-ready", "request_plan_review")
 * become "Plan ready: request plan review". Ids are fixed by the engine, so spelling them out is
 * enough; an unknown one still reads.
 */
export function decisionInWords(point: string, action: string, file?: string): string {
  const words = (id: string): string => id.replace(/[-_]+/g, ' ').trim();
  const about = words(point);
  const head = about.charAt(0).toUpperCase() + about.slice(1);
  return `${head}${file ? ` (${file})` : ''}: ${words(action)}`;
}
