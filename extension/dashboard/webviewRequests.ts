import { isOrchestraError, describeError } from '../engine/util/errors';
import { toWorkspaceRelative } from '../engine/util/paths';
import type { HostSingleMessage, WebviewMessage, WebviewMessageType } from '../protocol/dashboardProtocol';
import type { RunSummaryView } from '../protocol/runSummaryView';
import type { DashboardRunControls, DashboardSource, RolesController, SummaryDiffs, UnfinishedRunControls } from './dashboardDeps';

/** What the dashboard's host side works with; the panel adds the extension URI. */
export interface DashboardHostDeps {
  source(): DashboardSource;
  /** The live run's controls; undefined when no orchestrated task runs in this window. */
  controls(): DashboardRunControls | undefined;
  /** Resume and Discard of a run shown from disk; without it those requests are refused. */
  unfinished?: UnfinishedRunControls;
  roles: RolesController;
  /** The summary card's diff editors; without it those requests are refused. */
  diffs?: SummaryDiffs;
  /** Opens a workspace-relative file in an editor (already checked to stay inside the workspace). */
  openFile(path: string): Promise<void>;
  log: (line: string) => void;
}

export interface RequestContext {
  deps: DashboardHostDeps;
  /** Queues a message for the webview. */
  post(message: HostSingleMessage): void;
}

/** A failure whose message is already in user words. */
export class UserFacingError extends Error {}

type Handler<K extends WebviewMessageType> = (message: Extract<WebviewMessage, { type: K }>, context: RequestContext) => Promise<void>;

function controlsOr(context: RequestContext, doing: string): DashboardRunControls {
  const controls = context.deps.controls();
  if (!controls) throw new UserFacingError(`No orchestrated task is running in this window, so there is nothing to ${doing}. Start one with "Kilo Orchestra: Start Orchestrated Task".`);
  return controls;
}

function unfinishedOr(context: RequestContext): UnfinishedRunControls {
  const unfinished = context.deps.unfinished;
  if (!unfinished) throw new UserFacingError('This window cannot resume or discard runs; use the "Kilo Orchestra: Resume Unfinished Run" command.');
  return unfinished;
}

/** The summary the dashboard shows now and its diffs: a request can only name a file that summary lists. */
function summaryOr(context: RequestContext): { summary: RunSummaryView; diffs: SummaryDiffs } {
  const summary = context.deps.source().state().run?.summary;
  if (!summary?.files) throw new UserFacingError('This run has no summary of changed files to show.');
  if (!context.deps.diffs) throw new UserFacingError('This window cannot show the run\'s diffs.');
  return { summary, diffs: context.deps.diffs };
}

/**
 * One handler per message type. `satisfies` makes a new message type in the protocol a compile
 * error here until it is handled. A request handler resolves when done; the dispatcher answers
 * `request/done`. `ready` (the handshake) answers with the whole state and the roles.
 */
export const WEBVIEW_HANDLERS = {
  ready: async (_message, { deps, post }) => {
    post({ type: 'state/reset', state: deps.source().state() });
    post({ type: 'roles/didChange', roles: await deps.roles.view() });
  },
  'workflow/pause': async (_message, context) => controlsOr(context, 'pause').pause(),
  'workflow/resume': async (message, context) => controlsOr(context, 'resume').resume(message.action, message.profileId),
  'workflow/cancel': async (_message, context) => controlsOr(context, 'cancel').cancel(),
  'chat/send': async (message, context) => controlsOr(context, 'talk to').send(message.to, message.text),
  'agent/pause': async (message, context) => controlsOr(context, 'pause an agent of').pauseAgent(message.agentId),
  'agent/resume': async (message, context) => controlsOr(context, 'resume an agent of').resumeAgent(message.agentId),
  'chat/answerProposal': async (message, context) => controlsOr(context, 'answer a proposal of').answerProposal(message.proposalId, message.apply),
  'checkpoint/rollBack': async (message, context) => controlsOr(context, 'roll back').rollBack(message.index),
  'summary/openDiff': async (message, context) => {
    const { summary, diffs } = summaryOr(context);
    const file = summary.files?.changed.find((change) => change.path === message.path);
    if (!file) throw new UserFacingError(`${message.path} is not a file this run changed, so no diff was opened.`);
    await diffs.openDiff(summary, file);
  },
  'summary/openChanges': async (_message, context) => {
    const { summary, diffs } = summaryOr(context);
    await diffs.openChanges(summary);
  },
  'run/resumeUnfinished': async (message, context) => unfinishedOr(context).resume(message.runId),
  'run/discard': async (message, context) => unfinishedOr(context).discard(message.runId),
  'artifact/load': async (message, { deps, post }) => {
    const content = await deps.source().loadArtifact(message.artifactId);
    post({ type: 'artifact/content', requestId: message.requestId, artifactId: message.artifactId, ...content });
  },
  'transcript/loadPart': async (message, { deps, post }) => {
    const source = deps.source();
    if (!source.loadTranscriptPart) throw new UserFacingError('This view cannot load transcript parts; open the run\'s dashboard.');
    const { agentId, turn, partId } = message;
    const body = await source.loadTranscriptPart(agentId, turn, partId);
    post({ type: 'transcript/partContent', requestId: message.requestId, agentId, turn, partId, body });
  },
  'file/open': async (message, { deps }) => {
    let relative: string;
    try {
      relative = toWorkspaceRelative(message.path);
    } catch {
      throw new UserFacingError(`${message.path} is not a file inside the workspace, so it was not opened.`);
    }
    await deps.openFile(relative);
  },
  'roles/save': async (message, { deps }) => deps.roles.save(message.config),
  'roles/applyTemplate': async (message, { deps }) => deps.roles.applyTemplate(message.templateId),
  'roles/import': async (_message, { deps }) => deps.roles.importFromFiles(),
  'roles/export': async (_message, { deps }) => deps.roles.exportToFiles(),
  'roles/refreshModels': async (_message, { deps }) => deps.roles.refreshModels(),
  'roles/addEndpoint': async (message, { deps }) => deps.roles.addEndpoint(message.endpoint),
} satisfies { [K in WebviewMessageType]: Handler<K> };

/** Runs the handler of a valid message and answers a request with `request/done`. Never throws. */
export async function handleWebviewMessage(message: WebviewMessage, context: RequestContext): Promise<void> {
  const handler = WEBVIEW_HANDLERS[message.type] as Handler<typeof message.type>;
  const requestId = 'requestId' in message ? message.requestId : undefined;
  try {
    await handler(message as never, context);
    if (requestId) context.post({ type: 'request/done', requestId, ok: true });
  } catch (error) {
    context.deps.log(`dashboard: ${message.type}${requestId ? ` (request ${requestId})` : ''} failed: ${describeError(error)}`);
    if (requestId) context.post({ type: 'request/done', requestId, ok: false, error: userWords(error) });
  }
}

/** An error in words a person can act on: the message and, for engine errors, what to do next. */
export function userWords(error: unknown): string {
  if (error instanceof UserFacingError) return error.message;
  if (isOrchestraError(error)) return error.hint ? `${error.message} ${error.hint}` : error.message;
  return `Something went wrong: ${describeError(error)}`;
}
