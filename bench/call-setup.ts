/**
 * Call setup: `client.call.make()` → call connected, and → first remote audio; two clients
 * through the gateway. NOT BUILT YET: reports "not built" until the checks below pass.
 *
 * Switches on when: `comms-kit/core`'s client has `call.make` (a fresh `createClient()` in
 * Node), and the gateway accepts authenticated WebSockets at `/v1/ws` (signup, login, ping).
 * When both pass, this module throws until its measurement is written.
 *
 * Plan:
 * - Figure: one headless Chromium (playwright-core, project flags: fake audio and video), two
 *   pages loading `dist/cdn/comms-kit.js` from the gateway, users A and B signed up in the
 *   run. A calls `client.call.make(B)`; B answers on its `call:receive` event. Measured in A's
 *   page with `performance.now()`: from just before `make()` to `call:stateChange` →
 *   connected; and to first remote audio (the remote track's first RTP packet, by polling
 *   `getStats()` inbound-rtp `packetsReceived > 0`, or an `AnalyserNode` seeing signal).
 * - Baseline, same run, same browser: two pages with plain `RTCPeerConnection`s and the same
 *   fake media, exchanging offer, answer and ICE candidates through a bare `ws` relay
 *   (`bench/servers/`, a relay forwarding frames between two sockets): `createOffer()` →
 *   `connectionState === 'connected'`, and → first remote audio, measured the same way.
 * - 10 runs each, alternating, fresh pages per run; ratios are medians of per-run ratios.
 * - Targets: connected ≤ 1.25× the baseline; first remote audio ≤ 1.25× the baseline.
 */
import { notBuiltYet, type Benchmark } from './lib/benchmark.js';

export const callSetup: Benchmark = {
  name: 'call-setup',
  title: 'Call setup: make() → connected, → first remote audio',
  timeoutMs: () => 180e3,
  async run(context, record) {
    const core = await context.probes.core();
    const gateway = await context.probes.gateway();
    const missing: string[] = [];
    if (!core.has('call.make')) missing.push('comms-kit/core has no client.call.make');
    if (!gateway.built) missing.push(gateway.reason);
    record.target('connected.ratio', '<=', 1.25, '×', 'make() → connected ≤ 1.25× bare');
    record.target('audio.ratio', '<=', 1.25, '×', 'make() → first audio ≤ 1.25× bare');
    notBuiltYet(record, missing, 'bench/call-setup.ts');
  },
};
