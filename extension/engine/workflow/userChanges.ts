import { hasWildcard } from '../util/workspaceFiles';
import { STEP_ROLE, afterCoding, stepTakesPart } from './docsAndTests';
import type { Draft } from './draft';
import { fixFile, implementFile, requestCodeReview, stopDocumenting } from './fileBoard';
import type { OptionalStep, UserChange } from './userChangeSchema';
import { agentIdOf, isRoleActive } from './workflowRoles';
import type { FileEntry, Phase, WorkItem } from './workflowTypes';

/**
 * A person's change to a running workflow (USER_CHANGE), applied to the draft, or why the current
 * state does not allow it. The run has already checked what the machine cannot see (that a path can
 * be granted, that a profile exists); the machine checks what the state says.
 */
export function applyUserChange(draft: Draft, change: UserChange): string | undefined {
  switch (change.kind) {
    case 'add-file':
      return addFile(draft, change.path, change.purpose);
    case 'change-instructions':
      return changeInstructions(draft, change.path, change.instructions);
    case 'reopen-file':
      return reopenFile(draft, change.path, change.to, change.reason);
    case 'skip-step':
      return skipStep(draft, change.step);
    case 'restore-step':
      return restoreStep(draft, change.step);
    case 'set-role-profile':
      return setRoleProfile(draft, change.role, change.profileId);
    case 'set-agent-profile':
      return setAgentProfile(draft, change.agentId, change.profileId);
    case 'move-work':
      return moveWork(draft, change.from, change.to);
  }
}

/** Phases before the plan is approved: a file added then waits for the approved plan. */
const PLAN_PHASES: readonly Phase[] = ['PLANNING', 'PLAN_REVIEW', 'PLAN_REVISION'];
/** Phases after coding: a file going back to coding stops the step that is running. */
const AFTER_CODING: readonly Phase[] = ['DOCUMENTATION', 'TESTING'];

function addFile(draft: Draft, path: string, purpose: string): string | undefined {
  if (hasWildcard(path)) return `"${path}" is a pattern, not a file: name one file to add.`;
  const { state } = draft;
  const additions = state.pendingAdditions ?? [];
  if (draft.file(path) || additions.some((file) => file.path === path)) {
    return `${path} is already in the plan; change its instructions or send it back for review instead.`;
  }
  const entry: FileEntry = { path, purpose, stage: 'pending', fixes: 0 };
  if (PLAN_PHASES.includes(draft.phase) && !state.plan?.approved) {
    state.pendingAdditions = [...additions, entry];
    return undefined;
  }
  draft.addFile(entry);
  if (draft.phase === 'STRUCTURE_CREATION') return undefined; // coding starts with every pending file
  backToCoding(draft, { redocument: true });
  // backToCoding may have copied every record, the new one too: work on the draft's own copy.
  implementFile(draft, draft.file(path)!);
  return undefined;
}

function changeInstructions(draft: Draft, path: string, instructions: string): string | undefined {
  const { state } = draft;
  const waiting = state.pendingAdditions?.findIndex((added) => added.path === path) ?? -1;
  if (waiting >= 0 && state.pendingAdditions) {
    // The list is shared with the previous state: the changed entry goes into a new one.
    state.pendingAdditions = state.pendingAdditions.map((added, index) => (index === waiting ? { ...added, instructions } : added));
    return undefined;
  }
  const file = draft.file(path);
  if (!file) return `${path} is not in the plan; add it as a new file instead.`;
  if (file.stage === 'approved') return `${path} is already approved; send it back for a fix with the new instructions instead.`;
  file.instructions = instructions;
  return undefined;
}

function reopenFile(draft: Draft, path: string, to: 'review' | 'fix', reason: string): string | undefined {
  const file = draft.file(path);
  if (!file) return `${path} is not in the plan.`;
  if (file.stage !== 'approved') return `${path} is still being worked on (${file.stage}); it will be reviewed before it is approved.`;
  if (to === 'review' && !isRoleActive(draft.state.config, 'code-sceptic')) return 'This team has no Code Sceptic to review the file again.';
  if (file.codeArtifactId === undefined && to === 'review') return `${path} has no code to review yet.`;
  stopDocumenting(draft, path);
  backToCoding(draft, { redocument: false });
  if (to === 'review') {
    requestCodeReview(draft, file);
  } else {
    file.openFindings = `- [major] The user asked for a change: ${reason}`;
    fixFile(draft, file, undefined);
  }
  return undefined;
}

/**
 * Work on a file resumes while documentation or tests run: their work is stopped (its late answers
 * are refused as no longer in flight) and they run again once every file is approved.
 */
function backToCoding(draft: Draft, { redocument }: { redocument: boolean }): void {
  const { state } = draft;
  if (!AFTER_CODING.includes(draft.phase)) return;
  // A custom step stopped here has not run, so it runs again once every file is approved.
  draft.stopWork(({ kind }) => kind === 'document' || kind === 'test' || kind === 'step');
  state.batchesLeft = 0;
  if (redocument) state.documented = false;
  // A test run beside the documents tested code that is about to change.
  delete state.testsBeside;
  delete state.decision;
  for (const file of draft.writableFiles()) if (file.stage === 'approved') delete file.openFindings;
  state.phase = 'CODE_IMPLEMENTATION';
}

const STEP_PHASE: Record<OptionalStep, Phase> = { documentation: 'DOCUMENTATION', testing: 'TESTING' };
const STEP_NAME: Record<OptionalStep, string> = { documentation: 'Documentation Writer', testing: 'Debugger' };

function skipStep(draft: Draft, step: OptionalStep): string | undefined {
  const { state } = draft;
  if (!isRoleActive(state.config, STEP_ROLE[step])) return `This team has no ${STEP_NAME[step]}, so there is no ${step} step to skip.`;
  if (!stepTakesPart(state, step)) return `The ${step} step is already left out of this run.`;
  if (step === 'documentation' && state.documented) return 'The documentation is already written.';
  state.skippedSteps = [...(state.skippedSteps ?? []), step];
  if (draft.phase === STEP_PHASE[step]) {
    draft.stopWork(({ kind }) => kind === (step === 'documentation' ? 'document' : 'test'));
    state.batchesLeft = 0;
    delete state.decision;
    afterCoding(draft);
  } else if (step === 'testing') {
    // Tests running beside the documents (or a milestone's) stop; the documents go on.
    draft.stopWork(({ kind }) => kind === 'test');
    delete state.testsBeside;
  } else {
    // Files approved while others are still being coded are documented as they come: that stops.
    draft.stopWork(({ kind }) => kind === 'document');
  }
  return undefined;
}

function restoreStep(draft: Draft, step: OptionalStep): string | undefined {
  const { state } = draft;
  if (!(state.skippedSteps ?? []).includes(step)) return `The ${step} step is not left out of this run.`;
  if (step === 'documentation' && draft.phase === 'TESTING') return 'The run is already past documentation (testing has started).';
  state.skippedSteps = (state.skippedSteps ?? []).filter((skipped) => skipped !== step);
  return undefined;
}

function setRoleProfile(draft: Draft, role: string, profileId: string): string | undefined {
  if (role === 'organiser') return "The Organiser's own profile is set in the Agent Roles tab and takes effect on the next run.";
  const instances = draft.instances(role);
  if (instances === 0) return `There is no ${role} in this team.`;
  const moved = { ...draft.state.agentProfiles };
  for (let instance = 1; instance <= instances; instance++) moved[agentIdOf(role, instance)] = profileId;
  draft.state.agentProfiles = moved;
  return undefined;
}


/** `role-3` → { role, instance }, or undefined when the id names no agent of this team. */
function agentOf(draft: Draft, agentId: string): { role: string; instance: number } | undefined {
  const match = /^(.+)-(\d{1,2})$/.exec(agentId);
  if (!match) return undefined;
  const role = match[1]!;
  const instance = Number(match[2]);
  return instance >= 1 && instance <= draft.instances(role) ? { role, instance } : undefined;
}

function setAgentProfile(draft: Draft, agentId: string, profileId: string): string | undefined {
  const agent = agentOf(draft, agentId);
  if (!agent) return `There is no agent ${agentId} in this team.`;
  if (agent.role === 'organiser') return "The Organiser's own profile is set in the Agent Roles tab and takes effect on the next run.";
  draft.state.agentProfiles = { ...draft.state.agentProfiles, [agentId]: profileId };
  return undefined;
}

/**
 * Moves an agent's pending work to another agent of its role: running work is aborted and, when
 * its abort comes back, sent to the new agent (a result that arrives first still counts); work held
 * by a pause waits for the new agent; a coder's files not yet approved change owner, so their fixes
 * go to the new coder too.
 */
function moveWork(draft: Draft, from: string, to: string): string | undefined {
  const source = agentOf(draft, from);
  const target = agentOf(draft, to);
  if (!source) return `There is no agent ${from} in this team.`;
  if (!target) return `There is no agent ${to} in this team.`;
  if (from === to) return `${from} would move its work to itself.`;
  if (source.role !== target.role) return `${from} and ${to} have different roles; work moves only between agents of one role.`;
  const { state } = draft;
  const moves = (work: WorkItem) => work.role === source.role && work.instance === source.instance;
  const running = Object.values(state.inFlight).filter(moves);
  for (const work of running) draft.putInFlight({ ...work, instance: target.instance });
  state.deferred = state.deferred.map((effect) => (effect.type === 'dispatch' && moves(effect.work) ? { ...effect, work: { ...effect.work, instance: target.instance } } : effect));
  if (source.role === 'secondary-coder') {
    for (const file of draft.writableFiles()) if (file.coder === source.instance && file.stage !== 'approved') file.coder = target.instance;
  }
  if (running.length > 0) draft.emit({ type: 'abort', workIds: running.map((work) => work.id) });
  return undefined;
}
