/**
 * Time as the gateway sees it. Everything that expires (access tokens, subscriptions, tickets)
 * reads {@link Clock.now} and schedules through the clock, so tests drive time with
 * {@link ManualClock} instead of waiting for minutes.
 */

/** A timer handle returned by {@link Clock.setTimeout}. */
export interface TimerHandle {
  /** Stops the timer; harmless after it has fired. */
  cancel(): void;
}

/** A source of time and of timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `delayMs` (0 or less: on the next turn). */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
}

// Node's timers cap a delay at 2^31-1 ms (about 24.8 days); longer delays fire at once.
const MAX_DELAY = 2 ** 31 - 1;

/** The real clock: `Date.now()` and Node's timers (unref'd, so they never keep a process up). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, delayMs) {
    let timer: NodeJS.Timeout;
    const due = Date.now() + Math.max(0, delayMs);
    const arm = () => {
      const left = due - Date.now();
      timer = setTimeout(left > MAX_DELAY ? arm : fn, Math.min(Math.max(0, left), MAX_DELAY));
      timer.unref();
    };
    arm();
    return { cancel: () => clearTimeout(timer) };
  },
};

interface ManualTimer {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told to: {@link ManualClock.advance} runs the timers that fall
 * due, in order. For tests: `startServer({ clock: new ManualClock() })`.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  /** @param start the initial time, ms since the epoch (default: the real time now) */
  constructor(start: number = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const timer: ManualTimer = {
      due: this.current + Math.max(0, delayMs),
      seq: this.seq++,
      fn,
      cancelled: false,
    };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const next = this.timers
        .filter((t) => t.due <= target)
        .sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.current = Math.max(this.current, next.due);
      next.cancelled = true;
      next.fn();
    }
    this.current = target;
  }

  /** How many timers are waiting (for tests that check nothing leaks). */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
