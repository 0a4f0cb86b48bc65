import { EndpointSchema } from './endpointView';
import { z } from 'zod';
import { RolesConfigViewSchema, RolesViewSchema, TEMPLATE_IDS } from './rolesView';
import { TranscriptPartBodySchema, TranscriptPartViewSchema } from './transcriptPart';
import {
  AgentViewSchema,
  ArtifactViewSchema,
  ChatMessageSchema,
  CostViewSchema,
  DashboardStateSchema,
  FileViewSchema,
  RunViewSchema,
  TimelineEntrySchema,
  TodoViewSchema,
  TranscriptEntrySchema,
} from './viewModel';

/**
 * The dashboard protocol: one discriminated union per direction, validated on arrival on both
 * sides. Requests carry a `requestId`; the host answers each with `request/done` (and, for
 * `artifact/load`, with `artifact/content` first, for `transcript/loadPart` with `transcript/partContent`).
 */
const RequestId = z.string().min(1).max(64);
const AgentOrOrganiser = z.string().regex(/^[a-z][a-z0-9-]{0,60}$/);
/** A part of one turn of one agent's transcript. */
const PartRef = { agentId: AgentOrOrganiser, turn: z.string().min(1).max(200), partId: z.string().min(1).max(200) };
/** A run folder's name, as the run snapshot allows it (never `.` or `..`). */
const RunId = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).refine((id) => id !== '.' && id !== '..', 'not a run id');

export const WebviewMessageSchema = z.discriminatedUnion('type', [
  /** The handshake: the webview is loaded and listening; the host answers with `state/reset` and `roles/didChange`. */
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('workflow/pause'), requestId: RequestId }),
  /** Resume; `action` answers the decision the run stopped on (one of `run.attention.options`). */
  z.object({
    type: z.literal('workflow/resume'),
    requestId: RequestId,
    action: z.string().regex(/^[a-z_]{1,40}$/).optional(),
    /** With `reassign_work`: one of `run.attention.reassignTo`. */
    profileId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  }),
  z.object({ type: z.literal('workflow/cancel'), requestId: RequestId }),
  /** A message to the Organiser (`to: 'organiser'`) or to one agent. */
  z.object({ type: z.literal('chat/send'), requestId: RequestId, to: AgentOrOrganiser, text: z.string().trim().min(1).max(4000) }),
  /** Pause or resume one agent while the rest of the team goes on. */
  z.object({ type: z.literal('agent/pause'), requestId: RequestId, agentId: AgentOrOrganiser }),
  z.object({ type: z.literal('agent/resume'), requestId: RequestId, agentId: AgentOrOrganiser }),
  /** Apply or dismiss one of the Organiser's proposals (an action that costs money or undoes work). */
  z.object({ type: z.literal('chat/answerProposal'), requestId: RequestId, proposalId: z.string().regex(/^p\d{1,6}$/), apply: z.boolean() }),
  z.object({ type: z.literal('artifact/load'), requestId: RequestId, artifactId: z.string().regex(/^[a-z0-9-]+$/) }),
  z.object({ type: z.literal('file/open'), requestId: RequestId, path: z.string().min(1).max(1000) }),
  /** The folded bodies (input, output, diff, text) of one transcript part; answered with `transcript/partContent`. */
  z.object({ type: z.literal('transcript/loadPart'), requestId: RequestId, ...PartRef }),
  /** Roll back to checkpoint `index` (the summary's "before the run"), or one the user picks. */
  z.object({ type: z.literal('checkpoint/rollBack'), requestId: RequestId, index: z.number().int().positive().max(100_000).optional() }),
  /** VS Code's diff editor for one file of the run summary: the checkpoint before the run against the workspace. */
  z.object({ type: z.literal('summary/openDiff'), requestId: RequestId, path: z.string().min(1).max(1000) }),
  /** Every changed file of the run summary in one multi-diff editor. */
  z.object({ type: z.literal('summary/openChanges'), requestId: RequestId }),
  /** Continue in this window a run shown from disk that did not finish (`run.unfinished`). */
  z.object({ type: z.literal('run/resumeUnfinished'), requestId: RequestId, runId: RunId }),
  /** End such a run for good: it is neither offered nor resumed again. */
  z.object({ type: z.literal('run/discard'), requestId: RequestId, runId: RunId }),
  z.object({ type: z.literal('roles/save'), requestId: RequestId, config: RolesConfigViewSchema }),
  z.object({ type: z.literal('roles/applyTemplate'), requestId: RequestId, templateId: z.enum(TEMPLATE_IDS) }),
  z.object({ type: z.literal('roles/import'), requestId: RequestId }),
  z.object({ type: z.literal('roles/export'), requestId: RequestId }),
  z.object({ type: z.literal('roles/refreshModels'), requestId: RequestId }),
  /** Adds a custom OpenAI-compatible endpoint: profiles for its models, its key into SecretStorage. */
  z.object({ type: z.literal('roles/addEndpoint'), requestId: RequestId, endpoint: EndpointSchema }),
]);
export type WebviewMessage = z.infer<typeof WebviewMessageSchema>;
export type WebviewMessageType = WebviewMessage['type'];
export type WebviewRequest = Extract<WebviewMessage, { requestId: string }>;

/** Messages the host sends on its own or as part of a batch. */
const hostMessages = [
  /** The whole dashboard state: after `ready`, and when another run is shown. */
  z.object({ type: z.literal('state/reset'), state: DashboardStateSchema }),
  z.object({ type: z.literal('run/didChange'), run: RunViewSchema }),
  /** Upserts, by agent id. */
  z.object({ type: z.literal('agents/didChange'), agents: z.array(AgentViewSchema) }),
  /** Upserts, by seq (a phase entry is sent again when its duration becomes known). */
  z.object({ type: z.literal('timeline/didChange'), entries: z.array(TimelineEntrySchema) }),
  /** The whole file board. */
  z.object({ type: z.literal('files/didChange'), files: z.array(FileViewSchema) }),
  /** Upserts, by artifact id. */
  z.object({ type: z.literal('artifacts/didChange'), artifacts: z.array(ArtifactViewSchema) }),
  z.object({ type: z.literal('todo/didChange'), todo: z.array(TodoViewSchema) }),
  z.object({ type: z.literal('cost/didChange'), cost: CostViewSchema }),
  /** Upserts, by message id (a pending answer is replaced by the real one). */
  z.object({ type: z.literal('chat/didChange'), messages: z.array(ChatMessageSchema) }),
  z.object({ type: z.literal('transcript/didAppend'), agentId: z.string(), entries: z.array(TranscriptEntrySchema) }),
  /** Upserts, by turn and part id (a running tool call is replaced by its completed version). */
  z.object({ type: z.literal('transcript/partsDidChange'), agentId: z.string(), parts: z.array(TranscriptPartViewSchema) }),
  z.object({ type: z.literal('transcript/partContent'), requestId: RequestId, ...PartRef, body: TranscriptPartBodySchema }),
  z.object({ type: z.literal('roles/didChange'), roles: RolesViewSchema }),
  /** Show a tab, and optionally one agent (the status bar's agent items open the dashboard this way). */
  z.object({ type: z.literal('view/focus'), tab: z.enum(['run', 'roles']), agentId: z.string().optional() }),
  z.object({
    type: z.literal('artifact/content'),
    requestId: RequestId,
    artifactId: z.string(),
    version: z.number().int().positive(),
    content: z.string(),
    /** The previous version's content, so code can be shown as a diff. */
    previous: z.string().optional(),
    /** A language hint for code ("typescript"), from the file name. */
    language: z.string().optional(),
  }),
  z.object({
    type: z.literal('request/done'),
    requestId: RequestId,
    ok: z.boolean(),
    /** In user words: what happened and what to do. */
    error: z.string().optional(),
  }),
] as const;

const HostSingleMessageSchema = z.discriminatedUnion('type', hostMessages);

export const HostMessageSchema = z.discriminatedUnion('type', [
  ...hostMessages,
  /** Several messages at once: the host coalesces bursts (e.g. 1,000 events) into one post per tick. */
  z.object({ type: z.literal('batch'), messages: z.array(HostSingleMessageSchema) }),
]);
export type HostMessage = z.infer<typeof HostMessageSchema>;
export type HostSingleMessage = z.infer<typeof HostSingleMessageSchema>;
export type HostMessageType = HostMessage['type'];

/** Parses a message from the other side; `undefined` and a one-line reason when it is not valid. */
export function parseWebviewMessage(raw: unknown): { ok: true; message: WebviewMessage } | { ok: false; problem: string } {
  const result = WebviewMessageSchema.safeParse(raw);
  return result.success ? { ok: true, message: result.data } : { ok: false, problem: describeProblem(raw, result.error) };
}

export function parseHostMessage(raw: unknown): { ok: true; message: HostMessage } | { ok: false; problem: string } {
  const result = HostMessageSchema.safeParse(raw);
  return result.success ? { ok: true, message: result.data } : { ok: false, problem: describeProblem(raw, result.error) };
}

function describeProblem(raw: unknown, error: z.ZodError): string {
  // Never String() a hostile value: an object without a prototype cannot be converted and would throw.
  const given = typeof raw === 'object' && raw !== null && 'type' in raw ? (raw as { type: unknown }).type : undefined;
  const type = typeof given === 'string' ? oneLine(given).slice(0, 40) : given === undefined ? '(no type)' : `(type is ${given === null ? 'null' : typeof given})`;
  const first = error.issues[0];
  const where = first ? first.path.map((key) => (typeof key === 'symbol' ? '(symbol)' : oneLine(String(key)).slice(0, 40))).join('.') : '';
  return `message ${type}: ${first ? `${where || '(root)'}: ${oneLine(first.message)}` : 'invalid'}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
