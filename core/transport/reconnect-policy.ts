/**
 * When to try reconnecting after the WebSocket is lost. The rule sits behind an interface so
 * an application can replace it (`connectivity.reconnectPolicy`); the default follows the seeds'
 * `connectivity` settings, with jitter so a fleet of clients does not reconnect in lockstep.
 */
import type { ConnectivityConfig } from '../config.js';

/** What the policy knows when it decides. */
export interface ReconnectContext {
  /** Which attempt this will be, from 1. */
  attempt: number;
  /** Milliseconds since the connection was lost. */
  elapsedMs: number;
  /** The close code of the lost socket, when there was one. */
  closeCode?: number;
}

/** Decides the delay before the next reconnect attempt, or `null` to give up. */
export interface ReconnectPolicy {
  nextRetryDelayMs(context: ReconnectContext): number | null;
}

/**
 * The seeds' rule: `reconnectDelay × reconnectTimeMultiplier^(attempt−1)`, capped at
 * `reconnectTimeLimit`, at most `reconnectLimit` attempts (0: no limit), then spread by
 * ±`reconnectJitter` (a fraction; default 0.2) and capped again.
 */
export class DefaultReconnectPolicy implements ReconnectPolicy {
  readonly #config: () => ConnectivityConfig;
  readonly #random: () => number;

  constructor(config: () => ConnectivityConfig, random: () => number = Math.random) {
    this.#config = config;
    this.#random = random;
  }

  nextRetryDelayMs({ attempt }: ReconnectContext): number | null {
    const {
      reconnectLimit = 5,
      reconnectDelay = 5000,
      reconnectTimeMultiplier = 1,
      reconnectTimeLimit = 640000,
      reconnectJitter = 0.2,
    } = this.#config();
    if (reconnectLimit > 0 && attempt > reconnectLimit) return null;
    const base = Math.min(
      reconnectDelay * reconnectTimeMultiplier ** (attempt - 1),
      reconnectTimeLimit,
    );
    const spread = base * reconnectJitter * (this.#random() * 2 - 1);
    return Math.max(0, Math.min(Math.round(base + spread), reconnectTimeLimit));
  }
}
