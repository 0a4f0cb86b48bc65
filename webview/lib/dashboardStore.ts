import type { HostMessage } from '../../extension/protocol/dashboardProtocol';
import type { RolesView } from '../../extension/protocol/rolesView';
import { emptyDashboardState, type DashboardState, type TimelineEntry } from '../../extension/protocol/viewModel';

/** A request from the host to show a tab (and maybe an agent); `seq` makes a repeated focus count. */
export interface FocusRequest {
  tab: 'run' | 'roles';
  agentId?: string;
  seq: number;
}

/** Everything the webview shows: the run's state, the Agent Roles tab's data, the last focus request. */
export interface DashboardView {
  state: DashboardState;
  roles?: RolesView;
  focus?: FocusRequest;
}

/** Transcripts are the host's most recent entries; the webview keeps a bounded tail of each. */
export const MAX_TRANSCRIPT_ENTRIES = 500;
/** Part summaries kept per agent, as many as the host keeps (see partBook.ts). */
export const MAX_TRANSCRIPT_PARTS = 2_000;

export function emptyDashboardView(): DashboardView {
  return { state: emptyDashboardState() };
}

/**
 * Applies one host message to the view and returns a new view (the input is never changed). Upsert
 * semantics follow `dashboardProtocol.ts`; replies to requests (`request/done`, `artifact/content`)
 * belong to the bridge and leave the view as it is.
 */
export function applyHostMessage(view: DashboardView, message: HostMessage): DashboardView {
  const state = view.state;
  switch (message.type) {
    case 'batch':
      return message.messages.reduce(applyHostMessage, view);
    case 'state/reset':
      return { ...view, state: { ...message.state, timeline: sortBySeq(message.state.timeline) } };
    case 'run/didChange':
      return withState(view, { ...state, run: message.run });
    case 'agents/didChange':
      return withState(view, { ...state, agents: upsert(state.agents, message.agents, (a) => a.id) });
    case 'timeline/didChange':
      return withState(view, { ...state, timeline: upsertTimeline(state.timeline, message.entries) });
    case 'files/didChange':
      return withState(view, { ...state, files: message.files });
    case 'artifacts/didChange':
      return withState(view, { ...state, artifacts: upsert(state.artifacts, message.artifacts, (a) => a.id) });
    case 'todo/didChange':
      return withState(view, { ...state, todo: message.todo });
    case 'cost/didChange':
      return withState(view, { ...state, cost: message.cost });
    case 'chat/didChange':
      return withState(view, { ...state, chat: upsert(state.chat, message.messages, (m) => m.id) });
    case 'transcript/didAppend': {
      const appended = [...(state.transcripts[message.agentId] ?? []), ...message.entries].slice(-MAX_TRANSCRIPT_ENTRIES);
      return withState(view, { ...state, transcripts: { ...state.transcripts, [message.agentId]: appended } });
    }
    case 'transcript/partsDidChange': {
      const parts = upsert(state.parts?.[message.agentId] ?? [], message.parts, (part) => `${part.turn}\u0000${part.id}`).slice(-MAX_TRANSCRIPT_PARTS);
      return withState(view, { ...state, parts: { ...state.parts, [message.agentId]: parts } });
    }
    case 'roles/didChange':
      return { ...view, roles: message.roles };
    case 'view/focus': {
      const focus: FocusRequest = { tab: message.tab, seq: (view.focus?.seq ?? 0) + 1 };
      if (message.agentId !== undefined) focus.agentId = message.agentId;
      return { ...view, focus };
    }
    case 'artifact/content':
    case 'transcript/partContent':
    case 'request/done':
      return view;
  }
}

function withState(view: DashboardView, state: DashboardState): DashboardView {
  return { ...view, state };
}

/** Replaces items with the same key in place and appends new ones in the order they came. */
export function upsert<T>(items: readonly T[], updates: readonly T[], key: (item: T) => string): T[] {
  if (updates.length === 0) return [...items];
  const incoming = new Map(updates.map((u) => [key(u), u]));
  const result = items.map((item) => {
    const k = key(item);
    const next = incoming.get(k);
    if (next === undefined) return item;
    incoming.delete(k);
    return next;
  });
  return [...result, ...incoming.values()];
}

/** Timeline upsert by seq, kept in seq order. The common case (entries newer than all) is an append. */
function upsertTimeline(timeline: readonly TimelineEntry[], entries: readonly TimelineEntry[]): TimelineEntry[] {
  const last = timeline.at(-1)?.seq ?? -1;
  const sortedNew = sortBySeq(entries);
  if (sortedNew.length > 0 && sortedNew[0]!.seq > last && isStrictlyRising(sortedNew)) return [...timeline, ...sortedNew];
  const bySeq = new Map(timeline.map((e) => [e.seq, e]));
  for (const entry of entries) bySeq.set(entry.seq, entry);
  return sortBySeq([...bySeq.values()]);
}

function sortBySeq(entries: readonly TimelineEntry[]): TimelineEntry[] {
  return [...entries].sort((a, b) => a.seq - b.seq);
}

function isStrictlyRising(entries: readonly TimelineEntry[]): boolean {
  return entries.every((e, i) => i === 0 || e.seq > entries[i - 1]!.seq);
}
