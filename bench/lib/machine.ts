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
