/**
 * The code the core loads on demand (`import()`, separate chunks in the ES builds):
 * webrtc-adapter's shims, sdp-transform, the call engine's rarely used operations and the
 * in-page gateway's protocol. These check they load and do their work when the code that needs
 * them runs.
 */
import { expect } from '@open-wc/testing';
import { createClient, createLocalHub, sdpHandlers, type CommsClient } from '../../core/index.js';
import type { SdpHandlerFunction, SdpHandlerInfo } from '../../core/index.js';
import { getBrowserDetails, loadAdapter } from '../../core/platform/browser.js';
import { until } from '../helpers/waits.js';

// First: no hub may have been created in this page before it.
describe("the in-page gateway's protocol, loaded when a hub is created", () => {
  it('is not fetched before a hub exists; then it is, and messages flow through it', async () => {
    const fetched = () =>
      performance
        .getEntriesByType('resource')
        .some((entry) => entry.name.includes('/core/backends/local/protocol.ts'));
    const quiet = { logs: { logLevel: 'silent' as const } };
    const a = createClient(quiet);
    const b = createClient(quiet);
    try {
      expect(fetched(), 'fetched before a hub exists').to.equal(false);
      const hub = createLocalHub();
      // Joining opens the client's socket on the hub (useLocalBackend connects), which waits for
      // the protocol if it has not arrived yet.
      a.useLocalBackend(hub, { id: 'proto-a', displayName: 'A' });
      b.useLocalBackend(hub, { id: 'proto-b', displayName: 'B' });
      await Promise.all([a.connect(), b.connect()]);
      expect(fetched(), 'fetched once a hub exists').to.equal(true);
      b.conversation.get('proto-a').createMessage({ type: 'text', text: 'over the hub' }).send();
      const text = (m: { parts: Array<{ type: string; text?: string }> }) =>
        m.parts.map((part) => part.text ?? '').join('');
      await until(a, () =>
        a.conversation
          .get('proto-b')
          .getMessages()
          .some((m) => text(m) === 'over the hub'),
      );
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });
});

// Next: the page must not have made a call before it.
describe("the call engine's rarely used operations, loaded with the first call", () => {
  it('are not fetched before a call; one asked for while they load runs once they are here', async () => {
    const fetched = () =>
      performance
        .getEntriesByType('resource')
        .some((entry) => entry.name.includes('/core/call/operations.ts'));
    const hub = createLocalHub({ noAnswerTimeout: 60000 });
    const quiet = { logs: { logLevel: 'silent' as const } };
    const a = createClient(quiet);
    const b = createClient(quiet);
    a.useLocalBackend(hub, { id: 'ops-a', displayName: 'A' });
    b.useLocalBackend(hub, { id: 'ops-b', displayName: 'B' });
    try {
      expect(fetched(), 'fetched before any call').to.equal(false);
      const callId = a.call.make('ops-b', { audio: true });
      // Asked for in the same task as the call that starts loading them.
      const report = await a.call.getStats(callId);
      expect(fetched(), 'fetched with the first call').to.equal(true);
      const types = [...report.values()].map((s: { type: string }) => s.type);
      expect(types).to.include('peer-connection');
      expect((await a.call.getAvailableCodecs('audio')).length).to.be.greaterThan(0);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });
});

describe('webrtc-adapter, loaded on demand', () => {
  it('detects the browser synchronously, as the adapter does', async () => {
    const details = getBrowserDetails();
    expect(details.browser).to.equal('chrome');
    expect(details.version).to.be.greaterThan(100);
    const adapter = await loadAdapter();
    expect(adapter.browserDetails.browser).to.equal(details.browser);
    expect(adapter.browserDetails.version).to.equal(details.version);
  });

  it('loads the adapter once and applies the shims for this browser', async () => {
    // (Primitives only in the assertions: chai's rendering of the adapter, which holds the
    // window, takes the test page down.)
    const [first, second] = await Promise.all([loadAdapter(), loadAdapter()]);
    expect(first === second).to.equal(true);
    expect(first === (await loadAdapter())).to.equal(true);
    // The factory keeps the shim it applied: Chromium's, since this is Chromium.
    const shim = first.browserShim as Record<string, unknown> | undefined;
    expect(typeof shim?.shimGetSendersWithDtmf).to.equal('function');
    expect(typeof shim?.fixNegotiationNeeded).to.equal('function');
  });
});

describe('sdp-transform, loaded when an SDP handler runs', () => {
  const clients: CommsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.destroy()));
  });

  function join(
    hub: ReturnType<typeof createLocalHub>,
    id: string,
    handlers: SdpHandlerFunction[],
  ) {
    const client = createClient({ logs: { logLevel: 'silent' }, call: { sdpHandlers: handlers } });
    client.useLocalBackend(hub, { id, displayName: id });
    clients.push(client);
    return client;
  }

  it('parses, hands the handlers SDP objects, and writes back what they return, both ways', async () => {
    const hub = createLocalHub({ noAnswerTimeout: 60000 });
    const seen: { who: string; info: SdpHandlerInfo; codecs: string[] }[] = [];
    const record =
      (who: string): SdpHandlerFunction =>
      (sdp, info) => {
        const video = sdp.media.find((m) => m.type === 'video');
        seen.push({ who, info, codecs: video?.rtp.map((r) => r.codec) ?? [] });
        return sdp;
      };
    const caller = join(hub, 'lazy-a', [sdpHandlers.createCodecRemover(['VP8']), record('a')]);
    const callee = join(hub, 'lazy-b', [record('b')]);

    const callId = caller.call.make('lazy-b', { audio: true, video: true });
    const ringing = await until(callee, (s) =>
      Object.values(s.call.calls).some((c) => c.state === 'Ringing'),
    );
    const incoming = Object.values(ringing.call.calls).find((c) => c.state === 'Ringing')!;
    await callee.call.answer(incoming.id, { audio: true, video: true });
    await until(caller, (s) => s.call.calls[callId]?.state === 'Connected');

    // The caller's handlers ran on its offer before it was set and sent…
    const callerLocal = seen.filter((s) => s.who === 'a' && s.info.endpoint === 'local');
    expect(callerLocal.map((s) => s.info.step)).to.include.members(['set', 'send']);
    for (const s of callerLocal) expect(s.codecs).not.to.include('VP8');
    // …so the callee received an offer without VP8, parsed for its own handler.
    const calleeRemote = seen.find((s) => s.who === 'b' && s.info.endpoint === 'remote');
    expect(calleeRemote?.info.type).to.equal('offer');
    expect(calleeRemote?.codecs).to.not.include('VP8');
    expect(calleeRemote?.codecs.length).to.be.greaterThan(0);
  });
});
