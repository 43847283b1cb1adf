/**
 * Call setup: `client.call.make()` → media connected, and → first remote audio; two clients
 * through the gateway, next to the same two pages exchanging SDP through a bare `ws` relay.
 *
 * - Figure: one headless Chromium (playwright-core, project flags: fake audio and video); per
 *   run a fresh browser context with two pages that load `dist/cdn/comms-kit.js`; users A and B
 *   signed up in this run and connected (`services: ['call']`). B answers when it rings.
 *   Measured in A's page with `performance.now()` from just before `make()`: to
 *   `call:stateChange` → Connected (answer applied), to the peer connection's transport
 *   connected (`call:mediaConnectionChange` to connected/completed), and to the first remote
 *   audio packet (`getStats()` inbound-rtp audio `packetsReceived > 0`, polled every 5 ms).
 * - Baseline, same run, same browser: two pages with plain `RTCPeerConnection`s and the same
 *   fake media (getUserMedia inside the measured span on both sides, as `make()` does),
 *   exchanging offer, answer and trickled candidates through the bare `ws` relay
 *   (`bench/servers/bare-ws.mjs`, `?room=`): to `connectionState === 'connected'` and to the
 *   first remote audio packet, measured the same way.
 * - Calls over SIP, when Kamailio is installed: the same pages register through `comms-kit/sip`
 *   (bundled with SIP.js, served beside the CDN module) with a Kamailio running the shipped
 *   configuration, and call through it; SIP sends complete descriptions, so the engine gathers
 *   candidates before the INVITE. Reported beside the gateway's, without a target of its own.
 * - Runs alternate (gateway, SIP, bare); ratios are of medians. Targets: media connected and
 *   first remote audio through the gateway ≤ 1.25× the baseline.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { Routes } from '../core/protocol/constants.js';
import { checkAborted, type Benchmark } from './lib/benchmark.js';
import { launchChromium } from './lib/chromium.js';
import { startMeasuredServer } from './lib/processes.js';
import { bundleSip, cdnBundlePath } from './lib/size.js';
import { startStaticServer } from './lib/static-server.js';
import { findKamailio, findKamailioModules } from '../scripts/kamailio-server.mjs';
import { startKamailio } from '../test/helpers/kamailio.mjs';

// A call set-up spreads from about 0.7× to 2× the relay run to run on this machine: 20 runs
// each make the medians steadier than 10 (on 2026-11-23: medians from 1.00× to 1.48× over 10 runs,
// 0.95× to 1.38× over 25).
const DEFAULT_RUNS = 20;

/** The comms-kit page: connects as `user`; B answers; A measures when told to call. */
const kitPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body><script type="module">
  const kit = await import('/cdn/comms-kit.js');
  window.start = async ({ server, username, password, sip }) => {
    const client = kit.createClient({ server, logs: { logLevel: 'silent' } });
    window.client = client;
    // Answer as soon as the incoming call may be answered (Ringing; call:receive comes earlier).
    client.on('call:stateChange', ({ callId }) => {
      const call = client.call.getById(callId);
      if (call.direction === 'incoming' && call.state === 'Ringing') client.call.answer(callId, { audio: true });
    });
    if (!sip) return client.connect({ username, password }, { services: ['call'] });
    // Calls over SIP: signed in to the gateway, calls registered with Kamailio.
    await client.connect({ username, password }, { services: ['chat'] });
    window.sip = await (await import('/sip.js')).useSipBackend(client);
  };
  window.measureCall = (to) => new Promise((resolve, reject) => {
    const client = window.client;
    const times = {};
    const start = performance.now();
    const callId = client.call.make(to, { audio: true });
    const timer = setTimeout(() => reject(new Error('no connected call in 20 s')), 20000);
    client.on('call:stateChange', ({ callId: id }) => {
      const call = client.call.getById(id);
      if (id === callId && call.state === 'Connected' && times.connected === undefined) times.connected = performance.now() - start;
      if (id === callId && call.state === 'Ended') reject(new Error('the call ended: ' + JSON.stringify(call.transition)));
    });
    client.on('call:mediaConnectionChange', ({ callId: id }) => {
      const state = client.call.getById(id)?.mediaConnectionState;
      if (id === callId && (state === 'connected' || state === 'completed') && times.media === undefined) times.media = performance.now() - start;
    });
    const poll = async () => {
      const call = client.call.getById(callId);
      if (call && call.state === 'Connected') {
        const report = await client.call.getStats(callId);
        let packets = 0;
        report.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived ?? 0; });
        if (packets > 0) {
          times.audio = performance.now() - start;
          clearTimeout(timer);
          resolve(times); // before hanging up: the Ended that follows is ours
          await client.call.end(callId);
          return;
        }
      }
      setTimeout(poll, 5);
    };
    poll();
  });
</script></body></html>`;

/** The bare page: RTCPeerConnection and a relay socket; `offer()` measures on the caller. */
const barePage = `<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body><script>
  window.start = ({ relay }) => new Promise((resolve, reject) => {
    const ws = new WebSocket(relay, ['comms-kit.v1']);
    window.ws = ws;
    ws.onerror = () => reject(new Error('relay refused'));
    ws.onopen = () => resolve();
    ws.onmessage = async (event) => {
      const { data } = JSON.parse(event.data);
      if (data.sdp && data.sdp.type === 'offer') {
        const pc = newPeer();
        await pc.setRemoteDescription(data.sdp);
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        stream.getTracks().forEach((t) => pc.addTrack(t, stream));
        await pc.setLocalDescription();
        send({ sdp: pc.localDescription });
      } else if (data.sdp) {
        await window.pc.setRemoteDescription(data.sdp);
      } else if (data.candidate !== undefined) {
        await window.pc.addIceCandidate(data.candidate ?? undefined).catch(() => {});
      }
    };
  });
  const send = (data) => window.ws.send(JSON.stringify({ type: 'relay', data }));
  const newPeer = () => {
    const pc = new RTCPeerConnection();
    window.pc = pc;
    pc.onicecandidate = (e) => send({ candidate: e.candidate });
    return pc;
  };
  window.measureCall = () => new Promise(async (resolve, reject) => {
    const times = {};
    const start = performance.now();
    const timer = setTimeout(() => reject(new Error('no connection in 20 s')), 20000);
    const pc = newPeer();
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected' && times.media === undefined) times.media = performance.now() - start;
    };
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    stream.getTracks().forEach((t) => pc.addTrack(t, stream));
    await pc.setLocalDescription();
    send({ sdp: pc.localDescription });
    const poll = async () => {
      const report = await pc.getStats();
      let packets = 0;
      report.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived ?? 0; });
      if (packets > 0) {
        times.audio = performance.now() - start;
        clearTimeout(timer);
        stream.getTracks().forEach((t) => t.stop());
        return resolve(times);
      }
      setTimeout(poll, 5);
    };
    poll();
  });
</script></body></html>`;

interface Times {
  connected?: number;
  media?: number;
  audio?: number;
}

async function signup(server: string, username: string, password: string): Promise<void> {
  const response = await fetch(server + Routes.SIGNUP, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, displayName: username }),
  });
  if (!response.ok) throw new Error(`signup failed: ${response.status} ${await response.text()}`);
}

async function gatewayRun(
  browser: Browser,
  pages: string,
  server: string,
  a: string,
  b: string,
  password: string,
  sip = false,
): Promise<Times> {
  const context = await browser.newContext();
  try {
    const [pageA, pageB] = [await context.newPage(), await context.newPage()];
    for (const [page, username] of [
      [pageA, a],
      [pageB, b],
    ] as const) {
      await page.goto(`${pages}/kit`);
      await page.waitForFunction('typeof window.start === "function"');
      await page.evaluate(`window.start(${JSON.stringify({ server, username, password, sip })})`);
    }
    return (await pageA.evaluate(`window.measureCall(${JSON.stringify(b)})`)) as Times;
  } finally {
    await context.close();
  }
}

async function bareRun(
  browser: Browser,
  pages: string,
  relay: string,
  room: string,
): Promise<Times> {
  const context = await browser.newContext();
  try {
    const [pageA, pageB] = [await context.newPage(), await context.newPage()];
    for (const page of [pageA, pageB]) {
      await page.goto(`${pages}/bare`);
      await page.evaluate(`window.start(${JSON.stringify({ relay: `${relay}?room=${room}` })})`);
    }
    return (await pageA.evaluate('window.measureCall()')) as Times;
  } finally {
    await context.close();
  }
}

export const callSetup: Benchmark = {
  name: 'call-setup',
  title: 'Call setup: make() → connected, → first remote audio',
  timeoutMs: (options) => 60e3 + (options.runs ?? DEFAULT_RUNS) * 15e3,
  async run(context, record) {
    const core = await context.probes.core();
    const gateway = await context.probes.gateway();
    if (!core.has('call.make') || !gateway.built) {
      record.notBuilt(
        [
          !core.has('call.make') ? 'comms-kit/core has no client.call.make' : '',
          gateway.built ? '' : gateway.reason,
        ]
          .filter(Boolean)
          .join('; '),
      );
      return;
    }
    // With Kamailio here, calls over SIP (comms-kit/sip) are measured too, through the same
    // gateway (its SIP credentials) and a Kamailio running the shipped configuration.
    const sip = findKamailio() && findKamailioModules() ? await startKamailio() : undefined;
    if (sip) context.defer(() => sip.stop());
    // Each run signs both users in again (twice with SIP): the per-address limit of sign-ins is
    // off, as this measures calls.
    const server = await startMeasuredServer('gateway', [
      '--auth-rate-limit',
      '0',
      ...(sip
        ? ['--sip-secret', sip.secret, '--sip-ws-url', sip.wsUrl, '--sip-domain', sip.domain]
        : []),
    ]);
    context.defer(() => server.stop());
    const bare = await startMeasuredServer('bare');
    context.defer(() => bare.stop());
    const sipModule = sip ? (await bundleSip()).find((c) => c.isEntry)!.code : '';
    const pages = await startStaticServer({
      pages: { '/kit': kitPage, '/bare': barePage, ...(sip && { '/sip.js': sipModule }) },
      prefix: '/cdn/',
      dir: join(cdnBundlePath, '..'),
    });
    context.defer(() => pages.close());
    const browser = await launchChromium();
    context.defer(() => browser.close());

    const password = `${randomBytes(18).toString('base64url')}-Aa1`;
    const run = randomBytes(3).toString('hex');
    const [a, b] = [`bench-${run}-a`, `bench-${run}-b`];
    await signup(server.url, a, password);
    await signup(server.url, b, password);

    const runs = context.runs(DEFAULT_RUNS);
    context.log(
      `${runs} calls each way (gateway${sip ? ', SIP through Kamailio' : ''}, bare relay), alternating, Chromium ${browser.version()}`,
    );
    // Warm-up: browser, gateway, Kamailio and relay code paths.
    await gatewayRun(browser, pages.url, server.url, a, b, password);
    if (sip) await gatewayRun(browser, pages.url, server.url, a, b, password, true);
    await bareRun(browser, pages.url, bare.url.replace(/^http/, 'ws'), `warm-${run}`);
    const kit: Times[] = [];
    const overSip: Times[] = [];
    const plain: Times[] = [];
    for (let i = 0; i < runs; i++) {
      checkAborted(context.signal);
      kit.push(await gatewayRun(browser, pages.url, server.url, a, b, password));
      if (sip) overSip.push(await gatewayRun(browser, pages.url, server.url, a, b, password, true));
      plain.push(await bareRun(browser, pages.url, bare.url.replace(/^http/, 'ws'), `${run}-${i}`));
    }
    const pick = (list: Times[], key: keyof Times) =>
      list.map((t) => t[key]).filter((v): v is number => typeof v === 'number');
    record.figure(
      'kit.connected',
      'gateway: make() → Connected (answer applied)',
      'ms',
      pick(kit, 'connected'),
    );
    record.figure('kit.media', 'gateway: make() → media connected', 'ms', pick(kit, 'media'));
    record.figure('kit.audio', 'gateway: make() → first remote audio', 'ms', pick(kit, 'audio'));
    record.baseline('bare.media', 'bare relay: offer → connected', 'ms', pick(plain, 'media'));
    record.baseline(
      'bare.audio',
      'bare relay: offer → first remote audio',
      'ms',
      pick(plain, 'audio'),
    );
    record.ratio('media.ratio', 'media connected ÷ bare', 'kit.media', 'bare.media');
    record.ratio('audio.ratio', 'first audio ÷ bare', 'kit.audio', 'bare.audio');
    if (sip) {
      record.figure(
        'sip.media',
        'SIP (Kamailio): make() → media connected',
        'ms',
        pick(overSip, 'media'),
      );
      record.figure(
        'sip.audio',
        'SIP (Kamailio): make() → first remote audio',
        'ms',
        pick(overSip, 'audio'),
      );
      record.ratio('sip.media.ratio', 'SIP media connected ÷ bare', 'sip.media', 'bare.media');
      record.ratio('sip.audio.ratio', 'SIP first audio ÷ bare', 'sip.audio', 'bare.audio');
    } else record.notes.push('no Kamailio here: calls over SIP not measured');
    record.target('media.ratio', '<=', 1.25, '×', 'make() → connected ≤ 1.25× bare');
    record.target('audio.ratio', '<=', 1.25, '×', 'make() → first audio ≤ 1.25× bare');
    record.notes.push(
      'getUserMedia is inside the measured span on both sides; fresh browser context per run; 1 warm-up each',
    );
  },
};
