import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CommsClient } from '../../core/client.js';

/**
 * Call quality from `client.call.getStats`: round trip, loss and jitter, reduced to four bars,
 * and the received bitrate and loss over time for the live graph.
 */

/** One measurement. `null` where the report had nothing to say. */
export interface QualitySample {
  /** When it was taken (ms, `performance.now()`). */
  at: number;
  /** Round-trip time in ms. */
  rtt: number | null;
  /** Packets lost since the previous sample, in % of those expected. */
  loss: number | null;
  /** Inbound audio jitter in ms. */
  jitter: number | null;
  /** Received bitrate since the previous sample, in kbit/s. */
  kbps: number | null;
}

/** The cumulative counters a sample is derived from. */
export interface StatsTotals {
  at: number;
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
  rtt: number | null;
  jitter: number | null;
}

type Stat = Record<string, unknown> & { type: string; id: string };

/** Reads the counters out of a stats report. */
export function readTotals(report: RTCStatsReport, at: number): StatsTotals {
  const stats: Stat[] = [];
  report.forEach((s: Stat) => stats.push(s));
  let bytesReceived = 0;
  let packetsReceived = 0;
  let packetsLost = 0;
  let jitter: number | null = null;
  let rtt: number | null = null;
  for (const s of stats) {
    if (s.type === 'inbound-rtp') {
      bytesReceived += Number(s.bytesReceived ?? 0);
      packetsReceived += Number(s.packetsReceived ?? 0);
      packetsLost += Math.max(0, Number(s.packetsLost ?? 0));
      if (s.kind === 'audio' && typeof s.jitter === 'number') jitter = s.jitter * 1000;
    }
  }
  const transport = stats.find((s) => s.type === 'transport');
  const pair =
    stats.find((s) => s.type === 'candidate-pair' && s.id === transport?.selectedCandidatePairId) ??
    stats.find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
  if (typeof pair?.currentRoundTripTime === 'number') rtt = pair.currentRoundTripTime * 1000;
  if (rtt === null) {
    const remote = stats.find(
      (s) => s.type === 'remote-inbound-rtp' && typeof s.roundTripTime === 'number',
    );
    if (remote) rtt = Number(remote.roundTripTime) * 1000;
  }
  return { at, bytesReceived, packetsReceived, packetsLost, rtt, jitter };
}

/** The sample between two readings of the counters. */
export function sampleBetween(previous: StatsTotals | undefined, now: StatsTotals): QualitySample {
  if (!previous) return { at: now.at, rtt: now.rtt, jitter: now.jitter, loss: null, kbps: null };
  const seconds = (now.at - previous.at) / 1000;
  const received = now.packetsReceived - previous.packetsReceived;
  const lost = Math.max(0, now.packetsLost - previous.packetsLost);
  const bytes = now.bytesReceived - previous.bytesReceived;
  return {
    at: now.at,
    rtt: now.rtt,
    jitter: now.jitter,
    loss: received + lost > 0 ? (lost / (received + lost)) * 100 : null,
    kbps: seconds > 0 && bytes >= 0 ? (bytes * 8) / 1000 / seconds : null,
  };
}

/** Four bars for good media, one for bad; 0 while nothing is known. */
export function qualityLevel(sample: QualitySample | undefined): 0 | 1 | 2 | 3 | 4 {
  if (!sample || (sample.rtt === null && sample.loss === null && sample.jitter === null)) return 0;
  const rtt = sample.rtt ?? 0;
  const loss = sample.loss ?? 0;
  const jitter = sample.jitter ?? 0;
  if (rtt < 150 && loss < 1 && jitter < 20) return 4;
  if (rtt < 300 && loss < 3 && jitter < 40) return 3;
  if (rtt < 500 && loss < 8 && jitter < 80) return 2;
  return 1;
}

/** SVG polyline points for `values` in a `width`×`height` box, scaled to `max`. */
export function polyline(values: Array<number | null>, width: number, height: number, max: number) {
  const n = values.length;
  if (n === 0 || max <= 0) return '';
  const step = n > 1 ? width / (n - 1) : 0;
  return values
    .map((v, i) => {
      const y = height - (Math.min(v ?? 0, max) / max) * (height - 2) - 1;
      return `${(i * step).toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

/** How many samples the graph keeps. */
export const SAMPLES_KEPT = 30;

/**
 * Samples the quality of one call every `interval` ms while its host is connected: call
 * `follow()` on each update with the call to watch (or none).
 */
export class QualityController implements ReactiveController {
  /** The last samples, oldest first. */
  samples: QualitySample[] = [];

  readonly #host: ReactiveControllerHost;
  #client: CommsClient | undefined;
  #callId: string | undefined;
  #interval = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #totals: StatsTotals | undefined;
  #connected = false;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  /** The latest sample. */
  get latest(): QualitySample | undefined {
    return this.samples[this.samples.length - 1];
  }

  hostConnected(): void {
    this.#connected = true;
    this.#restart();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#stop();
  }

  /** Watches `callId` on `client` (none: stops). Samples are kept while the call stays the same. */
  follow(client: CommsClient | undefined, callId: string | undefined, interval: number): void {
    if (client === this.#client && callId === this.#callId && interval === this.#interval) return;
    if (client !== this.#client || callId !== this.#callId) {
      this.samples = [];
      this.#totals = undefined;
    }
    this.#client = client;
    this.#callId = callId;
    this.#interval = interval;
    this.#restart();
  }

  #restart(): void {
    this.#stop();
    if (!this.#connected || !this.#client || !this.#callId || !(this.#interval > 0)) return;
    this.#timer = setInterval(() => void this.#tick(), this.#interval);
    void this.#tick();
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #tick(): Promise<void> {
    const client = this.#client;
    const callId = this.#callId;
    if (!client || !callId || client.destroyed) return;
    try {
      const report = await client.call.getStats(callId);
      if (client !== this.#client || callId !== this.#callId) return;
      const totals = readTotals(report, performance.now());
      this.samples = [...this.samples, sampleBetween(this.#totals, totals)].slice(-SAMPLES_KEPT);
      this.#totals = totals;
      this.#host.requestUpdate();
    } catch {
      // The call ended between two samples: the next follow() stops the timer.
    }
  }
}
