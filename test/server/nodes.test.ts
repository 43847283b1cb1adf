/**
 * Two gateway nodes, as the scale plan deploys them: two built gateways (child processes) with
 * `--redis-url` on one `redis-server` and `--db` on one SQLite file. User A is on node 1, user B
 * on node 2: what one node does reaches the sockets the other holds (messages, presence,
 * revoked sessions, replaced subscriptions, calls), and who is online is the same on both (with a
 * presence TTL of 1 s, so that a killed node's users lapse soon). Then the `--redis-url` option itself: a
 * Redis that is not there at start, and one that goes away while the gateway runs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloseCodes, Routes } from '../../core/protocol/constants.js';
import type { Conversation, Message, Presence } from '../../core/protocol/schema.js';
import { call, connect, login, type TestSocket } from '../helpers/client.js';
import { runGateway, startGateway, type Gateway } from '../helpers/gateway.js';
import { callKit } from '../helpers/call-server.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import {
  codeOf,
  device,
  newUser,
  ok,
  pause,
  seqsOf,
  sendText,
  type TestUser,
} from '../helpers/users.js';

let redis: RedisServer;
let dir: string;
let node1: Gateway;
let node2: Gateway;
let node3Args: string[];
const sockets: TestSocket[] = [];

before(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'comms-nodes-'));
  const db = join(dir, 'comms.db');
  const args = [
    '--db',
    db,
    '--redis-url',
    redis.url,
    '--frame-rate-limit',
    '100000',
    '--presence-ttl',
    '1',
  ];
  // One after the other: the first creates the database and migrates it.
  node1 = await startGateway(args);
  node2 = await startGateway(args);
  node3Args = args;
});
after(async () => {
  for (const s of sockets) s.close();
  const codes = await Promise.all([node1?.stop(), node2?.stop()]);
  assert.deepEqual(codes, [0, 0], 'both nodes stop cleanly');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function open(at: Gateway, user: TestUser, services?: string[]): Promise<TestSocket> {
  const socket = await device(at.url, user, services);
  sockets.push(socket);
  return socket;
}

/** The next `presence:change` about `user`. */
async function change(socket: TestSocket, user: TestUser): Promise<Presence> {
  const frame = await socket.next(
    (f) => f.event === 'presence:change' && (f.presence as Presence).userId === user.name,
  );
  return frame.presence as Presence;
}

describe('two gateway nodes sharing Redis and one database', () => {
  it('a message from A on node 1 reaches B on node 2, stored once', async () => {
    const alice = await newUser(node1.url, 'a');
    const bob = await newUser(node2.url, 'b');
    const a = await open(node1, alice);
    const b = await open(node2, bob);
    const { conversation } = ok<{ conversation: Conversation }>(
      await a.request({ type: 'conversation.open', destination: bob.name }),
    );
    await b.event('conversation:new');
    const sent = ok<{ message: Message }>(
      await a.request({
        type: 'message.send',
        conversationId: conversation.id,
        clientId: randomUUID(),
        parts: [{ type: 'text', text: 'across nodes' }],
      }),
    ).message;
    const pushed = (await b.event('message:new')).message as Message;
    assert.equal(pushed.id, sent.id);
    assert.equal(pushed.sender, alice.name);
    assert.deepEqual(pushed.parts, [{ type: 'text', text: 'across nodes' }]);

    // Devices on the sending node (which sends to them itself) and on the other (through
    // Redis) each get a message once: the sending node ignores its own copy on the bus.
    const a2 = await open(node1, alice, ['chat']);
    const b1 = await open(node1, bob, ['chat']);
    const texts = ['one', 'two'];
    const ids: string[] = [];
    for (const text of texts)
      ids.push(
        ok<{ message: Message }>(
          await a.request({
            type: 'message.send',
            conversationId: conversation.id,
            clientId: randomUUID(),
            parts: [{ type: 'text', text }],
          }),
        ).message.id,
      );
    for (const socket of [a2, b1, b]) {
      const got: string[] = [];
      while (got.length < texts.length)
        got.push(((await socket.event('message:new')).message as Message).id);
      assert.deepEqual(got, ids, 'both messages, in order');
    }
    // A request answered after the bus has carried both: no second copy came before it.
    await pause(50);
    for (const socket of [a2, b1, b]) {
      ok(await socket.request({ type: 'ping' }));
      assert.deepEqual(
        socket.pending.filter((f) => f.event === 'message:new'),
        [],
        'no copy of a message twice',
      );
    }
    await a.request({ type: 'ping' });
    assert.equal(
      a.pending.filter((f) => f.event === 'message:new').length,
      0,
      'the sending socket learns from its replies',
    );
    // The history on either node: each message stored once.
    for (const socket of [a, b]) {
      const { messages } = ok<{ messages: Message[] }>(
        await socket.request({ type: 'message.history', conversationId: conversation.id }),
      );
      assert.deepEqual(
        messages.map((m) => m.id),
        [sent.id, ...ids],
      );
    }
  });

  it('a voicemail left through node 1 reaches B on node 2, who hears it through node 2', async () => {
    const alice = await newUser(node1.url, 'vma');
    const bob = await newUser(node2.url, 'vmb');
    const b = await open(node2, bob, []);
    const audio = Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3, 4);
    const left = await fetch(`${node1.url}${Routes.VOICEMAILS}?to=${bob.name}&durationMs=800`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice.tokens.accessToken}`,
        'content-type': 'audio/webm',
      },
      body: audio,
    });
    assert.equal(left.status, 201);
    const { id } = (await left.json()) as { id: string };
    const pushed = await b.event('voicemail:new');
    assert.equal((pushed.voicemail as { id: string }).id, id);
    const heard = await fetch(`${node2.url}${Routes.VOICEMAILS}/${id}/audio`, {
      headers: { authorization: `Bearer ${bob.tokens.accessToken}` },
    });
    assert.deepEqual(new Uint8Array(await heard.arrayBuffer()), audio);
  });

  it('presence set on node 1 is seen on node 2', async () => {
    const alice = await newUser(node1.url, 'a');
    const bob = await newUser(node1.url, 'b');
    const a = await open(node1, alice);
    const b = await open(node2, bob);
    // Contacts of each other, each added on its own node: each is told of the other's
    // presence unasked (`presence.shared` crosses to the node holding the sockets).
    ok(await a.request({ type: 'contacts.add', contact: { primaryContact: bob.name } }));
    await Promise.all([
      change(a, bob),
      change(b, alice),
      b.request({ type: 'contacts.add', contact: { primaryContact: alice.name } }).then(ok),
    ]);
    ok(await a.request({ type: 'presence.update', status: 'open', activity: 'busy', note: 'n1' }));
    const seen = await change(b, alice);
    assert.equal(seen.status, 'open');
    assert.equal(seen.activity, 'busy');
    assert.equal(seen.note, 'n1');
  });

  it('a session revoked through node 1 closes its socket on node 2 with 4003', async () => {
    const user = await newUser(node1.url, 'r');
    const other = await login(node1.url, user.name);
    const socket = await connect(node2.url, user.tokens.accessToken);
    const kept = await connect(node2.url, other.accessToken);
    sockets.push(socket, kept);
    const res = await fetch(`${node1.url}${Routes.LOGOUT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: user.tokens.refreshToken }),
    });
    assert.equal(res.status, 204);
    assert.equal((await socket.closed).code, CloseCodes.SESSION_REVOKED);
    assert.equal(
      codeOf(await kept.request({ type: 'subscription.extend' })),
      'subscription:notFound',
      'the other session is still served',
    );
  });

  it('a subscription claimed on node 2 replaces the one with that correlator on node 1', async () => {
    const user = await newUser(node1.url, 's');
    const second = await login(node2.url, user.name);
    const first = await connect(node1.url, user.tokens.accessToken);
    const next = await connect(node2.url, second.accessToken);
    sockets.push(first, next);
    ok(await first.request({ type: 'subscribe', services: ['chat'], clientCorrelator: 'desk' }));
    ok(await next.request({ type: 'subscribe', services: ['chat'], clientCorrelator: 'desk' }));
    const change = await first.event('subscription:change');
    assert.equal(change.reason, 'replaced');
    assert.equal(change.subscription, null);
    assert.equal(
      codeOf(await first.request({ type: 'subscription.extend' })),
      'subscription:notFound',
    );
    ok(await next.request({ type: 'subscription.extend' }));
  });
});

/**
 * A first presence socket of `user` at `at`, once their coming online has gone out (their own
 * socket hears it), so that no late `presence:change` of it reaches a watcher afterwards.
 */
async function online(at: Gateway, user: TestUser): Promise<TestSocket> {
  const socket = await open(at, user);
  const self = await change(socket, user);
  assert.equal(self.status, 'open');
  return socket;
}

/** Makes `x` and `y` contacts of each other, each through their socket; waits for both to hear. */
async function befriend(x: TestSocket, xUser: TestUser, y: TestSocket, yUser: TestUser) {
  ok(await x.request({ type: 'contacts.add', contact: { primaryContact: yUser.name } }));
  await Promise.all([
    change(x, yUser),
    change(y, xUser),
    y.request({ type: 'contacts.add', contact: { primaryContact: xUser.name } }).then(ok),
  ]);
}

/** A user on `xNode` and one on `yNode`, each online there, contacts of each other. */
async function friendsOn(xNode: Gateway, yNode: Gateway, names: [string, string] = ['a', 'b']) {
  const x = await newUser(xNode.url, names[0]);
  const y = await newUser(yNode.url, names[1]);
  const xSocket = await online(xNode, x);
  const ySocket = await online(yNode, y);
  await befriend(xSocket, x, ySocket, y);
  return { x, y, xSocket, ySocket };
}

describe('who is online, across the nodes (presence in Redis)', () => {
  it('a user online only on node 2 is online, with their status, to a watcher on node 1; going offline reaches it', async () => {
    const { x: alice, y: bob, ySocket: b } = await friendsOn(node1, node2);
    ok(await b.request({ type: 'presence.update', status: 'open', activity: 'busy', note: 'n2' }));
    // A watcher on node 1 that has seen nothing of Bob yet: fetch, then subscribe.
    const watcher = await open(node1, alice, ['chat']);
    const expected = { userId: bob.name, status: 'open', activity: 'busy', note: 'n2' };
    const [fetched] = ok<{ presence: Presence[] }>(
      await watcher.request({ type: 'presence.fetch', users: [bob.name] }),
    ).presence;
    assert.deepEqual(pick(fetched!), expected, 'at fetch');
    const [initial] = ok<{ presence: Presence[] }>(
      await watcher.request({ type: 'presence.subscribe', users: [bob.name] }),
    ).presence;
    assert.deepEqual(pick(initial!), expected, 'at subscribe');
    // Bob's last presence socket (on node 2) goes: the watcher on node 1 is told.
    ok(await b.request({ type: 'unsubscribe', services: ['presence'] }));
    const gone = await change(watcher, bob);
    assert.equal(gone.status, 'closed');
    assert.equal(gone.activity, 'unknown');
  });

  it('a user online on both nodes stays online when their socket on one goes', async () => {
    const { y: bob, xSocket: a, ySocket: b2 } = await friendsOn(node1, node2);
    const b1 = await open(node1, bob);
    ok(await b1.request({ type: 'unsubscribe', services: ['presence'] }));
    // A change through node 1 after that (its changes of Bob go out one at a time, in order):
    // the next Alice hears of Bob, not a `closed` from node 1 before it.
    ok(await b1.request({ type: 'presence.update', status: 'open', activity: 'away' }));
    const next = await change(a, bob);
    assert.deepEqual([next.status, next.activity], ['open', 'away']);
    const [seen] = ok<{ presence: Presence[] }>(
      await a.request({ type: 'presence.fetch', users: [bob.name] }),
    ).presence;
    assert.equal(seen!.status, 'open', 'still online through node 2');
    // The one change Alice is told of is the last socket going, not the first.
    ok(await b2.request({ type: 'unsubscribe', services: ['presence'] }));
    assert.equal((await change(a, bob)).status, 'closed');
    assert.deepEqual(
      a.pending.filter(
        (f) => f.event === 'presence:change' && (f.presence as Presence).status === 'closed',
      ),
      [],
    );
  });

  it('a status chosen through node 2 holds in a change node 1 makes of the same user', async () => {
    const { y: bob, xSocket: a, ySocket: b2 } = await friendsOn(node1, node2);
    const b1 = await open(node1, bob);
    ok(await b2.request({ type: 'presence.update', status: 'open', activity: 'busy', note: 'x' }));
    assert.equal((await change(a, bob)).activity, 'busy');
    // Node 1 holds Bob too (since before): a change there carries what he chose on node 2.
    ok(await b1.request({ type: 'presence.available', available: true }));
    const next = await change(a, bob);
    assert.deepEqual([next.available, next.activity, next.note], [true, 'busy', 'x']);
  });

  it('availableClients lists the available users of every node the caller may see', async () => {
    const { y: bob, xSocket: a, ySocket: b } = await friendsOn(node1, node2);
    // Eve, on node 2 too, is available but no contact of Alice's: never listed to her.
    const eve = await newUser(node2.url, 'e');
    const e = await online(node2, eve);
    ok(await e.request({ type: 'presence.available', available: true }));
    const listed = async () =>
      ok<{ clients: Array<{ userId: string; displayName: string }> }>(
        await a.request({ type: 'presence.availableClients' }),
      ).clients.filter((c) => [bob.name, eve.name].includes(c.userId));
    assert.deepEqual(await listed(), [], 'bob has not said he is available');
    ok(await b.request({ type: 'presence.available', available: true }));
    await change(a, bob);
    const [bobEntry] = await listed();
    assert.equal(bobEntry?.userId, bob.name, 'bob, held by node 2, listed on node 1');
    assert.equal(typeof bobEntry?.displayName, 'string');
    // Appearing offline (a status chosen through node 2) hides him, as fetch does.
    ok(await b.request({ type: 'presence.update', status: 'closed', activity: 'available' }));
    await change(a, bob);
    assert.deepEqual(await listed(), []);
    ok(await b.request({ type: 'presence.update', status: 'open', activity: 'available' }));
    await change(a, bob);
    assert.equal((await listed()).length, 1);
    ok(await b.request({ type: 'presence.available', available: false }));
    await change(a, bob);
    assert.deepEqual(await listed(), [], 'no longer available');
  });

  it('the users of a node that shuts down go offline for watchers on the other node at once', async () => {
    const node3 = await startGateway(node3Args);
    const { y: carol, xSocket: a } = await friendsOn(node1, node3, ['a', 'c']);
    assert.equal(await node3.stop(), 0);
    // At once: not after the grace period, nor when its lease would lapse (the node left).
    const [now] = ok<{ presence: Presence[] }>(
      await a.request({ type: 'presence.fetch', users: [carol.name] }),
    ).presence;
    assert.equal(now!.status, 'closed');
    const gone = await change(a, carol);
    assert.equal(gone.status, 'closed');
  });

  it('the users of a node killed without shutdown go offline for watchers on the other node after the TTL', async () => {
    const node3 = await startGateway(node3Args);
    try {
      const { y: carol, xSocket: a } = await friendsOn(node1, node3, ['a', 'c']);
      const [before] = ok<{ presence: Presence[] }>(
        await a.request({ type: 'presence.subscribe', users: [carol.name] }),
      ).presence;
      assert.equal(before!.status, 'open');
      assert.equal(await node3.stop('SIGKILL'), null);
      // The TTL is 1 s and each node sweeps every third of it: told well within 10 s.
      const gone = (
        await a.next(
          (f) =>
            f.event === 'presence:change' &&
            (f.presence as Presence).userId === carol.name &&
            (f.presence as Presence).status === 'closed',
          10_000,
        )
      ).presence as Presence;
      assert.equal(gone.activity, 'unknown');
      const [fetched] = ok<{ presence: Presence[] }>(
        await a.request({ type: 'presence.fetch', users: [carol.name] }),
      ).presence;
      assert.equal(fetched!.status, 'closed');
    } finally {
      await node3.stop('SIGKILL');
    }
  });
});

const pick = (p: Presence) => ({
  userId: p.userId,
  status: p.status,
  activity: p.activity,
  note: p.note,
});

describe('a call between the two nodes (live calls in Redis)', () => {
  const kit1 = callKit({ url: () => node1.url, sockets });
  const kit2 = callKit({ url: () => node2.url, sockets });

  it('A on node 1 calls B on node 2: ringing, answer, offer/answer both ways, end, one record each', async () => {
    const alice = await kit1.user('Alice');
    const bob = await kit2.user('Bob');
    const a = await kit1.device(alice);
    const b = await kit2.device(bob);
    // Invite on node 1; B's device on node 2 rings and answers there; A hears it on node 1.
    const callId = await kit1.connected(a, bob, b);
    // A renegotiation from each side crosses the nodes.
    ok(await b.request({ type: 'call.offer', callId, sdp: 'v=0 offer from b', hold: false }));
    assert.equal((await a.event('call:offer')).sdp, 'v=0 offer from b');
    ok(await a.request({ type: 'call.answerOffer', callId, sdp: 'v=0 answer from a' }));
    assert.equal((await b.event('call:answer')).sdp, 'v=0 answer from a');
    ok(await a.request({ type: 'call.offer', callId, sdp: 'v=0 offer from a', hold: false }));
    assert.equal((await b.event('call:offer')).sdp, 'v=0 offer from a');
    // A second answer, from node 2, loses: the call was answered (one atomic change).
    assert.equal(
      kit2.codeOf(await b.request({ type: 'call.answer', callId, sdp: 'v=0 again' })),
      'call:alreadyAnswered',
    );
    ok(await b.request({ type: 'call.end', callId }));
    const ended = await kit1.ended(a, callId);
    assert.equal(ended.statusCode, 200);
    const [ra, rb] = await Promise.all([kit1.recordOf(alice, callId), kit2.recordOf(bob, callId)]);
    assert.equal(ra.direction, 'outgoing');
    assert.equal(rb.direction, 'incoming');
    assert.equal(ra.result, 'answered');
    // Ended for both nodes: neither knows the call any more.
    assert.equal(kit1.codeOf(await a.request({ type: 'call.end', callId })), 'call:unknown');
  });

  it('B on node 2 forwards A’s ringing call to C on node 1: C gets the offer and the candidates A sent before', async () => {
    const alice = await kit1.user('Alice');
    const bob = await kit2.user('Bob');
    const carol = await kit1.user('Carol');
    const a = await kit1.device(alice);
    const b = await kit2.device(bob);
    const c = await kit1.device(carol);
    const callId = await kit1.ringing(a, bob, [b]);
    const candidates = [1, 2].map((n) => ({
      candidate: `candidate:${n} 1 udp 2122260223 192.0.2.${n} 5000${n} typ host`,
      sdpMid: '0',
    }));
    for (const candidate of candidates) {
      ok(await a.request({ type: 'call.candidate', callId, candidate }));
      assert.deepEqual((await b.event('call:candidate')).candidate, candidate);
    }
    ok(await b.request({ type: 'call.forward', callId, destination: carol.user.username! }));
    assert.equal((await a.event('call:forwarded')).callId, callId);
    const incoming = await c.event('call:incoming');
    assert.equal(incoming.sdp, 'v=0 offer');
    for (const candidate of candidates)
      assert.deepEqual((await c.event('call:candidate')).candidate, candidate);
    ok(await c.request({ type: 'call.answer', callId, sdp: 'v=0 answer from c' }));
    assert.equal((await a.event('call:answered')).sdp, 'v=0 answer from c');
    ok(await a.request({ type: 'call.end', callId }));
    await kit1.ended(c, callId);
    assert.equal((await kit2.recordOf(bob, callId)).reasonText, 'Forwarded to Carol');
  });

  it('a node that shuts down ends its own calls only, and its devices no longer ring', async () => {
    const alice = await kit2.user('Alice');
    const bob = await kit2.user('Bob');
    const a = await kit2.device(alice);
    const b = await kit2.device(bob);
    const callId = await kit2.connected(a, bob, b);
    // A third node, holding a device of Carol's that takes calls, shuts down.
    const node3 = await startGateway(node3Args);
    const kit3 = callKit({ url: () => node3.url, sockets });
    const carol = await kit3.user('Carol');
    const c = await kit3.device(carol);
    assert.equal(await node3.stop(), 0);
    assert.equal((await c.closed).code, CloseCodes.SERVICE_RESTART);
    // Still up on node 2: signalling goes on, and nobody was told it ended.
    ok(await a.request({ type: 'call.offer', callId, sdp: 'v=0 later', hold: false }));
    assert.equal((await b.event('call:offer')).sdp, 'v=0 later');
    assert.deepEqual(
      [...a.pending, ...b.pending].filter((f) => f.event === 'call:ended'),
      [],
    );
    ok(await a.request({ type: 'call.end', callId }));
    await kit2.ended(b, callId);
    // Its device is not rung any more: calling Carol ends at once, nobody to ring (480).
    const toCarol = await kit2.invite(b, carol.user.username!);
    ok(toCarol.reply);
    assert.equal((await kit2.ended(b, toCarol.callId)).statusCode, 480);
  });
});

describe('--redis-url', () => {
  it('refuses to start when Redis does not answer, naming the URL', async () => {
    const gone = await startRedis();
    await gone.stop();
    const { code, stderr } = await runGateway([
      '--port',
      '0',
      '--db',
      ':memory:',
      '--redis-url',
      gone.url,
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
    assert.ok(stderr.includes(`:${gone.port}`), stderr);
    assert.match(stderr, /\[server:redisUnavailable\]/);
  });

  it('refuses a URL that is not a Redis URL', async () => {
    const { code, stderr } = await runGateway(['--redis-url', 'http://127.0.0.1:6379']);
    assert.equal(code, 1);
    assert.match(stderr, /--redis-url: 'http:\/\/127\.0\.0\.1:6379' is not a Redis URL/);
  });

  it("counts an address's auth requests on every node together (the auth rate limit)", async () => {
    // A Redis and a database of their own: the counters are per address, and this one's are
    // not to spend the budget of the nodes above.
    const own = await startRedis();
    const ownDir = mkdtempSync(join(tmpdir(), 'comms-rate-'));
    const args = ['--db', join(ownDir, 'comms.db'), '--redis-url', own.url, '--log-level', 'warn'];
    const one = await startGateway([...args, '--auth-rate-limit', '3']);
    const two = await startGateway([...args, '--auth-rate-limit', '3']);
    try {
      const login = (at: Gateway) =>
        call(at.url, Routes.LOGIN, { identity: 'x', password: 'y' }).then((r) => r.status);
      const statuses = [await login(one), await login(two), await login(one)];
      assert.deepEqual(statuses, [401, 401, 401]);
      // Node two has seen one request of this address, the nodes three together: limited.
      const refused = await call(two.url, Routes.LOGIN, { identity: 'x', password: 'y' });
      assert.equal(refused.status, 429);
      assert.ok(refused.headers.get('retry-after'), 'says when to retry');
      assert.equal(await login(one), 429);
      // Each route counts on its own: signing up is still open.
      assert.equal((await call(two.url, Routes.SIGNUP, { username: 'x' })).status, 400);
      // Redis away: each node counts alone again, and still refuses past the limit.
      await own.stop();
      const alone = [];
      for (let i = 0; i < 4; i++) alone.push(await login(two));
      assert.deepEqual(alone, [401, 401, 401, 429]);
      assert.match(two.output(), /auth rate limits count per node/);
    } finally {
      // Without Redis a node cannot take its calls and users out of it (logged): it still shuts
      // down cleanly, as their leases lapse.
      assert.deepEqual(await Promise.all([one.stop(), two.stop()]), [0, 0]);
      await own.stop().catch(() => {});
      rmSync(ownDir, { recursive: true, force: true });
    }
  });

  it("counts a user's messages and voicemails on every node together (the per-user rate limits)", async () => {
    const own = await startRedis();
    const ownDir = mkdtempSync(join(tmpdir(), 'comms-rate-'));
    const args = ['--db', join(ownDir, 'comms.db'), '--redis-url', own.url, '--log-level', 'warn'];
    // Messages: 1 a second, bursts of 2. Voicemails: 2 a minute, bursts of 2.
    const limits = ['--message-rate-limit', '1', '--voicemail-rate-limit', '2'];
    const one = await startGateway([...args, ...limits]);
    const two = await startGateway([...args, ...limits]);
    try {
      const alice = await newUser(one.url, 'rl');
      const bob = await newUser(one.url, 'rl');
      const a1 = await open(one, alice);
      const a2 = await open(two, alice);
      const { conversation } = ok<{ conversation: Conversation }>(
        await a1.request({ type: 'conversation.open', destination: bob.name }),
      );
      ok(await sendText(a1, conversation.id));
      ok(await sendText(a2, conversation.id));
      // Each node has seen one of Alice's messages, the two together her burst.
      const refused = await sendText(a1, conversation.id);
      assert.equal(codeOf(refused), 'message:rateLimited');
      assert.equal(codeOf(await sendText(a2, conversation.id)), 'message:rateLimited');
      assert.deepEqual(await seqsOf(a2, conversation.id), [1, 2], 'nothing refused was stored');

      const webm = new Uint8Array(2000);
      webm.set([0x1a, 0x45, 0xdf, 0xa3]);
      const leave = (at: Gateway) =>
        fetch(`${at.url}${Routes.VOICEMAILS}?to=${bob.name}&durationMs=2000`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${alice.tokens.accessToken}`,
            'content-type': 'audio/webm',
          },
          body: webm,
        }).then(async (r) => [
          r.status,
          ((await r.json()) as { error?: { code: string } }).error?.code,
        ]);
      assert.deepEqual(
        [await leave(one), await leave(two), await leave(one)],
        [
          [201, undefined],
          [201, undefined],
          [429, 'voicemail:rateLimited'],
        ],
      );
    } finally {
      assert.deepEqual(await Promise.all([one.stop(), two.stop()]), [0, 0]);
      await own.stop();
      rmSync(ownDir, { recursive: true, force: true });
    }
  });

  it('keeps running when Redis goes away: logs it, refuses what needs it, serves again when it is back', async () => {
    const own = await startRedis();
    const gateway = await startGateway(['--redis-url', own.url, '--log-level', 'error']);
    try {
      const alice = await newUser(gateway.url, 'g');
      const a = await open(gateway, alice);
      await own.stop();
      // A request that publishes fails with an error reply; the process stays up.
      const reply = await a.request({
        type: 'presence.update',
        status: 'open',
        activity: 'away',
      });
      assert.equal(codeOf(reply), 'server:internal');
      // Who is online is answered from what this node holds (the registry is in Redis).
      const [self] = ok<{ presence: Presence[] }>(
        await a.request({ type: 'presence.fetch', users: [alice.name] }),
      ).presence;
      assert.equal(self!.status, 'open');
      // A socket of a user this node does not listen for yet: closed, to come back later.
      const late = await newUser(gateway.url, 'late');
      const lateSocket = await connect(gateway.url, late.tokens.accessToken);
      assert.equal((await lateSocket.closed).code, CloseCodes.SERVICE_RESTART);
      assert.equal(gateway.process.exitCode, null, 'still running');
      assert.equal((await fetch(`${gateway.url}${Routes.HEALTH}`)).status, 200);
      const back = await startRedis({ port: own.port });
      try {
        // Until it has reconnected (backoff), requests may still fail: retry until one passes.
        for (;;) {
          const again = await a.request({
            type: 'presence.update',
            status: 'open',
            activity: 'busy',
          });
          if (again.ok === true) break;
          await pause(50);
        }
        assert.match(gateway.output(), /bus error/);
      } finally {
        await back.stop().catch(() => {});
      }
    } finally {
      await gateway.stop();
      await own.stop();
    }
  });
});
