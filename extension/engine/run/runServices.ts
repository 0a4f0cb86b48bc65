import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AgentPool } from '../agents/agentPool';
import { ProviderScheduler } from '../agents/providerScheduler';
import { ArtifactStore } from '../artifacts/artifactStore';
import type { AgentReply, WorkRequest } from '../backends/agentBackend';
import { Organiser } from '../organiser/organiser';
import type { OrganiserSnapshot } from '../organiser/organiserContext';
import { MessageRouter } from '../routing/messageRouter';
import type { RouterMessage } from '../routing/messageSchema';
import { STORE_DIR_NAME } from '../util/paths';
import { sweepTempFiles } from '../util/atomicWrite';
import { ensureStoreFolder } from '../util/storeFolder';
import { DEFAULT_WORKFLOW_CONFIG } from '../workflow/workflowTypes';
import type { TranscriptLine } from '../../protocol/transcriptPart';
import { EventLog } from './eventLog';
import { ORGANISER_ROLE, OrganiserInbox } from './organiserInbox';
import { REPLIES_FILE, recordingBackend } from './replayRecorder';
import { RunJournal } from './runJournal';
import { RunStateStore, unfinishedWorkIds } from './runStateStore';
import { TranscriptLog } from './transcriptLog';
import { transcribingBackend } from './transcriptRecorder';
import type { ResolvedRunOptions } from './runTypes';
import { WorkRecorder, type RecordedFinding } from './workRecorder';

/** The services one run is built from, each given its collaborators by `openRunServices`. */
export interface RunServices {
  runId: string;
  runDir: string;
  store: ArtifactStore;
  journal: RunJournal;
  router: MessageRouter;
  pool: AgentPool;
  inbox: OrganiserInbox;
  organiser: Organiser;
  recorder: WorkRecorder;
  stateStore: RunStateStore;
}

/** What the services call back into the run, which is built after them. */
export interface RunHooks {
  onWorkMessage: (message: RouterMessage) => Promise<void>;
  onFailure: (error: unknown) => Promise<void>;
  askOrganiser: (request: WorkRequest) => Promise<AgentReply>;
  organiserSnapshot: () => OrganiserSnapshot;
  reportFinding: (finding: RecordedFinding) => void;
}

/**
 * Opens the run's folder (a fresh one, or the saved run's) and builds its services in order: the
 * artifact store and event log on disk, the router, the agent pool, the Organiser's inbox, the
 * Organiser and the recorder of results.
 */
export async function openRunServices(options: ResolvedRunOptions, hooks: RunHooks): Promise<RunServices> {
  const runId = options.restoreFrom?.runId ?? options.runId ?? newRunId(options.clock());
  const runDir = path.join(options.workspace, STORE_DIR_NAME, 'runs', runId);
  // A resumed run's folder may hold what its killed process was writing; no one else writes it now.
  if (options.restoreFrom) await sweepTempFiles(runDir);
  await ensureStoreFolder(options.workspace);
  const saved = options.restoreFrom;
  const store = await ArtifactStore.open(path.join(runDir, 'artifacts'), saved ? { sweepLeftovers: true, unfinishedWork: unfinishedWorkIds(saved.workflow) } : {});
  const journal = new RunJournal(await EventLog.open(path.join(runDir, 'events.jsonl')), runId);
  // A half-written last line of the artifact journal (a crash mid-write) was dropped on open: say so.
  for (const problem of store.problems) journal.note({ kind: 'error', data: { error: problem } });
  const router = new MessageRouter();
  // A resumed run's parts go on from its first start, so its turns keep their place in time.
  const startedAt = saved ? Date.parse(saved.startedAt) : Number.NaN;
  const openedAt = Number.isFinite(startedAt) ? startedAt : options.clock();
  // What each agent did, part by part, in transcripts/<agentId>.jsonl; the pool tells the run of each.
  const transcripts = { log: new TranscriptLog(runDir), sinceStart: () => options.clock() - openedAt, onPart: (agentId: string, line: TranscriptLine) => pool.events.emit('agent:part', agentId, line) };
  const pool = new AgentPool({
    // Every reply is recorded beside the event log, so the run can be replayed with no model call.
    backend: transcribingBackend(recordingBackend(options.backend, path.join(runDir, REPLIES_FILE)), transcripts),
    router,
    workspace: options.workspace,
    runId,
    maxActive: options.maxActive,
    resolveRole: (roleId) => options.roles.resolve(roleId),
    resolveProfile: (profileId) => options.roles.profiles.find((profile) => profile.id === profileId),
    // Simulated traffic reaches no provider: only limits the caller set apply to it.
    scheduler: new ProviderScheduler({
      limits: options.providerLimits ?? {},
      useDefaults: options.backend.kind === 'kilo',
      backoff: { baseMs: options.workflow?.retryBaseMs ?? DEFAULT_WORKFLOW_CONFIG.retryBaseMs, maxMs: 60_000 },
    }),
    now: options.clock,
  });
  const inbox = new OrganiserInbox({ router, pool, onWorkMessage: hooks.onWorkMessage, onFailure: hooks.onFailure });
  const organiser = new Organiser({
    ask: hooks.askOrganiser,
    snapshot: hooks.organiserSnapshot,
    budgetTokens: options.organiserBudgetTokens ?? 2000,
    log: (entry) => journal.note({ kind: 'decision', agentId: `${ORGANISER_ROLE}-1`, role: ORGANISER_ROLE, data: entry }),
  });
  const stepOutputType = (roleId: string) => options.roles.roles.find((role) => role.id === roleId)?.outputArtifacts[0];
  const recorder = new WorkRecorder({ store, workspace: options.workspace, onFinding: hooks.reportFinding, allowControlFiles: options.allowControlFiles, maxPlannedFiles: options.maxPlannedFiles, stepOutputType });
  return { runId, runDir, store, journal, router, pool, inbox, organiser, recorder, stateStore: new RunStateStore(runDir) };
}

/** A new run's id: its start time, readable, and a random tail. */
export function newRunId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\..+$/, '').replace('T', '-');
  return `run-${stamp}-${randomBytes(3).toString('hex')}`;
}
