/**
 * Two gateway nodes, as the scale plan deploys them: two built gateways (child processes) with
 * `--redis-url` on one `redis-server` and `--db` on one SQLite file. User A is on node 1, user B
 * on node 2: what one node does reaches the sockets the other holds (messages, presence,
 * revoked sessions, replaced subscriptions, calls). Then the `--redis-url` option itself: a
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
import { connect, login, type TestSocket } from '../helpers/client.js';
import { runGateway, startGateway, type Gateway } from '../helpers/gateway.js';
import { callKit } from '../helpers/call-server.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { codeOf, device, newUser, ok, pause, type TestUser } from '../helpers/users.js';

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
  const args = ['--db', db, '--redis-url', redis.url, '--frame-rate-limit', '100000'];
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
    // The history on either node: the one stored message.
    for (const socket of [a, b]) {
      const { messages } = ok<{ messages: Message[] }>(
        await socket.request({ type: 'message.history', conversationId: conversation.id }),
      );
      assert.deepEqual(
        messages.map((m) => m.id),
        [sent.id],
      );
    }
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
