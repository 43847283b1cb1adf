/**
 * Message latency: a stored message's `message.send` → the recipient's `message:new`, and →
 * the sender's acknowledgement (stored), median and p99, through the gateway; next to the
 * same frames one way through a bare `ws` relay.
 *
 * - Figure: a fresh gateway (rate limits off: this measures the path, not the limiter), users
 *   A and B signed up in the run, each on its own WebSocket subscribed to `chat`, one
 *   conversation. A sends messages of 64 characters one at a time (the next after both the
 *   acknowledgement and B's event arrived), after 20,000 warm-up messages (the same through the
 *   relay), so V8 has optimised both servers' code; each is timed with
 *   `performance.now()` in this process (one clock for both ends, no skew). Each clientId is
 *   a UUIDv7, as `comms-kit/core` makes them (the relay's frames carry the same). Measured at the
 *   protocol level with `ws` sockets: Node 20 has no global WebSocket for the core client,
 *   and the client adds the same small cost to both sides of the comparison.
 * - Baseline, same run: two sockets on the bare `ws` server's relay (`?room=`), the same frame
 *   size, one way.
 * - Runs alternate (gateway, bare); the ratio is of per-run medians.
 * - Targets: median ≤ 2× the bare relay; p99 ≤ 5 ms.
 * - With `--postgres`: the same gateway again on PostgreSQL, warmed up the same, its runs
 *   alternating with the others (`postgres.*`: figures without a target).
 */
import { v7 as uuidv7 } from 'uuid';
import type WebSocket from 'ws';
import { checkAborted, type Benchmark } from './lib/benchmark.js';
import {
  missingMessageRequest,
  recordPostgresCpu,
  setUpMessagingBench,
  setUpPostgresGateway,
  withCpu,
  type Peer,
} from './lib/messaging.js';
import { quantile } from './lib/stats.js';

const DEFAULT_RUNS = 5;
const PER_RUN = 500;
// Measured on 2026-11-23 in blocks of 500 messages from a fresh gateway, the gateway's median
// went 334, 238, 138, 103, 108, 103, 97, 95 … 89 µs: V8 optimises the code over the first few
// thousand messages. With 50 warm-up messages, as before, the first runs measured that. After
// 5,000, V8's compiler threads still took 4–7 µs of the gateway's CPU per message in the
// measured runs, and 0.4 µs after 20,000 (2026-11-23 evening): the warm-up is 20,000 since.
const WARM_UP = 20_000;
const TEXT = 'x'.repeat(64);

interface Sample {
  delivered: number;
  stored: number;
}

/** Sends `count` messages one at a time through the gateway; times each. */
async function gatewayRun(
  a: Peer,
  b: Peer,
  conversationId: string,
  count: number,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = uuidv7();
    const start = performance.now();
    const delivered = new Promise<number>((resolve) => {
      b.onEvent = (frame) => {
        const message = (frame as { event?: string; message?: { clientId?: string } }).message;
        if (frame.event === 'message:new' && message?.clientId === clientId)
          resolve(performance.now() - start);
      };
    });
    const stored = a
      .request({
        type: 'message.send',
        conversationId,
        clientId,
        parts: [{ type: 'text', text: TEXT }],
      })
      .then(() => performance.now() - start);
    const [d, s] = await Promise.all([delivered, stored]);
    samples.push({ delivered: d, stored: s });
  }
  return samples;
}

/** The same frames one way through the bare relay. */
async function bareRun(a: WebSocket, b: WebSocket, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const arrived = new Promise<number>((resolve) =>
      b.once('message', () => resolve(performance.now() - start)),
    );
    a.send(
      JSON.stringify({
        type: 'relay',
        data: { clientId: uuidv7(), parts: [{ type: 'text', text: TEXT }] },
      }),
    );
    samples.push(await arrived);
  }
  return samples;
}

export const messageLatency: Benchmark = {
  name: 'message-latency',
  title: 'Message: send() → recipient event, stored',
  timeoutMs: (options) =>
    (60e3 + (options.runs ?? DEFAULT_RUNS) * 60e3) * (options.postgres ? 2 : 1),
  async run(context, record) {
    const core = await context.probes.core();
    const protocol = await missingMessageRequest(context.probes);
    const gateway = await context.probes.gateway();
    const missing = [
      core.has('conversation.create') ? '' : 'comms-kit/core has no client.conversation.create',
      protocol ?? '',
      gateway.built ? '' : gateway.reason,
    ].filter(Boolean);
    if (missing.length) return record.notBuilt(missing.join('; '));

    const {
      a,
      b,
      conversationId,
      relayA: ra,
      relayB: rb,
      servers,
    } = await setUpMessagingBench(context);
    const postgres = await setUpPostgresGateway(context);

    await gatewayRun(a, b, conversationId, WARM_UP);
    await bareRun(ra, rb, WARM_UP);
    if (postgres) await gatewayRun(postgres.a, postgres.b, postgres.conversationId, WARM_UP);
    const runs = context.runs(DEFAULT_RUNS);
    context.log(
      `${runs} runs × ${PER_RUN} messages each way, alternating (after ${WARM_UP} warm-up)`,
    );
    const delivered: number[][] = [];
    const stored: number[][] = [];
    const plain: number[][] = [];
    const kitCpu: number[] = [];
    const plainCpu: number[] = [];
    const pgDelivered: number[][] = [];
    const pgStored: number[][] = [];
    const pgCpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      checkAborted(context.signal);
      const g = await withCpu(servers.gateway, PER_RUN, () =>
        gatewayRun(a, b, conversationId, PER_RUN),
      );
      delivered.push(g.result.map((s) => s.delivered));
      stored.push(g.result.map((s) => s.stored));
      const r = await withCpu(servers.bare, PER_RUN, () => bareRun(ra, rb, PER_RUN));
      plain.push(r.result);
      if (g.cpu !== null && r.cpu !== null) {
        kitCpu.push(g.cpu);
        plainCpu.push(r.cpu);
      }
      if (postgres) {
        const p = await withCpu(postgres.server, PER_RUN, () =>
          gatewayRun(postgres.a, postgres.b, postgres.conversationId, PER_RUN),
        );
        pgDelivered.push(p.result.map((s) => s.delivered));
        pgStored.push(p.result.map((s) => s.stored));
        if (p.cpu !== null) pgCpu.push(p.cpu);
      }
    }
    const per = (list: number[][], q: number) => list.map((r) => quantile(r, q));
    record.figure(
      'delivered',
      'gateway: send → recipient event (all messages)',
      'ms',
      delivered.flat(),
    );
    record.figure('stored', 'gateway: send → stored (acknowledged)', 'ms', stored.flat());
    const µs = (list: number[]) => list.map((ms) => ms * 1000);
    record.figure(
      'delivered.median',
      'gateway: send → recipient, per-run median',
      'µs',
      µs(per(delivered, 0.5)),
    );
    record.figure(
      'delivered.p99',
      'gateway: send → recipient, per-run p99',
      'ms',
      per(delivered, 0.99),
    );
    record.baseline(
      'bare.median',
      'bare relay: one way, per-run median',
      'µs',
      µs(per(plain, 0.5)),
    );
    record.baseline('bare.p99', 'bare relay: one way, per-run p99', 'ms', per(plain, 0.99));
    record.ratio('median.ratio', 'median ÷ bare relay', 'delivered.median', 'bare.median');
    record.target('median.ratio', '<=', 2, '×', 'median ≤ 2× bare relay');
    record.target('delivered.p99', '<=', 5, 'ms', 'p99 ≤ 5 ms');
    if (kitCpu.length) {
      record.figure('gateway.cpu', 'gateway: server CPU per message', 'µs', kitCpu);
      record.baseline('bare.cpu', 'bare relay: server CPU per frame', 'µs', plainCpu);
      record.ratio('cpu.ratio', 'CPU per message ÷ bare CPU per frame', 'gateway.cpu', 'bare.cpu');
    }
    if (postgres) {
      record.figure(
        'postgres.delivered.median',
        'gateway on PostgreSQL: send → recipient, per-run median',
        'µs',
        µs(per(pgDelivered, 0.5)),
      );
      record.figure(
        'postgres.delivered.p99',
        'gateway on PostgreSQL: send → recipient, per-run p99',
        'ms',
        per(pgDelivered, 0.99),
      );
      record.figure(
        'postgres.stored.median',
        'gateway on PostgreSQL: send → stored, per-run median',
        'µs',
        µs(per(pgStored, 0.5)),
      );
      record.ratio(
        'postgres.median.ratio',
        'PostgreSQL median ÷ bare relay',
        'postgres.delivered.median',
        'bare.median',
      );
      recordPostgresCpu(record, pgCpu);
    }
    record.notes.push(
      `${runs} × ${PER_RUN} messages of ${TEXT.length} characters, one at a time; gateway rate limits off; ws sockets at the protocol level`,
    );
  },
};
