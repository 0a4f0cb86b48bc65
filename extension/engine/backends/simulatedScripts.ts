import { scriptedChatActions, scriptedChatAnswer } from './scriptedChatIntent';
import path from 'node:path';
import { OrchestraError } from '../util/errors';
import type { AgentOutput, Finding, PlannedFile, TestFailure } from './agentOutput';
import type { WorkRequest } from './agentBackend';

/** What the scripted agents remember between requests; one per backend, shared by all its sessions. */
export interface SimulationMemory {
  planRejected: boolean;
  /** Files the Code Sceptic has rejected once already. */
  rejectedFiles: Set<string>;
  /** Files a Secondary Coder has fixed; their next review approves them. */
  fixedFiles: Set<string>;
  testRuns: number;
  invalidDecisionsLeft: number;
}

export interface ScriptSettings {
  files: number;
  /** The plan's files instead of `files` generated modules (revised plans too). */
  planFiles?: PlannedFile[];
  /** The first plan's files only; revised plans list `planFiles` (or the generated modules). */
  firstPlanFiles?: PlannedFile[];
  rejectFirstPlan: boolean;
  rejectEveryNthFile: number;
  testFailures: number;
}

/** Read-only view of the workspace a script may look at. */
export interface ScriptWorkspace {
  read(file: string): Promise<string | undefined>;
}

export interface ScriptResult {
  output: unknown;
  /** Workspace-relative files the agent wants to write; the backend checks them against the grants. */
  writes: Array<{ path: string; content: string }>;
  /** Applies what the agent learnt; called only once the reply is delivered, so an aborted turn leaves no trace. */
  remember?: () => void;
}

const CONCEPTS = ['configuration loading', 'domain model', 'storage', 'service layer', 'request handlers', 'input validation', 'error reporting', 'utilities'];

/** The files every simulated plan lists, in build order. */
export function plannedFiles(count: number): PlannedFile[] {
  return Array.from({ length: count }, (_, index) => {
    const number = String(index + 1).padStart(2, '0');
    return { path: `src/module${number}.ts`, purpose: `Module ${number}: ${CONCEPTS[index % CONCEPTS.length]}` };
  });
}

/** Answers one request the way a role agent would, deterministically. */
export async function runScript(request: WorkRequest, settings: ScriptSettings, memory: SimulationMemory, workspace: ScriptWorkspace): Promise<ScriptResult> {
  const plan = settings.planFiles ?? plannedFiles(settings.files);
  switch (request.kind) {
    case 'plan': {
      const first = settings.firstPlanFiles ?? plan;
      return answer({ summary: `Plan with ${first.length} files for: ${taskOf(request)}.`, content: planText(request, first, false), files: first });
    }
    case 'revise-plan':
      return answer({ summary: `Revised plan with ${plan.length} files; every review finding answered.`, content: planText(request, plan, true), files: plan });
    case 'review-plan':
      return reviewPlan(settings, memory);
    case 'structure':
      return structure(request, plan);
    case 'implement':
    case 'fix':
      return implement(request, plan, memory);
    case 'review-code':
      return reviewCode(request, plan, settings, memory);
    case 'document':
      return document(request, plan, workspace);
    case 'test':
      return runTests(request, plan, settings, memory);
    case 'step': {
      // A custom role's step (a Changelog Writer): one line per file it was shown, into the files it may write.
      const files = Array.isArray(request.detail.files) ? request.detail.files.filter((file): file is string => typeof file === 'string') : [];
      const content = [`# ${taskOf(request)}`, '', ...files.map((file) => `- ${file}`)].join('\n');
      return { output: { summary: `Step done on ${files.length} files.`, content }, writes: request.grants.map((path) => ({ path, content: `${content}\n` })) };
    }
    case 'consult':
      return answer({ summary: 'Advice given.', content: `Advice: keep the change small, follow the plan's interfaces and add a test for it. (${text(request.detail.note) || 'no note given'})` });
    case 'decide':
      return decide(request, memory);
    case 'chat':
      return answer(chat(request));
    default:
      throw new OrchestraError('backend-failed', `The simulated backend has no script for work of kind "${String(request.kind)}".`);
  }
}

function answer(output: unknown): ScriptResult {
  return { output, writes: [] };
}

function planText(request: WorkRequest, plan: PlannedFile[], revised: boolean): string {
  const lines = [`# ${revised ? 'Revised plan' : 'Plan'}: ${taskOf(request)}`, '', '## Approach', 'Build the modules in order; each exports one entry point and its types.'];
  if (revised) lines.push('', '## Error handling', 'Every module returns a result value and never throws across module boundaries.');
  lines.push('', '## Files', ...plan.map((file) => `- \`${file.path}\`: ${file.purpose}`));
  return lines.join('\n');
}

function reviewPlan(settings: ScriptSettings, memory: SimulationMemory): ScriptResult {
  if (settings.rejectFirstPlan && !memory.planRejected) {
    const findings: Finding[] = [
      { severity: 'major', message: 'The plan does not say how errors travel between modules; add an error-handling section.' },
      { severity: 'minor', message: 'State the build order explicitly so the coders can work file by file.' },
    ];
    const output = { summary: 'Plan rejected: error handling between modules is missing.', content: 'The plan needs an error-handling section before coding starts.', approved: false, findings };
    return { output, writes: [], remember: () => (memory.planRejected = true) };
  }
  return answer({ summary: 'Plan approved.', content: 'The plan is complete and in a sensible order.', approved: true, findings: [] });
}

function structure(request: WorkRequest, plan: PlannedFile[]): ScriptResult {
  const files = batchFiles(request);
  const writes = files.map((file) => ({ path: file, content: scaffold(file, purposeOf(plan, file)) }));
  return {
    output: { summary: `Scaffolded ${files.length} files with signatures and pseudocode.`, content: '', files: files.map((file) => ({ path: file, purpose: purposeOf(plan, file) })) },
    writes,
  };
}

function implement(request: WorkRequest, plan: PlannedFile[], memory: SimulationMemory): ScriptResult {
  const file = requiredFile(request);
  const fixing = request.kind === 'fix';
  const summary = fixing ? `Fixed ${file}: answered every finding.` : `Implemented ${file} from its pseudocode.`;
  return {
    output: { summary, content: '', files: [{ path: file, purpose: purposeOf(plan, file) }] },
    writes: [{ path: file, content: implementation(file, purposeOf(plan, file), fixing ? text(request.detail.note) : undefined) }],
    remember: fixing ? () => memory.fixedFiles.add(file) : undefined,
  };
}

function reviewCode(request: WorkRequest, plan: PlannedFile[], settings: ScriptSettings, memory: SimulationMemory): ScriptResult {
  const file = requiredFile(request);
  const position = plan.findIndex((entry) => entry.path === file) + 1;
  const every = settings.rejectEveryNthFile;
  const reject = every > 0 && position > 0 && position % every === 0 && !memory.rejectedFiles.has(file) && !memory.fixedFiles.has(file);
  if (reject) {
    const findings: Finding[] = [{ file, severity: 'major', message: `${file} does not guard against missing input values; check them before use.` }];
    const output = { summary: `${file} rejected: missing input guard.`, content: `Changes requested for ${file}.`, approved: false, findings };
    return { output, writes: [], remember: () => memory.rejectedFiles.add(file) };
  }
  return answer({ summary: `${file} approved.`, content: `${file} follows the plan; no problems found.`, approved: true, findings: [] });
}

async function document(request: WorkRequest, plan: PlannedFile[], workspace: ScriptWorkspace): Promise<ScriptResult> {
  const files = batchFiles(request).filter((file) => file !== OVERVIEW_FILE);
  const writes: ScriptResult['writes'] = [];
  for (const file of files) {
    const current = (await workspace.read(file)) ?? '';
    const header = `/**\n * ${file}: ${purposeOf(plan, file)}.\n * Documented: what it exports, what it expects and what it returns.\n */\n`;
    writes.push({ path: file, content: current.startsWith(header) ? current : header + current });
  }
  if (request.grants.includes(OVERVIEW_FILE)) {
    writes.push({ path: OVERVIEW_FILE, content: overview((await workspace.read(OVERVIEW_FILE)) ?? '', files, plan) });
  }
  return {
    output: {
      summary: `Documented ${files.length} files${writes.some((w) => w.path === OVERVIEW_FILE) ? ' and updated the overview' : ''}.`,
      content: files.map((file) => `- ${file}: ${purposeOf(plan, file)}`).join('\n'),
      files: writes.map((write) => ({ path: write.path, purpose: 'documentation' })),
    },
    writes,
  };
}

const OVERVIEW_FILE = 'docs/OVERVIEW.md';

function overview(current: string, files: string[], plan: PlannedFile[]): string {
  const body = current.trim() === '' ? '# Overview\n' : current.replace(/\n*$/, '\n');
  const missing = files.filter((file) => !body.includes(`\`${file}\``));
  return body + missing.map((file) => `- \`${file}\`: ${purposeOf(plan, file)}\n`).join('');
}

function runTests(request: WorkRequest, plan: PlannedFile[], settings: ScriptSettings, memory: SimulationMemory): ScriptResult {
  const firstRun = memory.testRuns === 0;
  const codeFiles = [...new Set(request.inputs.filter((input) => input.type === 'code').flatMap((input) => input.files))];
  const files = codeFiles.length > 0 ? codeFiles : plan.map((entry) => entry.path);
  const failing = firstRun ? files.slice(0, settings.testFailures) : [];
  const failures: TestFailure[] = failing.map((file) => ({ file, test: `${baseName(file)} handles empty input`, message: `Expected an empty result, got an exception from ${file}.` }));
  const total = files.length * 3;
  const summary = failures.length > 0 ? `${failures.length} of ${total} tests failed in ${failing.join(', ')}.` : `All ${total} tests passed.`;
  const output = { summary, content: `Ran ${total} tests over ${files.length} files.`, tests: { passed: total - failures.length, failed: failures.length, failures } };
  return { output, writes: [], remember: () => (memory.testRuns += 1) };
}

function decide(request: WorkRequest, memory: SimulationMemory): ScriptResult {
  if (memory.invalidDecisionsLeft > 0) {
    return { output: { action: 'improvise', reason: 42 }, writes: [], remember: () => (memory.invalidDecisionsLeft -= 1) };
  }
  const options = Array.isArray(request.detail.options) ? request.detail.options : [];
  const action = typeof request.detail.recommended === 'string' ? request.detail.recommended : options[0];
  if (typeof action !== 'string') {
    throw new OrchestraError('backend-failed', 'The decision request carried neither a recommended action nor options.');
  }
  return answer({ action, reason: `Following the recommended action: ${action}.` });
}

/** `answer` is what the Organiser asks for; `summary` keeps the reply a valid envelope too. */
function chat(request: WorkRequest): Partial<AgentOutput> & { answer: string } {
  const lines = request.prompt.split('\n').map((line) => line.trim());
  const phaseLine = lines.find((line) => /^(-\s*)?phase\s*:/i.test(line)) ?? lines.find((line) => /phase/i.test(line));
  const status = phaseLine ? `Here is where things stand. ${phaseLine}` : 'I have no workflow status to report yet.';
  const actions = typeof request.detail.message === 'string' ? scriptedChatActions(request.detail.message) : [];
  const words = scriptedChatAnswer(actions, status);
  return { answer: words, summary: words, content: words, ...(actions.length > 0 ? { actions } : {}) };
}

function batchFiles(request: WorkRequest): string[] {
  const files = request.detail.files;
  if (Array.isArray(files) && files.every((file) => typeof file === 'string')) return files as string[];
  return request.grants;
}

function requiredFile(request: WorkRequest): string {
  const file = request.detail.file;
  if (typeof file !== 'string' || file === '') {
    throw new OrchestraError('backend-failed', `A "${request.kind}" request must name its file in detail.file.`);
  }
  return file;
}

function purposeOf(plan: PlannedFile[], file: string): string {
  return plan.find((entry) => entry.path === file)?.purpose || 'part of the plan';
}

function taskOf(request: WorkRequest): string {
  const line = request.prompt.split('\n').find((entry) => entry.startsWith('Overall task:'));
  return line ? line.slice('Overall task:'.length).trim() : 'the task';
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function baseName(file: string): string {
  return path.posix.basename(file).replace(/\.[^.]*$/, '');
}

/** `src/module03.ts` → `Module03`, a safe identifier for generated code. */
function typeName(file: string): string {
  const words = baseName(file).split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
  return /^[A-Za-z]/.test(name) ? name : `File${name}`;
}

/** A module with typed input and result around `body`: the scaffold and the implementation share it. */
function moduleSource(file: string, purpose: string, body: string[]): string {
  const name = typeName(file);
  return [
    `// ${file}: ${purpose}`,
    `export interface ${name}Input {`,
    '  values: number[];',
    '}',
    '',
    `export interface ${name}Result {`,
    '  total: number;',
    '  count: number;',
    '}',
    '',
    `export function run${name}(input: ${name}Input): ${name}Result {`,
    ...body,
    '}',
    '',
  ].join('\n');
}

function scaffold(file: string, purpose: string): string {
  return moduleSource(file, purpose, [
    '  // PSEUDOCODE: take input.values, add them up, count them',
    '  // PSEUDOCODE: return { total, count } to the caller',
    `  throw new Error('run${typeName(file)} is not implemented yet');`,
  ]);
}

function implementation(file: string, purpose: string, fixNote: string | undefined): string {
  const guard = fixNote === undefined ? [] : ['  // Guards missing input, as the review asked.', '  if (!Array.isArray(input?.values)) return { total: 0, count: 0 };'];
  return moduleSource(file, purpose, [
    ...guard,
    '  const total = input.values.reduce((sum, value) => sum + value, 0);',
    '  return { total, count: input.values.length };',
  ]);
}
