import type { BackendEvent, DeniedCommand } from '../engine/backends/agentBackend';
import { checkCommand, type CommandRule, type CommandVerdict } from '../engine/shell/commandPolicy';
import { OrchestraError, describeError } from '../engine/util/errors';
import type { KiloHttp } from './kiloHttp';

/** Kilo's words when a session rule refused a tool call. */
const DENIED_TOOL_CALL = /prevents you from using this specific tool call/;
/** Kilo's words when the model called a tool it was not offered (bash with no commands allowed). */
const UNAVAILABLE_TOOL = /unavailable tool/;
/** How much of one command is kept; the report shows less. */
const MAX_COMMAND_CHARS = 1000;

/** A `permission.asked` event as Kilo 7.7.7 sends it for a bash call. */
export interface PermissionAsk {
  id?: string;
  permission?: string;
  patterns?: string[];
  metadata?: { command?: unknown };
  tool?: { messageID?: string; callID?: string };
}

interface ToolCall {
  tool: string;
  input: Record<string, unknown>;
}

export interface CommandGateOptions {
  sessionId: string;
  /** The workspace: commands run only there. */
  directory: string;
  /** What this role may run; empty means Kilo was told to deny bash and should never ask. */
  rules: readonly CommandRule[];
  http: Pick<KiloHttp, 'replyPermission' | 'getMessage'>;
  onEvent: (event: BackendEvent) => void;
  /** Ends the turn: a permission we cannot answer would leave it waiting forever. */
  fail: (error: OrchestraError) => void;
  log?: (message: string) => void;
}

/**
 * Decides every shell command of one turn. The session's rules make each bash call an `ask`; the
 * gate takes the command and workdir from the tool call itself (the part Kilo will execute, not a
 * summary of it), compares them whole with the role's allowed commands, and answers once or
 * rejects. Refusals (ours, and Kilo's own denials) are kept as `denied` for the report.
 */
export class CommandGate {
  readonly denied: DeniedCommand[] = [];
  private readonly deniedKeys = new Set<string>();
  private readonly calls = new Map<string, ToolCall>();

  constructor(private readonly options: CommandGateOptions) {}

  /** Follows a tool part: remembers each call's input, and records bash calls Kilo refused by itself. */
  observe(part: { tool?: string; callID?: string; state?: { status: string; input?: Record<string, unknown>; error?: string } }): void {
    if (part.state === undefined || part.tool === undefined) return;
    const { status, input, error } = part.state;
    if (part.callID !== undefined && input !== undefined && Object.keys(input).length > 0) this.calls.set(part.callID, { tool: part.tool, input });
    if (status !== 'error' || part.tool !== 'bash') return;
    if (DENIED_TOOL_CALL.test(error ?? '') || UNAVAILABLE_TOOL.test(error ?? '')) this.record(commandOf(input ?? {}) ?? '(unknown command)', 'refused by Kilo');
  }

  /** Answers a bash `permission.asked`: once when the call is allowed, else reject with the reason. */
  async answer(request: PermissionAsk): Promise<void> {
    if (request.id === undefined) return;
    const call = await this.callOf(request);
    const command = call && call.tool === 'bash' ? commandOf(call.input) : undefined;
    let verdict: CommandVerdict;
    if (call === undefined || command === undefined) verdict = { allowed: false, reason: 'Only the bash tool may run commands, and its call could not be read.' };
    else verdict = checkCommand(command, this.options.rules, this.options.directory, typeof call.input.workdir === 'string' ? call.input.workdir : undefined);
    if (!verdict.allowed) this.record(command ?? String(request.metadata?.command ?? '(unknown command)'), verdict.reason, verdict.changed);
    try {
      await this.options.http.replyPermission(request.id, verdict.allowed ? 'once' : 'reject', verdict.allowed ? undefined : `${verdict.reason} The command was not run.`);
    } catch (error) {
      this.options.log?.(`Could not answer Kilo permission request ${request.id} (bash): ${describeError(error)}`);
      this.options.fail(error instanceof OrchestraError ? error : new OrchestraError('backend-failed', describeError(error), { retryable: true }));
    }
  }

  /** The tool call Kilo asks about: seen in the events, else read from the message. */
  private async callOf(request: PermissionAsk): Promise<ToolCall | undefined> {
    const { callID, messageID } = request.tool ?? {};
    if (callID === undefined) return undefined;
    const seen = this.calls.get(callID);
    if (seen !== undefined || messageID === undefined) return seen;
    try {
      const message = await this.options.http.getMessage(this.options.sessionId, messageID);
      const part = message.parts.find((candidate) => candidate.callID === callID) as { tool?: unknown; state?: { input?: unknown } } | undefined;
      const input = part?.state?.input;
      return typeof part?.tool === 'string' && typeof input === 'object' && input !== null ? { tool: part.tool, input: input as Record<string, unknown> } : undefined;
    } catch (error) {
      this.options.log?.(`Could not read the tool call of Kilo permission request ${request.id}: ${describeError(error)}`);
      return undefined;
    }
  }

  /** `withReason`: the command itself is allowed, so the report must say why it was refused. */
  private record(command: string, reason: string, withReason = false): void {
    const kept = command.slice(0, MAX_COMMAND_CHARS);
    if (this.deniedKeys.has(kept)) return;
    this.deniedKeys.add(kept);
    this.denied.push(withReason ? { command: kept, reason } : kept);
    this.options.onEvent({ type: 'progress', message: `refused command: ${kept.slice(0, 120)} (${reason})` });
  }
}

function commandOf(input: Record<string, unknown>): string | undefined {
  return typeof input.command === 'string' ? input.command : undefined;
}
