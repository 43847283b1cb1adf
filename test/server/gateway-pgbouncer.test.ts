/**
 * The gateway behind PgBouncer in transaction pooling, as PostgreSQL is reached at scale: a
 * throwaway PgBouncer (`pool_mode = transaction`, fewer server connections than the gateways'
 * pools) in front of a throwaway cluster of this file's own, every gateway started with
 * `--db-pooler transaction` (its environment) and a database through PgBouncer.
 *
 * - The messaging, accounts and contacts suites (imported, not copied, as
 *   `gateway-postgres.test.ts` does): statements, transactions and migrations that keep
 *   nothing in a session that the next transaction could lose.
 * - Two nodes through one PgBouncer: started at once (they migrate once: a transaction's
 *   advisory lock), sharing accounts and one conversation's seqs; a table locked by another
 *   connection makes a request fail with `server:databaseTimeout` (the timeout `SET LOCAL` in
 *   each transaction, not a session's), leaves nothing waiting, and everyone else is served.
 * - A pooler the gateway was not told of: transaction pooling without `--db-pooler
 *   transaction`, and statement pooling, refused at start with `server:databaseMisconfigured`;
 *   session pooling works as a direct connection.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Routes } from '../../core/protocol/constants.js';
import type { Conversation, Message } from '../../core/protocol/schema.js';
import { login, signupAndLogin, uniqueName, type TestSocket } from '../helpers/client.js';
import { startGateway, useFreshDatabases, type Gateway } from '../helpers/gateway.js';
import { startPgBouncer } from '../helpers/pgbouncer.js';
import { startPostgres } from '../helpers/postgres.js';
import { codeOf, device, newUser, ok, seqsOf, sendText as send, within } from '../helpers/users.js';

const postgres = await startPostgres();
// Fewer server connections than one gateway's pool (10): every client connection shares them.
const bouncer = await startPgBouncer(postgres, { poolMode: 'transaction', poolSize: 4 });
useFreshDatabases(() => bouncer.createDatabase());
// Every gateway this file starts, also one given a --db of its own, is told.
process.env.COMMS_DB_POOLER = 'transaction';

await import('./messaging.test.js');
await import('./auth.test.js');
await import('./contacts.test.js');

describe('two gateway nodes through one PgBouncer in transaction pooling', () => {
  let db: string;
  let node1: Gateway;
  let node2: Gateway;
  /** Connections straight to the cluster, not through PgBouncer. */
  let admin: pg.Client;
  let locker: pg.Client;
  const sockets: TestSocket[] = [];

  before(async () => {
    db = await postgres.createDatabase('nodes');
    const args = [
      '--db',
      bouncer.through(db),
      '--db-query-timeout',
      '1',
      '--frame-rate-limit',
      '100000',
    ];
    // At once: they migrate the new database once between them.
    [node1, node2] = await Promise.all([startGateway(args), startGateway(args)]);
    admin = new pg.Client({ connectionString: db });
    locker = new pg.Client({ connectionString: db });
    await Promise.all([admin.connect(), locker.connect()]);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await Promise.all([admin?.end(), locker?.end()]);
    assert.deepEqual(await Promise.all([node1?.stop(), node2?.stop()]), [0, 0]);
  });

  async function chat() {
    const alice = await newUser(node1.url, 'a');
    const bob = await newUser(node2.url, 'b');
    const [a, b] = await Promise.all([device(node1.url, alice), device(node2.url, bob)]);
    sockets.push(a, b);
    const { conversation } = ok<{ conversation: Conversation }>(
      await a.request({ type: 'conversation.open', destination: bob.name }),
    );
    return { a, b, conversation };
  }

  it('migrated once; share accounts, and number both nodes’ messages 1…n without a gap', async () => {
    const { rows } = await admin.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    assert.ok(rows.length > 0 && new Set(rows.map((r) => r.version)).size === rows.length);
    const name = uniqueName('pgb');
    const first = await signupAndLogin(node1.url, name);
    assert.equal((await login(node2.url, name)).user.id, first.user.id);
    const { a, b, conversation } = await chat();
    const count = 12;
    const sendAll = async (socket: TestSocket) => {
      const seqs: number[] = [];
      for (let i = 0; i < count; i++)
        seqs.push(ok<{ message: Message }>(await send(socket, conversation.id)).message.seq);
      return seqs;
    };
    const [fromA, fromB] = await Promise.all([sendAll(a), sendAll(b)]);
    const seqs = [...fromA, ...fromB].sort((x, y) => x - y);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      'no gap, no seq twice',
    );
    assert.deepEqual(await seqsOf(b, conversation.id), seqs);
  });

  it('answers server:databaseTimeout while a table is locked, leaves nothing waiting, and serves the rest', async () => {
    const { a, conversation } = await chat();
    ok(await send(a, conversation.id));
    const lockerPid = (await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
      .rows[0]!.pid;
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE messages IN ACCESS EXCLUSIVE MODE');
    try {
      const clientId = randomUUID();
      const failed = await within('the send', send(a, conversation.id, clientId));
      assert.equal(codeOf(failed), 'server:databaseTimeout', JSON.stringify(failed));
      // PostgreSQL cancelled the statement (its timeout was the transaction's): no backend
      // still waits for the lock, none is left in a transaction.
      const waiting = async () =>
        (
          await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity
             WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), $1)
               AND (state LIKE 'idle in transaction%' OR wait_event_type = 'Lock')`,
            [lockerPid],
          )
        ).rows;
      assert.deepEqual(await waiting(), []);
      // Everyone else is served meanwhile, on both nodes.
      assert.ok((await within('a signup', signupAndLogin(node2.url, uniqueName('c')))).accessToken);
      assert.deepEqual(
        await Promise.all(
          [node1, node2].map(async (n) => (await fetch(`${n.url}${Routes.READY}`)).status),
        ),
        [200, 200],
      );
      await locker.query('ROLLBACK');
      // The same send again: stored now, with the next seq.
      assert.equal(
        ok<{ message: Message }>(await send(a, conversation.id, clientId)).message.seq,
        2,
      );
      assert.deepEqual(await seqsOf(a, conversation.id), [1, 2]);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
    }
  });
});

describe('--db behind a pooler the gateway was not told of', () => {
  /** What the gateway said when it refused to start (one that starts fails the test). */
  async function refusal(args: string[], env: Record<string, string> = {}): Promise<string> {
    const started = await startGateway(args, { env }).catch((error: Error) => error);
    if (!(started instanceof Error)) {
      await started.stop();
      assert.fail('the gateway started');
    }
    assert.match(started.message, /^gateway exited with 1:/);
    return started.message;
  }

  it('refuses transaction pooling without --db-pooler transaction, with server:databaseMisconfigured', async () => {
    const said = await refusal(['--db', await bouncer.createDatabase()], {
      COMMS_DB_POOLER: 'none',
    });
    assert.match(said, /keeps no session from one transaction to the next/);
    assert.match(said, /give --db-pooler transaction \(COMMS_DB_POOLER\)/);
    assert.match(said, /\[server:databaseMisconfigured\]/);
  });

  it('refuses statement pooling, with server:databaseMisconfigured', async () => {
    const statements = await startPgBouncer(postgres, { poolMode: 'statement' });
    try {
      const said = await refusal(['--db', await statements.createDatabase()]);
      assert.match(said, /behind a pooler in statement pooling, which runs no transaction/);
      assert.match(said, /\[server:databaseMisconfigured\]/);
    } finally {
      await statements.stop();
    }
  });

  it('runs through session pooling as on a direct connection', async () => {
    const sessions = await startPgBouncer(postgres, { poolMode: 'session' });
    let gateway: Gateway | undefined;
    try {
      gateway = await startGateway(['--db', await sessions.createDatabase()], {
        env: { COMMS_DB_POOLER: 'session' },
      });
      const name = uniqueName('s');
      const tokens = await signupAndLogin(gateway.url, name);
      assert.equal((await login(gateway.url, name)).user.id, tokens.user.id);
    } finally {
      assert.equal(await gateway?.stop(), 0);
      await sessions.stop();
    }
  });
});

// Registered after the suites' own hooks, so this runs after their gateways have stopped.
after(async () => {
  await bouncer.stop();
  await postgres.stop();
});
