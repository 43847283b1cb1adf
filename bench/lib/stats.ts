/**
 * Summaries of repeated samples: median and spread (min/max, quartiles, p99). Quantiles
 * interpolate linearly between order statistics (R's type 7, numpy's default).
 */

/** The summary of a set of samples. */
export interface Summary {
  /** How many samples. */
  n: number;
  median: number;
  min: number;
  max: number;
  /** First quartile. */
  q1: number;
  /** Third quartile. */
  q3: number;
  /** 99th percentile (equal to the maximum below 100 samples, in effect). */
  p99: number;
}

/** The `q`-quantile (0 ≤ q ≤ 1) of `samples`. Throws on an empty list. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new Error('quantile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower]!;
  const b = sorted[upper]!;
  return a + (b - a) * (position - lower);
}

/** The median of `samples`. */
export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

/** Summarises `samples` (at least one). */
export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    median: quantile(samples, 0.5),
    min: Math.min(...samples),
    max: Math.max(...samples),
    q1: quantile(samples, 0.25),
    q3: quantile(samples, 0.75),
    p99: quantile(samples, 0.99),
  };
}
