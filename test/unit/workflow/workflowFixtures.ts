import type { Finding, PlannedFile, TestFailure } from '../../../extension/engine/backends/agentOutput';
import { initialWorkflowState, transition } from '../../../extension/engine/workflow/workflowMachine';
import {
  DEFAULT_WORKFLOW_CONFIG,
  TERMINAL_PHASES,
  type DecisionRequest,
  type Effect,
  type OrganiserActionType,
  type Phase,
  type TransitionResult,
  type WorkItem,
  type WorkKind,
  type WorkResult,
  type WorkflowConfig,
  type WorkflowEvent,
  type WorkflowState,
} from '../../../extension/engine/workflow/workflowTypes';

export const EVERY_ROLE: Record<string, number> = {
  organiser: 1,
  architect: 1,
  'primary-coder': 1,
  'secondary-coder': 1,
  'code-sceptic': 1,
  'documentation-writer': 1,
  debugger: 1,
};

export const REQUIRED_ONLY: Record<string, number> = { organiser: 1, architect: 1, 'primary-coder': 1, 'secondary-coder': 1 };

export function aConfig(overrides: Partial<WorkflowConfig> = {}): WorkflowConfig {
  return { ...DEFAULT_WORKFLOW_CONFIG, instances: { ...EVERY_ROLE }, ...overrides };
}

export function filePaths(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `src/file${index + 1}.ts`);
}

/** Builds a `WorkResult`: `aResult().withArtifacts('plan-1').withFiles(3).build()`. */
export class ResultBuilder {
  private readonly result: WorkResult = { artifactIds: [] };

  withArtifacts(...ids: string[]): this {
    this.result.artifactIds.push(...ids);
    return this;
  }

  withFiles(files: number | string[]): this {
    const paths = typeof files === 'number' ? filePaths(files) : files;
    this.result.plannedFiles = paths.map((path): PlannedFile => ({ path, purpose: `purpose of ${path}` }));
    return this;
  }

  withFileArtifacts(prefix: string, paths: string[]): this {
    this.result.fileArtifacts = Object.fromEntries(paths.map((path) => [path, `${prefix}:${path}`]));
    this.result.artifactIds.push(...Object.values(this.result.fileArtifacts));
    return this;
  }

  approved(): this {
    this.result.approved = true;
    return this;
  }

  rejected(...messages: string[]): this {
    this.result.approved = false;
    this.result.findings = messages.map((message): Finding => ({ severity: 'major', message }));
    return this;
  }

  withFailures(...failures: Array<{ file?: string; message: string }>): this {
    this.result.testFailures = failures.map((f): TestFailure => ({ test: 'a test', ...f }));
    return this;
  }

  withSpawn(role: string, reason = `${role} would help`): this {
    this.result.spawnRequests = [...(this.result.spawnRequests ?? []), { role, reason }];
    return this;
  }

  build(): WorkResult {
    return this.result;
  }
}

export const aResult = (): ResultBuilder => new ResultBuilder();

/** What a scripted agent does with one work item. */
export type Responder = (work: WorkItem, driver: Driver) => WorkResult | { fail: string; retryable?: boolean };

/** A sensible result for any work item: plans list `files`, reviews approve, tests pass. */
export function defaultResult(work: WorkItem, files = filePaths(3)): WorkResult {
  switch (work.kind) {
    case 'plan':
    case 'revise-plan':
      return aResult().withArtifacts(`plan@${work.id}`).withFiles(files).build();
    case 'review-plan':
    case 'review-code':
      return aResult().withArtifacts(`review@${work.id}`).approved().build();
    case 'structure':
      return aResult().withFileArtifacts(`pseudo@${work.id}`, work.files ?? []).build();
    case 'implement':
    case 'fix':
      return aResult().withFileArtifacts(`code@${work.id}`, [work.file ?? '']).build();
    case 'test':
      return aResult().withArtifacts(`report@${work.id}`).build();
    default:
      return aResult().withArtifacts(`${work.kind}@${work.id}`).build();
  }
}

/** Feeds events to the machine and keeps the state, the effects and the phases passed through. */
export class Driver {
  state: WorkflowState;
  readonly phases: Phase[];
  readonly effects: Effect[] = [];
  last: TransitionResult | undefined;

  constructor(state: WorkflowState = initialWorkflowState()) {
    this.state = state;
    this.phases = [state.phase];
  }

  /** Applies an event the test expects to be accepted. */
  send(event: WorkflowEvent): TransitionResult {
    const result = this.try(event);
    if (result.rejected) throw new Error(`${event.type} was rejected: ${result.rejected}`);
    return result;
  }

  /** Applies an event that may be rejected. */
  try(event: WorkflowEvent): TransitionResult {
    const result = transition(this.state, event);
    this.last = result;
    if (result.rejected) return result;
    this.state = result.state;
    this.effects.push(...result.effects);
    if (this.phases.at(-1) !== result.state.phase) this.phases.push(result.state.phase);
    return result;
  }

  start(config: WorkflowConfig = aConfig(), task = 'Build a thing'): TransitionResult {
    return this.send({ type: 'START', task, config });
  }

  inFlight(kind?: WorkKind): WorkItem[] {
    return Object.values(this.state.inFlight)
      .filter((work) => kind === undefined || work.kind === kind)
      .sort((a, b) => idNumber(a.id) - idNumber(b.id));
  }

  /** The single in-flight work of a kind (and file); throws when there is not exactly one. */
  work(kind: WorkKind, file?: string): WorkItem {
    const matches = this.inFlight(kind).filter((work) => file === undefined || work.file === file);
    if (matches.length !== 1) throw new Error(`Expected one in-flight ${kind}${file ? ` of ${file}` : ''}, found ${matches.length}`);
    return matches[0]!;
  }

  done(work: WorkItem | string, result?: WorkResult): TransitionResult {
    const item = typeof work === 'string' ? this.state.inFlight[work] : work;
    if (!item) throw new Error(`No in-flight work ${String(work)}`);
    return this.send({ type: 'WORK_DONE', workId: item.id, result: result ?? defaultResult(item) });
  }

  decision(): DecisionRequest {
    if (!this.state.decision) throw new Error(`No open decision in ${this.state.phase}`);
    return this.state.decision;
  }

  decide(action: OrganiserActionType, reason = ''): TransitionResult {
    return this.send({ type: 'DECIDE', decisionId: this.decision().id, action: { action, reason } });
  }

  get terminal(): boolean {
    return TERMINAL_PHASES.includes(this.state.phase);
  }

  effectsOf<T extends Effect['type']>(type: T, effects: Effect[] = this.effects): Array<Extract<Effect, { type: T }>> {
    return effects.filter((effect): effect is Extract<Effect, { type: T }> => effect.type === type);
  }
}

function idNumber(id: string): number {
  return Number(id.slice(1));
}

export interface PlayOptions {
  config?: WorkflowConfig;
  respond?: Responder;
  decide?: (request: DecisionRequest, driver: Driver) => OrganiserActionType;
  /** Stops the run early (before answering anything) once this holds. */
  until?: (driver: Driver) => boolean;
  maxSteps?: number;
}

/**
 * Plays a run: answers the oldest in-flight work first and every decision as `decide` says
 * (the recommendation by default), until the run ends or `until` holds.
 */
export function playRun(options: PlayOptions = {}, driver = new Driver()): Driver {
  const respond = options.respond ?? ((work) => defaultResult(work));
  const decide = options.decide ?? ((request) => request.recommended);
  const maxSteps = options.maxSteps ?? 500;
  if (driver.state.phase === 'IDLE') driver.start(options.config ?? aConfig());
  for (let step = 0; step < maxSteps; step++) {
    if (driver.terminal || options.until?.(driver)) return driver;
    if (driver.state.decision) {
      driver.decide(decide(driver.state.decision, driver));
      continue;
    }
    const next = driver.inFlight()[0];
    if (!next) throw new Error(`The run is stuck in ${driver.state.phase} with nothing in flight`);
    const answer = respond(next, driver);
    if ('fail' in answer) driver.send({ type: 'WORK_FAILED', workId: next.id, message: answer.fail, retryable: answer.retryable ?? true });
    else driver.done(next, answer);
  }
  throw new Error(`The run did not end within ${maxSteps} steps (phase ${driver.state.phase})`);
}

/** Freezes a value and everything inside it, to prove a function never writes to it. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
