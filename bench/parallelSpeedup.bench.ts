// Parallel speedup on real `kilo serve` with the scripted model at a fixed latency: a whole run of
// our team on N independent files with 1, 2, 4 and 8 coders (the implementation phase and the whole
// run each against the one-coder run), and Kilo's own orchestrator fanning out the same N subtasks.
// Also prints the memory lines: peak RSS of our process and of `kilo serve` per run, with the
// agents and sessions each run created, and the orchestrator run's largest request as one more
// coordinator-context point. Each configuration runs in a fresh child process, so our peak RSS is
// that run's alone.
//
// The model latency is 2 s a request: a real model's turn takes seconds (a short tool call from a
// fast model one or two, a long answer ten or more), and at a quarter of a second what is measured
// is kilo serve's own CPU per step rather than how the work spreads over agents. Quick mode (a
// check that the group runs, inside the three minutes of the whole quick bench) runs 8 files with 1
// and 4 coders, once, at 1 s.
import { spawnSync } from 'node:child_process';
import { runKiloOrchestrator } from './kiloOrchestratorRun';
import { concurrency } from './fit';
import { runOursOnKilo } from './ourKiloRun';
import { ownPeakRssBytes } from './processMemory';
import { emit } from './stats';

const quick = process.argv.includes('--quick');
const FILES = quick ? 8 : 16;
const CODERS = quick ? [1, 4] : [1, 2, 4, 8];
const REPEATS = quick ? 1 : 3;
const LATENCY_MS = quick ? 1000 : 2000;
const RESULT_TOKENS = 400;

/** The full bench also runs a plan twice as long with 1 and 4 coders, once each (about 5 minutes). */
const LONGER_FILES = 2 * FILES;

type Job = { side: 'ours'; coders: number; repeat: number } | { side: 'longerPlan'; coders: number } | { side: 'kiloOrchestrator'; repeat: number };

async function runJob(job: Job): Promise<void> {
  if (job.side === 'longerPlan') {
    const result = await runOursOnKilo({ files: LONGER_FILES, coders: job.coders, latencyMs: LATENCY_MS });
    emit({ bench: 'speedupByPlanSize', side: 'ours', files: LONGER_FILES, latencyMs: LATENCY_MS, coders: job.coders, status: result.status, wallMs: result.wallMs, implementMs: result.implementMs });
    return;
  }
  if (job.side === 'ours') {
    const result = await runOursOnKilo({ files: FILES, coders: job.coders, latencyMs: LATENCY_MS });
    emit({ bench: 'parallelSpeedup', side: 'ours', files: FILES, latencyMs: LATENCY_MS, coders: job.coders, repeat: job.repeat, status: result.status, implementMs: result.implementMs, wallMs: result.wallMs, implementRequests: result.implementRequests, turns: result.implementTurns, startStaggerMs: result.startStaggerMs, overheadPerTurnMs: result.overheadPerTurnMs, achievedConcurrency: result.achievedConcurrency, modelRequests: result.modelRequests, kiloCpuMs: result.kiloCpuMs });
    emit({ bench: 'memory', side: 'ours', coders: job.coders, repeat: job.repeat, agents: result.agents, sessionsCreated: result.sessionsCreated, sessionsAliveAtEnd: result.sessionsAliveAtEnd, ownPeakRssBytes: result.ownPeakRssBytes, kiloPeakRssBytes: result.kiloPeakRssBytes, kiloServerPeakRssBytes: result.kiloServerPeakRssBytes });
    return;
  }
  const result = await runKiloOrchestrator({ files: FILES, latencyMs: LATENCY_MS, resultTokens: RESULT_TOKENS, writeFiles: true });
  const children = result.requests.filter((request) => request.side === 'child');
  const start = Math.min(...children.map((request) => request.at));
  const end = Math.max(...children.map((request) => request.endedAt));
  const firstByConversation = new Map<string, number>();
  for (const request of children) firstByConversation.set(request.conversation, Math.min(firstByConversation.get(request.conversation) ?? Infinity, request.at));
  const firsts = [...firstByConversation.values()].sort((a, b) => a - b);
  const implementMs = end - start;
  emit({
    bench: 'parallelSpeedup',
    side: 'kiloOrchestrator',
    files: FILES,
    latencyMs: LATENCY_MS,
    coders: result.childSessions,
    repeat: job.repeat,
    status: result.sessionsBusyAtEnd === 0 ? 'COMPLETED' : 'BUSY',
    implementMs,
    wallMs: result.wallMs,
    implementRequests: children.length,
    turns: firstByConversation.size,
    startStaggerMs: firsts.length > 1 ? firsts.at(-1)! - firsts[0]! : 0,
    overheadPerTurnMs: Math.round((implementMs * Math.max(1, firstByConversation.size) - children.length * LATENCY_MS) / Math.max(1, firstByConversation.size)),
    achievedConcurrency: concurrency(children.map((request) => ({ key: request.conversation, at: request.at, endedAt: request.endedAt }))),
    modelRequests: result.requests.length,
    kiloCpuMs: result.kiloCpuMs,
  });
  // The same run is a coordinator-context point: the parent reads the children's final answers only.
  emit({ bench: 'coordinatorContext', side: 'kiloOrchestrator', files: FILES, kiloVersion: result.kiloVersion, largestPromptTokens: result.largestPromptTokens, largestRequestTokens: result.largestRequestTokens, resultTokens: RESULT_TOKENS, childSessions: result.childSessions, wallMs: result.wallMs, from: 'parallelSpeedup' });
  emit({ bench: 'memory', side: 'kiloOrchestrator', coders: result.childSessions, repeat: job.repeat, agents: result.childSessions + 1, sessionsCreated: result.sessionsCreated, sessionsAliveAtEnd: result.sessionsAliveAtEnd, sessionsBusyAtEnd: result.sessionsBusyAtEnd, ownPeakRssBytes: ownPeakRssBytes(), kiloPeakRssBytes: result.kiloPeakRssBytes, kiloServerPeakRssBytes: result.kiloServerPeakRssBytes });
}

function main(): void {
  const jobs: Job[] = [];
  for (let repeat = 1; repeat <= REPEATS; repeat++) {
    for (const coders of CODERS) jobs.push({ side: 'ours', coders, repeat });
    jobs.push({ side: 'kiloOrchestrator', repeat });
  }
  if (!quick) for (const coders of [1, 4]) jobs.push({ side: 'longerPlan', coders });
  let failed = 0;
  for (const job of jobs) {
    process.stderr.write(`parallelSpeedup: ${describeJob(job)}\n`);
    // Lines go straight through to our stdout; a failed job is reported and the rest still run.
    const child = spawnSync(process.execPath, [__filename, ...(quick ? ['--quick'] : []), '--job', JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (child.status !== 0) {
      failed += 1;
      emit({ bench: 'parallelSpeedup', error: `${job.side} ${JSON.stringify(job)} exited with ${child.status ?? child.signal}` });
    }
  }
  process.exit(failed === 0 ? 0 : 1);
}

function describeJob(job: Job): string {
  if (job.side === 'longerPlan') return `ours on ${LONGER_FILES} files with ${job.coders} coder(s), once`;
  return `${job.side}${job.side === 'ours' ? ` with ${job.coders} coder(s)` : ''}, run ${job.repeat} of ${REPEATS}`;
}

const jobIndex = process.argv.indexOf('--job');
if (jobIndex === -1) main();
else
  runJob(JSON.parse(process.argv[jobIndex + 1]!) as Job).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`parallelSpeedup job failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
