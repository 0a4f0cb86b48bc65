import { describe, expect, it } from 'vitest';
import { KEPT_LINES, RunLog, formatLogLine, type LogSink } from '../../../extension/run/runLog';

function aFakeSink(): LogSink & { written: Array<[string, string]> } {
  const written: Array<[string, string]> = [];
  const to = (level: string) => (message: string) => void written.push([level, message]);
  return { written, trace: to('trace'), debug: to('debug'), info: to('info'), warn: to('warn'), error: to('error') };
}

describe('RunLog', () => {
  it('prefixes every line with the run id, agent id and role, and "-" where they do not apply', () => {
    expect(formatLogLine('started', { runId: 'run-1' })).toBe('[run run-1] [-] [-] started');
    expect(formatLogLine('working', { runId: 'run-1', agentId: 'architect-1', role: 'architect' })).toBe('[run run-1] [architect-1] [architect] working');
    expect(formatLogLine('activated', {})).toBe('[run -] [-] [-] activated');
  });

  it('keeps a multi-line message on one prefixed line', () => {
    expect(formatLogLine('first\nsecond', { runId: 'r' })).toBe('[run r] [-] [-] first ⏎ second');
  });

  it('writes through a scoped logger at the level asked, with the agent given per line', () => {
    const sink = aFakeSink();
    const log = new RunLog(sink).scoped({ runId: 'run-7' });
    log.warn('rate limited', { agentId: 'primary-coder-1', role: 'primary-coder' });
    log.info('phase PLANNING');
    expect(sink.written).toEqual([
      ['warn', '[run run-7] [primary-coder-1] [primary-coder] rate limited'],
      ['info', '[run run-7] [-] [-] phase PLANNING'],
    ]);
  });

  it(`keeps only the most recent ${KEPT_LINES} lines`, () => {
    const log = new RunLog(aFakeSink());
    for (let n = 0; n < KEPT_LINES + 5; n += 1) log.info(`line ${n}`);
    const recent = log.recent();
    expect(recent).toHaveLength(KEPT_LINES);
    expect(recent[0]).toBe('[run -] [-] [-] line 5');
    expect(recent.at(-1)).toBe(`[run -] [-] [-] line ${KEPT_LINES + 4}`);
  });
});
