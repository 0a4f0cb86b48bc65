import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { countTokens } from '../extension/engine/tokens/tokenCounter';
import { KiloEventStream } from '../extension/kilo/kiloEventStream';
import { KiloHttp } from '../extension/kilo/kiloHttp';
import { KiloServer } from '../extension/kilo/kiloServer';
import { contentText } from '../extension/scriptedModel/chatSchema';
import { kiloOrchestratorScript, TASK_TOOL } from '../extension/scriptedModel/kiloOrchestratorScript';
import { startScriptedModel } from '../extension/scriptedModel/scriptedModelServer';
import type { ScriptRequest } from '../extension/scriptedModel/scriptRequest';
import { aBenchWorkspace, pinnedKilo, planOf } from './benchWorkspace';
import { GroupMemorySampler, groupCpuMs } from './processMemory';

/**
 * Kilo's own `orchestrator` agent on real `kilo serve`, reached the way any client reaches it:
 * `POST /session` with `agent: "orchestrator"`, `prompt_async`, the event stream until the session
 * is idle again. The scripted model answers the orchestrator's `task` calls (one subtask per file)
 * and the child sessions (a ~400-token result each). Every request is measured as Kilo sent it.
 */
export interface OrchestratorRunOptions {
  files: number;
  latencyMs: number;
  /** Subtasks per orchestrator turn (default all). */
  wave?: number;
  resultTokens?: number;
  /** Children write their file with Kilo's `write` tool before answering (default true). */
  writeFiles?: boolean;
  /** Gives up after this long (default 10 minutes). */
  timeoutMs?: number;
}

/** One request the orchestrator or a child sent, with its size counted by our tokenizer. */
export interface MeasuredRequest {
  at: number;
  endedAt: number;
  side: 'orchestrator' | 'child';
  /** o200k tokens of the messages: text of every message plus earlier tool call names and arguments. */
  messageTokens: number;
  /** o200k tokens of the `tools` definitions sent alongside (JSON). */
  toolTokens: number;
  messages: number;
  /** The first user message, which tells one child conversation from another. */
  conversation: string;
  toolNames: string[];
}

export interface OrchestratorRunResult {
  kiloVersion: string;
  files: number;
  latencyMs: number;
  wallMs: number;
  /** CPU time kilo serve's process group spent from the prompt until the parent went idle. */
  kiloCpuMs: number;
  requests: MeasuredRequest[];
  /** The orchestrator's largest request, in message tokens. */
  largestPromptTokens: number;
  /** The largest including its tool definitions. */
  largestRequestTokens: number;
  childSessions: number;
  sessionsCreated: number;
  /** Sessions Kilo still reports busy after the parent went idle. */
  sessionsBusyAtEnd: number;
  /** Sessions Kilo still lists (not archived) once the parent is idle: it keeps every child. */
  sessionsAliveAtEnd: number;
  /** Highest RSS sum of the kilo serve process group (shared pages of its processes count once per process). */
  kiloPeakRssBytes: number;
  /** The kilo serve process's own peak RSS (the kernel's VmHWM). */
  kiloServerPeakRssBytes: number;
  /** The task tool's parameters as Kilo offered them (JSON Schema). */
  taskToolParameters: unknown;
}

export async function runKiloOrchestrator(options: OrchestratorRunOptions): Promise<OrchestratorRunResult> {
  const plan = planOf(options.files);
  const script = kiloOrchestratorScript({ files: plan, ...(options.wave ? { wave: options.wave } : {}), resultTokens: options.resultTokens ?? 400, writeFiles: options.writeFiles ?? true });
  const measured: MeasuredRequest[] = [];
  let taskToolParameters: unknown;
  const measuringScript = (request: ScriptRequest) => {
    const side = request.toolNames.includes(TASK_TOOL) ? 'orchestrator' : 'child';
    if (side === 'orchestrator' && taskToolParameters === undefined) taskToolParameters = request.request.tools?.find((tool) => tool.function.name === TASK_TOOL)?.function.parameters;
    const firstUser = request.messages.find((message) => message.role === 'user');
    measured.push({
      // The server waits the latency before it asks the script, so this is the arrival.
      at: Date.now() - options.latencyMs,
      endedAt: 0,
      side,
      messageTokens: messageTokens(request),
      toolTokens: countTokens(JSON.stringify(request.request.tools ?? [])),
      messages: request.messages.length,
      conversation: firstUser ? contentText(firstUser.content).slice(0, 200) : '',
      toolNames: request.toolNames,
    });
    return script(request);
  };
  const scripted = await startScriptedModel({ script: measuringScript, latencyMs: options.latencyMs });
  const workspace = aBenchWorkspace('bench-orchestrator-');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-orchestrator-home-'));
  const config = {
    provider: {
      scripted: {
        npm: '@ai-sdk/openai-compatible',
        name: 'scripted',
        options: { baseURL: scripted.url, apiKey: 'none' },
        models: { 'orchestrator-model': { name: 'Orchestrator model' }, 'worker-model': { name: 'Worker model' } },
      },
    },
    enabled_providers: ['scripted'],
    model: 'scripted/orchestrator-model',
    // Kilo's own agents, each on its scripted model; nothing of their prompts or tools is changed.
    agent: { general: { model: 'scripted/worker-model' } },
    share: 'disabled',
    autoupdate: false,
  };
  const server = new KiloServer({ binary: pinnedKilo(), cwd: workspace, home, offline: true, env: { KILO_CONFIG_CONTENT: JSON.stringify(config), KILO_SESSION_RETRY_LIMIT: '2' } });
  let stream: KiloEventStream | undefined;
  try {
    const connection = await server.start();
    const memory = new GroupMemorySampler(connection.pid);
    const http = new KiloHttp({ connection: () => server.connection, directory: workspace });
    stream = new KiloEventStream({ connection: () => server.connection, directory: workspace });
    const created = new Map<string, string | undefined>();
    stream.onEvent((event) => {
      if (event.type !== 'session.created') return;
      const info = event.properties.info as { id?: string; parentID?: string } | undefined;
      if (info?.id) created.set(info.id, info.parentID);
    });
    await stream.ready();
    const allow = [{ permission: '*', pattern: '*', action: 'allow' as const }];
    const parent = await http.createSession({ title: `Orchestrate ${options.files} files`, agent: 'orchestrator', permission: allow });
    const idle = untilIdle(stream, parent.id, options.timeoutMs ?? 600_000);
    const cpuBefore = groupCpuMs(connection.pid);
    const t0 = Date.now();
    await http.promptAsync(parent.id, {
      agent: 'orchestrator',
      model: { providerID: 'scripted', modelID: 'orchestrator-model' },
      parts: [{ type: 'text', text: taskText(plan) }],
    });
    await idle;
    const wallMs = Date.now() - t0;
    const kiloCpuMs = groupCpuMs(connection.pid) - cpuBefore;
    await scripted.whenIdle();
    const busy = Object.keys(await http.status()).length;
    const listed = (await http.listSessions('')) as Array<{ time?: { archived?: number } }>;
    const { peakRssBytes: kiloPeakRssBytes, leaderPeakRssBytes: kiloServerPeakRssBytes } = memory.stop();
    // End times come from the model server's own log: the entry that arrived closest to each.
    const chats = scripted.requests.filter((entry) => entry.path === '/v1/chat/completions');
    for (const request of measured) {
      const nearest = chats.reduce((best, entry) => (Math.abs(entry.at - request.at) < Math.abs(best.at - request.at) ? entry : best), chats[0]!);
      request.endedAt = nearest.endedAt ?? request.at;
    }
    const orchestrator = measured.filter((request) => request.side === 'orchestrator');
    return {
      kiloVersion: connection.version,
      files: options.files,
      latencyMs: options.latencyMs,
      wallMs,
      kiloCpuMs,
      requests: measured,
      largestPromptTokens: Math.max(0, ...orchestrator.map((request) => request.messageTokens)),
      largestRequestTokens: Math.max(0, ...orchestrator.map((request) => request.messageTokens + request.toolTokens)),
      childSessions: [...created.values()].filter((parentId) => parentId !== undefined).length,
      sessionsCreated: created.size,
      sessionsBusyAtEnd: busy,
      sessionsAliveAtEnd: listed.filter((session) => session.time?.archived === undefined).length,
      kiloPeakRssBytes,
      kiloServerPeakRssBytes,
      taskToolParameters,
    };
  } finally {
    await stream?.close();
    await server.dispose();
    await scripted.close();
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

/** What a user would type: the plan, one line per file, and the ask to delegate each file. */
function taskText(plan: Array<{ path: string; purpose: string }>): string {
  const lines = plan.map((file) => `- ${file.path}: ${file.purpose}`);
  return `Add overdue-loan tracking. Delegate each of these ${plan.length} files to its own subtask, then summarise:\n${lines.join('\n')}`;
}

/** Tokens of everything the model reads in the messages (not the tool definitions). */
function messageTokens(request: ScriptRequest): number {
  let tokens = 0;
  for (const message of request.messages) {
    tokens += countTokens(contentText(message.content));
    if (message.role === 'assistant') for (const call of message.tool_calls ?? []) tokens += countTokens(call.function.name) + countTokens(call.function.arguments);
  }
  return tokens;
}

/** Resolves when the session goes idle after having been busy; rejects with what it saw on timeout or error. */
function untilIdle(stream: KiloEventStream, sessionId: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let busy = false;
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`Kilo's orchestrator session ${sessionId} was not idle after ${timeoutMs} ms.`));
    }, timeoutMs);
    const subscription = stream.subscribe(sessionId, (event) => {
      if (event.type === 'session.error') {
        clearTimeout(timer);
        subscription.dispose();
        reject(new Error(`Kilo's orchestrator session failed: ${JSON.stringify(event.properties.error ?? event.properties).slice(0, 400)}`));
        return;
      }
      const status = event.type === 'session.idle' ? 'idle' : event.type === 'session.status' ? (event.properties.status as { type?: string } | undefined)?.type : undefined;
      if (status === 'busy') busy = true;
      if (status === 'idle' && busy) {
        clearTimeout(timer);
        subscription.dispose();
        resolve();
      }
    });
  });
}
