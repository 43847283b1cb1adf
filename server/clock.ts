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
  /** Runs `fn` once after `delayMs` (0 or less: on a later turn). */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  /**
   * Runs `fn(arg)` once after `delayMs`. With one `fn` shared by many timers (say, one per
   * socket), a timer costs no closure of its own.
   */
  setTimeout<A>(fn: (arg: A) => void, delayMs: number, arg: A): TimerHandle;
}

// Node's timers cap a delay at 2^31-1 ms (about 24.8 days); longer delays fire at once.
const MAX_DELAY = 2 ** 31 - 1;

/** One waiting timer of a {@link TimerQueue}, and its handle. */
class QueuedTimer implements TimerHandle {
  due: number;
  readonly seq: number;
  readonly fn: (arg: unknown) => void;
  readonly arg: unknown;
  /** Its place in the queue's heap; -1 once it has fired or been cancelled. */
  index = -1;
  readonly queue: TimerQueue;

  constructor(
    queue: TimerQueue,
    due: number,
    seq: number,
    fn: (arg: unknown) => void,
    arg: unknown,
  ) {
    this.queue = queue;
    this.due = due;
    this.seq = seq;
    this.fn = fn;
    this.arg = arg;
  }

  cancel(): void {
    this.queue.remove(this);
  }
}

/** How a {@link TimerQueue} arms its one real timer: returns a function that disarms it. */
export type Scheduler = (fire: () => void, delayMs: number) => () => void;

/** Node's `setTimeout`, unref'd so it never keeps a process up. */
const nodeScheduler: Scheduler = (fire, delayMs) => {
  const timer = setTimeout(fire, delayMs);
  timer.unref();
  return () => clearTimeout(timer);
};

/** An uncaught exception, as a Node timer's error would be. */
const rethrow = (error: unknown) =>
  queueMicrotask(() => {
    throw error;
  });

const runsFirst = (a: QueuedTimer, b: QueuedTimer) =>
  a.due < b.due || (a.due === b.due && a.seq < b.seq);

/**
 * Many timers on one real timer: a binary heap ordered by due time (then by the order they were
 * set), with one scheduler timer armed for the earliest. A waiting timer is one small object
 * (its handle), where a Node `Timeout` per timer also costs its closures, a timer list per
 * distinct delay and a place in libuv's heap: the gateway holds a token-expiry timer per
 * socket, so this is what tens of thousands of sockets cost in timers. Setting and cancelling
 * are O(log n). A due timer never runs before `now()` reaches its due time, and a timer set
 * while others run waits for a later turn.
 */
export class TimerQueue {
  private readonly heap: QueuedTimer[] = [];
  private readonly now: () => number;
  private readonly schedule: Scheduler;
  private readonly onError: (error: unknown) => void;
  private seq = 0;
  private disarm: (() => void) | undefined;
  /** The due time the scheduler's timer is armed for (Infinity: not armed). */
  private armedFor = Infinity;

  constructor(
    options: {
      /** The time in ms (default `Date.now`). */
      now?: () => number;
      /** Arms the real timer (default Node's, unref'd). */
      schedule?: Scheduler;
      /** Told when a timer throws, after the other due timers ran (default: rethrown, uncaught, as a Node timer's). */
      onError?: (error: unknown) => void;
    } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.schedule = options.schedule ?? nodeScheduler;
    this.onError = options.onError ?? rethrow;
  }

  /** Runs `fn(arg)` once after `delayMs`. */
  add<A>(fn: (arg: A) => void, delayMs: number, arg?: A): TimerHandle {
    const timer = new QueuedTimer(
      this,
      this.now() + Math.max(0, delayMs || 0),
      this.seq++,
      fn as (arg: unknown) => void,
      arg,
    );
    timer.index = this.heap.length;
    this.heap.push(timer);
    this.up(timer.index);
    this.arm();
    return timer;
  }

  /** Takes a waiting timer out (nothing when it has fired or was taken out already). */
  remove(timer: QueuedTimer): void {
    const i = timer.index;
    if (i < 0 || this.heap[i] !== timer) return;
    timer.index = -1;
    const last = this.heap.pop()!;
    if (last !== timer) {
      this.heap[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
    // The real timer stays armed: when it fires early, it finds nothing due and re-arms.
    if (!this.heap.length) this.stop();
  }

  /** How many timers are waiting. */
  get size(): number {
    return this.heap.length;
  }

  /** Runs every timer due by now (set before this turn), in order, then re-arms. */
  private fire = (): void => {
    this.disarm = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    const before = this.seq;
    const errors: unknown[] = [];
    for (;;) {
      const head = this.heap[0];
      if (!head || head.due > now || head.seq >= before) break;
      this.remove(head);
      try {
        head.fn(head.arg);
      } catch (error) {
        errors.push(error);
      }
    }
    this.arm();
    for (const error of errors) this.onError(error);
  };

  private arm(): void {
    const head = this.heap[0];
    if (!head || head.due >= this.armedFor) return;
    this.disarm?.();
    this.armedFor = head.due;
    const delay = Math.min(Math.max(0, head.due - this.now()), MAX_DELAY);
    this.disarm = this.schedule(this.fire, delay);
  }

  private stop(): void {
    this.disarm?.();
    this.disarm = undefined;
    this.armedFor = Infinity;
  }

  private up(i: number): void {
    const heap = this.heap;
    const timer = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!runsFirst(timer, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      heap[i]!.index = i;
      i = parent;
    }
    heap[i] = timer;
    timer.index = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const timer = heap[i]!;
    const n = heap.length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && runsFirst(heap[child + 1]!, heap[child]!)) child++;
      if (!runsFirst(heap[child]!, timer)) break;
      heap[i] = heap[child]!;
      heap[i]!.index = i;
      i = child;
    }
    heap[i] = timer;
    timer.index = i;
  }
}

let systemTimers: TimerQueue | undefined;

/**
 * The real clock: `Date.now()`, and every timer of the process on one {@link TimerQueue}
 * (one unref'd Node timer, so timers never keep a process up).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout<A>(fn: (arg: A) => void, delayMs: number, arg?: A): TimerHandle {
    return (systemTimers ??= new TimerQueue()).add(fn, delayMs, arg);
  },
};

interface ManualTimer {
  due: number;
  seq: number;
  fn: (arg: unknown) => void;
  arg: unknown;
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

  setTimeout<A>(fn: (arg: A) => void, delayMs: number, arg?: A): TimerHandle {
    const timer: ManualTimer = {
      due: this.current + Math.max(0, delayMs),
      seq: this.seq++,
      fn: fn as (arg: unknown) => void,
      arg,
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
      next.fn(next.arg);
    }
    this.current = target;
  }

  /** How many timers are waiting (for tests that check nothing leaks). */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
