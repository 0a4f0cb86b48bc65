import fs from 'node:fs/promises';
import path from 'node:path';
import { AgentRecordSchema, type AgentRecord } from '../engine/agents/agentSchema';
import { ArtifactStore } from '../engine/artifacts/artifactStore';
import { BUILTIN_ROLES } from '../engine/roles/builtinRoles';
import { EventLog, type EventLogEntry } from '../engine/run/eventLog';
import { RecordedFindingSchema } from '../engine/run/findings';
import { RunStateStore, type RunSnapshot } from '../engine/run/runStateStore';
import { OrchestraError, isOrchestraError } from '../engine/util/errors';
import { STORE_DIR_NAME } from '../engine/util/paths';
import { TERMINAL_PHASES } from '../engine/workflow/workflowTypes';
import { PHASE_NAMES } from '../protocol/viewModel';
import type { DashboardModel } from './dashboardModel';
import type { RoleDirectory } from './dashboardProjection';

/** Only what the dashboard reads of state.json; the rest is the engine's business. */
const INTERRUPTED = 'Interrupted: the run stopped before it finished (the window closed or the process ended).';

/**
 * Feeds a model the records a run left on disk, in the order they happened: identity and agents
 * from state.json, artifacts from the index, the timeline and transcripts from events.jsonl.
 * The roles configuration is not on disk: `roles` names roles and models (built-in names by default).
 */
export async function loadRunFolder(model: DashboardModel, runDir: string, roles: RoleDirectory = { roles: BUILTIN_ROLES, profiles: [] }): Promise<DashboardModel> {
  const snapshot = await readSnapshot(runDir);
  const startedAt = Date.parse(snapshot.startedAt);
  const at = (entry: EventLogEntry) => Math.max(0, Date.parse(entry.ts) - startedAt);
  model.applyRunStart(
    { runId: snapshot.runId, task: snapshot.task, phase: snapshot.workflow.phase, backend: snapshot.backend, startedAt, canRollBack: false, live: false },
    roles,
    runDir,
  );

  const agents = new Map<string, AgentRecord>(snapshot.agents.map((agent) => [agent.id, agent]));
  const entries = await readEvents(runDir);
  let finished: EventLogEntry | undefined;
  for (const entry of entries) {
    const data = (entry.data ?? {}) as Record<string, unknown>;
    switch (entry.kind) {
      case 'transition':
        if (isPhase(data.from) && isPhase(data.to)) model.applyTransition({ from: data.from, to: data.to, atMs: typeof data.atMs === 'number' ? data.atMs : at(entry) });
        break;
      case 'message':
        if (typeof data.from === 'string' && typeof data.to === 'string') {
          model.applyMessage({ from: data.from, to: data.to, messageType: String(data.messageType ?? ''), content: String(data.content ?? ''), atMs: at(entry) });
        }
        break;
      case 'decision': {
        const decided = data.data as Record<string, unknown> | undefined;
        if ((data.event === 'organiser:decided' || data.event === 'organiser:fallback') && decided) {
          model.applyDecision({
            point: String(decided.point ?? ''),
            action: String(decided.action ?? ''),
            reason: data.event === 'organiser:fallback' ? 'built-in rule' : String(decided.reason ?? ''),
            atMs: at(entry),
          });
        }
        break;
      }
      case 'error': {
        // Findings of every kind, as the run's own schema reads them; other error entries are not findings.
        const finding = RecordedFindingSchema.safeParse(data);
        if (finding.success) model.applyFinding(finding.data, at(entry));
        break;
      }
      case 'agent': {
        // Statuses after the last snapshot (done, terminated at the end) are only in the log.
        const agent = entry.agentId ? agents.get(entry.agentId) : undefined;
        const status = AgentRecordSchema.shape.status.safeParse(data.status);
        if (agent && status.success) agents.set(agent.id, { ...agent, status: status.data, currentStep: typeof data.step === 'string' ? data.step : undefined });
        break;
      }
      case 'run':
        if (data.event === 'attention' && typeof data.reason === 'string') model.applyAttention(data.reason, at(entry));
        if (data.event === 'finished') finished = entry;
        break;
      case 'artifact':
        break; // The index below holds every artifact with its current status.
    }
  }

  model.applyWorkflow(snapshot.workflow, snapshot.todo);
  for (const agent of agents.values()) model.applyAgent(withoutUndefined(agent));
  for (const record of await readArtifacts(runDir)) model.applyArtifact(record, false);
  const finishedData = (finished?.data ?? {}) as Record<string, unknown>;
  if (finished) {
    model.applyFinished({ backend: snapshot.backend, ...(typeof finishedData.reason === 'string' ? { reason: finishedData.reason } : {}) }, Date.parse(finished.ts));
  } else if (!TERMINAL_PHASES.includes(snapshot.workflow.phase)) {
    model.applyFinished({ backend: snapshot.backend, reason: INTERRUPTED }, Date.parse(snapshot.savedAt));
  }
  return model;
}

/** The newest run folder under `<workspace>/.kilo-orchestra/runs` (by its state.json), or undefined. */
export async function latestRunFolder(workspace: string): Promise<string | undefined> {
  const runsDir = path.join(workspace, STORE_DIR_NAME, 'runs');
  let names: string[];
  try {
    names = (await fs.readdir(runsDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return undefined;
  }
  let newest: { dir: string; mtimeMs: number } | undefined;
  for (const name of names) {
    const dir = path.join(runsDir, name);
    const stat = await fs.stat(path.join(dir, 'state.json')).catch(() => undefined);
    if (stat && (!newest || stat.mtimeMs > newest.mtimeMs || (stat.mtimeMs === newest.mtimeMs && dir > newest.dir))) newest = { dir, mtimeMs: stat.mtimeMs };
  }
  return newest?.dir;
}

/** The run's state.json through the run's own schema: the same contract resume reads. */
async function readSnapshot(runDir: string): Promise<RunSnapshot> {
  try {
    return await RunStateStore.load(runDir);
  } catch (error) {
    if (!isOrchestraError(error)) throw error;
    const hint = error.reason === 'not-found' ? 'The run folder is incomplete; start a new task.' : 'The run folder is damaged or from another version; start a new task.';
    throw new OrchestraError(error.reason, error.message, { cause: error, hint });
  }
}

/** The log's entries; a missing or damaged log leaves the timeline empty rather than losing the rest. */
async function readEvents(runDir: string): Promise<EventLogEntry[]> {
  try {
    return (await EventLog.read(path.join(runDir, 'events.jsonl'))).entries;
  } catch {
    return [];
  }
}

async function readArtifacts(runDir: string) {
  const dir = path.join(runDir, 'artifacts');
  const exists = await fs.stat(dir).then(
    () => true,
    () => false,
  );
  return exists ? (await ArtifactStore.open(dir)).list() : [];
}

function isPhase(value: unknown): value is (typeof PHASE_NAMES)[number] {
  return typeof value === 'string' && (PHASE_NAMES as readonly string[]).includes(value);
}

function withoutUndefined(agent: AgentRecord): AgentRecord {
  return Object.fromEntries(Object.entries(agent).filter(([, value]) => value !== undefined)) as AgentRecord;
}
