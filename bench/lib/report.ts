/**
 * What a benchmark reports: measurements (figures and their baselines, each a set of samples
 * with a median and spread), ratios between them, and targets judged against either. A
 * benchmark builds its result with a {@link Recorder}; `bench/run.ts` writes the results to
 * `bench/results/latest.json` and prints them as a table.
 */
import type { Settled } from './machine.js';
import { median, summarize, type Summary } from './stats.js';

/** Units of measurements. Sizes are bytes; the table shows them in KB (1 KB = 1,000 bytes). */
export type Unit = 'B' | 'ms' | 'µs' | 'sockets' | 'msg/s';

/**
 * - `measured`: every figure was measured.
 * - `not built`: the feature (or one side of the comparison) does not exist yet; whatever
 *   could be measured (usually the baseline) is still reported.
 * - `error`: the benchmark failed; `reason` says how.
 */
export type Status = 'measured' | 'not built' | 'error';

/** One measured quantity. */
export interface Measurement {
  /** Stable id within the benchmark, e.g. `cdn.gzip`. */
  id: string;
  label: string;
  unit: Unit;
  /** A figure of comms-kit, or a baseline measured in the same run. */
  role: 'figure' | 'baseline';
  summary: Summary;
  samples: number[];
  note?: string;
}

/** `of` ÷ `to`, the median of per-run ratios when both have one sample per run. */
export interface Ratio {
  id: string;
  label: string;
  of: string;
  to: string;
  summary: Summary;
}

/** A target on a measurement's median (or a ratio's), and whether it was met. */
export interface Target {
  /** The measurement or ratio judged. */
  subject: string;
  label: string;
  op: '<=' | '>=';
  limit: number;
  /** `×` for a ratio. */
  unit: Unit | '×';
  /** The value judged, when there is one. */
  actual: number | null;
  /** Null when not judged: the subject was not measured, or not at the size the target needs. */
  pass: boolean | null;
  note?: string;
}

/** One benchmark's result, as written to `latest.json`. */
export interface BenchmarkResult {
  name: string;
  title: string;
  status: Status;
  /** Why the status is `not built` or `error`. */
  reason?: string;
  measurements: Measurement[];
  ratios: Ratio[];
  targets: Target[];
  /** Notes on method, e.g. how many sockets a run opened. */
  notes: string[];
  durationMs: number;
  /**
   * How idle the machine's CPUs were just before it started, and how long the start waited for
   * them (`bench/run.ts` settles before each benchmark).
   */
  settled?: Settled;
}

interface PendingTarget {
  subject: string;
  label: string;
  op: '<=' | '>=';
  limit: number;
  unit: Unit | '×';
  unjudged?: string;
}

/** Collects one benchmark's measurements, ratios and targets. */
export class Recorder {
  readonly measurements: Measurement[] = [];
  readonly ratios: Ratio[] = [];
  readonly notes: string[] = [];
  status: Status = 'measured';
  reason?: string;
  #targets: PendingTarget[] = [];

  /** Records a figure of comms-kit from its samples (one per run). */
  figure(id: string, label: string, unit: Unit, samples: number[], note?: string): Measurement {
    return this.#add({ id, label, unit, role: 'figure', samples, note });
  }

  /** Records a baseline measured in the same run. */
  baseline(id: string, label: string, unit: Unit, samples: number[], note?: string): Measurement {
    return this.#add({ id, label, unit, role: 'baseline', samples, note });
  }

  /**
   * Records `of` ÷ `to`. With the same number of samples (runs paired in time) it is the median
   * of the per-run ratios, which cancels drift on a noisy machine; otherwise medians' ratio.
   */
  ratio(id: string, label: string, of: string, to: string): Ratio | undefined {
    const a = this.measurement(of);
    const b = this.measurement(to);
    if (!a || !b) return undefined;
    const samples =
      a.samples.length === b.samples.length
        ? a.samples.map((x, i) => x / b.samples[i]!)
        : [median(a.samples) / median(b.samples)];
    const ratio: Ratio = { id, label, of, to, summary: summarize(samples) };
    this.ratios.push(ratio);
    return ratio;
  }

  /**
   * Sets a target on a measurement or ratio (judged on its median when the result is made).
   * `unjudged` says why the value cannot judge the target in this run (e.g. too small a load).
   */
  target(
    subject: string,
    op: '<=' | '>=',
    limit: number,
    unit: Unit | '×',
    label: string,
    options: { unjudged?: string } = {},
  ): void {
    this.#targets.push({ subject, op, limit, unit, label, ...options });
  }

  /** Marks the feature (or one side of the comparison) as not built, saying what was checked. */
  notBuilt(reason: string): void {
    this.status = 'not built';
    this.reason = reason;
  }

  /** A measurement by id. */
  measurement(id: string): Measurement | undefined {
    return this.measurements.find((m) => m.id === id);
  }

  /** The result, with every target judged. */
  result(name: string, title: string, durationMs: number): BenchmarkResult {
    const targets = this.#targets.map((t): Target => {
      const measurement = this.measurement(t.subject);
      const ratio = this.ratios.find((r) => r.id === t.subject);
      const actual = measurement?.summary.median ?? ratio?.summary.median ?? null;
      const { subject, label, op, limit, unit } = t;
      const base = { subject, label, op, limit, unit, actual };
      if (actual === null) {
        return { ...base, pass: null, note: this.status === 'not built' ? 'not built' : 'none' };
      }
      if (t.unjudged) return { ...base, pass: null, note: t.unjudged };
      return { ...base, pass: t.op === '<=' ? actual <= t.limit : actual >= t.limit };
    });
    return {
      name,
      title,
      status: this.status,
      ...(this.reason === undefined ? {} : { reason: this.reason }),
      // Copies: a benchmark stopped by its time limit may still be writing to this recorder.
      measurements: [...this.measurements],
      ratios: [...this.ratios],
      targets,
      notes: [...this.notes],
      durationMs,
    };
  }

  #add(m: Omit<Measurement, 'summary' | 'note'> & { note: string | undefined }): Measurement {
    if (m.samples.length === 0) throw new Error(`${m.id}: no samples`);
    if (this.measurement(m.id)) throw new Error(`${m.id}: recorded twice`);
    const { note, ...rest } = m;
    const measurement: Measurement = {
      ...rest,
      summary: summarize(m.samples),
      ...(note === undefined ? {} : { note }),
    };
    this.measurements.push(measurement);
    return measurement;
  }
}
