import type { Script, ScriptedTurn } from './scriptedModelServer';
import type { ScriptRequest } from './scriptRequest';

/**
 * Plays both sides of Kilo's own `orchestrator` agent, so a benchmark can see what that agent sends
 * for a plan of N files without a real model:
 *   - the orchestrator (its requests offer the `task` tool) fans the plan out as one `task` call per
 *     file, in waves of `wave`, and ends with a short summary once every result is back;
 *   - a child session (no `task` tool: a subagent) optionally writes its file with Kilo's `write`
 *     tool, then returns a result of about `resultTokens` tokens, which Kilo hands back to the parent.
 * Only the shape of the conversation is scripted: what Kilo puts into each request is Kilo's own.
 */
export interface OrchestratorScriptOptions {
  files: Array<{ path: string; purpose: string }>;
  /** Subtasks per orchestrator turn (default: all at once). */
  wave?: number;
  /** Tokens of each child's final answer, roughly (default 400). */
  resultTokens?: number;
  /** Children write their file with `write` before answering (default true when offered). */
  writeFiles?: boolean;
  /** The `subagent_type` the orchestrator asks for (default `general`). */
  subagentType?: string;
}

/** The task tool's name in Kilo 7.x. */
export const TASK_TOOL = 'task';

export function kiloOrchestratorScript(options: OrchestratorScriptOptions): Script {
  const wave = Math.max(1, options.wave ?? options.files.length);
  const resultTokens = options.resultTokens ?? 400;
  return (request: ScriptRequest): ScriptedTurn => {
    if (request.toolNames.includes(TASK_TOOL)) return orchestratorTurn(request, options, wave);
    return childTurn(request, options, resultTokens);
  };
}

/** The next wave of task calls, or the closing summary once every file has had its subtask. */
function orchestratorTurn(request: ScriptRequest, options: OrchestratorScriptOptions, wave: number): ScriptedTurn {
  const launched = countTaskCalls(request);
  const next = options.files.slice(launched, launched + wave);
  if (next.length === 0) return { text: `All ${options.files.length} subtasks are done; every file of the plan is written.` };
  return {
    toolCalls: next.map((file) => ({
      name: TASK_TOOL,
      arguments: {
        description: `Write ${file.path}`,
        prompt: `Write the file ${file.path}: ${file.purpose}. Report what you wrote, its exports and anything the next step must know.`,
        subagent_type: options.subagentType ?? 'general',
      },
    })),
  };
}

function countTaskCalls(request: ScriptRequest): number {
  let calls = 0;
  for (const message of request.messages) {
    if (message.role !== 'assistant') continue;
    calls += (message.tool_calls ?? []).filter((call) => call.function.name === TASK_TOOL).length;
  }
  return calls;
}

/** A subagent: write the file it was given (once), then report. */
function childTurn(request: ScriptRequest, options: OrchestratorScriptOptions, resultTokens: number): ScriptedTurn {
  const file = options.files.find((candidate) => request.lastUser.includes(candidate.path));
  const path = file?.path ?? 'unknown file';
  const wrote = request.messages.some((message) => message.role === 'assistant' && (message.tool_calls ?? []).some((call) => call.function.name === 'write'));
  const workspace = /Working directory: (.+)/.exec(request.system)?.[1]?.trim();
  if ((options.writeFiles ?? true) && file && !wrote && request.toolNames.includes('write')) {
    const filePath = workspace ? `${workspace}/${file.path}` : file.path;
    return { toolCalls: [{ name: 'write', arguments: { filePath, content: `// ${file.purpose}\nexport function main() {\n  return '${file.path}';\n}\n` } }] };
  }
  return { text: resultText(path, resultTokens) };
}

/**
 * About `tokens` tokens of report prose (o200k counts this text at close to 4.4 characters a
 * token), varied per file so no two results are the same text.
 */
export function resultText(path: string, tokens: number): string {
  const sentences = [
    `Wrote ${path} with one exported function and input checks that throw a TypeError for a missing or malformed argument.`,
    `The module keeps no state of its own; the clock and the store are passed in, so the tests can fix the date.`,
    `Edge cases handled: an empty list, a due date on the same day, dates across a month end and a leap day.`,
    `Callers should import the named export; the default export was left out on purpose so renames stay visible.`,
    `Nothing else in the project had to change, and no new dependency was added for ${path}.`,
  ];
  const chars = Math.round(tokens * 4.4);
  let text = '';
  for (let i = 0; text.length < chars; i++) text += `${sentences[i % sentences.length]} `;
  return text.trim();
}
