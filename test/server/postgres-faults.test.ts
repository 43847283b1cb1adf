/**
 * PostgreSQL that does not answer, or answers "try again": the bounded waits and the
 * transaction retry of the PostgreSQL storage, on a throwaway cluster of this file's own.
 *
 * - A deadlock made for real (a second connection locks rows in the opposite order): the
 *   storage's transaction, the victim, is done again from its start and succeeds.
 * - Serialization failures (40001) raised by a trigger: an append is tried again a bounded
 *   number of times, the batch numbered from scratch each time.
 * - No connection free in the pool: the wait ends at the connect timeout.
 * - The built gateway with `--db-query-timeout 1`: a table locked by another connection makes
 *   its requests fail with `server:databaseTimeout` (WebSocket and REST) while everyone else is
 *   served, leaves no transaction open, and once the lock goes the same message is stored
 *   without a gap; a database whose processes are stopped (SIGSTOP) makes `/readyz` answer 503
 *   and requests fail the same way, until it runs again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { Routes } from '../../core/protocol/constants.js';
import type { Conversation, Message } from '../../core/protocol/schema.js';
import { PostgresStorage, TRANSACTION_ATTEMPTS } from '../../server/storage/postgres/index.js';
import { DatabaseTimeoutError, type NewMessage, type NewUser } from '../../server/storage/types.js';
import { signupAndLogin, uniqueName, type TestSocket } from '../helpers/client.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import {
  codeOf,
  device,
  newUser,
  ok,
  pause,
  seqsOf,
  sendText as send,
  within,
  type TestUser,
} from '../helpers/users.js';
import { userRecord } from '../helpers/records.js';

let server: PostgresServer;
const clients: pg.Client[] = [];
const storages: PostgresStorage[] = [];

before(async () => {
  server = await startPostgres();
});
after(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await Promise.all(storages.map((s) => s.close().catch(() => undefined)));
  await server?.stop();
});

/** A connection of the test's own to `url` (closed at the end). */
async function connection(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

const user = (id: string): NewUser => userRecord(id, { username: id });

/**
 * A storage on a new database (closed at the end), with user `a` in conversation `c`;
 * resolves with both.
 */
async function storageWithChat(
  options: { poolSize?: number; queryTimeoutMs?: number; connectTimeoutMs?: number } = {},
): Promise<{ url: string; storage: PostgresStorage }> {
  const url = await server.createDatabase();
  const storage = await PostgresStorage.open({ url, ...options });
  storages.push(storage);
  await storage.createUser(user('a'));
  await storage.createConversation({ id: 'c', type: 'chat', name: null, memberIds: ['a'], now: 1 });
  return { url, storage };
}

/** Resolves once some other session waits for a lock in the database `client` is on. */
async function someoneWaitsForALock(client: pg.Client): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE NOT l.granted AND a.application_name = 'comms-kit'`,
    );
    if (Number(rows[0]!.n) > 0) return;
    await pause(20);
  }
}

const message = (id: string, senderId: string, conversationId: string): NewMessage => ({
  id,
  conversationId,
  clientId: randomUUID(),
  senderId,
  parts: [{ type: 'text', text: id }],
  timestamp: 5,
});

describe('a transaction PostgreSQL aborts so that another can go on', () => {
  it('is done again from its start when it is a deadlock victim', async () => {
    const { url, storage } = await storageWithChat();
    await storage.createUser(user('u'));
    await storage.createRefreshFamily({ id: 'f', userId: 'u', createdAt: 1 });
    for (const id of ['t1', 't2'])
      await storage.createRefreshToken({
        id,
        tokenHash: `hash-${id}`,
        familyId: 'f',
        parentId: null,
        userId: 'u',
        createdAt: 1,
        expiresAt: 10_000,
      });
    // The other side: it locks the family's tokens first, then (below) the family. Its own
    // deadlock check comes late, so the storage's transaction is the one PostgreSQL aborts.
    const other = await connection(url);
    await other.query('BEGIN');
    await other.query("SET LOCAL deadlock_timeout = '60s'");
    await other.query("UPDATE refresh_tokens SET expires_at = 20000 WHERE family_id = 'f'");
    // The storage locks the family, then waits for the tokens.
    const revoking = storage.revokeRefreshFamily('f', 'logout', 2);
    revoking.catch(() => undefined);
    await within('the revoke waiting for the tokens', someoneWaitsForALock(other));
    // A cycle: PostgreSQL aborts the storage's transaction (40P01), which lets this go on.
    await within(
      'the other side getting the family',
      other.query("SELECT 1 FROM refresh_families WHERE id = 'f' FOR UPDATE"),
    );
    await other.query('COMMIT');
    assert.equal(await within('the revoke', revoking), true, 'revoked, on a later attempt');
    const family = await storage.getRefreshFamily('f');
    assert.equal(family?.revokedReason, 'logout');
    for (const hash of ['hash-t1', 'hash-t2']) {
      const token = await storage.findRefreshToken(hash);
      assert.equal(token?.revoked, true, 'every token of the family, in the same transaction');
      assert.equal(token?.expiresAt, 20_000, "the other side's change kept");
    }
  });

  describe('a serialization failure (40001) on storing a message', () => {
    let url: string;
    let storage: PostgresStorage;
    let admin: pg.Client;

    before(async () => {
      ({ url, storage } = await storageWithChat());
      admin = await connection(url);
      // Each insert of a message counts an attempt (a sequence: not rolled back with the
      // transaction) and fails with 40001 while the count is at most `fail_until`.
      await admin.query(`
        CREATE SEQUENCE attempts;
        CREATE TABLE fail_until (n bigint NOT NULL);
        INSERT INTO fail_until VALUES (0);
        CREATE FUNCTION fail_serialization() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF nextval('attempts') <= (SELECT n FROM fail_until) THEN
            RAISE EXCEPTION 'forced serialization failure' USING ERRCODE = '40001';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER fail_serialization BEFORE INSERT ON messages
          FOR EACH ROW EXECUTE FUNCTION fail_serialization();
      `);
    });

    /** Makes the next `failures` attempts fail; resolves with the attempts made so far. */
    async function failNext(failures: number): Promise<number> {
      const { rows } = await admin.query<{ n: string }>(
        "SELECT nextval('attempts') AS n", // counts itself: subtracted below
      );
      const made = Number(rows[0]!.n);
      await admin.query('UPDATE fail_until SET n = $1', [made + failures]);
      return made;
    }
    const attemptsSince = async (made: number) => {
      const { rows } = await admin.query<{ n: string }>('SELECT last_value AS n FROM attempts');
      return Number(rows[0]!.n) - made;
    };

    it('is tried again, numbered from scratch, and stored once without a gap', async () => {
      assert.equal((await storage.appendMessage(message('m1', 'a', 'c'))).message.seq, 1);
      const made = await failNext(TRANSACTION_ATTEMPTS - 1);
      const [second, third] = await Promise.all([
        storage.appendMessage(message('m2', 'a', 'c')),
        storage.appendMessage(message('m3', 'a', 'c')),
      ]);
      assert.deepEqual(
        [second.status, second.message.seq, third.status, third.message.seq],
        ['stored', 2, 'stored', 3],
      );
      // Each failed attempt stopped at the batch's first insert; the last one made both.
      assert.equal(await attemptsSince(made), TRANSACTION_ATTEMPTS - 1 + 2);
      const page = await storage.messagesAfter('c', 0, 10);
      assert.deepEqual(
        page.messages.map((m) => [m.id, m.seq]),
        [
          ['m1', 1],
          ['m2', 2],
          ['m3', 3],
        ],
      );
    });

    it('fails after a bounded number of attempts, storing nothing', async () => {
      const made = await failNext(1000);
      await assert.rejects(storage.appendMessage(message('m4', 'a', 'c')), { code: '40001' });
      assert.equal(
        await attemptsSince(made),
        TRANSACTION_ATTEMPTS,
        'each attempt once (no other try with savepoints)',
      );
      await failNext(0);
      const next = await storage.appendMessage(message('m5', 'a', 'c'));
      assert.equal(next.message.seq, 4, 'nothing of the failed append stored: no gap');
    });
  });
});

describe('a pool with no connection free', () => {
  it('fails a request at the connect timeout with DatabaseTimeoutError', async () => {
    const { url, storage } = await storageWithChat({ poolSize: 1, connectTimeoutMs: 300 });
    const other = await connection(url);
    await other.query('BEGIN');
    await other.query('LOCK TABLE messages IN ACCESS EXCLUSIVE MODE');
    // The pool's one connection waits for the lock (up to the 5 s query timeout) …
    const blocked = storage.messagesAfter('c', 0, 10);
    await within('the read waiting for the lock', someoneWaitsForALock(other));
    // … so this one gets no connection.
    await within(
      'the request without a connection',
      assert.rejects(storage.getSetting('anything'), (error: Error) => {
        assert.ok(error instanceof DatabaseTimeoutError, String(error));
        assert.equal(error.code, 'server:databaseTimeout');
        assert.match(error.message, /no database connection within 0\.3 s/);
        return true;
      }),
    );
    await other.query('ROLLBACK');
    assert.deepEqual((await within('the blocked read', blocked)).messages, []);
    assert.equal(await storage.getSetting('anything'), undefined, 'served again');
  });
});

describe('the gateway with --db-query-timeout', () => {
  let url: string;
  let gateway: Gateway;
  let admin: pg.Client;
  const sockets: TestSocket[] = [];

  before(async () => {
    url = await server.createDatabase('gateway');
    gateway = await startGateway([
      '--db',
      url,
      '--db-query-timeout',
      '1',
      '--db-connect-timeout',
      '1',
      '--frame-rate-limit',
      '100000',
    ]);
    admin = await connection(url);
  });
  after(async () => {
    for (const s of sockets) s.close();
    assert.equal(await gateway.stop(), 0);
  });

  async function chat(): Promise<{ alice: TestUser; a: TestSocket; conversation: Conversation }> {
    const alice = await newUser(gateway.url);
    const bob = await newUser(gateway.url);
    const a = await device(gateway.url, alice);
    sockets.push(a);
    const conversation = ok<{ conversation: Conversation }>(
      await a.request({ type: 'conversation.open', destination: bob.name }),
    ).conversation;
    return { alice, a, conversation };
  }
  /** The gateway's sessions that are in a transaction or waiting for a lock. */
  const busySessions = async () =>
    (
      await admin.query<{ state: string }>(
        `SELECT state FROM pg_stat_activity
         WHERE application_name = 'comms-kit' AND pid <> pg_backend_pid()
           AND (state LIKE 'idle in transaction%' OR wait_event_type = 'Lock')`,
      )
    ).rows.map((r) => r.state);

  it('answers server:databaseTimeout while a table is locked, serves the rest, and stores again after', async () => {
    const { alice, a, conversation } = await chat();
    ok(await send(a, conversation.id));
    ok(await send(a, conversation.id));
    const locker = await connection(url);
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE messages, call_records IN ACCESS EXCLUSIVE MODE');
    try {
      const clientId = randomUUID();
      const failed = await within('the send', send(a, conversation.id, clientId));
      assert.equal(codeOf(failed), 'server:databaseTimeout', JSON.stringify(failed));
      assert.match(
        (failed.error as { message: string }).message,
        /did not answer within 1 s \(--db-query-timeout\): try again/,
      );
      // REST: 503 with Retry-After.
      const calls = await within(
        'the call history',
        fetch(`${gateway.url}${Routes.CALLS}`, {
          headers: { authorization: `Bearer ${alice.tokens.accessToken}` },
        }),
      );
      assert.equal(calls.status, 503);
      assert.equal(calls.headers.get('retry-after'), '1');
      assert.equal(
        ((await calls.json()) as { error: { code: string } }).error.code,
        'server:databaseTimeout',
      );
      // Everyone else is served meanwhile: a new account, a login, the probes.
      const carol = await within('a signup', signupAndLogin(gateway.url, uniqueName('carol')));
      assert.ok(carol.accessToken);
      assert.equal((await fetch(`${gateway.url}${Routes.READY}`)).status, 200);
      // Nothing left half done: no session of the gateway in a transaction or waiting.
      assert.deepEqual(await busySessions(), []);
      await locker.query('ROLLBACK');
      // The same send again: stored now, with the next seq.
      const stored = ok<{ message: Message }>(await send(a, conversation.id, clientId)).message;
      assert.equal(stored.seq, 3);
      ok(await send(a, conversation.id));
      assert.deepEqual(await seqsOf(a, conversation.id), [1, 2, 3, 4], 'no gap, no double');
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
    }
  });

  it('is not ready while the database is stopped, fails requests in time, and recovers', async () => {
    const { a, conversation } = await chat();
    ok(await send(a, conversation.id));
    // The postmaster and every backend, stopped: connections open, nobody answers.
    const postmaster = server.process.pid!;
    const children = readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    const pids = [postmaster, ...children];
    const signal = (name: NodeJS.Signals) => {
      for (const pid of pids) {
        try {
          process.kill(pid, name);
        } catch {
          // gone meanwhile
        }
      }
    };
    signal('SIGSTOP');
    try {
      const ready = await within('/readyz', fetch(`${gateway.url}${Routes.READY}`));
      assert.equal(ready.status, 503);
      assert.equal(
        (await fetch(`${gateway.url}${Routes.HEALTH}`)).status,
        200,
        'the process is up',
      );
      const failed = await within('the send', send(a, conversation.id));
      assert.equal(codeOf(failed), 'server:databaseTimeout', JSON.stringify(failed));
    } finally {
      signal('SIGCONT');
    }
    // Back: ready again (the pool opens new connections), and storing without a gap.
    await within(
      'ready again',
      (async () => {
        while ((await fetch(`${gateway.url}${Routes.READY}`)).status !== 200) await pause(100);
      })(),
    );
    ok(await send(a, conversation.id));
    assert.deepEqual(await seqsOf(a, conversation.id), [1, 2]);
  });
});
