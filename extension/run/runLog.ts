/*
 * The "Kilo Orchestra" log. Every line names the run, the agent and its role (`-` when a line is not
 * about one), so a user or a bug report can follow one agent through a run. No `vscode` here: the
 * sink is the LogOutputChannel in the extension and an array in tests.
 */

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** The part of vscode.LogOutputChannel the log writes to. */
export type LogSink = Record<LogLevel, (message: string) => void>;

export interface LogContext {
  runId?: string;
  agentId?: string;
  role?: string;
}

/** Lines kept for the test API (`logLines()`). */
export const KEPT_LINES = 2000;

export class RunLog {
  private readonly lines: string[] = [];

  constructor(private readonly sink: LogSink) {}

  /** A logger bound to one run (and optionally one agent) for the lines it writes. */
  scoped(context: LogContext): ScopedLog {
    const write = (level: LogLevel) => (message: string, agent?: Pick<LogContext, 'agentId' | 'role'>) => this.write(level, message, { ...context, ...agent });
    return { trace: write('trace'), debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
  }

  write(level: LogLevel, message: string, context: LogContext = {}): void {
    const line = formatLogLine(message, context);
    this.lines.push(line);
    if (this.lines.length > KEPT_LINES) this.lines.splice(0, this.lines.length - KEPT_LINES);
    this.sink[level](line);
  }

  info(message: string, context?: LogContext): void {
    this.write('info', message, context);
  }

  warn(message: string, context?: LogContext): void {
    this.write('warn', message, context);
  }

  error(message: string, context?: LogContext): void {
    this.write('error', message, context);
  }

  /** The most recent lines, oldest first. */
  recent(): string[] {
    return [...this.lines];
  }
}

export type ScopedLog = Record<LogLevel, (message: string, agent?: Pick<LogContext, 'agentId' | 'role'>) => void>;

/** `[run <runId>] [<agentId>] [<role>] message`, `-` for each part that does not apply. */
export function formatLogLine(message: string, context: LogContext): string {
  // One entry per line: a multi-line message would lose its prefix on the lines after the first.
  const flat = message.replace(/\r?\n/g, ' ⏎ ');
  return `[run ${context.runId ?? '-'}] [${context.agentId ?? '-'}] [${context.role ?? '-'}] ${flat}`;
}
