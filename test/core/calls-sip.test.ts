/**
 * Calls over SIP through a real Kamailio (Debian's, SIP over WebSocket on loopback, the
 * project's configuration, started through the runner's `kamailio:start`): clients of a real
 * gateway started with `--sip-secret`, `--sip-ws-url` and `--sip-domain` register with the
 * credentials the gateway hands out (`useSipBackend` from `comms-kit/sip`), and their calls go
 * through Kamailio, not the gateway: INVITE, 180, 200 and ACK, re-INVITEs for hold, BYE and
 * CANCEL, custom parameters as `X-` headers, 302 for forwards. The engine owns the media as over every backend,
 * so each end hears the other. The Node half (Kamailio's own checks of the credentials) is
 * `test/server/sip.test.ts`.
 */
import { expect } from '@open-wc/testing';
import { Registerer } from 'sip.js';
import type { CallState, CommsClient, CommsError } from '../../core/index.js';
import { createClient, Transitions } from '../../core/index.js';
import { useSipBackend, type SipBackend } from '../../core/sip.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import {
  bareUserAgent,
  sipGatewayArgs,
  startKamailio,
  type TestKamailio,
} from '../helpers/kamailio.browser.js';
import { bytesReceived, hearsAudio, liveTrack, measureFor, remoteAudio } from '../helpers/media.js';
import { nextEvent, until } from '../helpers/waits.js';

const PASSWORD = 'correct horse battery staple';

const reach = (client: CommsClient, callId: string, state: CallState) =>
  until(client, (s) => s.call.calls[callId]?.state === state);

describe('calls over SIP through a real Kamailio', function () {
  this.timeout(30000);
  let kamailio: TestKamailio;
  let gateway: TestGateway;
  const clients: CommsClient[] = [];
  const registrations: SipBackend[] = [];

  before(async () => {
    kamailio = await startKamailio();
    gateway = await startGateway(sipGatewayArgs(kamailio));
  });
  after(async () => {
    await gateway?.stop();
    await kamailio?.stop();
  });
  afterEach(async () => {
    await Promise.all(registrations.splice(0).map((r) => r.close().catch(() => undefined)));
    await Promise.all(clients.splice(0).map((c) => c.disconnect().then(() => c.destroy())));
  });

  /** A new user of the gateway (`server`: another), signed in (no gateway calls), not yet on SIP. */
  async function signedIn(server = gateway.url) {
    const id = uniqueName('sip');
    const signup = createClient({ server, logs: { logLevel: 'silent' } });
    await signup.auth.signup({ username: id, password: PASSWORD, displayName: id });
    await signup.destroy();
    const client = createClient({ server, logs: { logLevel: 'silent' } });
    clients.push(client);
    await client.connect({ username: id, password: PASSWORD }, { services: ['chat'] });
    return { client, id };
  }

  /** A new user registered with Kamailio through the gateway's credentials. */
  async function user() {
    const signed = await signedIn();
    registrations.push(await useSipBackend(signed.client));
    return signed;
  }

  type User = Awaited<ReturnType<typeof user>>;

  async function ringingCall(
    a: User,
    b: User,
    options: Parameters<CommsClient['call']['make']>[1] = { audio: true },
  ) {
    const received = nextEvent(b.client, 'call:receive');
    const callId = a.client.call.make(b.id, options);
    expect((await received).callId, 'both ends name the call alike').to.equal(callId);
    await reach(b.client, callId, 'Ringing');
    await reach(a.client, callId, 'Ringing');
    return callId;
  }

  async function connectedCall(a: User, b: User) {
    const callId = await ringingCall(a, b);
    await b.client.call.answer(callId, { audio: true });
    await reach(a.client, callId, 'Connected');
    await reach(b.client, callId, 'Connected');
    return callId;
  }

  it('hands out credentials the proxy accepts, and a call connects with audio both ways; the callee hangs up', async () => {
    const a = await user();
    const b = await user();
    expect(registrations[0]!.settings.uri).to.equal(`sip:${a.id}@${kamailio.domain}`);
    const callId = await connectedCall(a, b);
    expect(b.client.call.getById(callId)).to.include({ direction: 'incoming', from: a.id });
    expect(b.client.call.getById(callId)!.mediaOffered).to.deep.equal({
      audio: true,
      video: false,
    });

    for (const client of [a.client, b.client]) {
      await until(client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
      expect(
        await hearsAudio(await liveTrack(client, remoteAudio(client, callId)!)),
      ).to.be.greaterThan(0.01);
    }
    const first = bytesReceived(await a.client.call.getStats(callId));
    await measureFor(500);
    expect(bytesReceived(await a.client.call.getStats(callId))).to.be.greaterThan(first);

    await b.client.call.end(callId);
    const ended = await reach(a.client, callId, 'Ended');
    expect(ended.call.calls[callId]!.transition?.statusCode).to.equal(200);
    expect(a.client.call.getById(callId)!.mediaConnectionState).to.equal('closed');
  });

  it('holds and resumes through re-INVITEs: both sides see the flags, media stops and comes back', async () => {
    const a = await user();
    const b = await user();
    const callId = await connectedCall(a, b);
    await until(b.client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
    const held = until(b.client, (s) => s.call.calls[callId]!.remoteHold);
    await a.client.call.hold(callId);
    await held;
    expect(a.client.call.getById(callId)).to.include({ state: 'On Hold', localHold: true });
    expect(b.client.call.getById(callId)).to.include({ state: 'On Hold', remoteHold: true });
    const held1 = bytesReceived(await b.client.call.getStats(callId));
    await measureFor(600);
    expect(
      bytesReceived(await b.client.call.getStats(callId)) - held1,
      'no audio while held',
    ).to.be.lessThan(200);

    const resumed = until(b.client, (s) => !s.call.calls[callId]!.remoteHold);
    await a.client.call.unhold(callId);
    await resumed;
    await reach(a.client, callId, 'Connected');
    const after1 = bytesReceived(await b.client.call.getStats(callId));
    await measureFor(500);
    expect(bytesReceived(await b.client.call.getStats(callId))).to.be.greaterThan(after1 + 1000);
    await a.client.call.end(callId);
    await reach(b.client, callId, 'Ended');
  });

  it('carries custom parameters as X- headers: with the call and its answer, alone (INFO) and with a re-INVITE', async () => {
    const a = await user();
    const b = await user();
    const account = [{ name: 'X-Account', value: 'acme 42' }];
    const withCall = nextEvent(b.client, 'call:customParameters');
    const callId = a.client.call.make(b.id, { audio: true }, { customParameters: account });
    expect(await withCall).to.deep.equal({ callId, customParameters: account });
    await reach(b.client, callId, 'Ringing');
    const desk = [{ name: 'X-Agent', value: 'desk 4' }];
    const withAnswer = nextEvent(a.client, 'call:customParameters');
    await b.client.call.answer(callId, { audio: true }, { customParameters: desk });
    await reach(a.client, callId, 'Connected');
    expect(await withAnswer).to.deep.equal({ callId, customParameters: desk });

    const gps = [{ name: 'X-GPS', value: '42.686032,23.344565' }];
    a.client.call.setCustomParameters(callId, gps);
    const alone = nextEvent(b.client, 'call:customParameters');
    await a.client.call.sendCustomParameters(callId);
    expect(await alone).to.deep.equal({ callId, customParameters: gps });

    const withHold = nextEvent(b.client, 'call:customParameters');
    await a.client.call.hold(callId);
    expect(await withHold).to.deep.equal({ callId, customParameters: gps });
    await a.client.call.end(callId);
  });

  it('a rejected call ends with 603 for the caller; a cancelled one shows Cancelled (487) to the callee', async () => {
    const a = await user();
    const b = await user();
    const rejected = await ringingCall(a, b);
    await b.client.call.reject(rejected);
    const ended = await reach(a.client, rejected, 'Ended');
    expect(ended.call.calls[rejected]!.transition?.statusCode).to.equal(603);

    const cancelled = await ringingCall(a, b);
    await a.client.call.end(cancelled);
    const seen = await reach(b.client, cancelled, 'Cancelled');
    expect(seen.call.calls[cancelled]!.transition?.statusCode).to.equal(487);
  });

  it('calling a user who is not registered ends the call with the proxy’s answer (404 or 480)', async () => {
    const a = await user();
    const b = await signedIn(); // signed in to the gateway, never registered with SIP
    const callId = a.client.call.make(b.id, { audio: true });
    const ended = await until(a.client, (s) =>
      ['Ended', 'Cancelled'].includes(s.call.calls[callId]?.state ?? ''),
    );
    expect([404, 480]).to.include(ended.call.calls[callId]!.transition?.statusCode);
  });

  it('stops reaching a user once they close SIP: their calls go back to the gateway', async () => {
    const a = await user();
    const b = await user();
    await registrations[1]!.close();
    registrations.splice(1, 1);
    const callId = a.client.call.make(b.id, { audio: true });
    const ended = await until(a.client, (s) =>
      ['Ended', 'Cancelled'].includes(s.call.calls[callId]?.state ?? ''),
    );
    expect([404, 480]).to.include(ended.call.calls[callId]!.transition?.statusCode);
  });

  /** base64(HMAC-SHA1(secret, username)): what the gateway signs, made here. */
  async function sign(secret: string, username: string): Promise<string> {
    const encode = (text: string) => new TextEncoder().encode(text);
    const key = await crypto.subtle.importKey(
      'raw',
      encode(secret),
      { name: 'HMAC', hash: 'SHA-1' },
      false,
      ['sign'],
    );
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encode(username)));
    return btoa(String.fromCharCode(...mac));
  }

  async function expectError(run: () => Promise<unknown>, code: string): Promise<CommsError> {
    const error = await run().then(
      () => expect.fail(`expected ${code}`),
      (caught: CommsError) => caught,
    );
    expect(error.code, error.message).to.equal(code);
    return error;
  }

  it('forwards a call 5 times at most, never back to where it was: both refused, it still rings', async () => {
    const a = await user();
    const chain = [await user()];
    const callId = await ringingCall(a, chain[0]!);
    for (let hop = 1; hop <= 5; hop++) {
      const here = chain.at(-1)!;
      if (hop === 3) {
        // Back to a callee it was forwarded from (Diversion): refused, as the caller would be.
        const back = await expectError(
          () => here.client.call.forward(callId, chain[0]!.id),
          'call:invalidDestination',
        );
        expect(back.message).to.contain('forwarded from there');
      }
      const next = await user();
      const rings = nextEvent(next.client, 'call:receive');
      await here.client.call.forward(callId, next.id);
      expect((await rings).callId).to.equal(callId);
      await reach(next.client, callId, 'Ringing');
      chain.push(next);
    }
    const last = chain.at(-1)!;
    expect(last.client.call.getById(callId)!.forwarded!.map((f) => f.by.id)).to.deep.equal(
      chain.slice(0, 5).map((u) => u.id),
    );
    const sixth = await user();
    const refused = await expectError(
      () => last.client.call.forward(callId, sixth.id),
      'call:invalidState',
    );
    expect(refused.message).to.contain('5 times');
    expect(sixth.client.call.getById(callId)).to.equal(undefined);
    await last.client.call.answer(callId, { audio: true });
    await reach(a.client, callId, 'Connected');
    await a.client.call.end(callId);
    await reach(last.client, callId, 'Ended');
  });

  /** Another device of the user `id`, on SIP too. */
  async function device(id: string): Promise<CommsClient> {
    const client = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    clients.push(client);
    await client.connect({ username: id, password: PASSWORD }, { services: ['chat'] });
    registrations.push(await useSipBackend(client));
    return client;
  }

  it('a forward from one device of the callee stops its other devices ringing, as forwarded, hop after hop', async () => {
    const a = await user();
    const b = await user();
    const b2 = await device(b.id);
    const atB2 = nextEvent(b2, 'call:receive');
    const callId = await ringingCall(a, b);
    await atB2;
    await reach(b2, callId, 'Ringing');
    // B (from its first device) to C, who has two; C (from its first) to D.
    const c = await user();
    const c2 = await device(c.id);
    const d = await user();
    for (const [from, others, to, next] of [
      [b.client, b2, c, c2],
      [c.client, c2, d, undefined],
    ] as const) {
      const rings = nextEvent(to.client, 'call:receive');
      const ringsToo = next && nextEvent(next, 'call:receive');
      await from.call.forward(callId, to.id);
      const ended = await reach(others, callId, 'Ended');
      expect(ended.call.calls[callId]!.transition).to.deep.equal({
        statusCode: 302,
        reasonText: 'Forwarded',
      });
      expect((await rings).callId).to.equal(callId);
      await reach(to.client, callId, 'Ringing');
      if (ringsToo) await ringsToo;
      if (next) await reach(next, callId, 'Ringing');
    }
    expect(a.client.call.getById(callId)!.forwarded!.map((f) => f.to.id)).to.deep.equal([
      c.id,
      d.id,
    ]);
    await d.client.call.answer(callId, { audio: true });
    await reach(a.client, callId, 'Connected');
    await a.client.call.end(callId);
  });

  it('ends a call that a device forwards more than 5 times (to itself, here) with 482', async () => {
    const a = await user();
    const x = await user();
    // X's credentials, on a bare SIP user agent that forwards every call back to X.
    const { settings } = registrations.at(-1)!;
    await registrations.pop()!.close();
    let invites = 0;
    const ua = bareUserAgent(settings, {
      delegate: {
        onInvite: (invitation) => {
          invites++;
          void invitation.reject({ statusCode: 302, extraHeaders: [`Contact: <${settings.uri}>`] });
        },
      },
    });
    await ua.start();
    const registerer = new Registerer(ua);
    try {
      await new Promise<void>((resolve, reject) => {
        void registerer.register({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: ({ message }) => reject(new Error(`REGISTER: ${message.statusCode}`)),
          },
        });
      });
      const callId = a.client.call.make(x.id, { audio: true });
      const ended = await reach(a.client, callId, 'Ended');
      expect(ended.call.calls[callId]!.transition).to.deep.equal({
        statusCode: 482,
        reasonText: 'Forwarded too many times',
      });
      expect(a.client.call.getById(callId)!.forwarded).to.have.length(5);
      expect(invites).to.equal(6);
    } finally {
      await registerer.unregister().catch(() => undefined);
      await ua.stop();
    }
  });

  /** `client`'s records of `callId`, once the gateway has pushed them (`callHistory:new`). */
  async function recordsOf(client: CommsClient, callId: string, count = 1) {
    const deadline = Date.now() + 10000;
    for (;;) {
      const records = client.call.history.get().filter((r) => r.callId === callId);
      if (records.length >= count) return records;
      if (Date.now() > deadline)
        expect.fail(`no record of ${callId} pushed in 10 s (${records.length} of ${count})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('the gateway keeps both parties’ records of SIP calls, from Kamailio’s events, as of its own calls', async () => {
    const [a, b, c] = [await user(), await user(), await user()];
    // Signed in, never registered with SIP: the proxy answers 404.
    const away = await signedIn();
    for (const u of [a, b, c, away]) expect(await u.client.call.history.fetch()).to.deep.equal([]);
    const party = (u: { id: string }) => ({ id: u.id, displayName: u.id });

    const answered = await connectedCall(a, b);
    await measureFor(1100);
    await a.client.call.end(answered);
    await reach(b.client, answered, 'Ended');
    const [out] = await recordsOf(a.client, answered);
    expect(out).to.deep.include({
      direction: 'outgoing',
      remoteParticipant: party(b),
      media: { audio: true, video: false },
      result: 'answered',
      statusCode: 200,
      reasonText: 'Call ended',
    });
    expect(out!.answerTime).to.be.at.least(out!.startTime);
    expect(out!.endTime).to.be.at.least(out!.answerTime! + 1000);
    expect(out!.duration).to.be.within(1, 3);
    const [inc] = await recordsOf(b.client, answered);
    expect(inc).to.deep.include({
      direction: 'incoming',
      remoteParticipant: party(a),
      result: 'answered',
      reasonText: 'Ended by the other party',
    });

    const rejected = await ringingCall(a, b);
    await b.client.call.reject(rejected);
    for (const u of [a, b])
      expect((await recordsOf(u.client, rejected))[0]).to.deep.include({
        result: 'rejected',
        statusCode: 603,
        answerTime: null,
        duration: 0,
      });

    const cancelled = await ringingCall(a, b, { audio: true, video: true });
    await a.client.call.end(cancelled);
    expect((await recordsOf(a.client, cancelled))[0]).to.deep.include({
      result: 'cancelled',
      statusCode: 487,
      media: { audio: true, video: true },
    });
    expect((await recordsOf(b.client, cancelled))[0]).to.deep.include({
      result: 'missed',
      statusCode: 487,
    });

    // B forwards it to C, who answers, then hangs up.
    const forwarded = await ringingCall(a, b);
    await b.client.call.forward(forwarded, c.id);
    await reach(c.client, forwarded, 'Ringing');
    await c.client.call.answer(forwarded, { audio: true });
    await reach(a.client, forwarded, 'Connected');
    await c.client.call.end(forwarded);
    await reach(a.client, forwarded, 'Ended');
    expect((await recordsOf(b.client, forwarded))[0]).to.deep.include({
      direction: 'incoming',
      remoteParticipant: party(a),
      result: 'rejected',
      statusCode: 302,
      reasonText: `Forwarded to ${c.id}`,
    });
    expect((await recordsOf(a.client, forwarded))[0]).to.deep.include({
      remoteParticipant: party(c),
      result: 'answered',
      reasonText: `Ended by the other party (forwarded by ${b.id})`,
    });
    expect((await recordsOf(c.client, forwarded))[0]).to.deep.include({
      remoteParticipant: party(a),
      result: 'answered',
      reasonText: `Call ended (forwarded by ${b.id})`,
    });

    const unreachable = a.client.call.make(away.id, { audio: true });
    await reach(a.client, unreachable, 'Ended');
    expect((await recordsOf(a.client, unreachable))[0]).to.deep.include({
      remoteParticipant: party(away),
      result: 'noAnswer',
      statusCode: 480,
      reasonText: 'Not available',
    });
    expect((await recordsOf(away.client, unreachable))[0]).to.deep.include({ result: 'missed' });

    // Each record once, in the gateway's history too.
    const history = await a.client.call.history.fetch();
    expect(history.map((r) => r.callId)).to.have.members([
      answered,
      rejected,
      cancelled,
      forwarded,
      unreachable,
    ]);
  });

  it('a call unanswered in time ends as no answer (408) for both, and in both records', async () => {
    const a = await user();
    const b = await user();
    // A's own settings, with a ring of 1 s.
    const { settings } = registrations.at(-2)!;
    await registrations.splice(-2, 1)[0]!.close();
    registrations.push(await useSipBackend(a.client, { ...settings, ringTimeout: 1 }));
    await a.client.call.history.fetch();
    await b.client.call.history.fetch();
    const callId = await ringingCall(a, b);
    const ended = await reach(a.client, callId, 'Ended');
    expect(ended.call.calls[callId]!.transition).to.deep.equal(Transitions.NO_ANSWER);
    const missed = await until(b.client, (s) =>
      ['Ended', 'Cancelled'].includes(s.call.calls[callId]!.state),
    );
    expect(missed.call.calls[callId]!.transition).to.deep.equal(Transitions.NO_ANSWER);
    expect((await recordsOf(a.client, callId))[0]).to.deep.include({
      result: 'noAnswer',
      statusCode: 408,
      reasonText: 'No answer',
    });
    expect((await recordsOf(b.client, callId))[0]).to.deep.include({
      result: 'missed',
      statusCode: 408,
    });
  });

  it('tabs closed without unregistering (reloads) do not stop calls reaching the user', async () => {
    const a = await user();
    const b = await signedIn();
    const first = await useSipBackend(b.client);
    const { settings } = first;
    await first.close();
    // Tabs that registered, then closed: their WebSockets gone, their registrations not
    // withdrawn. Kamailio forks to 12 contacts at most, the oldest first: kept, these would
    // take every branch, each to a connection that is gone, and the call would fail (500).
    const gone = [];
    for (let tab = 0; tab < 13; tab++) {
      const ua = bareUserAgent(settings);
      gone.push(ua);
      await ua.start();
      await new Promise<void>((resolve, reject) => {
        void new Registerer(ua).register({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: ({ message }) => reject(new Error(`REGISTER: ${message.statusCode}`)),
          },
        });
      });
      await ua.transport.disconnect();
    }
    registrations.push(await useSipBackend(b.client));
    const received = nextEvent(b.client, 'call:receive');
    const callId = a.client.call.make(b.id, { audio: true });
    const rang = await until(a.client, (s) =>
      ['Ringing', 'Ended'].includes(s.call.calls[callId]?.state ?? ''),
    );
    const { state, transition } = rang.call.calls[callId]!;
    expect(state, `the call ended: ${JSON.stringify(transition)}`).to.equal('Ringing');
    await received;
    await reach(b.client, callId, 'Ringing');
    await b.client.call.answer(callId, { audio: true });
    await reach(a.client, callId, 'Connected');
    await a.client.call.end(callId);
    await Promise.all(gone.map((ua) => ua.stop()));
  });

  it('refuses a credential past its expiry, and takes the same one signed for later', async () => {
    const a = await signedIn();
    const now = Math.floor(Date.now() / 1000);
    const settings = {
      wsUrl: kamailio.wsUrl,
      domain: kamailio.domain,
      uri: `sip:${a.id}@${kamailio.domain}`,
    };
    const fresh = `${now + 600}:${a.id}`;
    const accepted = await useSipBackend(a.client, {
      ...settings,
      username: fresh,
      password: await sign(kamailio.secret, fresh),
    });
    await accepted.close();
    const expired = `${now - 60}:${a.id}`;
    let error: CommsError | undefined;
    try {
      registrations.push(
        await useSipBackend(a.client, {
          ...settings,
          username: expired,
          password: await sign(kamailio.secret, expired),
        }),
      );
    } catch (caught) {
      error = caught as CommsError;
    }
    expect(error?.code).to.equal('sip:registrationFailed');
  });

  it('unregisters when the user signs out: calls to them no longer ring this client', async () => {
    const a = await user();
    const b = await user();
    let rang = false;
    b.client.on('call:receive', () => (rang = true));
    await b.client.auth.logout();
    const callId = a.client.call.make(b.id, { audio: true });
    const ended = await until(a.client, (s) =>
      ['Ended', 'Cancelled'].includes(s.call.calls[callId]?.state ?? ''),
    );
    expect([404, 480]).to.include(ended.call.calls[callId]!.transition?.statusCode);
    expect(rang, 'the signed-out client rang').to.equal(false);
  });

  it('renews the gateway’s credentials at half their life and registers again with them', async function () {
    this.timeout(60000);
    // Credentials valid 60 s (the least the gateway allows): renewed after 30.
    const shortLived = await startGateway(['--sip-ttl', '60', ...sipGatewayArgs(kamailio)]);
    try {
      const { client, id } = await signedIn(shortLived.url);
      const sip = await useSipBackend(client);
      registrations.push(sip);
      const first = sip.settings.username;
      expect(sip.settings.ttl).to.equal(60);
      const started = Date.now();
      // The settings change only once the proxy accepted a REGISTER with the new credentials.
      while (sip.settings.username === first && Date.now() - started < 45000)
        await new Promise((r) => setTimeout(r, 500));
      expect(sip.settings.username, 'renewed').not.to.equal(first);
      expect(Number(sip.settings.username.split(':')[0])).to.be.greaterThan(
        Number(first.split(':')[0]),
      );
      // Still reachable with them.
      const a = await user();
      const received = nextEvent(client, 'call:receive');
      const callId = a.client.call.make(id, { audio: true });
      expect((await received).callId).to.equal(callId);
      await a.client.call.end(callId);
    } finally {
      await shortLived.stop();
    }
  });

  it('refuses credentials the proxy does not accept, with a clear error', async () => {
    const a = await signedIn();
    const sip = await useSipBackend(a.client);
    const settings = sip.settings;
    await sip.close();
    let error: CommsError | undefined;
    try {
      registrations.push(
        await useSipBackend(a.client, { ...settings, password: 'not-the-password' }),
      );
    } catch (caught) {
      error = caught as CommsError;
    }
    expect(error?.code).to.equal('sip:registrationFailed');
    expect(error?.message).to.match(/40[13]/);

    // Another user's credentials do not register this one (the proxy binds them to the user).
    const b = await signedIn();
    error = undefined;
    try {
      registrations.push(
        await useSipBackend(b.client, { ...settings, uri: `sip:${b.id}@${kamailio.domain}` }),
      );
    } catch (caught) {
      error = caught as CommsError;
    }
    expect(error?.code).to.equal('sip:registrationFailed');
  });
});
