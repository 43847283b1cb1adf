/**
 * The code the core loads on demand (`import()`, separate chunks in the ES builds): the people
 * features (presence, contacts, the directory and call history), the conversation and media
 * managers, the call engine, webrtc-adapter's shims, sdp-transform, the
 * call engine's rarely used operations and the in-page gateway's protocol. These check they
 * load and do their work when the code that needs them runs. The order of the tests matters:
 * a chunk loaded once stays loaded in the page.
 */
import { expect } from '@open-wc/testing';
import { createClient, sdpHandlers, type CommsClient } from '../../core/index.js';
import { createLocalHub } from '../../core/local.js';
import type { CallState, SdpHandlerFunction, SdpHandlerInfo } from '../../core/index.js';
import { getBrowserDetails, loadAdapter } from '../../core/platform/browser.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import { failRequests, holdRequests, type HeldRequests } from '../helpers/network.browser.js';
import {
  PROTOCOL_VERSION,
  Routes,
  WS_BEARER_PREFIX,
  WS_SUBPROTOCOL,
} from '../../core/protocol/constants.js';
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

/** Whether the page fetched a file whose URL contains `path` (a failed fetch does not count). */
const fetchedFile = (path: string) =>
  performance
    .getEntriesByType('resource')
    .some(
      (entry) =>
        entry.name.includes(path) && (entry as PerformanceResourceTiming).responseStatus === 200,
    );
const conversationChunk = '/core/conversation/manager.ts';
const mediaChunk = '/core/media/manager.ts';
const text = (m: { parts: Array<{ type: string; text?: string }> }) =>
  m.parts.map((part) => part.text ?? '').join('');

/**
 * A user of the gateway on a bare WebSocket (the protocol's frames, no comms-kit code): it acts
 * while this page's conversation chunk is held, which a client of this page could not.
 */
async function socketUser(): Promise<{
  id: string;
  request(frame: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): void;
}> {
  const id = uniqueName('socket');
  const password = 'correct horse battery staple';
  const post = (path: string, body: unknown) =>
    fetch(gateway.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
  await post(Routes.SIGNUP, { username: id, password, displayName: id });
  const { accessToken } = (await post(Routes.LOGIN, { identity: id, password })) as {
    accessToken: string;
  };
  const ws = new WebSocket(gateway.url.replace(/^http/, 'ws') + Routes.WEBSOCKET, [
    WS_SUBPROTOCOL,
    WS_BEARER_PREFIX + accessToken,
  ]);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const replies = new Map<string, (frame: Record<string, unknown>) => void>();
  ws.onmessage = (event) => {
    const frame = JSON.parse(String(event.data)) as Record<string, unknown>;
    if (typeof frame.re === 'string') replies.get(frame.re)?.(frame);
  };
  let counter = 0;
  return {
    id,
    request: (frame) =>
      new Promise((resolve, reject) => {
        const requestId = `s-${++counter}`;
        replies.set(requestId, (reply) =>
          reply.ok ? resolve(reply) : reject(new Error(JSON.stringify(reply.error))),
        );
        ws.send(JSON.stringify({ ...frame, v: PROTOCOL_VERSION, id: requestId }));
      }),
    close: () => ws.close(),
  };
}

const peopleChunk = '/core/people/managers.ts';

// First of all: no client of this page may have used presence, contacts, the directory or call
// history before this.
describe('the people features (presence, contacts, directory, call history), loaded when first needed', function () {
  this.timeout(30000);

  it("when they cannot be fetched, each method rejects with network:error, reported as its feature's failures are", async () => {
    // From the start: the gateway pushes this user's own presence once subscribed, which
    // fetches the chunk too (and fails, logged).
    const failing = await failRequests('*/core/people/managers.ts*');
    try {
      await failingPeople(failing);
    } finally {
      await failing.release();
    }
    expect(fetchedFile(peopleChunk), 'the people features were fetched').to.equal(false);
  });

  /** The people features' methods while `failing` fails their chunk. */
  async function failingPeople(failing: HeldRequests): Promise<void> {
    const me = await socketUser();
    const client = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    gatewayClients.push(client);
    await client.connect(
      { username: me.id, password: 'correct horse battery staple' },
      { services: ['presence'] },
    );
    const failures: Array<[string, string]> = [];
    for (const event of [
      'presence:error',
      'contacts:error',
      'users:error',
      'directory:error',
      'callHistory:error',
    ] as const)
      client.on(event, ({ error }) => failures.push([event, error.code]));
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['presence:error', () => client.presence.update('open', 'available')],
      ['contacts:error', () => client.contacts.add({ primaryContact: 'someone' })],
      ['users:error', () => client.user.fetch('someone')],
      ['directory:error', () => client.user.search({ userName: 'someone' })],
      ['callHistory:error', () => client.call.history.fetch(10)],
    ];
    for (const [event, attempt] of attempts) {
      const error = await attempt().then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(error?.code, `${event}'s method`).to.equal('network:error');
      expect(error?.message).to.match(/people features could not be loaded/);
      expect(failures.at(-1), `no ${event}`).to.deep.equal([event, 'network:error']);
    }
    expect(failures).to.have.length(attempts.length);
    expect(await failing.held()).to.have.length.of.at.least(attempts.length);
    me.close();
  }

  it('are not fetched before they are used; a contacts change the gateway pushes meanwhile fetches them and is applied', async () => {
    const me = await socketUser(); // this user's other device: a bare socket
    const friend = await socketUser();
    const client = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    gatewayClients.push(client);
    await client.connect(
      { username: me.id, password: 'correct horse battery staple' },
      { services: ['presence'] },
    );
    // What the namespaces answer without their managers: the state.
    expect(client.presence.get(friend.id)).to.equal(undefined);
    expect(client.presence.getAll()).to.deep.equal([]);
    expect(client.presence.getSelf()).to.equal(null);
    expect(client.contacts.getAll()).to.deep.equal([]);
    expect(client.contacts.get('nobody')).to.equal(undefined);
    expect(client.user.getAll()).to.deep.equal([]);
    expect(client.call.history.get()).to.deep.equal([]);
    expect(client.call.history.getCache()).to.equal('[]');
    expect(() => client.call.history.setCache('not json')).to.throw(/not JSON/);
    const cached = nextEvent(client, 'callHistoryCache:change');
    client.call.history.setCache(JSON.stringify([{ id: 'r1', startTime: 5 }]));
    await cached;
    expect(client.call.history.get().map((r) => r.id)).to.deep.equal(['r1']);
    expect(fetchedFile(peopleChunk), 'the people features were fetched').to.equal(false);

    // The other device adds a contact: the gateway pushes the book to this client, which holds
    // it, fetches the managers, and applies it.
    const changed = nextEvent(client, 'contacts:change');
    await me.request({ type: 'contacts.add', contact: { primaryContact: friend.id } });
    await changed;
    expect(fetchedFile(peopleChunk), 'the people features were not fetched').to.equal(true);
    expect(client.contacts.getAll().map((c) => c.primaryContact)).to.deep.equal([friend.id]);
    // Now the methods that ask the gateway run on the managers at once.
    const found = await client.user.search({ userName: friend.id });
    expect(found.map((u) => u.userId)).to.include(friend.id);
    expect((await client.call.history.fetch(10)).length).to.equal(0);
    me.close();
    friend.close();
  });
});

// No client of this page may have needed messaging or media before these.
describe('the conversation and media managers, loaded when first needed', function () {
  this.timeout(30000);

  it('are not fetched by clients connected with presence only, whose namespaces answer from the state', async () => {
    const a = await gatewayUser(['presence']);
    const b = await gatewayUser(['presence']);
    // Presence is shared between contacts.
    await a.client.contacts.add({ primaryContact: b.id });
    await b.client.contacts.add({ primaryContact: a.id });
    await a.client.presence.subscribe([b.id]);
    const seen = until(a.client, (s) => s.presence.users[b.id]?.activity === 'lunch');
    await b.client.presence.update('open', 'lunch');
    await seen;
    // What the conversation namespace answers without its manager: an entry, no messages.
    const conversation = a.client.conversation.get(b.id);
    expect(conversation.destination).to.equal(b.id);
    expect(conversation.getMessages()).to.deep.equal([]);
    expect(a.client.conversation.getAll().map((c) => c.destination)).to.deep.equal([b.id]);
    expect(() => conversation.createMessage({ type: 'text', text: '' })).to.throw(/non-empty/);
    // And the media namespace: no devices read, no tracks.
    expect(a.client.media.getDevices()).to.deep.equal({ camera: [], microphone: [], speaker: [] });
    expect(a.client.media.getLocalMedia()).to.deep.equal([]);
    expect(a.client.media.getTrackById('no-such-track')).to.equal(undefined);
    a.client.media.setDefaultDevices({ speaker: 'default' });
    expect(a.client.store.getState().media.defaults.speaker).to.equal('default');
    expect(() => a.client.media.muteTracks(['no-such-track'])).to.throw(/no track/);
    expect(fetchedFile(conversationChunk), 'the conversation manager was fetched').to.equal(false);
    expect(fetchedFile(mediaChunk), 'the media manager was fetched').to.equal(false);
  });

  it("media: initializeDevices() fetches the manager and lists Chromium's fake devices", async () => {
    const client = createClient({ logs: { logLevel: 'silent' } });
    try {
      expect(client.media.getDevices().microphone).to.deep.equal([]);
      const devices = await client.media.initializeDevices();
      expect(fetchedFile(mediaChunk), 'the media manager was not fetched').to.equal(true);
      expect(devices.microphone.length).to.be.greaterThan(0);
      expect(devices.camera.length).to.be.greaterThan(0);
      expect(client.media.getDevices()).to.deep.equal(devices);
      const [local] = await client.media.createLocalMedia({ audio: true });
      const trackId = local!.media.tracks[0]!.id;
      expect(client.media.getTrackById(trackId)?.state).to.equal('live');
      expect(client.media.getLocalMedia().length).to.equal(1);
      client.media.disposeLocalMedia(local!);
      expect(client.media.getLocalMedia()).to.deep.equal([]);
      expect(fetchedFile(conversationChunk), 'the conversation manager was fetched').to.equal(
        false,
      );
    } finally {
      await client.destroy();
    }
  });

  it('conversation: a message sent and chat events that arrive before the manager are not lost; connect() resolves once it is here', async () => {
    const sender = await socketUser();
    const id = uniqueName('held');
    const password = 'correct horse battery staple';
    const client = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    gatewayClients.push(client);
    await client.auth.signup({ username: id, password, displayName: id });
    // The conversation manager's file is held in Chromium's network stack until released.
    const network = await holdRequests(`*${conversationChunk}*`);
    try {
      let connected = false;
      const connecting = client
        .connect({ username: id, password }, { services: ['chat'] })
        .then(() => (connected = true));
      // Sent at once, before the manager: shown as pending.
      const early = client.conversation
        .get(sender.id)
        .createMessage({ type: 'text', text: 'before the manager' })
        .send();
      expect(early.status).to.equal('pending');
      expect(client.conversation.get(sender.id).getMessages().map(text)).to.deep.equal([
        'before the manager',
      ]);
      // Subscribed meanwhile (the fetch and the handshake overlap), the manager still held.
      await until(client, (s) => s.services.subscribed.includes('chat'));
      expect(await network.held()).to.have.length(1);
      // The sender writes twice and types; then the client asks the gateway something: the
      // events were pushed on its socket before that reply, so they have arrived too.
      const { conversation } = (await sender.request({
        type: 'conversation.open',
        destination: id,
        conversationType: 'im',
      })) as { conversation: { id: string } };
      for (const words of ['one', 'two'])
        await sender.request({
          type: 'message.send',
          conversationId: conversation.id,
          clientId: crypto.randomUUID(),
          parts: [{ type: 'text', text: words }],
        });
      await sender.request({ type: 'typing', conversationId: conversation.id, active: true });
      expect((await client.user.fetch(sender.id))?.userId).to.equal(sender.id);
      // Held: nothing placed, connect() not resolved, the manager not here.
      expect(client.conversation.get(sender.id).getMessages().map(text)).to.deep.equal([
        'before the manager',
      ]);
      expect(client.conversation.get(sender.id).typing).to.deep.equal([]);
      expect(connected).to.equal(false);
      expect(fetchedFile(conversationChunk)).to.equal(false);

      const typing = nextEvent(client, 'typing:change', (e) => e.users.includes(sender.id));
      await network.release();
      await connecting;
      expect(fetchedFile(conversationChunk), 'connect() resolved before the manager came').to.equal(
        true,
      );
      // The held events reach the manager: the messages in order, and the typing (which no
      // catch-up could bring back); the early message is stored after them.
      await typing;
      expect(client.conversation.get(sender.id).typing).to.deep.equal([sender.id]);
      await until(client, () =>
        client.conversation
          .get(sender.id)
          .getMessages()
          .every((m) => m.seq !== null),
      );
      const messages = client.conversation.get(sender.id).getMessages();
      expect(messages.map(text)).to.deep.equal(['one', 'two', 'before the manager']);
      expect(messages.map((m) => m.seq)).to.deep.equal([1, 2, 3]);
    } finally {
      await network.release();
      sender.close();
    }
  });
});

// First of all: nothing in this page may have needed calls before it.
describe('the call engine, loaded when a client takes calls', function () {
  this.timeout(30000);
  const fetched = () => fetchedFile('/core/call/manager.ts');
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

  it("is fetched once a client connects with the call service; when it cannot be, the gateway's call events are held for it", async () => {
    expect(fetched(), 'fetched before any client took calls').to.equal(false);
    const loaded = () =>
      performance
        .getEntriesByType('resource')
        .some(
          (e) =>
            e.name.includes('/core/call/manager.ts') &&
            (e as PerformanceResourceTiming).responseStatus === 200,
        );
    // The engine's file cannot be fetched: connect() still resolves (logged), subscribed.
    const failing = await failRequests('*/core/call/manager.ts*');
    const callee = await gatewayUser(['call']);
    expect(await failing.held()).to.have.length(1);
    // A caller (a bare socket) invites the callee: the invite is held, and its load fails too.
    const caller = await socketUser();
    await caller.request({
      type: 'subscribe',
      services: ['call'],
      clientCorrelator: 'lazy-caller',
    });
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio');
    await pc.setLocalDescription();
    const callId = crypto.randomUUID();
    const received = nextEvent(callee.client, 'call:receive');
    await caller.request({
      type: 'call.invite',
      callId,
      to: callee.id,
      sdp: pc.localDescription!.sdp,
      media: { audio: true, video: false },
    });
    for (let i = 0; (await failing.held()).length < 2; i++) {
      if (i > 100) throw new Error('the held invite did not try to load the engine');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(callee.client.call.getById(callId)).to.equal(undefined);
    await failing.release();

    // Now it can be: connect() with calls resolves once it is here.
    await gatewayUser(['call']);
    expect(loaded(), 'connect() with calls resolved before the engine came').to.equal(true);
    // The callee's next use of calls makes its engine, which takes the held invite.
    await callee.client.services.subscribe(['call']);
    expect((await received).callId).to.equal(callId);
    await until(callee.client, (s) => s.call.calls[callId]?.state === 'Ringing');
    pc.close();
    caller.close();
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
