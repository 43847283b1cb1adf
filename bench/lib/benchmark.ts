/**
 * The contract of one benchmark module (`bench/<name>.ts`), registered in `bench/run.ts`.
 */
import type { Probes } from './probes.js';
import type { Recorder } from './report.js';

/** Options of one `npm run bench`. */
export interface RunOptions {
  /** `--runs`: runs of each timed benchmark, instead of its default. */
  runs?: number;
  /** `--sockets`: idle sockets per server in the gateway memory benchmark. */
  sockets: number;
  /**
   * `--postgres`: the messaging benchmarks also measure the gateway on PostgreSQL (extra
   * figures, no target).
   */
  postgres?: boolean;
}

/** What a benchmark gets from the runner. */
export interface BenchContext {
  options: RunOptions;
  /** The runs to make: `--runs` when given, else `defaultRuns`. */
  runs(defaultRuns: number): number;
  /** A progress line on stderr. */
  log(message: string): void;
  /** Aborted when the benchmark runs out of time. */
  signal: AbortSignal;
  /**
   * Registers a clean-up (stop a server, close a browser) that runs when the benchmark ends,
   * also on an error or a timeout; the last registered runs first. Clean-ups a benchmark
   * already ran itself are harmless to run again.
   */
  defer(cleanup: () => unknown): void;
  probes: Probes;
}

/** One benchmark: one figure (with its baselines, ratios and targets). */
export interface Benchmark {
  /** Short id for `--only`, e.g. `cdn-size`. */
  name: string;
  /** What it measures, for the table. */
  title: string;
  /** Time allowed, ms; past it the benchmark is stopped and reported as an error. */
  timeoutMs(options: RunOptions): number;
  /** Measures into `record`; throws on failure. */
  run(context: BenchContext, record: Recorder): Promise<void>;
}

/** Throws the abort reason when `signal` is aborted: call between steps of a long run. */
export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/**
 * For a benchmark whose feature does not exist yet and whose measurement is not written:
 * with `missing` (the failed checks) non-empty, records "not built" and the reasons. When every
 * check passes, the feature has landed and the benchmark must be written: it throws, so the
 * run says so instead of staying quiet.
 */
export function notBuiltYet(record: Recorder, missing: string[], file: string): void {
  if (missing.length > 0) {
    record.notBuilt(missing.join('; '));
    return;
  }
  throw new Error(
    `the feature exists now (every check passes), but ${file} does not measure it yet: write the measurement its doc comment plans`,
  );
}
