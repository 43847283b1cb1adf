/**
 * Message latency: `send()` → the recipient's event, and → stored (the sender's
 * acknowledgement), median and p99, through the gateway. NOT BUILT YET: reports "not built"
 * until the checks below pass.
 *
 * Switches on when: `comms-kit/core`'s client has `conversation.create`, the protocol schema
 * defines a message request (`RequestFrames`), and the gateway accepts authenticated
 * WebSockets at `/v1/ws`. When all pass, this module throws until its measurement is written.
 *
 * Plan:
 * - Figure: two core clients (users A and B, signed up in the run) in one Node process or one
 *   page, connected to a fresh gateway. A sends 1,000 short messages one at a time, after 50
 *   warm-up messages; each is timed with `performance.now()` from `send()` to B's
 *   `messages:change` carrying it, and to A's acknowledgement that it is stored. Same clock,
 *   so no skew.
 * - Baseline, same run: a bare `ws` relay (`bench/servers/`) forwarding each frame from A's
 *   socket to B's; the same 1,000 frames of the same size, timed one way the same way.
 * - Runs: 5 × 1,000 messages, alternating; the ratio is the median of per-run median ratios.
 * - Targets: median ≤ 2× the bare relay; p99 ≤ 5 ms.
 */
import { notBuiltYet, type Benchmark } from './lib/benchmark.js';
import { missingMessageRequest } from './lib/messaging.js';

export const messageLatency: Benchmark = {
  name: 'message-latency',
  title: 'Message: send() → recipient event, stored',
  timeoutMs: () => 180e3,
  async run(context, record) {
    const core = await context.probes.core();
    const missing: string[] = [];
    if (!core.has('conversation.create'))
      missing.push('comms-kit/core has no client.conversation.create');
    const protocol = await missingMessageRequest(context.probes);
    if (protocol) missing.push(protocol);
    const gateway = await context.probes.gateway();
    if (!gateway.built) missing.push(gateway.reason);
    record.target('median.ratio', '<=', 2, '×', 'median ≤ 2× bare relay');
    record.target('delivered.p99', '<=', 5, 'ms', 'p99 ≤ 5 ms');
    notBuiltYet(record, missing, 'bench/message-latency.ts');
  },
};
