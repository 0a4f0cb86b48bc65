/**
 * Curve fits and the other arithmetic of the benchmark document. Pure, so the unit tests can check
 * them on known curves.
 */

/** y = intercept + slope · x, by least squares. */
export interface LinearFit {
  intercept: number;
  slope: number;
}

/** y = coefficient · x^exponent, by least squares on log y against log x. */
export interface PowerFit {
  coefficient: number;
  exponent: number;
}

export function linearFit(points: ReadonlyArray<readonly [number, number]>): LinearFit {
  if (points.length < 2) throw new Error(`A line needs two points or more, not ${points.length}.`);
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxx = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  if (sxx === 0) throw new Error('A line needs two different x values.');
  const sxy = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const slope = sxy / sxx;
  return { intercept: meanY - slope * meanX, slope };
}

export function powerFit(points: ReadonlyArray<readonly [number, number]>): PowerFit {
  const positive = points.filter(([x, y]) => x > 0 && y > 0);
  if (positive.length < 2) throw new Error('A power law needs two points or more with positive x and y.');
  const line = linearFit(positive.map(([x, y]) => [Math.log(x), Math.log(y)] as const));
  return { coefficient: Math.exp(line.intercept), exponent: line.slope };
}

export function atLinear(fit: LinearFit, x: number): number {
  return fit.intercept + fit.slope * x;
}

/** Median of the values; NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[mid]!;
}

/** Sum of each turn's span (its first request's arrival to its last one's end) over the whole span. */
export function concurrency(requests: ReadonlyArray<{ key: string; at: number; endedAt: number }>): number {
  const spans = new Map<string, [number, number]>();
  for (const request of requests) {
    const [from, to] = spans.get(request.key) ?? [Infinity, -Infinity];
    spans.set(request.key, [Math.min(from, request.at), Math.max(to, request.endedAt)]);
  }
  const all = [...spans.values()];
  if (all.length === 0) return 0;
  const whole = Math.max(...all.map(([, to]) => to)) - Math.min(...all.map(([from]) => from));
  const busy = all.reduce((sum, [from, to]) => sum + (to - from), 0);
  return whole > 0 ? Math.round((busy / whole) * 100) / 100 : 0;
}
