/**
 * The code the core loads on demand (`import()`, separate chunks in the ES builds): the call
 * engine, webrtc-adapter's shims, sdp-transform, the call engine's rarely used operations and
 * the in-page gateway's protocol. These check they load and do their work when the code that
 * needs them runs.
 */
import { expect } from '@open-wc/testing';
import { createClient, sdpHandlers, type CommsClient } from '../../core/index.js';
import { createLocalHub } from '../../core/local.js';
import type { CallState, SdpHandlerFunction, SdpHandlerInfo } from '../../core/index.js';
import { getBrowserDetails, loadAdapter } from '../../core/platform/browser.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import { nextEvent, until } from '../helpers/waits.js';

// A real gateway for the tests of the call engine (first and last in this file).
const gatewayClients: CommsClient[] = [];
let gateway: TestGateway;
before(async () => {
  gateway = await startGateway();
});
after(async () => {
  await Promise.all(gatewayClients.splice(0).map((c) => c.disconnect().then(() => c.destroy())));
  await gateway?.stop();
});

/** A new user's client, connected to the gateway with `services`. */
async function gatewayUser(services: string[]): Promise<{ client: CommsClient; id: string }> {
  const id = uniqueName('lazy');
  const client = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
  gatewayClients.push(client);
  const password = 'correct horse battery staple';
  await client.auth.signup({ username: id, password, displayName: id });
  await client.connect({ username: id, password }, { services });
  return { client, id };
}

// First of all: nothing in this page may have needed calls before it.
describe('the call engine, loaded when a client takes calls', function () {
  this.timeout(30000);
  const fetched = () =>
    performance
      .getEntriesByType('resource')
      .some((entry) => entry.name.includes('/core/call/manager.ts'));
  it('is not fetched by clients connected with chat only, which chat; calls read as none', async () => {
    const a = await gatewayUser(['chat']);
    const b = await gatewayUser(['chat']);
    b.client.conversation.get(a.id).createMessage({ type: 'text', text: 'no calls here' }).send();
    await until(a.client, () => a.client.conversation.get(b.id).getMessages().length === 1);
    // What the call namespace answers without its engine: no calls; handlers kept for later.
    expect(a.client.call.getAll()).to.deep.equal([]);
    expect(a.client.call.getById('no-such-call')).to.equal(undefined);
    a.client.call.setSdpHandlers([(sdp) => sdp]);
    expect(() => a.client.call.setSdpHandlers([42 as never])).to.throw(/array of functions/);
    expect(a.client.call.states.CONNECTED).to.equal('Connected');
    expect(fetched(), 'the call engine was fetched by a chat-only page').to.equal(false);
  });

  it('is fetched once a client connects with the call service, before connect() resolves', async () => {
    expect(fetched(), 'fetched before any client took calls').to.equal(false);
    await gatewayUser(['call']);
    expect(fetched(), 'connect() with calls resolved before the engine came').to.equal(true);
    // (A call made at once: last in this file, since a call here would load the operations.)
  });
});

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

// Last: after the other tests have loaded the engine's chunk in this page.
describe('calls right after connect() with the call service', function () {
  this.timeout(30000);
  it('makes a call at once after connecting, which connects; subscribing later works too', async () => {
    const a = await gatewayUser(['call', 'chat']);
    // Connected with chat only, then subscribed to calls: invites reach its engine.
    const b = await gatewayUser(['chat']);
    await b.client.services.subscribe(['call']);
    const received = nextEvent(b.client, 'call:receive');
    const reach = (client: CommsClient, callId: string, state: CallState) =>
      until(client, (s) => s.call.calls[callId]?.state === state);
    const callId = a.client.call.make(b.id, { audio: true });
    expect(a.client.call.getById(callId)?.state).to.equal('Initiating');
    await received;
    await reach(b.client, callId, 'Ringing');
    await b.client.call.answer(callId, { audio: true });
    await reach(a.client, callId, 'Connected');
    expect((await a.client.call.getStats(callId)).size).to.be.greaterThan(0);
    await a.client.call.end(callId);
    await reach(b.client, callId, 'Ended');
  });
});
