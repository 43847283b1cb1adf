/**
 * Two gateway nodes on PostgreSQL, as nodes on several hosts are deployed: two built gateways
 * (child processes) with `--redis-url` on one `redis-server` and `--db postgres://…` on one
 * PostgreSQL database (a throwaway cluster of this file's own). What one node stores the other
 * reads (accounts, sessions, messages); what both do at once is decided once (a message's seq,
 * a refresh token's spending). Then `--db postgres://` itself: a database that is not there at
 * start, and one that stops answering while the gateway runs (`/readyz`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Routes } from '../../core/protocol/constants.js';
import type { Conversation, Message, TokenResponse } from '../../core/protocol/schema.js';
import {
  call,
  errorOf,
  login,
  signupAndLogin,
  uniqueName,
  type TestSocket,
} from '../helpers/client.js';
import { runGateway, startGateway, type Gateway } from '../helpers/gateway.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { freePort } from '../helpers/server-process.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { device, newUser, ok, type TestUser } from '../helpers/users.js';

let redis: RedisServer;
let postgres: PostgresServer;
let db: string;
let node1: Gateway;
let node2: Gateway;
const sockets: TestSocket[] = [];

before(async () => {
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  db = await postgres.createDatabase('comms');
  const args = ['--db', db, '--redis-url', redis.url, '--frame-rate-limit', '100000'];
  // At once: they migrate the new database once between them (an advisory lock).
  [node1, node2] = await Promise.all([startGateway(args), startGateway(args)]);
});
after(async () => {
  for (const s of sockets) s.close();
  const codes = await Promise.all([node1?.stop(), node2?.stop()]);
  assert.deepEqual(codes, [0, 0], 'both nodes stop cleanly');
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

async function open(at: Gateway, user: TestUser): Promise<TestSocket> {
  const socket = await device(at.url, user, ['chat']);
  sockets.push(socket);
  return socket;
}

describe('two gateway nodes sharing Redis and PostgreSQL', () => {
  it('a user signed up on node 1 logs in on node 2 and refreshes there', async () => {
    const name = uniqueName('pg');
    const first = await signupAndLogin(node1.url, name);
    const second = await login(node2.url, name);
    assert.equal(second.user.id, first.user.id);
    const rotated = await call<TokenResponse>(node2.url, Routes.REFRESH, {
      refreshToken: first.refreshToken,
    });
    assert.equal(rotated.status, 200);
    const reused = await call(node1.url, Routes.REFRESH, { refreshToken: first.refreshToken });
    assert.equal(reused.status, 401);
    assert.equal(errorOf(reused).code, 'auth:refreshReused');
  });

  it('a refresh token spent on both nodes at once is spent once: the other is reuse', async () => {
    const name = uniqueName('pg');
    const tokens = await signupAndLogin(node1.url, name);
    const results = await Promise.all(
      [node1, node2].map((node) =>
        call(node.url, Routes.REFRESH, { refreshToken: tokens.refreshToken }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 401]);
    const loser = results.find((r) => r.status === 401)!;
    assert.equal(errorOf(loser).code, 'auth:refreshReused');
  });

  it('messages from A on node 1 and B on node 2 at once: stored once each, seqs 1…n in order', async () => {
    const alice = await newUser(node1.url, 'a');
    const bob = await newUser(node2.url, 'b');
    const a = await open(node1, alice);
    const b = await open(node2, bob);
    const { conversation } = ok<{ conversation: Conversation }>(
      await a.request({ type: 'conversation.open', destination: bob.name }),
    );
    const send = (socket: TestSocket, text: string, clientId: string = randomUUID()) =>
      socket
        .request({
          type: 'message.send',
          conversationId: conversation.id,
          clientId,
          parts: [{ type: 'text', text }],
        })
        .then((reply) => ok<{ message: Message }>(reply).message);
    // Each sender one message at a time, as the core's outbox sends; both senders at once.
    const count = 15;
    const sendAll = async (socket: TestSocket, prefix: string) => {
      const sent: Message[] = [];
      for (let i = 0; i < count; i++) sent.push(await send(socket, `${prefix}${i}`));
      return sent;
    };
    const [fromA, fromB] = await Promise.all([sendAll(a, 'a'), sendAll(b, 'b')]);
    const seqs = [...fromA, ...fromB].map((m) => m.seq).sort((x, y) => x - y);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      'no gap, no seq twice',
    );
    for (const mine of [fromA, fromB])
      assert.deepEqual(
        mine.map((m) => m.seq),
        [...mine.map((m) => m.seq)].sort((x, y) => x - y),
        "each sender's messages in the order sent",
      );
    // A third device of Alice's, on node 2, sends without waiting for replies, into a
    // conversation node 2 has not looked up for her yet: stored in the order sent.
    const bob2 = await newUser(node1.url, 'c');
    const { conversation: fresh } = ok<{ conversation: Conversation }>(
      await a.request({ type: 'conversation.open', destination: bob2.name }),
    );
    const pipelined = await open(node2, alice);
    const burst = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        pipelined
          .request({
            type: 'message.send',
            conversationId: fresh.id,
            clientId: randomUUID(),
            parts: [{ type: 'text', text: `p${i}` }],
          })
          .then((reply) => ok<{ message: Message }>(reply).message),
      ),
    );
    assert.deepEqual(
      burst.map((m) => m.seq),
      burst.map((_, i) => i + 1),
      'in the order sent',
    );
    // The same clientId again, through the other node: the message stored then.
    const again = await open(node2, alice);
    const resent = await send(again, 'a0 again', fromA[0]!.clientId);
    assert.equal(resent.id, fromA[0]!.id);
    assert.equal(resent.seq, fromA[0]!.seq);
    // The history on either node: every message, once, in seq order.
    for (const socket of [a, b]) {
      const { messages } = ok<{ messages: Message[] }>(
        await socket.request({
          type: 'message.history',
          conversationId: conversation.id,
          limit: 100,
        }),
      );
      assert.deepEqual(
        messages.map((m) => m.seq),
        seqs,
      );
      assert.equal(new Set(messages.map((m) => m.id)).size, 2 * count);
    }
  });
});

describe('--db postgres://', () => {
  it('refuses to start when PostgreSQL does not answer, naming the URL without its password', async () => {
    const port = await freePort();
    const { code, stderr } = await runGateway([
      '--port',
      '0',
      '--db',
      `postgres://comms:s3cret@127.0.0.1:${port}/comms`,
    ]);
    assert.equal(code, 1);
    assert.match(
      stderr,
      new RegExp(
        `cannot reach PostgreSQL at postgres://comms:\\*\\*\\*@127\\.0\\.0\\.1:${port}/comms`,
      ),
    );
    assert.match(stderr, /start it, or correct --db \(COMMS_DB\)/);
    assert.match(stderr, /\[server:databaseUnavailable\]/);
    assert.ok(!stderr.includes('s3cret'), stderr);
  });

  it('is not ready while the database refuses connections, and ready again when it is back', async () => {
    const ready = async (node: Gateway) => (await fetch(`${node.url}${Routes.READY}`)).status;
    assert.deepEqual(await Promise.all([ready(node1), ready(node2)]), [200, 200]);
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    try {
      await admin.query('ALTER DATABASE comms ALLOW_CONNECTIONS false');
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'comms'",
      );
      assert.deepEqual(await Promise.all([ready(node1), ready(node2)]), [503, 503]);
      await admin.query('ALTER DATABASE comms ALLOW_CONNECTIONS true');
      assert.deepEqual(await Promise.all([ready(node1), ready(node2)]), [200, 200]);
    } finally {
      await admin.query('ALTER DATABASE comms ALLOW_CONNECTIONS true');
      await admin.end();
    }
  });
});
