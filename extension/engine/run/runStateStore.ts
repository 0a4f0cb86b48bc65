import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomicWrite';
import { OrchestraError, describeError } from '../util/errors';
import { STORE_DIR_NAME } from '../util/paths';
import { agentIdOf } from '../workflow/workflowRoles';
import type { WorkflowState } from '../workflow/workflowTypes';
import { RunSnapshotSchema, SNAPSHOT_FORMAT_VERSION, type RunSnapshot } from './runSnapshot';

export type { PhaseTransition, RunSnapshot } from './runSnapshot';

const STATE_FILE = 'state.json';

/** Writes the run snapshot atomically (temp file + rename), so a crash leaves the previous one whole. */
export class RunStateStore {
  readonly file: string;

  constructor(runDir: string) {
    this.file = path.join(runDir, STATE_FILE);
  }

  async save(snapshot: Omit<RunSnapshot, 'formatVersion'>): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify({ formatVersion: SNAPSHOT_FORMAT_VERSION, ...snapshot }, null, 1)}\n`);
  }

  /**
   * The snapshot of the run in `runDir`, validated. Throws `not-found` when there is none and
   * `invalid-input` (one line) when it is not a snapshot this version can read.
   */
  static async load(runDir: string): Promise<RunSnapshot> {
    const file = path.join(runDir, STATE_FILE);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new OrchestraError(missing ? 'not-found' : 'io-failed', missing ? `No run state at ${file}.` : `Could not read ${file}: ${describeError(error)}`, { cause: error });
    }
    return parseSnapshot(text, file);
  }
}

/** Reads state.json text; the format version is checked first, so an unknown one gets its own words. */
export function parseSnapshot(text: string, file: string): RunSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new OrchestraError('invalid-input', `${file} is not valid JSON.`);
  }
  const version = z.object({ formatVersion: z.unknown() }).safeParse(raw);
  const found = version.success ? version.data.formatVersion : undefined;
  if (found !== SNAPSHOT_FORMAT_VERSION) {
    const which = found === undefined ? 'no format version (written before runs could be resumed)' : `format version ${JSON.stringify(found).slice(0, 20)}`;
    throw new OrchestraError('invalid-input', `${file} has ${which}; this kilo-orchestra reads version ${SNAPSHOT_FORMAT_VERSION}.`);
  }
  const parsed = RunSnapshotSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OrchestraError('invalid-input', `${file} is not a valid run state: ${issue ? `${issue.path.join('.') || 'state'}: ${issue.message}` : 'unknown problem'}.`);
  }
  return parsed.data;
}

/** The run folders of a workspace, newest saved first, with their phase (unreadable ones left out). */
export async function listRuns(workspace: string): Promise<Array<{ runId: string; runDir: string; phase: string; savedAt: string }>> {
  const root = path.join(workspace, STORE_DIR_NAME, 'runs');
  const names = await fs.readdir(root).catch(() => [] as string[]);
  const runs: Array<{ runId: string; runDir: string; phase: string; savedAt: string }> = [];
  for (const name of names) {
    const runDir = path.join(root, name);
    const head = await fs
      .readFile(path.join(runDir, STATE_FILE), 'utf8')
      .then((text) => z.object({ savedAt: z.string(), workflow: z.object({ phase: z.string() }) }).safeParse(JSON.parse(text)))
      .catch(() => undefined);
    if (head?.success) runs.push({ runId: name, runDir, phase: head.data.workflow.phase, savedAt: head.data.savedAt });
  }
  return runs.sort((a, b) => b.savedAt.localeCompare(a.savedAt) || b.runId.localeCompare(a.runId));
}

/** Who may write what at this moment: the grants of every work item in flight. */
export function currentGrants(workflow: WorkflowState): Record<string, string[]> {
  const grants: Record<string, string[]> = {};
  for (const work of Object.values(workflow.inFlight)) {
    const agentId = agentIdOf(work.role, work.instance);
    grants[agentId] = [...(grants[agentId] ?? []), ...work.grants];
  }
  return grants;
}

/** Work sent out and not yet answered: in flight, or held back while paused. */
export function unfinishedWorkIds(workflow: WorkflowState): string[] {
  const held = workflow.deferred.flatMap((effect) => (effect.type === 'dispatch' ? [effect.work.id] : []));
  return [...Object.keys(workflow.inFlight), ...held];
}
