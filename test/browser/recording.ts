import fs from 'node:fs';
import path from 'node:path';
import type { HostMessage, HostSingleMessage } from '../../extension/protocol/dashboardProtocol';
import type { RolesView } from '../../extension/protocol/rolesView';
import type { DashboardState } from '../../extension/protocol/viewModel';
import { repoRoot } from './repoRoot';

/**
 * A dashboard recording as `scripts/recordDashboardRun.ts` writes it: what a real run's
 * DashboardModel emitted, in order. `messages[0]` is the `state/reset` the host sends after
 * `ready`, `messages[1]` the `roles/didChange`, the rest the deltas of the run.
 */
export interface DashboardRecording {
  /** How the recording was made, for a reader of the fixture. */
  recordedWith: Record<string, unknown>;
  messages: HostSingleMessage[];
}

export const FIXTURE_DIR = path.join(repoRoot(), 'test', 'fixtures', 'dashboard');

export function readRecording(name: 'recordedRun' | 'midRun'): DashboardRecording {
  return JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, `${name}.json`), 'utf8')) as DashboardRecording;
}

/**
 * The messages as the host's panel posts them: the handshake answer one by one, then the deltas
 * coalesced into batches (the panel posts one batch per tick).
 */
export function asPosted(recording: DashboardRecording, batchSize = 25): HostMessage[] {
  const [reset, roles, ...deltas] = recording.messages;
  const posted: HostMessage[] = [reset!, roles!];
  for (let i = 0; i < deltas.length; i += batchSize) posted.push({ type: 'batch', messages: deltas.slice(i, i + batchSize) });
  return posted;
}

/** The dashboard state after every message of the recording: what the page should show. */
export function finalState(recording: DashboardRecording): { state: DashboardState; roles: RolesView } {
  let state: DashboardState | undefined;
  let roles: RolesView | undefined;
  const upsert = <T>(list: T[], items: T[], key: (item: T) => string | number): T[] => {
    const byKey = new Map(list.map((item) => [key(item), item]));
    for (const item of items) byKey.set(key(item), item);
    return [...byKey.values()];
  };
  for (const message of recording.messages) {
    if (message.type === 'state/reset') state = structuredClone(message.state);
    else if (message.type === 'roles/didChange') roles = message.roles;
    else if (state) {
      if (message.type === 'run/didChange') state.run = message.run;
      else if (message.type === 'agents/didChange') state.agents = upsert(state.agents, message.agents, (a) => a.id);
      else if (message.type === 'timeline/didChange') state.timeline = upsert(state.timeline, message.entries, (e) => e.seq).sort((a, b) => a.seq - b.seq);
      else if (message.type === 'files/didChange') state.files = message.files;
      else if (message.type === 'artifacts/didChange') state.artifacts = upsert(state.artifacts, message.artifacts, (a) => a.id);
      else if (message.type === 'todo/didChange') state.todo = message.todo;
      else if (message.type === 'cost/didChange') state.cost = message.cost;
      else if (message.type === 'chat/didChange') state.chat = upsert(state.chat, message.messages, (m) => m.id);
    }
  }
  if (!state || !roles) throw new Error('The recording has no state/reset or no roles/didChange; record it again with scripts/recordDashboardRun.mjs.');
  return { state, roles };
}
