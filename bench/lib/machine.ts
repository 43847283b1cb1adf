/**
 * The machine a run measured on, recorded with its figures (figures from different machines
 * do not compare).
 */
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { chromiumVersion } from './chromium.js';
import { openFilesLimit } from './processes.js';

/** The machine and software of one run. */
export interface Machine {
  /** ISO 8601, when the run started. */
  date: string;
  cpus: number;
  cpuModel: string;
  node: string;
  /** Chromium's version, or null when no browser was found. */
  chromium: string | null;
  os: string;
  /** Total memory, bytes. */
  memory: number;
  /** `ulimit -n` (soft, hard), which caps the sockets one process can hold. */
  openFiles: { soft: number; hard: number } | null;
  /** Load averages (1, 5, 15 min) when the run started: how busy the machine already was. */
  loadAverage: number[];
}

/** Describes this machine. */
export async function describeMachine(date: Date): Promise<Machine> {
  const list = cpus();
  return {
    date: date.toISOString(),
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    chromium: await chromiumVersion(),
    os: `${platform()} ${release()}`,
    memory: totalmem(),
    openFiles: openFilesLimit(),
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** The CPUs' busy and total time so far, summed over every CPU (ms). */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** How a benchmark's start waited for the machine to quiet down (see {@link settle}). */
export interface Settled {
  /** The share of CPU time idle over the last window before the start (0–1). */
  idle: number;
  /** How long it waited, ms. */
  waitedMs: number;
}

/**
 * Waits until the machine's CPUs were at least `idle` idle over a whole `windowMs` (the
 * processes an earlier benchmark left, Chromium's among them, wind down; a busy machine is
 * waited for, up to `maxMs`), and says how idle they were. Timings taken on a busy machine are
 * not comparable with those of a quiet one: the result records this, so a reader can tell.
 */
export async function settle({
  idle = 0.9,
  windowMs = 1000,
  maxMs = 20_000,
}: { idle?: number; windowMs?: number; maxMs?: number } = {}): Promise<Settled> {
  const start = performance.now();
  let share = 0;
  for (;;) {
    const before = cpuTimes();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = cpuTimes();
    const total = after.total - before.total;
    share = total > 0 ? 1 - (after.busy - before.busy) / total : 1;
    if (share >= idle || performance.now() - start >= maxMs) break;
  }
  return { idle: share, waitedMs: performance.now() - start };
}
