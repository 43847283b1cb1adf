/**
 * What the call client gets from the real gateway besides signalling (which the conformance
 * suite covers): `call.history` after real calls between two clients (fake devices, real peer
 * connections), each user seeing their own record of each call, removing and clearing on the
 * server; a call connecting when the gateway hands out TURN credentials (the client fetches them
 * when it subscribes to calls and adds them to each peer connection before it gathers
 * candidates); and a connected call surviving a dropped connection (the gateway's
 * reconnect grace).
 */
import { expect } from '@open-wc/testing';
import type { CallState, CommsClient } from '../../core/index.js';
import { createClient } from '../../core/index.js';
import { Routes } from '../../core/protocol/constants.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import { nextEvent, until } from '../helpers/waits.js';

const PASSWORD = 'correct horse battery staple';
const TURN_URL = 'turn:127.0.0.1:9?transport=udp';

describe('calls over the real gateway: history, TURN, reconnects', function () {
  this.timeout(30000);
  const clients: CommsClient[] = [];
  const gateways: TestGateway[] = [];

  async function gatewayWith(args: string[] = []): Promise<TestGateway> {
    const gateway = await startGateway(args);
    gateways.push(gateway);
    return gateway;
  }

  async function user(gateway: TestGateway): Promise<{ client: CommsClient; id: string }> {
    const id = uniqueName('hist');
    const signup = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    await signup.auth.signup({ username: id, password: PASSWORD, displayName: `User ${id}` });
    await signup.destroy();
    const client = createClient({
      server: gateway.url,
      logs: { logLevel: 'silent' },
      connectivity: { reconnectDelay: 100, reconnectJitter: 0.2 },
    });
    clients.push(client);
    await client.connect({ username: id, password: PASSWORD }, { services: ['call'] });
    return { client, id };
  }

  const reach = (client: CommsClient, callId: string, state: CallState) =>
    until(client, (s) => s.call.calls[callId]?.state === state);

  type User = Awaited<ReturnType<typeof user>>;

  /** A calls B; resolves with the call's id once B's device rings. */
  async function ringingCall(a: User, b: User): Promise<string> {
    const received = nextEvent(b.client, 'call:receive');
    const callId = a.client.call.make(b.id, { audio: true });
    await received;
    await reach(b.client, callId, 'Ringing');
    return callId;
  }

  /** A calls B and B answers; resolves once A sees the call Connected. */
  async function connectedCall(a: User, b: User): Promise<string> {
    const callId = await ringingCall(a, b);
    await b.client.call.answer(callId, { audio: true });
    await reach(a.client, callId, 'Connected');
    return callId;
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect().then(() => c.destroy())));
    await Promise.all(gateways.splice(0).map((g) => g.stop()));
  });

  it('shows each user their own record of an answered and a rejected call', async () => {
    const gateway = await gatewayWith();
    const a = await user(gateway);
    const b = await user(gateway);

    const answered = await connectedCall(a, b);
    await a.client.call.end(answered);
    await reach(b.client, answered, 'Ended');

    const rejected = await ringingCall(a, b);
    await b.client.call.reject(rejected);
    await reach(a.client, rejected, 'Ended');

    const changed = nextEvent(a.client, 'callHistory:change');
    const mine = await a.client.call.history.fetch();
    await changed;
    expect(mine.map((r) => r.callId)).to.deep.equal([rejected, answered]);
    expect(mine[1]).to.include({ direction: 'outgoing', result: 'answered', statusCode: 200 });
    expect(mine[1]!.remoteParticipant).to.deep.equal({ id: b.id, displayName: `User ${b.id}` });
    expect(mine[1]!.answerTime).to.be.a('number');
    expect(mine[0]).to.include({ direction: 'outgoing', result: 'rejected', statusCode: 603 });
    expect(a.client.call.history.get().map((r) => r.callId)).to.deep.equal([rejected, answered]);

    const theirs = await b.client.call.history.fetch();
    expect(theirs.map((r) => [r.callId, r.direction, r.result])).to.deep.equal([
      [rejected, 'incoming', 'rejected'],
      [answered, 'incoming', 'answered'],
    ]);
    expect(theirs[1]!.remoteParticipant.id).to.equal(a.id);
    expect(theirs.map((r) => r.id)).not.to.include.members(mine.map((r) => r.id));

    // Removing one of mine leaves the other user's record alone, on the server too.
    await a.client.call.history.remove(mine[0]!.id);
    expect(a.client.call.history.get().map((r) => r.callId)).to.deep.equal([answered]);
    expect((await a.client.call.history.fetch()).map((r) => r.callId)).to.deep.equal([answered]);
    expect(await b.client.call.history.fetch()).to.have.length(2);
    // Another user's record id is not found.
    const error = await a.client.call.history.remove(theirs[0]!.id).then(
      () => null,
      (e: { code: string }) => e,
    );
    expect(error?.code).to.equal('request:notFound');

    await b.client.call.history.clear();
    expect(b.client.call.history.get()).to.deep.equal([]);
    expect(await b.client.call.history.fetch()).to.deep.equal([]);
    expect(await a.client.call.history.fetch()).to.have.length(1);
  });

  it('is told of each new record: a callee busy in another call has the missed call without fetching', async () => {
    const gateway = await gatewayWith();
    const a = await user(gateway);
    const b = await user(gateway);
    const c = await user(gateway);
    const first = await connectedCall(a, b);

    const changed = nextEvent(b.client, 'callHistory:change');
    const busy = c.client.call.make(b.id, { audio: true });
    await reach(c.client, busy, 'Ended');
    await changed;
    const summary = (client: CommsClient) =>
      client.call.history.get().map((r) => [r.callId, r.direction, r.result]);
    expect(summary(b.client)).to.deep.equal([[busy, 'incoming', 'missed']]);
    await until(c.client, (s) => s.history.records.length === 1);
    expect(summary(c.client)).to.deep.equal([[busy, 'outgoing', 'busy']]);

    // The first call's end reaches both parties the same way, in start order, newest first.
    await a.client.call.end(first);
    await until(b.client, (s) => s.history.records.length === 2);
    await until(a.client, (s) => s.history.records.length === 1);
    expect(summary(b.client)).to.deep.equal([
      [busy, 'incoming', 'missed'],
      [first, 'incoming', 'answered'],
    ]);
    expect(b.client.store.getState().history.total).to.equal(2);
    // A fetch finds the same records: nothing twice.
    expect((await b.client.call.history.fetch()).map((r) => r.callId)).to.deep.equal([busy, first]);
    expect(summary(b.client)).to.have.length(2);
  });

  it('connects a call when the gateway hands out TURN credentials, fetched when the client subscribes to calls and set on each connection before it gathers candidates', async () => {
    const gateway = await gatewayWith([
      '--turn-secret',
      'a-shared-secret',
      '--turn-urls',
      TURN_URL,
    ]);
    // What the page does: each request for TURN credentials, and the ICE servers each
    // connection has when it sets its first local description (when it starts gathering).
    let turnRequests = 0;
    let turnRequested: () => void = () => {};
    const realFetch = window.fetch;
    window.fetch = (input, init) => {
      if (String(input).endsWith(Routes.TURN)) {
        turnRequests++;
        turnRequested();
      }
      return realFetch(input, init);
    };
    const turnRequestsReach = (n: number) =>
      new Promise<void>((resolve) => {
        turnRequested = () => turnRequests >= n && resolve();
        turnRequested();
      });
    const iceAtFirstDescription: string[][] = [];
    const described = new WeakSet<RTCPeerConnection>();
    const prototype = RTCPeerConnection.prototype;
    const realSetLocal = Object.getOwnPropertyDescriptor(prototype, 'setLocalDescription')!;
    Object.defineProperty(prototype, 'setLocalDescription', {
      ...realSetLocal,
      value(this: RTCPeerConnection, ...args: unknown[]) {
        if (!described.has(this)) {
          described.add(this);
          iceAtFirstDescription.push(
            (this.getConfiguration().iceServers ?? []).flatMap((s) => [s.urls].flat()),
          );
        }
        return (realSetLocal.value as (...a: unknown[]) => Promise<void>).apply(this, args);
      },
    });
    try {
      const a = await user(gateway);
      await turnRequestsReach(1);
      const b = await user(gateway);
      await turnRequestsReach(2);
      const callId = await connectedCall(a, b);
      await until(a.client, (s) =>
        ['connected', 'completed'].includes(s.call.calls[callId]!.mediaConnectionState),
      );
      await a.client.call.end(callId);
      expect(turnRequests, 'the call used the credentials fetched at connect').to.equal(2);
      expect(iceAtFirstDescription).to.deep.equal([[TURN_URL], [TURN_URL]]);
    } finally {
      window.fetch = realFetch;
      Object.defineProperty(prototype, 'setLocalDescription', realSetLocal);
    }
  });

  it('keeps a connected call through a dropped connection; signalling works after the reconnect', async () => {
    const gateway = await gatewayWith();
    const a = await user(gateway);
    const b = await user(gateway);
    const callId = await connectedCall(a, b);

    const lost = Promise.all([a, b].map((u) => nextEvent(u.client, 'subscription:change')));
    expect(await gateway.drop()).to.be.greaterThan(0);
    await lost;
    await Promise.all(
      [a, b].map((u) =>
        until(
          u.client,
          (s) => s.connection.status === 'connected' && s.services.subscribed.includes('call'),
        ),
      ),
    );
    expect(a.client.call.getById(callId)!.state).to.equal('Connected');
    expect(b.client.call.getById(callId)!.state).to.equal('Connected');

    // The gateway still routes the call between the two reconnected devices.
    const held = until(b.client, (s) => s.call.calls[callId]!.remoteHold);
    await a.client.call.hold(callId);
    await held;
    await a.client.call.unhold(callId);
    await a.client.call.end(callId);
    const ended = await reach(b.client, callId, 'Ended');
    expect(ended.call.calls[callId]!.transition?.statusCode).to.equal(200);
  });
});
