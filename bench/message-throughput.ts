/**
 * Message throughput: chat messages stored and delivered per second by one gateway process.
 * NOT BUILT YET: reports "not built" until the checks below pass.
 *
 * Switches on when: the protocol schema defines a message request (`RequestFrames`) and the
 * gateway accepts authenticated WebSockets at `/v1/ws`. When both pass, this module throws
 * until its measurement is written.
 *
 * Plan:
 * - Figure: a fresh gateway; load generators in separate processes (like
 *   `bench/load/idle-sockets.ts`) hold 100 sender/recipient pairs (users signed up in the
 *   run), each pair in its own conversation. For 10 s after a 2 s warm-up, senders keep a
 *   window of 10 unacknowledged messages each; a message counts when it is both acknowledged
 *   as stored and received by its recipient. Rate = counted ÷ seconds.
 * - Baseline, same run: a bare `ws` relay (`bench/servers/`) forwarding the same frames between
 *   the same pairs with the same windows (acknowledging on forward, storing nothing).
 * - 3 runs, alternating; the ratio is the median of per-run ratios.
 * - Target: ≥ 0.3× the bare relay rate.
 */
import { notBuiltYet, type Benchmark } from './lib/benchmark.js';
import { missingMessageRequest } from './lib/messaging.js';

export const messageThroughput: Benchmark = {
  name: 'message-throughput',
  title: 'Gateway: messages stored and delivered per second',
  timeoutMs: () => 180e3,
  async run(context, record) {
    const missing: string[] = [];
    const protocol = await missingMessageRequest(context.probes);
    if (protocol) missing.push(protocol);
    const gateway = await context.probes.gateway();
    if (!gateway.built) missing.push(gateway.reason);
    record.target('rate.ratio', '>=', 0.3, '×', '≥ 0.3× bare relay rate');
    notBuiltYet(record, missing, 'bench/message-throughput.ts');
  },
};
