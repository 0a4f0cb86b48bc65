import { describe, expect, it } from 'vitest';
import { formatDuration, formatOffset, formatTokens, formatUsd } from '../../webview/lib/format';
import { phaseLabel, runControls } from '../../webview/lib/runControls';
import { unifiedDiff } from '../../webview/lib/unifiedDiff';
import { aRun } from './fixtures/dashboardBuilders';

describe('display formats', () => {
  it('formats durations from seconds to hours', () => {
    expect([850, 42_000, 185_000, 3_725_000].map(formatDuration)).toEqual(['0s', '42s', '3m 05s', '1h 02m']);
  });

  it('formats time since the start as a duration, never as a clock', () => {
    expect([0, 42_000, 725_000, 3_729_000].map(formatOffset)).toEqual(['+0s', '+42s', '+12m 05s', '+1h 02m']);
  });

  it('shows small amounts of money with enough digits to be non-zero', () => {
    expect([0, 0.0042, 12.345].map(formatUsd)).toEqual(['$0.00', '$0.0042', '$12.35']);
  });

  it('shortens large token counts', () => {
    expect([1234, 12_345, 1_234_567].map(formatTokens)).toEqual(['1,234', '12.3k', '1.2M']);
  });

  it('labels phases in words', () => {
    expect(phaseLabel('PLAN_REVIEW')).toBe('Reviewing the plan');
  });

  it('allows no control without a run', () => {
    expect(runControls(undefined)).toEqual({ pause: false, resume: false, cancel: false });
    expect(runControls(aRun({ phase: 'TESTING' }))).toEqual({ pause: true, resume: false, cancel: true });
  });
});

describe('unifiedDiff', () => {
  it('gives hunks with added, removed and context lines', () => {
    expect(unifiedDiff('a\nb\nc\n', 'a\nB\nc\n')).toEqual([
      { kind: 'hunk', text: '@@ -1,3 +1,3 @@' },
      { kind: 'context', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'added', text: 'B' },
      { kind: 'context', text: 'c' },
    ]);
  });

  it('gives nothing for identical versions', () => {
    expect(unifiedDiff('same\n', 'same\n')).toEqual([]);
  });

  it('leaves out the no-newline marker', () => {
    expect(unifiedDiff('a', 'b').map((l) => l.kind)).toEqual(['hunk', 'removed', 'added']);
  });
});
