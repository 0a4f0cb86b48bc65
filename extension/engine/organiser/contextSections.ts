import path from 'node:path';
import { SUMMARY_TOKEN_CAP, type ArtifactSummary } from '../artifacts/artifactSchema';
import { countTokens, truncateToTokens } from '../tokens/tokenCounter';
import type { FileEntry, FileStage, WorkflowState } from '../workflow/workflowTypes';
import { inlineData } from '../run/promptInputs';
import type { OrganiserSnapshot } from './organiserContext';
// The one vocabulary of the product: a pure module without imports, so the engine stays free of the UI.
import { phaseInWords } from '../../protocol/vocabulary';

/** How many things of each kind a line stands for; what is not shown is summed into a count line. */
export type Tally = Record<string, number>;

/** One line a section may show. Rendered lazily: only lines that are tried cost a token count. */
export interface Candidate {
  render: () => string;
  /** What the line stands for, counted in the section's closing line when the line is not shown. */
  tally: Tally;
  /** How many of the section's items this line names on its own (0 for a roll-up line). */
  named: number;
}

/** A section of the Organiser context: its lines in priority order and how to count the rest. */
export interface SectionSpec {
  key: 'task' | 'state' | 'todo' | 'artifacts' | 'agents' | 'roles' | 'skills';
  title: string;
  candidates: Candidate[];
  /** Things only ever counted, never listed (done to-do items, superseded versions). */
  counted?: Tally;
  /** The closing line for what is not shown; undefined when nothing is hidden. */
  remainder?: (hidden: Tally) => string | undefined;
  /** Lines that stay even when the context is over budget (the phase, the task). */
  keep?: number;
  /** Longest line allowed; longer lines are cut. The task brings its own cut. */
  maxLineTokens?: number;
  /** Its lines hold text agents wrote (summaries, errors): shown inside one data block, escaped. */
  untrusted?: boolean;
}

const TITLE_TOKENS = 40;
const DESCRIPTION_TOKENS = 30;
const NOTE_TOKENS = 60;
/** Pending to-do items shown after the active ones; the rest is a count. */
const PENDING_WINDOW = 10;
/** Most folder lines in the roll-up of approved files before folders merge into their parents. */
const MAX_ROLLUP_LINES = 12;

/** `text` on one line, whitespace runs collapsed, cut to `maxTokens` when given. */
export function oneLine(text: string, maxTokens?: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return maxTokens === undefined ? flat : truncateToTokens(flat, maxTokens);
}

function line(text: string, tally: Tally = {}, named = 0): Candidate {
  return { render: () => text, tally, named };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function countLine(hidden: Tally, labels: Record<string, string>, lead: (total: number) => string): string | undefined {
  const parts = Object.entries(labels)
    .filter(([key]) => (hidden[key] ?? 0) > 0)
    .map(([key, label]) => `${hidden[key]} ${label}`);
  if (parts.length === 0) return undefined;
  const total = Object.keys(labels).reduce((sum, key) => sum + (hidden[key] ?? 0), 0);
  return `${lead(total)}: ${parts.join(', ')}`;
}

/** The user's task, cut to `maxTokens`. */
export function taskSection(task: string, maxTokens: number): SectionSpec {
  return { key: 'task', title: 'TASK', candidates: [line(oneLine(task, maxTokens) || '(none given)')], keep: 1, maxLineTokens: maxTokens };
}

/** Phase, board counts, plan, tests and what needs attention, most important first. */
export function stateSection(workflow: WorkflowState): SectionSpec {
  // The words come with the name, so an answer to the user says "reviewing the plan", not PLAN_REVIEW.
  const words = `${phaseInWords(workflow.phase).toLowerCase()}${workflow.pausedFrom ? ` while ${phaseInWords(workflow.pausedFrom).toLowerCase()}` : ''}`;
  const lines: string[] = [`phase: ${workflow.phase}${workflow.pausedFrom ? ` (paused from ${workflow.pausedFrom})` : ''} — in words: ${words}`];
  // Reasons and findings quote agents: marked as data inline, the rest of the section is the engine's.
  if (workflow.attention) lines.push(`attention: ${inlineData(oneLine(workflow.attention.reason, NOTE_TOKENS))}`);
  lines.push(boardLine(workflow.files));
  const plan = workflow.plan;
  lines.push(
    plan
      ? `plan: ${plan.artifactId}, ${plural(plan.revisions, 'revision')} of ${workflow.config.maxPlanRevisions}, ${plan.approved ? 'approved' : 'not approved yet'}`
      : 'plan: not written yet',
  );
  lines.push(`tests: ${workflow.testCycles} of ${workflow.config.maxTestCycles} cycles run${workflow.lastTestReportId ? `, last report ${workflow.lastTestReportId}` : ''}`);
  const inFlight = Object.values(workflow.inFlight);
  if (inFlight.length > 0) {
    const byKind = new Map<string, number>();
    for (const work of inFlight) byKind.set(work.kind, (byKind.get(work.kind) ?? 0) + 1);
    lines.push(`work in flight: ${inFlight.length} (${[...byKind].map(([kind, n]) => `${n} ${kind}`).join(', ')})`);
  }
  if (workflow.decision) lines.push(`waiting for a decision: ${workflow.decision.point}${workflow.decision.file ? ` on ${workflow.decision.file}` : ''}`);
  if (workflow.spawnQueue.length > 0) lines.push(`spawn requests queued: ${workflow.spawnQueue.map((s) => s.role).join(', ')}`);
  if (workflow.outcome) lines.push(`outcome: ${inlineData(oneLine(workflow.outcome.reason, NOTE_TOKENS))}`);
  lines.push(`documentation: ${workflow.documented ? 'done' : 'not done yet'}`);
  if (plan?.openFindings) lines.push(`plan findings: ${inlineData(oneLine(plan.openFindings, NOTE_TOKENS))}`);
  return { key: 'state', title: 'STATE', candidates: lines.map((text) => line(text)), keep: 1 };
}

const STAGES: FileStage[] = ['pending', 'implementing', 'reviewing', 'fixing', 'approved'];

function boardLine(files: FileEntry[]): string {
  if (files.length === 0) return 'files: none planned yet';
  const counts = new Map<FileStage, number>();
  for (const file of files) counts.set(file.stage, (counts.get(file.stage) ?? 0) + 1);
  const parts = STAGES.filter((stage) => counts.has(stage)).map((stage) => `${counts.get(stage)} ${stage}`);
  return `files: ${files.length} planned — ${parts.join(', ')}`;
}

/** A window on the to-do list: work under way and blocked first, then the next pending items. */
export function todoSection(todo: OrganiserSnapshot['todo']): SectionSpec {
  const active = todo.filter((item) => item.status === 'in-progress' || item.status === 'blocked');
  const pending = todo.filter((item) => item.status === 'pending');
  const done = todo.length - active.length - pending.length;
  const candidates = [...active, ...pending.slice(0, PENDING_WINDOW)].map((item) => ({
    render: () => `${item.status}: ${oneLine(item.title, TITLE_TOKENS)}${item.role ? ` (${item.role})` : ''}`,
    tally: { [item.status]: 1 },
    named: 1,
  }));
  return {
    key: 'todo',
    title: 'TO-DO',
    candidates,
    // Titles name planned files, and a plan's paths are the Architect's words.
    untrusted: true,
    counted: { pending: Math.max(0, pending.length - PENDING_WINDOW), done },
    remainder: (hidden) => {
      const more = (['in-progress', 'blocked', 'pending'] as const)
        .filter((status) => (hidden[status] ?? 0) > 0)
        .map((status) => `+${hidden[status]} more ${status}`);
      const doneCount = hidden.done ?? 0;
      const parts = [...more, ...(doneCount > 0 ? [`${doneCount} done`] : [])];
      return parts.length > 0 ? parts.join(', ') : undefined;
    },
  };
}

const AGENT_ORDER = ['needs-attention', 'working', 'waiting-rate-limit', 'paused', 'idle', 'done', 'terminated'];

/** Agents with what they are doing; the ones that need someone or are busy come first. */
export function agentsSection(agents: OrganiserSnapshot['agents']): SectionSpec {
  const ordered = [...agents].sort((a, b) => AGENT_ORDER.indexOf(a.status) - AGENT_ORDER.indexOf(b.status));
  const candidates = ordered.map((agent) => ({
    render: () => {
      // The id already names the role for workflow agents (`secondary-coder-2`); say it only when it does not.
      const role = agent.id.startsWith(`${agent.role}-`) ? '' : ` (${agent.role})`;
      const step = agent.currentStep ? ` — ${oneLine(agent.currentStep, TITLE_TOKENS)}` : '';
      const error = agent.status === 'needs-attention' && agent.lastError ? ` — error: ${oneLine(agent.lastError, TITLE_TOKENS)}` : '';
      return `${agent.id}${role} ${agent.status}${step}${error}`;
    },
    tally: { [agent.status]: 1 },
    named: 1,
  }));
  const labels = Object.fromEntries(AGENT_ORDER.map((status) => [status, status]));
  return { key: 'agents', title: 'AGENTS', candidates, untrusted: true, remainder: (hidden) => countLine(hidden, labels, (n) => `+${n} more agents`) };
}

/** Active roles, one line each. */
export function rolesSection(roles: OrganiserSnapshot['roles']): SectionSpec {
  const candidates = roles.map((role) => line(`${oneLine(role.name, 12)} — ${oneLine(role.description, DESCRIPTION_TOKENS)}`, { role: 1 }, 1));
  return { key: 'roles', title: 'ROLES', candidates, remainder: (hidden) => countLine(hidden, { role: 'not listed' }, (n) => `+${n} more roles`) };
}

/** Skills the team can call on. */
export function skillsSection(skills: string[]): SectionSpec {
  const candidates = skills.map((skill) => line(oneLine(skill, TITLE_TOKENS), { skill: 1 }, 1));
  return { key: 'skills', title: 'SKILLS', candidates, remainder: (hidden) => countLine(hidden, { skill: 'not listed' }, (n) => `+${n} more skills`) };
}

const ARTIFACT_LABELS = {
  key: 'plan, review or test report',
  unfinished: 'newest of unfinished files',
  approved: 'of approved files',
  older: 'older versions and reviews',
};

/**
 * Artifact summaries, never content. The plan, its review and the latest test report come first, then
 * the finished work rolled up per folder, then the newest artifacts of unfinished files; everything
 * else (older versions, reviews of approved files) is only counted.
 */
export function artifactsSection(snapshot: OrganiserSnapshot, allowance: number): SectionSpec {
  const { workflow, artifacts } = snapshot;
  const byId = new Map(artifacts.map((artifact) => [artifact.id, artifact]));
  const keyIds = keyArtifactIds(workflow, artifacts, byId);
  const entries = new Map(workflow.files.map((file) => [file.path, file]));
  const approvedCode = new Map<string, ArtifactSummary>();
  const approvedDocs = new Map<string, number>();
  // Newest artifact per unfinished file and type; later entries are newer, references from the board win.
  const newest = new Map<string, ArtifactSummary>();
  let older = 0;
  for (const artifact of artifacts) {
    if (keyIds.has(artifact.id)) continue;
    const file = artifact.files[0];
    if (file === undefined) {
      older += 1;
      continue;
    }
    const entry = entries.get(file);
    if (entry?.stage === 'approved') {
      if (artifact.type === 'documentation') approvedDocs.set(file, (approvedDocs.get(file) ?? 0) + 1);
      else if (artifact.type === 'code' && (entry.codeArtifactId ?? artifact.id) === artifact.id) {
        if (approvedCode.has(file)) older += 1;
        approvedCode.set(file, artifact);
      } else older += 1;
      continue;
    }
    const slot = `${file}\0${artifact.type}`;
    const current = newest.get(slot);
    if (current !== undefined) older += 1;
    if (current === undefined || !isReferenced(current, entry)) newest.set(slot, artifact);
  }
  const candidates: Candidate[] = [...keyIds].map((id) => artifactLine(byId.get(id)!, 'key'));
  const approvedFiles = workflow.files.filter((file) => file.stage === 'approved').map((file) => file.path);
  candidates.push(...rollupLines(approvedFiles, approvedCode, approvedDocs, Math.floor(allowance * 0.4)));
  candidates.push(...unfinishedLines(newest, workflow.files).map((artifact) => artifactLine(artifact, 'unfinished')));
  return {
    key: 'artifacts',
    title: 'ARTIFACTS',
    candidates,
    untrusted: true,
    counted: { older },
    remainder: (hidden) => countLine(hidden, ARTIFACT_LABELS, (n) => `+${n} more artifacts`),
  };
}

function isReferenced(artifact: ArtifactSummary, entry: FileEntry | undefined): boolean {
  if (entry === undefined) return false;
  return [entry.codeArtifactId, entry.reviewArtifactId, entry.pseudocodeArtifactId].includes(artifact.id);
}

/** The plan, the plan's review and the latest test report, falling back to the newest of each type. */
function keyArtifactIds(workflow: WorkflowState, artifacts: ArtifactSummary[], byId: Map<string, ArtifactSummary>): Set<string> {
  const newestOf = (type: ArtifactSummary['type']) => artifacts.findLast((artifact) => artifact.type === type && artifact.files.length === 0)?.id;
  const ids = [workflow.plan?.artifactId ?? newestOf('plan'), workflow.plan?.reviewArtifactId, workflow.lastTestReportId ?? newestOf('test-report')];
  return new Set(ids.filter((id): id is string => id !== undefined && byId.has(id)));
}

function artifactLine(artifact: ArtifactSummary, kind: keyof typeof ARTIFACT_LABELS): Candidate {
  return {
    render: () => {
      const summary = oneLine(artifact.summary, SUMMARY_TOKEN_CAP);
      const file = artifact.files[0];
      // Agent-written summaries do not always say which file they are about.
      const where = file !== undefined && !summary.includes(file) ? ` (${file}${artifact.files.length > 1 ? ` +${artifact.files.length - 1}` : ''})` : '';
      return `${artifact.id} ${artifact.type} by ${artifact.producer} [${artifact.status}] ${summary}${where}`;
    },
    tally: { [kind]: 1 },
    named: 1,
  };
}

const STAGE_PRIORITY: Record<FileStage, number> = { implementing: 0, checking: 0, reviewing: 0, fixing: 0, pending: 1, approved: 2 };
const TYPE_PRIORITY: Record<string, number> = { code: 0, review: 1, pseudocode: 2, documentation: 3, 'test-report': 4, plan: 5 };

/** Newest artifacts of unfinished files: files being worked on first, then in plan order. */
function unfinishedLines(newest: Map<string, ArtifactSummary>, files: FileEntry[]): ArtifactSummary[] {
  const order = new Map(files.map((file, index) => [file.path, STAGE_PRIORITY[file.stage] * files.length + index]));
  const rank = (artifact: ArtifactSummary) => order.get(artifact.files[0]!) ?? Number.MAX_SAFE_INTEGER;
  return [...newest.values()].sort((a, b) => rank(a) - rank(b) || (TYPE_PRIORITY[a.type] ?? 9) - (TYPE_PRIORITY[b.type] ?? 9));
}

interface Folder {
  dir: string;
  depth: number;
  files: number;
  docs: number;
  folders: number;
  /** How many latest code artifacts the folder holds, and the first and last of their ids. */
  ids: number;
  first?: string;
  last?: string;
}

const byNaturalOrder = new Intl.Collator('en', { numeric: true }).compare;

/**
 * Approved files collapsed per folder (`src/parsers/ — 37 files approved (code-12…code-88)`). While
 * the lines are too many or too long, the deepest folders (smallest first) merge into their parent.
 */
function rollupLines(approved: string[], code: Map<string, ArtifactSummary>, docs: Map<string, number>, allowance: number): Candidate[] {
  const folders = new Map<string, Folder>();
  for (const file of approved) {
    const dir = path.posix.dirname(file);
    const folder = folders.get(dir) ?? { dir, depth: depthOf(dir), files: 0, docs: 0, folders: 1, ids: 0 };
    folder.files += 1;
    folder.docs += docs.get(file) ?? 0;
    const artifact = code.get(file);
    if (artifact) widen(folder, { ids: 1, first: artifact.id, last: artifact.id });
    folders.set(dir, folder);
  }
  // Lines are only counted once they are few enough to be worth counting.
  const tooLong = () => [...folders.values()].reduce((total, folder) => total + countTokens(rollupText(folder)) + 1, 0) > allowance;
  while (folders.size > 0 && (folders.size > MAX_ROLLUP_LINES || tooLong())) {
    let victim: Folder | undefined;
    for (const folder of folders.values()) {
      if (victim === undefined || folder.depth > victim.depth || (folder.depth === victim.depth && folder.files < victim.files)) victim = folder;
    }
    if (victim === undefined || victim.dir === '.') break;
    // All siblings go together: a parent line next to some of its own sub-folders would count them twice.
    const parentDir = path.posix.dirname(victim.dir);
    const parent = folders.get(parentDir) ?? { dir: parentDir, depth: victim.depth - 1, files: 0, docs: 0, folders: 0, ids: 0 };
    for (const sibling of [...folders.values()]) {
      if (sibling.dir === parentDir || path.posix.dirname(sibling.dir) !== parentDir) continue;
      parent.files += sibling.files;
      parent.docs += sibling.docs;
      parent.folders += sibling.folders;
      widen(parent, sibling);
      folders.delete(sibling.dir);
    }
    folders.set(parentDir, parent);
  }
  return [...folders.values()]
    .sort((a, b) => byNaturalOrder(a.dir, b.dir))
    .map((folder) => line(rollupText(folder), { approved: folder.ids + folder.docs }));
}

function depthOf(dir: string): number {
  return dir === '.' ? 0 : dir.split('/').length;
}

function widen(folder: Folder, other: Pick<Folder, 'ids' | 'first' | 'last'>): void {
  folder.ids += other.ids;
  if (other.first !== undefined && (folder.first === undefined || byNaturalOrder(other.first, folder.first) < 0)) folder.first = other.first;
  if (other.last !== undefined && (folder.last === undefined || byNaturalOrder(other.last, folder.last) > 0)) folder.last = other.last;
}

function rollupText(folder: Folder): string {
  const { first, last } = folder;
  const range = first === undefined ? '' : first === last ? ` (${first})` : ` (${first}…${last})`;
  const spread = folder.folders > 1 ? ` in ${folder.folders} folders` : '';
  const documented = folder.docs > 0 ? `, ${folder.docs} documented` : '';
  return `${folder.dir}/ — ${plural(folder.files, 'file')} approved${spread}${documented}${range}`;
}
