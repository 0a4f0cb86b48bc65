import { scriptedChatActions, scriptedChatAnswer } from '../engine/backends/scriptedChatIntent';
import { detectWork } from '../engine/roles/roleMarker';
import type { Script, ScriptedTurn } from './scriptedModelServer';
import type { ScriptRequest } from './scriptRequest';
import { implementation, scaffold } from './scriptedCode';

/**
 * A deterministic team for real `kilo serve`: it recognises the role (its marker in the system
 * prompt) and the work (the marker at the end of the prompt) and plays the part with Kilo's real
 * tools: coders `write` files, the Debugger runs the tests with `bash`, everyone answers through
 * the `StructuredOutput` tool (or a fenced JSON block when it is not offered).
 */
export interface OrchestraScriptOptions {
  /** The files the Architect plans. */
  planFiles?: Array<{ path: string; purpose: string }>;
  /** The Code Sceptic rejects the first plan once. */
  rejectFirstPlan?: boolean;
  /** Files the Code Sceptic rejects once each. */
  rejectFilesOnce?: string[];
  /** Files another reviewer (e.g. a custom `security-auditor` that joins CODE_REVIEW) rejects once each. */
  rejectOnce?: { role: string; files: string[] };
  /**
   * Files whose first `implement` writes code with one type error (`const count: number = "three"`);
   * a `fix` that quotes the diagnostics gate ("The checker found …") writes the correct code.
   */
  typeErrorFirst?: string[];
  /** This role only ever answers prose and never calls StructuredOutput (nor gives a JSON block). */
  neverCompletes?: string;
  /**
   * Hostile coder: the first implementing turn of `role` that writes its file also writes each of
   * `paths` (an absolute path as it is, any other joined to the working directory unnormalised, so
   * `../x` escapes it), each once.
   */
  hostileWrites?: { role: string; paths: string[] };
  /** Text appended to every summary, content, purpose and finding message of every envelope. */
  inject?: string;
  /** Hostile Debugger: shell commands it tries, one per turn in this order, before `npm test`. */
  debuggerCommands?: string[];
}

export const SAMPLE_PLAN = [
  { path: 'src/loanClock.js', purpose: 'an injectable clock so due dates can be tested' },
  { path: 'src/loans.js', purpose: 'loans with a due date, fourteen days after lending' },
  { path: 'src/overdue.js', purpose: 'the list of overdue loans on a given day' },
  { path: 'src/fines.js', purpose: 'fines: a fixed amount per overdue day, capped' },
];

export function orchestraScript(options: OrchestraScriptOptions = {}): Script {
  const plan = options.planFiles ?? SAMPLE_PLAN;
  // `role:file` of each rejection made, so each listed file is rejected once per reviewer.
  const rejected = new Set<string>();
  const typeErrorsLeft = new Set(options.typeErrorFirst ?? []);
  const hostileLeft = [...(options.hostileWrites?.paths ?? [])];
  let planRejected = false;
  const play = (request: ScriptRequest): ScriptedTurn => {
    const work = detectWork(request.lastUser);
    const role = request.role;
    if (role !== undefined && role === options.neverCompletes) return { text: `Still working on it: ${work?.kind ?? 'the task'} needs more thought before I can answer.` };
    if (role === 'organiser') return organiserTurn(request);
    if (!work) return answer(request, { summary: idleAnswer(request) });
    const workspace = /Working directory: (.+)/.exec(request.lastUser)?.[1]?.trim() ?? '.';
    // Tool results count only when they answer this work: an agent's earlier work in the same
    // session also ends in tool results (its StructuredOutput call), before the new user message.
    const toolsDone = request.messages.at(-1)?.role === 'tool';
    // Kilo's write tool refuses to overwrite a file the agent has not read: read first, then write.
    const lastTool = request.toolResults[0]?.name;
    switch (work.kind) {
      case 'plan':
      case 'revise-plan':
        return answer(request, { summary: `A plan of ${plan.length} modules for the task.`, content: '# Plan\nSmall modules, each with one job.', files: plan });
      case 'review-plan': {
        const approve = !options.rejectFirstPlan || planRejected;
        planRejected = true;
        return answer(request, approve ? { summary: 'The plan is sound.', approved: true } : { summary: 'The plan misses error handling.', approved: false, findings: [{ severity: 'major', message: 'Say how invalid input is reported.' }] });
      }
      case 'structure':
        if (!toolsDone) return { toolCalls: work.files.map((file) => write(workspace, file, scaffold(file, purposeOf(plan, file)))) };
        return answer(request, { summary: `Scaffolded ${work.files.length} files with pseudocode.`, files: work.files.map((path) => ({ path, purpose: purposeOf(plan, path) })) });
      case 'implement':
      case 'fix': {
        const file = work.files[0] ?? '';
        if (!toolsDone) return { toolCalls: [read(workspace, file)] };
        if (lastTool === 'read') {
          // The gate's findings are a fix of the type error only; a reviewer's also ask for the guard.
          const fromGate = work.kind === 'fix' && /The checker (found|still reports)/.test(request.lastUser);
          const typeError = work.kind === 'implement' && typeErrorsLeft.delete(file);
          const own = write(workspace, file, implementation(file, purposeOf(plan, file), { guarded: work.kind === 'fix' && !fromGate, typeError }));
          const hostile = role === options.hostileWrites?.role && work.kind === 'implement' ? hostileLeft.splice(0) : [];
          return { toolCalls: [own, ...hostile.map((target) => hostileWrite(workspace, target))] };
        }
        return answer(request, { summary: `${work.kind === 'fix' ? 'Fixed' : 'Implemented'} ${file}.`, files: [{ path: file, purpose: purposeOf(plan, file) }] });
      }
      case 'review-code': {
        // Any reviewer: the Code Sceptic, or a custom role that joins CODE_REVIEW under its own id.
        const file = work.files[0] ?? '';
        const reviewer = role ?? 'code-sceptic';
        const listed = reviewer === 'code-sceptic' ? options.rejectFilesOnce : options.rejectOnce?.role === reviewer ? options.rejectOnce.files : undefined;
        const reject = listed?.includes(file) === true && !rejected.has(`${reviewer}:${file}`);
        if (reject) rejected.add(`${reviewer}:${file}`);
        return answer(request, reject ? { summary: `${file} does not check its input.`, approved: false, findings: [{ file, severity: 'major', message: 'Reject input that is not an object.' }] } : { summary: `${file} is correct.`, approved: true });
      }
      case 'step': {
        // A custom role's own step in a phase (e.g. a Changelog Writer after documentation): it
        // writes the files its join grants (CHANGELOG.md) with its content, and answers with it.
        const content = `# ${role ?? 'Step'}\n\n${work.files.map((path) => `- \`${path}\`: ${purposeOf(plan, path)}`).join('\n')}\n`;
        const grants = /You may create or change only these files: (.+)\. Every other file is read-only\./.exec(request.lastUser)?.[1]?.split(', ') ?? [];
        if (!toolsDone && grants.length > 0) return { toolCalls: grants.map((file) => write(workspace, file, content)) };
        return answer(request, { summary: `Took the ${role ?? 'custom'} step for ${work.files.length} files.`, content });
      }
      case 'document': {
        // The overview describes the batch's files, as the writer's instructions ask.
        const described = overview(work.files.map((path) => ({ path, purpose: purposeOf(plan, path) })));
        if (!toolsDone && /may create or change only these files:.*docs\/OVERVIEW\.md/.test(request.lastUser)) return { toolCalls: [write(workspace, 'docs/OVERVIEW.md', described)] };
        return answer(request, { summary: `Documented ${work.files.length} files.`, content: described });
      }
      case 'test': {
        const commands = [...(options.debuggerCommands ?? []), 'npm test'];
        const tried = toolsDone ? bashCallsSinceUser(request) : 0;
        if (tried < commands.length) return { toolCalls: [{ name: 'bash', arguments: { command: commands[tried], description: 'Run the test suite' } }] };
        const output = request.toolResults[0]?.content ?? '';
        const passed = Number(/# pass (\d+)/.exec(output)?.[1] ?? 0);
        const failed = Number(/# fail (\d+)/.exec(output)?.[1] ?? 0);
        return answer(request, { summary: `${passed} tests passed, ${failed} failed.`, content: output.slice(-2000), tests: { passed, failed, failures: [] } });
      }
      default:
        return answer(request, { summary: `Advice on ${work.kind}: keep the change small.` });
    }
  };
  if (options.inject === undefined) return play;
  const text = options.inject;
  return (request) => injectInto(play(request), text);
}

/** The turn with `text` appended to every free-text field of its envelope (StructuredOutput or JSON block). */
function injectInto(turn: ScriptedTurn, text: string): ScriptedTurn {
  const grow = (result: Record<string, unknown>): Record<string, unknown> => {
    const more = (value: unknown) => `${typeof value === 'string' ? value : ''}\n${text}`;
    const next: Record<string, unknown> = { ...result, summary: more(result.summary) };
    if (typeof result.content === 'string') next.content = more(result.content);
    if (typeof result.reason === 'string') next.reason = more(result.reason);
    if (Array.isArray(result.files)) next.files = (result.files as Array<Record<string, unknown>>).map((file) => ({ ...file, purpose: more(file.purpose) }));
    if (Array.isArray(result.findings)) next.findings = (result.findings as Array<Record<string, unknown>>).map((finding) => ({ ...finding, message: more(finding.message) }));
    return next;
  };
  const calls = turn.toolCalls?.map((call) => (call.name === 'StructuredOutput' ? { ...call, arguments: grow(call.arguments) } : call));
  const block = /```json\n([\s\S]*)\n```/.exec(turn.text ?? '');
  const textOut = block ? `Done.\n\n\`\`\`json\n${JSON.stringify(grow(JSON.parse(block[1]!) as Record<string, unknown>), null, 2)}\n\`\`\`` : turn.text;
  return { ...turn, ...(calls ? { toolCalls: calls } : {}), ...(textOut === undefined ? {} : { text: textOut }) };
}

function hostileWrite(workspace: string, target: string): { name: string; arguments: Record<string, unknown> } {
  const filePath = target.startsWith('/') ? target : `${workspace.replace(/\/$/, '')}/${target}`;
  return { name: 'write', arguments: { filePath, content: 'export const planted = true; // written by a hostile agent\n' } };
}

/** Bash calls the model made since the last user message: the commands this work already tried. */
function bashCallsSinceUser(request: ScriptRequest): number {
  const lastUser = request.messages.map((message) => message.role).lastIndexOf('user');
  return request.messages.slice(lastUser + 1).reduce((count, message) => count + (message.role === 'assistant' ? (message.tool_calls ?? []).filter((call) => call.function.name === 'bash').length : 0), 0);
}

/** What each role offers when the user talks to it between pieces of work. */
const ROLE_OFFERS: Record<string, string> = {
  architect: 'revise the plan, or explain why a file is in it',
  'code-sceptic': 'review a file again, or explain a finding',
  'primary-coder': 'lay out a new file before it is written',
  'secondary-coder': 'write or fix a file you add to the plan',
  'documentation-writer': 'document a module again',
  debugger: 'run the tests again and say what fails',
};

/** A user's message to an agent with no work in hand: where it stands and what it could do. */
function idleAnswer(request: ScriptRequest): string {
  const role = request.role ?? 'agent';
  const phase = /The run is now: ([^\n]+)\./.exec(request.lastUser)?.[1];
  const offer = ROLE_OFFERS[role] ?? 'take on work the Organiser gives me';
  if (!/The user is watching the run/.test(request.lastUser)) return `I have no work in this request. I could ${offer}.`;
  return `I have no work in hand${phase ? ` while the run is ${phase.toLowerCase()}` : ''}. I could ${offer}; ask the Organiser to give it to me.`;
}

/** The Organiser follows the built-in rule, which its prompt marks. */
function organiserTurn(request: ScriptRequest): ScriptedTurn {
  const recommended = /- ([a-z_]+): .*\(what the built-in rule would do\)/.exec(request.lastUser)?.[1];
  if (recommended) return answer(request, { action: recommended, reason: 'It is the next step of the workflow.' });
  // Answers as a person would: the phase in the words its context gives, never PLAN_REVIEW.
  const words = /phase[:=] .*— in words: ([^\n]+)/.exec(request.lastUser)?.[1]?.trim() ?? 'at work';
  const status = `The team is ${words}; the next step follows when the current work is done.`;
  // A chat message (in its data block) may ask for an action, read as the simulated Organiser reads it.
  const message = /source="the user message">\n([\s\S]*?)\n<\/untrusted-data>/.exec(request.lastUser)?.[1];
  const actions = message === undefined ? [] : scriptedChatActions(message);
  if (actions.length > 0) return answer(request, { answer: scriptedChatAnswer(actions, status), actions });
  return answer(request, { summary: status });
}

function answer(request: ScriptRequest, result: Record<string, unknown>): ScriptedTurn {
  if (request.toolNames.includes('StructuredOutput')) return { toolCalls: [{ name: 'StructuredOutput', arguments: result }] };
  return { text: `Done.\n\n\`\`\`json\n${JSON.stringify(result, null, 2)}\n\`\`\`` };
}

function read(workspace: string, file: string): { name: string; arguments: Record<string, unknown> } {
  return { name: 'read', arguments: { filePath: `${workspace.replace(/\/$/, '')}/${file}` } };
}

function write(workspace: string, file: string, content: string): { name: string; arguments: Record<string, unknown> } {
  return { name: 'write', arguments: { filePath: `${workspace.replace(/\/$/, '')}/${file}`, content } };
}

function purposeOf(plan: Array<{ path: string; purpose: string }>, file: string): string {
  return plan.find((entry) => entry.path === file)?.purpose ?? 'part of the change';
}

function overview(plan: Array<{ path: string; purpose: string }>): string {
  return `# Overview\n\n${plan.map((entry) => `- \`${entry.path}\`: ${entry.purpose}`).join('\n')}\n`;
}
