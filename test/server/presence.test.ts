/**
 * Presence against a real gateway started in this process with a `ManualClock` (so the grace
 * period passes at once) and its bus at hand (to publish what call signalling publishes):
 * who may see whom, updates reaching watchers, offline after the grace period or at once after
 * a clean goodbye, on the phone during a call, and Notify's availability.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Presence } from '../../core/protocol/schema.js';
import {
  startServer,
  userChannel,
  type ManualClock,
  type RunningServer,
} from '../../server/index.js';
import { startClockedServer } from '../helpers/clocked-server.js';
import type { TestSocket } from '../helpers/client.js';
import { codeOf, device, newUser, ok, pause, type TestUser } from '../helpers/users.js';

const GRACE = 10; // seconds

let clock: ManualClock;
let server: RunningServer;
let url: string;
const sockets: TestSocket[] = [];

before(async () => {
  ({ clock, server } = await startClockedServer({ presenceGrace: GRACE }));
  url = server.url;
});
after(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

async function open(user: TestUser, services?: string[], at = url): Promise<TestSocket> {
  const socket = await device(at, user, services);
  sockets.push(socket);
  return socket;
}

/**
 * Makes `a` and `b` contacts of each other, and takes the presence each then gets of the other
 * unasked (both sockets must be subscribed to presence), so later waits see later changes.
 */
async function befriend(a: [TestUser, TestSocket], b: [TestUser, TestSocket]) {
  ok(await a[1].request({ type: 'contacts.add', contact: { primaryContact: b[0].name } }));
  await Promise.all([
    change(a[1], b[0]),
    change(b[1], a[0]),
    b[1].request({ type: 'contacts.add', contact: { primaryContact: a[0].name } }).then(ok),
  ]);
}

/** The next `presence:change` about `user`. */
async function change(socket: TestSocket, user: TestUser): Promise<Presence> {
  const frame = await socket.next(
    (f) => f.event === 'presence:change' && (f.presence as Presence).userId === user.name,
  );
  return frame.presence as Presence;
}

/** No `presence:change` about `user` arrives for a while. */
async function noChange(socket: TestSocket, user: TestUser) {
  await pause(60);
  const about = socket.pending.filter(
    (f) => f.event === 'presence:change' && (f.presence as Presence).userId === user.name,
  );
  assert.deepEqual(about, [], `no presence change of ${user.name}`);
}

/** Resolves once the gateway holds no socket of `user`. */
async function gone(user: TestUser) {
  while (server.app.gateway.ws.registry.byUser(user.id).length) await pause(5);
}

const presenceOf = (reply: Record<string, unknown>) => ok<{ presence: Presence[] }>(reply).presence;

describe('who may see whom (scope: contacts)', () => {
  it('only users who have each other as contacts; fetch leaves the others out, subscribe refuses', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const a = await open(alice);
    const b = await open(bob);

    const refused = await a.request({ type: 'presence.subscribe', users: [bob.name] });
    assert.equal(codeOf(refused), 'presence:forbidden');
    assert.match((refused.error as { message: string }).message, new RegExp(bob.name));
    assert.deepEqual(
      presenceOf(await a.request({ type: 'presence.fetch', users: [bob.name] })),
      [],
    );

    ok(await a.request({ type: 'contacts.add', contact: { primaryContact: bob.name } }));
    assert.equal(
      codeOf(await a.request({ type: 'presence.subscribe', users: [bob.name] })),
      'presence:forbidden',
      'one way is not enough',
    );
    ok(await b.request({ type: 'contacts.add', contact: { primaryContact: alice.name } }));
    const [seen] = presenceOf(await a.request({ type: 'presence.subscribe', users: [bob.name] }));
    assert.deepEqual(
      [seen?.userId, seen?.status, seen?.activity, seen?.available],
      [bob.name, 'open', 'available', false],
    );

    const mixed = await a.request({
      type: 'presence.subscribe',
      users: [bob.name, 'nobody-at-all'],
    });
    assert.equal(codeOf(mixed), 'presence:forbidden', 'an unknown user looks the same');
    const fetched = presenceOf(
      await a.request({ type: 'presence.fetch', users: [bob.name, 'nobody-at-all', alice.name] }),
    );
    assert.deepEqual(
      fetched.map((p) => p.userId),
      [bob.name, alice.name],
      'visible users only; oneself is always visible',
    );
  });

  it('once both have added each other, each gets the other’s presence and its changes unasked', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const a = await open(alice);
    const b = await open(bob);
    ok(await a.request({ type: 'contacts.add', contact: { primaryContact: bob.name } }));
    await noChange(a, bob);
    ok(await b.request({ type: 'presence.update', status: 'open', activity: 'busy' }));
    await noChange(a, bob);
    const [aboutBob, aboutAlice] = await Promise.all([
      change(a, bob),
      change(b, alice),
      b.request({ type: 'contacts.add', contact: { primaryContact: alice.name } }).then(ok),
    ]);
    assert.equal(aboutBob.activity, 'busy', 'Alice learns Bob’s presence when he adds her back');
    assert.equal(aboutAlice.status, 'open', 'and Bob learns Alice’s');
    ok(await b.request({ type: 'presence.update', status: 'open', activity: 'away' }));
    assert.equal((await change(a, bob)).activity, 'away', 'later changes follow, unsubscribed');
  });

  it('every device of a user gets the status chosen on another', async () => {
    const alice = await newUser(url);
    const a1 = await open(alice);
    const a2 = await open(alice);
    const [seen] = await Promise.all([
      change(a2, alice),
      a1
        .request({ type: 'presence.update', status: 'open', activity: 'busy', note: 'focus' })
        .then(ok),
    ]);
    assert.deepEqual([seen.activity, seen.note], ['busy', 'focus']);
  });

  it('stops the updates when a contact is removed', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const a = await open(alice);
    const b = await open(bob);
    await befriend([alice, a], [bob, b]);
    ok(await a.request({ type: 'presence.subscribe', users: [bob.name] }));
    ok(await b.request({ type: 'presence.update', status: 'open', activity: 'away' }));
    assert.equal((await change(a, bob)).activity, 'away');
    const contacts = ok<{ contacts: Array<{ contactId: string }> }>(
      await b.request({ type: 'contacts.list' }),
    ).contacts;
    ok(await b.request({ type: 'contacts.remove', contactId: contacts[0]!.contactId }));
    ok(await b.request({ type: 'presence.update', status: 'open', activity: 'lunch' }));
    await noChange(a, bob);
  });

  it('with scope all, everyone sees everyone', async () => {
    const open = await startServer({
      port: 0,
      db: ':memory:',
      logLevel: false,
      authRateLimit: false,
      presenceScope: 'all',
    });
    try {
      const alice = await newUser(open.url);
      const bob = await newUser(open.url);
      const a = await device(open.url, alice);
      const b = await device(open.url, bob);
      const [seen] = presenceOf(await a.request({ type: 'presence.subscribe', users: [bob.name] }));
      assert.equal(seen?.status, 'open');
      ok(await b.request({ type: 'presence.update', status: 'open', activity: 'busy' }));
      assert.equal((await change(a, bob)).activity, 'busy');
      a.close();
      b.close();
    } finally {
      await open.close();
    }
  });
});

describe('updates and going offline', () => {
  async function pair() {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const a = await open(alice);
    const b = await open(bob);
    await befriend([alice, a], [bob, b]);
    ok(await a.request({ type: 'presence.subscribe', users: [bob.name] }));
    return { alice, bob, a, b };
  }

  it('an update reaches the watchers with its note', async () => {
    const { bob, a, b } = await pair();
    const reply = ok<{ presence: Presence }>(
      await b.request({
        type: 'presence.update',
        status: 'open',
        activity: 'busy',
        note: 'in a meeting',
      }),
    );
    assert.deepEqual([reply.presence.activity, reply.presence.note], ['busy', 'in a meeting']);
    const seen = await change(a, bob);
    assert.deepEqual([seen.status, seen.activity, seen.note], ['open', 'busy', 'in a meeting']);
  });

  it('a dropped connection turns the user offline only after the grace period', async () => {
    const { bob, a, b } = await pair();
    b.ws.terminate();
    await gone(bob);
    clock.advance((GRACE - 1) * 1000);
    await noChange(a, bob);
    clock.advance(2000);
    const offline = await change(a, bob);
    assert.deepEqual(
      [offline.status, offline.activity, offline.available],
      ['closed', 'unknown', false],
    );
  });

  it('a reconnect within the grace period is not seen; the chosen activity and note are kept', async () => {
    const { bob, a, b } = await pair();
    ok(await b.request({ type: 'presence.update', status: 'open', activity: 'away', note: 'brb' }));
    await change(a, bob);
    b.ws.terminate();
    await gone(bob);
    clock.advance((GRACE - 1) * 1000);
    const again = await open(bob);
    clock.advance(5000);
    await noChange(a, bob);
    const [now] = presenceOf(await a.request({ type: 'presence.fetch', users: [bob.name] }));
    assert.deepEqual([now?.status, now?.activity, now?.note], ['open', 'away', 'brb']);
    again.ws.terminate();
    await gone(bob);
    clock.advance((GRACE + 1) * 1000);
    assert.equal((await change(a, bob)).status, 'closed');
    await open(bob);
    const back = await change(a, bob);
    assert.deepEqual([back.status, back.activity, back.note], ['open', 'away', 'brb']);
  });

  it('unsubscribing from presence, or a normal close, turns the user offline at once', async () => {
    const { bob, a, b } = await pair();
    ok(await b.request({ type: 'unsubscribe', services: ['presence'] }));
    assert.equal((await change(a, bob)).status, 'closed');
    ok(await b.request({ type: 'subscribe', services: ['presence'], clientCorrelator: 'x' }));
    assert.equal((await change(a, bob)).status, 'open');
    b.ws.close(1000);
    assert.equal((await change(a, bob)).status, 'closed');
  });

  it('stays online while another device is connected', async () => {
    const { bob, a, b } = await pair();
    const phone = await open(bob);
    b.ws.close(1000);
    await pause(50);
    clock.advance((GRACE + 1) * 1000);
    await noChange(a, bob);
    phone.ws.close(1000);
    assert.equal((await change(a, bob)).status, 'closed');
  });
});

describe('on the phone', () => {
  it('shows on-the-phone while call signalling says the user is in a call, then the chosen activity', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const a = await open(alice);
    const b = await open(bob);
    await befriend([alice, a], [bob, b]);
    ok(await a.request({ type: 'presence.subscribe', users: [bob.name] }));
    ok(await b.request({ type: 'presence.update', status: 'open', activity: 'busy' }));
    await change(a, bob);
    const { bus } = server.app.gateway;
    const activity = (inCall: boolean, callId?: string) =>
      bus.publish(userChannel(bob.id), {
        type: 'call.activity',
        userId: bob.id,
        inCall,
        ...(callId && { callId }),
      });
    await activity(true, 'call-1');
    assert.equal((await change(a, bob)).activity, 'on-the-phone');
    await activity(true, 'call-2');
    await activity(false, 'call-1');
    await noChange(a, bob);
    await activity(false, 'call-2');
    assert.equal((await change(a, bob)).activity, 'busy');
  });
});

describe('availability (Notify)', () => {
  it('lists available connected users to those who may see them, never the caller', async () => {
    const alice = await newUser(url);
    const bob = await newUser(url);
    const carol = await newUser(url);
    const a = await open(alice);
    const b = await open(bob);
    const c = await open(carol);
    await befriend([alice, a], [bob, b]);
    ok(await a.request({ type: 'presence.subscribe', users: [bob.name] }));
    const clients = async (s: TestSocket) =>
      ok<{ clients: Array<{ userId: string; displayName: string }> }>(
        await s.request({ type: 'presence.availableClients' }),
      ).clients.map((x) => x.userId);

    ok(await b.request({ type: 'presence.available', available: true }));
    assert.equal((await change(a, bob)).available, true);
    assert.deepEqual(await clients(a), [bob.name]);
    assert.deepEqual(await clients(b), [], 'not oneself');
    assert.deepEqual(await clients(c), [], 'not a stranger');

    ok(await b.request({ type: 'presence.available', available: false }));
    assert.equal((await change(a, bob)).available, false);
    assert.deepEqual(await clients(a), []);

    ok(await b.request({ type: 'presence.available', available: true }));
    await change(a, bob);
    b.ws.close(1000);
    assert.equal((await change(a, bob)).available, false);
    assert.deepEqual(await clients(a), [], 'a closed socket is not available');
  });
});
