/**
 * The timers of the real clock: {@link TimerQueue} on its own (time and the one real timer
 * driven by the test), `systemClock` on Node's timers, and a gateway on `systemClock` closing a
 * socket with TOKEN_EXPIRED (4001) when its access token lapses, never before.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCodes } from '../../core/protocol/constants.js';
import { TimerQueue, systemClock, type Scheduler } from '../../server/clock.js';
import { startServer } from '../../server/index.js';
import { connect, signupAndLogin } from '../helpers/client.js';

/** A queue on a clock the test moves, whose real timer the test fires. */
function drivenQueue(start = 1000) {
  let now = start;
  const armed: Array<{ fire: () => void; delay: number; live: boolean }> = [];
  const schedule: Scheduler = (fire, delay) => {
    const timer = { fire, delay, live: true };
    armed.push(timer);
    return () => (timer.live = false);
  };
  const errors: unknown[] = [];
  const queue = new TimerQueue({ now: () => now, schedule, onError: (e) => errors.push(e) });
  const live = () => armed.filter((t) => t.live);
  return {
    queue,
    errors,
    live,
    /** Moves time to `at` and fires the armed real timer, as Node would. */
    fireAt(at: number) {
      now = at;
      const [timer] = live();
      assert.ok(timer, 'a real timer is armed');
      timer.live = false;
      timer.fire();
    },
  };
}

describe('TimerQueue', () => {
  it('holds any number of timers on one real timer, armed for the earliest', () => {
    const { queue, live } = drivenQueue();
    for (let i = 0; i < 1000; i++) queue.add(() => {}, 5000 - i);
    assert.equal(queue.size, 1000);
    assert.equal(live().length, 1);
    assert.equal(live()[0]!.delay, 4001);
  });

  it('runs due timers in due order (ties in the order set) with their argument; skips cancelled ones', () => {
    const { queue, fireAt, live } = drivenQueue(1000);
    const ran: string[] = [];
    const push = (name: string) => ran.push(name);
    queue.add(push, 200, 'c');
    queue.add(push, 100, 'a');
    queue.add(push, 100, 'b');
    const cancelled = queue.add(push, 150, 'x');
    queue.add(push, 300, 'later');
    cancelled.cancel();
    cancelled.cancel();
    assert.equal(queue.size, 4);
    fireAt(1200);
    assert.deepEqual(ran, ['a', 'b', 'c']);
    assert.equal(queue.size, 1);
    assert.equal(live()[0]!.delay, 100, 're-armed for the one left');
    fireAt(1300);
    assert.deepEqual(ran, ['a', 'b', 'c', 'later']);
    assert.equal(live().length, 0, 'nothing armed once empty');
  });

  it('never runs a timer before its due time: fired early, it re-arms for the rest', () => {
    const { queue, fireAt, live } = drivenQueue(1000);
    let ran = false;
    queue.add(() => (ran = true), 100);
    fireAt(1099);
    assert.equal(ran, false);
    assert.equal(live()[0]!.delay, 1);
    fireAt(1100);
    assert.equal(ran, true);
  });

  it('keeps a timer set while others run for a later firing', () => {
    const { queue, fireAt, live } = drivenQueue(1000);
    const ran: string[] = [];
    queue.add(() => {
      ran.push('first');
      queue.add(() => ran.push('set meanwhile'), 0);
    }, 10);
    fireAt(1010);
    assert.deepEqual(ran, ['first']);
    assert.equal(live()[0]!.delay, 0);
    fireAt(1010);
    assert.deepEqual(ran, ['first', 'set meanwhile']);
  });

  it('re-arms earlier for an earlier timer, and disarms when the last is cancelled', () => {
    const { queue, live } = drivenQueue();
    const late = queue.add(() => {}, 500);
    const early = queue.add(() => {}, 50);
    assert.deepEqual(
      live().map((t) => t.delay),
      [50],
    );
    early.cancel();
    late.cancel();
    assert.equal(queue.size, 0);
    assert.equal(live().length, 0);
  });

  it('a timer that throws does not stop the others; the error is reported', () => {
    const { queue, fireAt, errors } = drivenQueue(0);
    const ran: number[] = [];
    queue.add(() => ran.push(1), 1);
    queue.add(() => {
      throw new Error('boom');
    }, 2);
    queue.add(() => ran.push(3), 3);
    fireAt(3);
    assert.deepEqual(ran, [1, 3]);
    assert.equal((errors[0] as Error).message, 'boom');
  });

  it('arms at most 2^31-1 ms ahead (Node’s limit) and re-arms until a longer delay is due', () => {
    const { queue, fireAt, live } = drivenQueue(0);
    let ran = false;
    const month = 31 * 24 * 3600 * 1000;
    queue.add(() => (ran = true), month);
    assert.equal(live()[0]!.delay, 2 ** 31 - 1);
    fireAt(2 ** 31 - 1);
    assert.equal(ran, false);
    assert.equal(live()[0]!.delay, month - (2 ** 31 - 1));
    fireAt(month);
    assert.equal(ran, true);
  });

  it('keeps the heap ordered through many adds and cancels', () => {
    const { queue, fireAt } = drivenQueue(0);
    const ran: number[] = [];
    const handles = [];
    for (let i = 0; i < 500; i++) {
      const due = (i * 7919) % 1000;
      handles.push({ due, handle: queue.add((d: number) => ran.push(d), due, due) });
    }
    const kept = handles.filter((_, i) => i % 3 !== 0);
    for (const [i, h] of handles.entries()) if (i % 3 === 0) h.handle.cancel();
    fireAt(1000);
    assert.deepEqual(
      ran,
      kept.map((h) => h.due).sort((a, b) => a - b),
    );
  });
});

describe('systemClock', () => {
  it('runs a timer with its argument after its delay, not a cancelled one', async () => {
    // The clock's timers never keep a process up: this test's own does, while it waits.
    const keepAlive = setInterval(() => {}, 1000);
    try {
      const start = Date.now();
      const cancelled = systemClock.setTimeout(() => assert.fail('cancelled timer ran'), 5);
      cancelled.cancel();
      const ranAt = await new Promise<number>((resolve) =>
        systemClock.setTimeout((at: () => number) => resolve(at()), 20, Date.now),
      );
      assert.ok(ranAt >= start + 20, `ran ${ranAt - start} ms after it was set`);
    } finally {
      clearInterval(keepAlive);
    }
  });
});

describe('a gateway on the system clock', () => {
  it('closes a socket with TOKEN_EXPIRED (4001) once its access token lapses, not before', async () => {
    const server = await startServer({
      port: 0,
      db: ':memory:',
      logLevel: false,
      authRateLimit: false,
      accessTokenTtl: 2,
    });
    try {
      const tokens = await signupAndLogin(server.url);
      const { exp } = JSON.parse(
        Buffer.from(tokens.accessToken.split('.')[1]!, 'base64url').toString(),
      ) as { exp: number };
      const socket = await connect(server.url, tokens.accessToken);
      const closed = await socket.closed;
      assert.equal(closed.code, CloseCodes.TOKEN_EXPIRED);
      assert.ok(Date.now() >= exp * 1000, 'closed once the token had lapsed');
    } finally {
      await server.close();
    }
  });
});
