import fs from 'node:fs/promises';
import path from 'node:path';
import type { AgentRecord } from '../engine/agents/agentSchema';
import { ArtifactStore } from '../engine/artifacts/artifactStore';
import { BUILTIN_ROLES } from '../engine/roles/builtinRoles';
import { EventLog } from '../engine/run/eventLog';
import { OrganiserVerdictSchema, type EventLogEntry, type EventLogEntryOf } from '../engine/run/eventLogSchema';
import { RecordedFindingSchema } from '../engine/run/findings';
import { RunStateStore, type RunSnapshot } from '../engine/run/runStateStore';
import { readRollBackRecord } from '../engine/run/rollBackRecord';
import { readRunSummary } from '../engine/run/runSummary';
import { readTranscript, transcriptAgents } from '../engine/run/transcriptLog';
import { unfinishedState } from '../engine/run/unfinishedRuns';
import { OrchestraError, isOrchestraError } from '../engine/util/errors';
import { STORE_DIR_NAME } from '../engine/util/paths';
import { TERMINAL_PHASES } from '../engine/workflow/workflowTypes';
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
  // Offered for Resume and Discard only when no live process (another window, the CLI) runs it.
  const open = await unfinishedState(runDir, snapshot);
  model.applyRunStart(
    { runId: snapshot.runId, task: snapshot.task, phase: snapshot.workflow.phase, backend: snapshot.backend, startedAt, canRollBack: false, live: false, ...(open && !open.live ? { unfinished: { kind: open.kind } } : {}) },
    roles,
    runDir,
  );

  const agents = new Map<string, AgentRecord>(snapshot.agents.map((agent) => [agent.id, agent]));
  const { entries, problems } = await readEvents(runDir);
  let finished: EventLogEntryOf<'run'> | undefined;
  for (const entry of entries) {
    // Every entry was read through the log's schema: each kind's data is typed.
    switch (entry.kind) {
      case 'transition':
        model.applyTransition({ from: entry.data.from, to: entry.data.to, atMs: entry.data.atMs });
        break;
      case 'message': {
        const { from, to, messageType, content } = entry.data;
        model.applyMessage({ from, to, messageType, content, atMs: at(entry), ...(entry.correlationId !== undefined ? { correlationId: entry.correlationId } : {}) });
        break;
      }
      case 'decision': {
        const { event } = entry.data;
        const verdict = OrganiserVerdictSchema.safeParse(entry.data.data);
        if ((event === 'organiser:decided' || event === 'organiser:fallback') && verdict.success) {
          const { point, action, reason } = verdict.data;
          model.applyDecision({ point, action, reason: event === 'organiser:fallback' ? 'built-in rule' : (reason ?? ''), atMs: at(entry) });
        }
        break;
      }
      case 'error': {
        // Findings of every kind, as the run's own schema reads them; other error entries are not findings.
        const finding = RecordedFindingSchema.safeParse(entry.data);
        if (finding.success) model.applyFinding(finding.data, at(entry));
        break;
      }
      case 'agent': {
        // Statuses after the last snapshot (done, terminated at the end) are only in the log.
        const agent = entry.agentId ? agents.get(entry.agentId) : undefined;
        if (agent) agents.set(agent.id, { ...agent, status: entry.data.status, currentStep: entry.data.step });
        break;
      }
      case 'run':
        if (entry.data.event === 'attention') model.applyAttention(entry.data.reason, at(entry));
        if (entry.data.event === 'finished') finished = entry;
        if (entry.data.event === 'checked') model.applyChecked(entry.data, at(entry));
        break;
      case 'artifact':
        break; // The index below holds every artifact with its current status.
    }
  }

  // Lines the log could not read are said, not silently dropped.
  const last = entries.at(-1);
  for (const problem of problems) model.applyFinding({ kind: 'event-log', message: `Skipped: ${problem}` }, last ? at(last) : 0);
  model.applyWorkflow(snapshot.workflow, snapshot.todo);
  for (const agent of agents.values()) model.applyAgent(withoutUndefined(agent));
  for (const record of await readArtifacts(runDir)) model.applyArtifact(record, false);
  for (const agentId of await transcriptAgents(runDir)) {
    const { lines, skipped } = await readTranscript(runDir, agentId);
    for (const line of lines) model.applyPart(agentId, line);
    // A torn last line (a crash mid-write) is expected; more than that is said.
    if (skipped > 1) model.applyFinding({ kind: 'event-log', message: `Skipped ${skipped} unreadable lines of ${agentId}'s transcript.` }, last ? at(last) : 0);
  }
  if (finished) {
    const reason = finished.data.event === 'finished' ? finished.data.reason : undefined;
    model.applyFinished({ backend: snapshot.backend, ...(reason !== undefined ? { reason } : {}) }, Date.parse(finished.ts));
  } else if (!TERMINAL_PHASES.includes(snapshot.workflow.phase)) {
    model.applyFinished({ backend: snapshot.backend, reason: INTERRUPTED }, Date.parse(snapshot.savedAt));
  }
  // A damaged summary costs only the card, and is said like a damaged log line.
  const summary = await readRunSummary(runDir).catch((error: unknown) => void model.applyFinding({ kind: 'event-log', message: `Skipped the run's summary: ${(error as Error).message}` }, 0));
  if (summary) model.setSummary(summary);
  const rolledBack = await readRollBackRecord(runDir).catch((error: unknown) => void model.applyFinding({ kind: 'event-log', message: `Skipped the run's roll back note: ${(error as Error).message}` }, 0));
  if (rolledBack) model.setRolledBack({ checkpointIndex: rolledBack.checkpointIndex, label: rolledBack.label, restored: rolledBack.restored, removed: rolledBack.removed });
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

/** The log's readable entries (a damaged line is skipped by the log); a missing or unreadable log leaves the timeline empty rather than losing the rest. */
async function readEvents(runDir: string): Promise<{ entries: EventLogEntry[]; problems: string[] }> {
  try {
    return await EventLog.read(path.join(runDir, 'events.jsonl'));
  } catch {
    return { entries: [], problems: [] };
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

function withoutUndefined(agent: AgentRecord): AgentRecord {
  return Object.fromEntries(Object.entries(agent).filter(([, value]) => value !== undefined)) as AgentRecord;
}
