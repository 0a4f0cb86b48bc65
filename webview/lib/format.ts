/** Display formats shared by the dashboard's components. */

import { durationInWords, sinceStartInWords } from '../../extension/protocol/vocabulary';

/** "42s", "3m 05s", "1h 02m": the one duration format, shared with the host (protocol/vocabulary.ts). */
export const formatDuration = durationInWords;

/** Time since the run started, as a duration and never a clock time: "+0s", "+1m 20s". */
export const formatOffset = sinceStartInWords;

/** "$0.00", "$0.0042" for small amounts, "$12.35". */
export function formatUsd(usd: number): string {
  if (usd > 0 && usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

/** "1,234" / "12.3k" / "1.2M" tokens. */
export function formatTokens(n: number): string {
  if (n < 10_000) return n.toLocaleString('en-US');
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}
