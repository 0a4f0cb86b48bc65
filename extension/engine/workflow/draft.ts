import { OrchestraError } from '../util/errors';
import { instancesOf } from './workflowRoles';
import {
  TERMINAL_PHASES,
  type Attention,
  type DecisionRequest,
  type Effect,
  type FileEntry,
  type Phase,
  type TransitionResult,
  type WorkItem,
  type WorkflowState,
  type WorkflowStateView,
} from './workflowTypes';

/** What a handler says about a new piece of work; the draft adds id and attempt. */
export type WorkSpec = Pick<WorkItem, 'kind' | 'role' | 'instance' | 'grants'> &
  Partial<Pick<WorkItem, 'file' | 'files' | 'note'>> & {
    /** Artifact ids; missing ones (a file without pseudocode yet) are left out. */
    inputs: Array<string | undefined>;
  };

/** A decision before the draft gives it an id. */
export type DecisionDraft = Omit<DecisionRequest, 'id'>;

/** Effects that would start something; while paused they wait in `deferred` until RESUME. */
const HELD_WHILE_PAUSED: ReadonlySet<Effect['type']> = new Set(['dispatch', 'decide', 'spawn']);

/** Each files array's positions by path, shared by the states that keep the same order (see Draft.indexOf). */
const filePositions = new WeakMap<readonly FileEntry[], Map<string, number>>();

/**
 * A private working copy of the workflow state for one transition, plus the effects it produces.
 * The small containers a handler may change (queues, config, plan) are copied up front, so handlers
 * assign freely and the caller's state is never touched.
 *
 * The two that grow with the plan, the file list and the work in flight, are shared with the
 * caller's state until written, and so are the file records: `file(path)` and `writableFiles()` hand
 * out the draft's own copies, `addFile`, `putInFlight` and `dropInFlight` copy the container on their
 * first write. A transition then copies only what it changes; copying both on every event made each
 * event cost as much as the plan is long, and their garbage set the engine's peak memory. Their
 * types are read-only here, so a write that skips these methods does not compile.
 *
 * While the run is paused, `state.phase` holds the phase the run will return to and `paused` is set;
 * `result()` folds that back into `phase: 'PAUSED'` + `pausedFrom` and holds back new work.
 */
export class Draft {
  readonly state: WorkflowStateView;
  readonly effects: Effect[] = [];
  paused: boolean;
  /**
   * This transition approved a file (fileBoard.ts's approve), so a documentation batch may be due.
   * Looking for one after every event instead cost a scan of the work in flight each time, which
   * grows with the plan: quadratic over a run.
   */
  approvedFiles = false;
  /** File records this draft copied, so they may be written. */
  private readonly ownFiles = new Set<FileEntry>();
  private readonly sourceFiles: readonly FileEntry[];
  private readonly sourceInFlight: Readonly<Record<string, WorkItem>>;

  constructor(source: WorkflowState) {
    this.paused = source.phase === 'PAUSED';
    const state: WorkflowStateView = {
      ...source,
      phase: source.phase === 'PAUSED' ? (source.pausedFrom ?? 'IDLE') : source.phase,
      config: { ...source.config, instances: { ...source.config.instances } },
      deferred: [...source.deferred],
      spawnQueue: [...source.spawnQueue],
    };
    if (source.plan) state.plan = { ...source.plan };
    delete state.pausedFrom;
    this.state = state;
    this.sourceFiles = source.files;
    this.sourceInFlight = source.inFlight;
  }

  get phase(): Phase {
    return this.state.phase;
  }

  get terminal(): boolean {
    return TERMINAL_PHASES.includes(this.state.phase);
  }

  /** Deterministic ids: `w7` for work, `d8` for decisions, from one counter. */
  nextId(prefix: 'w' | 'd'): string {
    this.state.seq += 1;
    return `${prefix}${this.state.seq}`;
  }

  emit(effect: Effect): void {
    this.effects.push(effect);
  }

  /** Creates a work item, marks it in flight and emits its dispatch. */
  dispatch(spec: WorkSpec): WorkItem {
    const work: WorkItem = {
      id: this.nextId('w'),
      kind: spec.kind,
      role: spec.role,
      instance: spec.instance,
      grants: [...spec.grants],
      inputs: spec.inputs.filter((id): id is string => id !== undefined && id !== ''),
      attempt: 1,
    };
    if (spec.file !== undefined) work.file = spec.file;
    if (spec.files !== undefined) work.files = [...spec.files];
    if (spec.note !== undefined && spec.note !== '') work.note = spec.note;
    this.redispatch(work);
    return work;
  }

  /** Sends an existing work item (again): after a retry, an abort or a resume. */
  redispatch(work: WorkItem, delayMs?: number): void {
    this.putInFlight(work);
    this.emit(delayMs === undefined ? { type: 'dispatch', work } : { type: 'dispatch', work, delayMs });
  }

  /** Marks work as in flight (or replaces its record) without dispatching it. */
  putInFlight(work: WorkItem): void {
    this.ownInFlight()[work.id] = work;
  }

  /** Takes work out of flight; the work's record itself is not changed. */
  dropInFlight(workId: string): void {
    if (Object.hasOwn(this.state.inFlight, workId)) delete this.ownInFlight()[workId];
  }

  /** Stops the pending work that matches: out of flight and out of `deferred`, its agents told to abort it. */
  stopWork(matches: (work: WorkItem) => boolean): void {
    const stopped = Object.values(this.state.inFlight).filter(matches);
    for (const work of stopped) this.dropInFlight(work.id);
    this.state.deferred = this.state.deferred.filter((effect) => !(effect.type === 'dispatch' && matches(effect.work)));
    if (stopped.length > 0) this.emit({ type: 'abort', workIds: stopped.map((work) => work.id) });
  }

  /** Adds a file record at the end of the plan's list; the draft owns it. */
  addFile(entry: FileEntry): void {
    this.ownFileList().push(entry);
    this.ownFiles.add(entry);
  }

  private ownInFlight(): Record<string, WorkItem> {
    if (this.state.inFlight === this.sourceInFlight) this.state.inFlight = copyOfRecord(this.sourceInFlight);
    return this.state.inFlight as Record<string, WorkItem>;
  }

  private ownFileList(): FileEntry[] {
    if (this.state.files === this.sourceFiles) this.state.files = [...this.sourceFiles];
    return this.state.files as FileEntry[];
  }

  /** Work of this run that is either in flight or waiting in `deferred`. */
  pendingWork(): WorkItem[] {
    const waiting = this.state.deferred.flatMap((effect) => (effect.type === 'dispatch' ? [effect.work] : []));
    return [...Object.values(this.state.inFlight), ...waiting];
  }

  hasPendingWork(match: (work: WorkItem) => boolean): boolean {
    return this.pendingWork().some(match);
  }

  instances(role: string): number {
    return instancesOf(this.state.config, role);
  }

  /** The file's record, as this draft's own copy that handlers may change. */
  file(path: string | undefined): FileEntry | undefined {
    if (path === undefined) return undefined;
    const index = this.indexOf(path);
    return index === undefined ? undefined : this.writable(index);
  }

  /** Every file record as this draft's own copy: for the rare handler that changes many at once. */
  writableFiles(): FileEntry[] {
    const files = this.ownFileList();
    for (let index = 0; index < files.length; index++) this.writable(index);
    return files;
  }

  private writable(index: number): FileEntry {
    const entry = this.state.files[index]!;
    if (this.ownFiles.has(entry)) return entry;
    const copy = { ...entry };
    this.ownFileList()[index] = copy;
    this.ownFiles.add(copy);
    return copy;
  }

  /**
   * Where the file is in `state.files`. The path → position map is built once per files array and
   * handed on to the next state while the order stays the same, so a lookup costs the same however
   * long the plan is. A map that no longer fits (files added or replaced) is rebuilt.
   */
  private indexOf(path: string): number | undefined {
    const { files } = this.state;
    let positions = filePositions.get(files) ?? (files.length === this.sourceFiles.length ? filePositions.get(this.sourceFiles) : undefined);
    let index = positions?.get(path);
    if (index === undefined || files[index]?.path !== path) {
      positions = new Map(files.map((file, position) => [file.path, position]));
      index = positions.get(path);
    }
    filePositions.set(files, positions!);
    return index;
  }

  /** Stops the run for a person; work already running goes on, new work waits. */
  needAttention(attention: Attention): void {
    this.paused = true;
    // A second reason while the first is unanswered adds to it; an escalated decision is kept.
    const earlier = this.state.attention;
    const merged: Attention = earlier ? { reason: `${earlier.reason}\n${attention.reason}` } : { reason: attention.reason };
    const decision = attention.decision ?? earlier?.decision;
    if (decision) merged.decision = decision;
    this.state.attention = merged;
    this.emit({ type: 'attention', attention: merged });
  }

  /** Ends the run: stops what is still running and says how it ended. */
  finish(phase: 'COMPLETED' | 'CANCELLED' | 'FAILED', reason: string): void {
    const running = Object.keys(this.state.inFlight);
    if (running.length > 0 || phase !== 'COMPLETED') this.emit({ type: 'abort', workIds: running });
    this.emit({ type: 'finish', phase, reason });
    const state = this.state;
    state.phase = phase;
    state.outcome = { reason };
    state.inFlight = {};
    state.deferred = [];
    delete state.decision;
    delete state.attention;
    this.paused = false;
  }

  /** The new state and the effects to perform now. */
  result(): TransitionResult {
    // Handed on as the caller's state; the next draft shares its containers in turn.
    const state = this.state as WorkflowState;
    // The next draft finds its files by the same map when the order has not changed.
    const positions = filePositions.get(this.sourceFiles);
    if (!filePositions.has(state.files) && positions && state.files.length === this.sourceFiles.length) filePositions.set(state.files, positions);
    if (this.terminal || !this.paused) return { state, effects: this.effects };
    const now: Effect[] = [];
    for (const effect of this.effects) {
      if (!HELD_WHILE_PAUSED.has(effect.type)) {
        now.push(effect);
        continue;
      }
      state.deferred.push(effect);
      if (effect.type === 'dispatch') this.dropInFlight(effect.work.id);
    }
    return { state: { ...state, phase: 'PAUSED', pausedFrom: state.phase }, effects: now };
  }
}

/**
 * A shallow copy of a record. In-flight work can hold every file of the plan at once, and after
 * deletes V8 keeps such an object in dictionary mode, where `{ ...record }` is about three times
 * slower than this loop (1.7 ms against 0.6 ms for 1,000 entries, measured): it ran on every event.
 */
export function copyOfRecord<T>(record: Record<string, T>): Record<string, T> {
  const copy: Record<string, T> = {};
  for (const key of Object.keys(record)) copy[key] = record[key]!;
  return copy;
}

/** `record[key]` when it is the record's own entry (paths like `constructor` must not reach the prototype). */
export function ownEntry<T>(record: Record<string, T> | undefined, key: string | undefined): T | undefined {
  return record !== undefined && key !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** For exhaustive switches: a value the types say cannot exist. */
export function unreachable(value: never): never {
  throw new OrchestraError('invalid-input', `Unexpected value in the workflow machine: ${JSON.stringify(value)}`);
}
