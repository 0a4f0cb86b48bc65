import { workMarker } from '../roles/roleMarker';
import { LIMITS } from '../util/limits';
import { DATA_RULE, dataBlock } from './promptInputs';
import type { WorkItem } from '../workflow/workflowTypes';

/**
 * The instruction an agent receives for one work item. The role's standing prompt is its session's
 * system prompt; this is the per-turn message. Full input artifacts travel beside it in the request.
 */
export function workPrompt(task: string, work: WorkItem): string {
  const lines = [`Overall task: ${task}`, '', instruction(work)];
  if (work.grants.length > 0) {
    lines.push('', `You may create or change only these files: ${work.grants.join(', ')}. Every other file is read-only.`);
  } else {
    lines.push('', 'You may not change any file in this step.');
  }
  // Notes quote other agents (review findings, test failures, a consult question): data, not orders.
  if (work.note) lines.push('', 'Notes from the previous step:', dataBlock('notes from the previous step', work.note, LIMITS.noteChars), DATA_RULE);
  if (work.attempt > 1) lines.push('', `This is attempt ${work.attempt}; the previous one failed.`);
  lines.push('', 'Finish with the JSON result envelope described in your instructions.');
  // A part of a plan's review has its files listed in its excerpt: naming them again would double the list.
  lines.push(workMarker(work.kind, work.kind === 'review-plan' ? [] : (work.files ?? (work.file ? [work.file] : []))));
  return lines.join('\n');
}

function instruction(work: WorkItem): string {
  switch (work.kind) {
    case 'plan':
      return 'Study the repository and write an implementation plan. List every file to create or change in `files` with its purpose.';
    case 'review-plan':
      // A long plan is reviewed in parts (planning.ts): this one reads the plan's approach and its own files.
      if (work.files !== undefined) return `Review this part of a long plan: its approach and the ${work.files.length} files attached (other reviewers check the other files), for gaps, risks and inefficiencies. Set \`approved\` and list \`findings\`.`;
      return 'Review the attached plan for gaps, risks and inefficiencies. Set `approved` and list `findings`.';
    case 'revise-plan':
      return 'Revise the attached plan so that it answers every finding of the attached review. Return the full revised file list.';
    case 'structure':
      return `Create the structure of these files with signatures, data movements and pseudocode bodies: ${(work.files ?? []).join(', ')}.`;
    case 'implement':
      return `Implement ${work.file} from its attached pseudocode, following the plan.`;
    case 'review-code':
      // A custom reviewer (one that joins CODE_REVIEW) reviews for what its own instructions say.
      return work.role === 'code-sceptic'
        ? `Review the attached code of ${work.file} for bugs, security problems and departures from the plan. Set \`approved\` and list \`findings\`.`
        : `Review the attached code of ${work.file} as your instructions ask, and nothing else. Set \`approved\` and list \`findings\`.`;
    case 'fix':
      return `Fix ${work.file} so that it answers every finding below.`;
    case 'document':
      return `Add clear inline documentation to these files and describe them in the overview: ${(work.files ?? []).join(', ')}.`;
    case 'test':
      return "Run the project's tests, report `tests` with every failure and the file it points at.";
    case 'consult':
      return 'Another agent asked for your help; give your advice on the note below.';
    case 'step':
      return `Do your part of this phase as your instructions ask, from the attached plan and code of: ${(work.files ?? []).join(', ') || 'no files'}. Put your result in \`content\`.`;
    case 'check':
      // Never an agent's turn: the run's diagnostics checker does it.
      return `Check ${work.file} for errors.`;
  }
}

/** A few words for the status bar and the agent list. */
export function describeWork(work: WorkItem): string {
  switch (work.kind) {
    case 'plan':
      return 'writing the plan';
    case 'review-plan':
      return 'reviewing the plan';
    case 'revise-plan':
      return 'revising the plan';
    case 'structure':
      return `scaffolding ${work.files?.length ?? 0} files`;
    case 'implement':
      return `implementing ${work.file}`;
    case 'review-code':
      return `reviewing ${work.file}`;
    case 'fix':
      return `fixing ${work.file}`;
    case 'document':
      return `documenting ${work.files?.length ?? 0} files`;
    case 'test':
      return work.files ? `running the tests of ${work.files.length} files` : 'running the tests';
    case 'consult':
      return 'advising';
    case 'step':
      return 'taking its step';
    case 'check':
      return `checking ${work.file}`;
  }
}
