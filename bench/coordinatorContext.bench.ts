// The coordinator's context: the largest prompt our Organiser is sent for a plan of N files, next
// to the largest request Kilo's own `orchestrator` agent sends for the same plan, each subtask
// returning a result of about 400 tokens. Both are counted with our o200k tokenizer.
//   ours   a whole run on the simulated backend; the Organiser's prompts are caught at the port
//   peer   real `kilo serve` driven through the scripted model (see kiloOrchestratorRun.ts), at the
//          sizes that run in reasonable time; larger plans are extrapolated from a line fit
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentBackend, AgentSession, SessionSpec } from '../extension/engine/backends/agentBackend';
import { SimulatedBackend } from '../extension/engine/backends/simulatedBackend';
import { simulatedRolesConfig } from '../extension/engine/roles/rolesConfigFile';
import { resolveRoles } from '../extension/engine/roles/roleValidation';
import { OrchestrationRun } from '../extension/engine/run/orchestrationRun';
import { countTokens } from '../extension/engine/tokens/tokenCounter';
import { runKiloOrchestrator } from './kiloOrchestratorRun';
import { emit } from './stats';

const quick = process.argv.includes('--quick');
// Quick mode leaves out our 1,000-file run (~40 s and more) and measures the peer at one small size
// here: the parallel speedup bench's orchestrator run (8 files in quick mode, 16 in full) adds one more.
const OUR_SIZES = quick ? [2, 4, 8, 16, 50, 200] : [2, 4, 8, 16, 50, 200, 1000];
const PEER_SIZES = quick ? [2] : [4, 16, 50];
const RESULT_TOKENS = 400;

/** Passes everything through to the simulated backend and notes the size of each Organiser prompt. */
class PromptMeasuringBackend implements AgentBackend {
  readonly kind = 'simulated' as const;
  largestOrganiserPrompt = 0;
  organiserPrompts = 0;

  constructor(private readonly inner: SimulatedBackend) {}

  async startSession(spec: SessionSpec): Promise<AgentSession> {
    const session = await this.inner.startSession(spec);
    if (spec.role.id !== 'organiser') return session;
    // What the model reads: the role's system prompt and the prompt of the question.
    const systemTokens = countTokens(spec.role.prompt);
    return {
      agentId: session.agentId,
      sessionId: session.sessionId,
      run: (request, signal, onEvent) => {
        this.organiserPrompts += 1;
        this.largestOrganiserPrompt = Math.max(this.largestOrganiserPrompt, systemTokens + countTokens(request.prompt));
        return session.run(request, signal, onEvent);
      },
      close: () => session.close(),
    };
  }

  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}

async function ours(files: number): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-context-'));
  const backend = new PromptMeasuringBackend(new SimulatedBackend({ files, latencyMs: 0 }));
  const t0 = performance.now();
  const run = await OrchestrationRun.create({ workspace, task: 'Add overdue-loan tracking', roles: resolveRoles(simulatedRolesConfig()), backend, maxActive: 4, onAttention: 'fail' });
  const report = await run.start();
  emit({
    bench: 'coordinatorContext',
    side: 'ours',
    files,
    status: report.status,
    largestPromptTokens: backend.largestOrganiserPrompt,
    largestContextTokens: report.organiser.maxContextTokens,
    budgetTokens: report.organiser.budgetTokens,
    organiserPrompts: backend.organiserPrompts,
    runMs: Math.round(performance.now() - t0),
  });
  fs.rmSync(workspace, { recursive: true, force: true });
}

async function peer(files: number): Promise<void> {
  const result = await runKiloOrchestrator({ files, latencyMs: 0, resultTokens: RESULT_TOKENS, writeFiles: false });
  const orchestrator = result.requests.filter((request) => request.side === 'orchestrator');
  const children = result.requests.filter((request) => request.side === 'child');
  emit({
    bench: 'coordinatorContext',
    side: 'kiloOrchestrator',
    files,
    kiloVersion: result.kiloVersion,
    largestPromptTokens: result.largestPromptTokens,
    largestRequestTokens: result.largestRequestTokens,
    firstPromptTokens: orchestrator[0]?.messageTokens ?? 0,
    orchestratorRequests: orchestrator.length,
    childRequests: children.length,
    childSessions: result.childSessions,
    resultTokens: RESULT_TOKENS,
    toolTokens: orchestrator[0]?.toolTokens ?? 0,
    tools: orchestrator[0]?.toolNames ?? [],
    taskToolRequired: (result.taskToolParameters as { required?: string[] } | undefined)?.required ?? [],
    wallMs: result.wallMs,
  });
}

async function main(): Promise<void> {
  for (const files of OUR_SIZES) {
    process.stderr.write(`coordinatorContext: ours at ${files} files\n`);
    await ours(files);
  }
  for (const files of PEER_SIZES) {
    process.stderr.write(`coordinatorContext: Kilo's orchestrator at ${files} files\n`);
    await peer(files);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`coordinatorContext failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
