import { rulesOf } from '../engine/workflow/workflowRules';
import path from 'node:path';
import type { AgentRecord } from '../engine/agents/agentSchema';
import type { ArtifactRecord } from '../engine/artifacts/artifactSchema';
import { ArtifactStore } from '../engine/artifacts/artifactStore';
import type { RoleResolution } from '../engine/roles/roleValidation';
import { unpricedModels } from '../engine/run/unpricedModels';
import type { AgentMessageEvent, OrchestrationRun } from '../engine/run/orchestrationRun';
import type { RunReport } from '../engine/run/runReport';
import type { RunSummary } from '../engine/run/runSummary';
import type { PhaseTransition } from '../engine/run/runStateStore';
import type { RecordedFinding } from '../engine/run/workRecorder';
import type { FileChecked } from '../engine/run/runTypes';
import { toDisposable, type Disposable } from '../engine/util/disposable';
import { OrchestraError } from '../engine/util/errors';
import { TypedEmitter } from '../engine/util/typedEvents';
import { deriveTodoList } from '../engine/workflow/todoList';
import type { TodoItem } from '../engine/workflow/todoTypes';
import type { WorkflowState } from '../engine/workflow/workflowTypes';
import type { HostSingleMessage } from '../protocol/dashboardProtocol';
import { RunSummaryViewSchema, type RolledBackView } from '../protocol/runSummaryView';
import type { AgentView, ArtifactView, ChatMessage, DashboardState, FileView, RunView, TodoView, TranscriptEntry } from '../protocol/viewModel';
import { rollupCost } from './costRollup';
import type { ArtifactContent, DashboardSource } from './dashboardDeps';
import { agentView, artifactLanguage, artifactView, fileView, runPhaseFields, todoView, type RoleDirectory } from './dashboardProjection';
import { loadRunFolder } from './runFolder';
import { TimelineBuilder } from './timelineBuilder';
import { TranscriptBook } from './transcriptBook';
import { PartBook } from './partBook';
import { partKey, readTranscript } from '../engine/run/transcriptLog';
import type { TranscriptLine, TranscriptPartBody } from '../protocol/transcriptPart';
import { decisionInWords } from '../protocol/vocabulary';

export interface DashboardModelOptions {
  /** The user's budget per run in USD (setting `kiloOrchestra.budgetUsd`). */
  budgetUsd?: number;
  /** The user's budgets per role id in USD (setting `kiloOrchestra.roleBudgetsUsd`). */
  roleBudgetsUsd?: Record<string, number>;
  /** Epoch ms; tests pass a fixed clock. */
  now?: () => number;
}

/** What `attach` needs besides the run. */
export interface AttachInfo {
  roles: RoleResolution;
  /** Asked after every phase change: a checkpoint exists to roll back to. */
  canRollBack: () => boolean;
  /** The backend's kind ("kilo", "simulated"); until the run finishes the run does not say. */
  backend?: string;
}

/** Router traffic as the run reports it (`'agent:message'`): work requests to agents and their replies. */
export type AgentMessage = AgentMessageEvent;

const ORGANISER = 'organiser';
/** Longest transcript line and timeline title kept; Organiser questions carry whole contexts. */
const MAX_TEXT = 4000;
const MAX_TITLE = 200;

type ModelEvents = { message: (message: HostSingleMessage) => void };

/**
 * The dashboard's view of one run: follows the run's typed events (or is fed the records of a run
 * folder, see `runFolder.ts`), keeps a bounded `DashboardState` and tells listeners each change as a
 * protocol delta. Knows nothing of VS Code; the panel batches the deltas and posts them.
 */
export class DashboardModel implements DashboardSource {
  private readonly emitter = new TypedEmitter<ModelEvents>();
  private readonly now: () => number;
  private run: RunView | undefined;
  private readonly agents = new Map<string, AgentView>();
  private readonly timeline = new TimelineBuilder();
  private files: FileView[] = [];
  private filesKey = '[]';
  private readonly artifacts = new Map<string, ArtifactView>();
  private artifactKeys = new Map<string, string>();
  private todo: TodoView[] = [];
  private todoKey = '[]';
  private readonly chat = new Map<string, ChatMessage>();
  private readonly transcripts = new TranscriptBook();
  private readonly parts = new PartBook();
  private directory: RoleDirectory = { roles: [], profiles: [] };
  /** Model names of the live run's unpriced roles; empty for a run rebuilt from its folder (prices unknown there). */
  private unpriced: ReadonlySet<string> = new Set();
  private startedAtMs: number;
  private runDir: string | undefined;

  constructor(private readonly options: DashboardModelOptions = {}) {
    this.now = options.now ?? Date.now;
    this.startedAtMs = this.now();
  }

  /**
   * Rebuilds the state of a finished or interrupted run from its folder (state.json, the artifact
   * index, events.jsonl), with `run.live = false`: this is how the dashboard survives a reload.
   * The folder does not keep the roles configuration: pass `roles` (e.g. the current resolution)
   * to show models as "provider/model"; without it built-in role names are used and profile ids shown.
   */
  static async fromRunFolder(runDir: string, options: Omit<DashboardModelOptions, 'now'> & { roles?: RoleDirectory } = {}): Promise<DashboardModel> {
    const { roles, ...modelOptions } = options;
    return loadRunFolder(new DashboardModel(modelOptions), runDir, roles);
  }

  /** Follows a live run until the returned disposable is disposed. */
  attach(run: OrchestrationRun, info: AttachInfo): Disposable {
    this.directory = info.roles;
    this.unpriced = new Set(unpricedModels(info.roles));
    this.runDir = run.runDir;
    this.startedAtMs = this.now();
    this.setRun({
      runId: run.runId,
      task: run.workflow.task,
      phase: run.workflow.phase,
      backend: info.backend ?? 'unknown',
      startedAt: this.startedAtMs,
      canRollBack: info.canRollBack(),
      live: true,
    });
    this.applyWorkflow(run.workflow);
    for (const agent of run.agents()) this.applyAgent(agent);
    this.syncArtifacts(run.artifacts());
    const events = run.events;
    const subscriptions = [
      events.on('workflow:transitioned', (change) => {
        this.applyTransition(change);
        this.setRun({ canRollBack: info.canRollBack() });
      }),
      events.on('workflow:changed', (state) => this.applyWorkflow(state)),
      events.on('artifact:statusChanged', (record) => this.applyArtifact(record, false)),
      events.on('agent:statusChanged', (agent) => this.applyAgent(agent)),
      events.on('artifact:recorded', (record) => this.applyArtifact(record, true)),
      events.on('decision:made', (request, decision) =>
        this.applyDecision({
          point: request.point,
          file: request.file,
          action: decision.action.action,
          reason: decision.source === 'rule' ? `built-in rule: ${decision.action.reason}` : decision.action.reason,
          atMs: this.sinceStart(this.now()),
        }),
      ),
      events.on('run:attention', (attention) => this.applyAttention(attention.reason, this.sinceStart(this.now()))),
      events.on('run:finding', (finding) => this.applyFinding(finding, this.sinceStart(this.now()))),
      events.on('file:checked', (checked) => this.applyChecked(checked, this.sinceStart(this.now()))),
      events.on('run:finished', (report) => {
        for (const agent of run.agents()) this.applyAgent(agent);
        this.syncArtifacts(run.artifacts());
        this.applyFinished(report, this.now());
      }),
      events.on('agent:message', (message) => this.applyMessage(message)),
      events.on('agent:part', (agentId, line) => this.applyPart(agentId, line)),
    ];
    return toDisposable(() => subscriptions.forEach((subscription) => subscription.dispose()));
  }

  state(): DashboardState {
    return {
      ...(this.run ? { run: { ...this.run } } : {}),
      agents: [...this.agents.values()].map((agent) => ({ ...agent })),
      timeline: this.timeline.list(),
      files: this.files.map((file) => ({ ...file })),
      artifacts: [...this.artifacts.values()].map((artifact) => ({ ...artifact, files: [...artifact.files] })),
      todo: this.todo.map((item) => ({ ...item })),
      cost: rollupCost([...this.agents.values()], this.options.budgetUsd, this.options.roleBudgetsUsd, this.unpriced),
      chat: [...this.chat.values()].map((message) => ({ ...message })),
      transcripts: this.transcripts.record(),
      parts: this.parts.record(),
    };
  }

  onMessage(listener: (message: HostSingleMessage) => void): Disposable {
    return this.emitter.on('message', listener);
  }

  /** Full content of an artifact's current version; for code also the previous version, to show a diff. */
  async loadArtifact(artifactId: string): Promise<ArtifactContent> {
    if (!this.runDir) throw new OrchestraError('not-found', 'No run is shown, so there is no artifact to load.');
    // A fresh store each time: the run's own instance is private, and the index on disk is current.
    const store = await ArtifactStore.open(path.join(this.runDir, 'artifacts'));
    const record = store.get(artifactId);
    if (!record) throw new OrchestraError('not-found', `Artifact ${artifactId} is not in this run.`, { hint: 'It may belong to another run; open that run\'s dashboard.' });
    const version = record.metadata.version;
    const content = await store.loadContent(artifactId, version);
    const previous = record.type === 'code' && version > 1 ? await store.loadContent(artifactId, version - 1) : undefined;
    const language = artifactLanguage(record);
    return { version, content, ...(previous !== undefined ? { previous } : {}), ...(language !== undefined ? { language } : {}) };
  }

  /** The bodies of one transcript part (its last version), read from the run folder's transcripts. */
  async loadTranscriptPart(agentId: string, turn: string, partId: string): Promise<TranscriptPartBody> {
    if (!this.runDir) throw new OrchestraError('not-found', 'No run is shown, so there is no transcript to load.');
    const { lines } = await readTranscript(this.runDir, agentId);
    const key = partKey({ turn, part: { id: partId } });
    const line = lines.find((candidate) => partKey(candidate) === key);
    if (!line) throw new OrchestraError('not-found', `That part of ${agentId}'s transcript is not in this run's folder.`, { hint: 'It may have passed the transcript\'s limit.' });
    const { text, input, output, diff } = line.part;
    return { ...(text ? { text } : {}), ...(input ? { input } : {}), ...(output ? { output } : {}), ...(diff ? { diff } : {}) };
  }

  /** @internal One version of one part of an agent's turn: its summary replaces the earlier version's. */
  applyPart(agentId: string, line: TranscriptLine): void {
    const part = this.parts.apply(agentId, line);
    this.emit({ type: 'transcript/partsDidChange', agentId, parts: [{ ...part, sizes: { ...part.sizes } }] });
  }

  /** Adds or replaces (by id) a message of the user's conversation with the Organiser. */
  recordChat(message: ChatMessage): void {
    this.chat.set(message.id, { ...message });
    this.emit({ type: 'chat/didChange', messages: [{ ...message }] });
  }

  appendTranscript(agentId: string, entry: TranscriptEntry): void {
    this.transcripts.append(agentId, { ...entry });
    this.emit({ type: 'transcript/didAppend', agentId, entries: [{ ...entry }] });
  }

  setCanRollBack(canRollBack: boolean): void {
    this.setRun({ canRollBack });
  }

  /** The run's ending, checked against the protocol's schema before the webview sees it. */
  setSummary(summary: RunSummary): void {
    this.setRun({ summary: RunSummaryViewSchema.parse(summary) });
  }

  /** The workspace went back to a checkpoint: the dashboard shows "Rolled back", not the phase the run ended in. */
  setRolledBack(rolledBack: RolledBackView): void {
    this.setRun({ rolledBack: { ...rolledBack } });
  }

  // ---- Feeding: live events call these, and so does the run-folder loader. ----

  /** @internal Identity of the run and its clock origin. */
  applyRunStart(run: RunView, directory: RoleDirectory, runDir: string): void {
    this.directory = directory;
    this.unpriced = new Set();
    this.runDir = runDir;
    this.startedAtMs = run.startedAt;
    this.setRun(run);
  }

  /** @internal */
  applyTransition(change: PhaseTransition): void {
    // The run counts from its own start; align our origin with it on the first transition.
    if (change.from === 'IDLE' && this.run?.live) this.startedAtMs = this.now() - change.atMs;
    this.emit({ type: 'timeline/didChange', entries: this.timeline.phase(change.to, change.atMs, `from ${change.from}`) });
  }

  /** @internal */
  applyWorkflow(state: WorkflowState, todo: TodoItem[] = deriveTodoList(state)): void {
    if (this.run) this.setRun({ ...(state.task ? { task: state.task } : {}), ...runPhaseFields(state, this.directory, (agentId) => this.agents.get(agentId)?.model) }, ['pausedFrom', 'attention', 'outcome']);
    const reviewers = rulesOf(state).reviewers;
    const files = state.files.map((file) => fileView(file, reviewers[file.reviewStep ?? 0]?.role));
    const filesKey = JSON.stringify(files);
    if (filesKey !== this.filesKey) {
      this.files = files;
      this.filesKey = filesKey;
      this.emit({ type: 'files/didChange', files: files.map((file) => ({ ...file })) });
    }
    const items = todo.map(todoView);
    const todoKey = JSON.stringify(items);
    if (todoKey !== this.todoKey) {
      this.todo = items;
      this.todoKey = todoKey;
      this.emit({ type: 'todo/didChange', todo: items.map((item) => ({ ...item })) });
    }
  }

  /** @internal */
  applyAgent(record: AgentRecord): void {
    const view = agentView(record, this.directory);
    this.agents.set(view.id, view);
    this.emit({ type: 'agents/didChange', agents: [{ ...view }] });
    this.emit({ type: 'cost/didChange', cost: rollupCost([...this.agents.values()], this.options.budgetUsd, this.options.roleBudgetsUsd, this.unpriced) });
  }

  /** @internal A new artifact or version; `announce` adds a timeline entry. */
  applyArtifact(record: ArtifactRecord, announce: boolean, atMs = this.sinceStart(this.now())): void {
    const view = artifactView(record);
    const key = JSON.stringify(view);
    if (this.artifactKeys.get(view.id) !== key) {
      this.artifacts.set(view.id, view);
      this.artifactKeys.set(view.id, key);
      this.emit({ type: 'artifacts/didChange', artifacts: [{ ...view, files: [...view.files] }] });
    }
    if (announce) this.addEntry({ kind: 'artifact', atMs, title: `${record.type} ${record.id} v${record.metadata.version}`, detail: record.summary, agentId: record.producer });
  }

  /** @internal */
  applyDecision(decision: { point: string; file?: string | undefined; action: string; reason: string; atMs: number }): void {
    this.addEntry({ kind: 'decision', atMs: decision.atMs, title: decisionInWords(decision.point, decision.action, decision.file), ...(decision.reason ? { detail: decision.reason } : {}), agentId: `${ORGANISER}-1` });
  }

  /** @internal */
  applyAttention(reason: string, atMs: number): void {
    this.addEntry({ kind: 'attention', atMs, title: 'The run needs you', detail: reason });
  }

  /** @internal */
  /** @internal The diagnostics gate's verdict on a file, on the timeline (errors go back to the coder). */
  applyChecked(checked: FileChecked, atMs: number): void {
    const title = checked.errors === 0 ? `Checked ${checked.file}: clean` : `Checked ${checked.file}: ${checked.errors} error${checked.errors === 1 ? '' : 's'}`;
    this.addEntry({ kind: 'work', atMs, title: clip(title, MAX_TITLE), ...(checked.first.length > 0 ? { detail: clip(checked.first.join('\n'), MAX_TEXT) } : {}) });
  }

  applyFinding(finding: RecordedFinding, atMs: number): void {
    this.addEntry({ kind: 'finding', atMs, title: finding.kind, detail: finding.message, ...(finding.agentId ? { agentId: finding.agentId } : {}) });
  }

  /**
   * @internal Router traffic: a work request becomes a timeline entry and a transcript line, a reply
   * a transcript line. Questions to the Organiser agent are left off the timeline: their decisions
   * have entries of their own.
   */
  applyMessage(message: AgentMessage): void {
    const text = clip(this.transcripts.textOf(message, this.directory.roles), MAX_TEXT);
    if (message.from === ORGANISER) {
      if (message.messageType === 'request' && !message.to.startsWith(`${ORGANISER}-`)) {
        this.addEntry({ kind: 'work', atMs: message.atMs, title: clip(message.content.split('\n')[0] ?? '', MAX_TITLE), agentId: message.to });
      }
      this.appendTranscript(message.to, { atMs: message.atMs, direction: 'to-agent', counterpart: ORGANISER, text });
    } else {
      this.appendTranscript(message.from, { atMs: message.atMs, direction: 'from-agent', counterpart: message.to, text });
    }
  }

  /** @internal */
  applyFinished(report: Pick<RunReport, 'backend' | 'reason'>, finishedAt: number): void {
    this.setRun({ backend: report.backend, finishedAt, ...(report.reason ? { outcome: report.reason } : {}) });
  }

  private syncArtifacts(records: readonly ArtifactRecord[]): void {
    for (const record of records) this.applyArtifact(record, false);
  }

  private addEntry(entry: Parameters<TimelineBuilder['add']>[0]): void {
    this.emit({ type: 'timeline/didChange', entries: [this.timeline.add(entry)] });
  }

  /** Merges `change` into the run view and announces it when anything differs; `clear` names fields absent from `change` that must go. */
  private setRun(change: Partial<RunView>, clear: Array<'pausedFrom' | 'attention' | 'outcome'> = []): void {
    const base = this.run ?? ({ runId: '', task: '', phase: 'IDLE', backend: 'unknown', startedAt: this.startedAtMs, canRollBack: false, live: false } satisfies RunView);
    const next: RunView = { ...base, ...change };
    for (const field of clear) if (!(field in change)) delete next[field];
    if (this.run && JSON.stringify(next) === JSON.stringify(this.run)) return;
    this.run = next;
    this.emit({ type: 'run/didChange', run: { ...next } });
  }

  private sinceStart(epochMs: number): number {
    return Math.max(0, epochMs - this.startedAtMs);
  }

  private emit(message: HostSingleMessage): void {
    this.emitter.emit('message', message);
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
export { latestRunFolder } from './runFolder';
