/**
 * The gateway's behavioural suites again, on PostgreSQL: the same test files (imported, not
 * copied) with every gateway they start given a new database on a throwaway cluster of this
 * file's own instead of `:memory:` (`useFreshDatabases`). Their own runs keep SQLite, so
 * each scenario below is proven on both engines.
 *
 * Chosen for what they ask of the storage: messaging (seqs, duplicates, history pages,
 * receipts, a crash between storing and replying), accounts and sessions (identities, refresh
 * tokens spent once, revocation), contacts and the directory (search, mutual contacts), calls
 * (their records, with transfers and forwards), presence (what is kept of it, who may see it)
 * and voicemail (recordings as bytes, mailboxes, who may read them).
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { useFreshDatabases } from '../helpers/gateway.js';
import { startPostgres } from '../helpers/postgres.js';

const postgres = await startPostgres();
const databases: string[] = [];
useFreshDatabases(async () => {
  const url = await postgres.createDatabase();
  databases.push(url);
  return url;
});

await import('./messaging.test.js');
await import('./auth.test.js');
await import('./contacts.test.js');
await import('./calls.test.js');
await import('./calls-forward.test.js');
await import('./calls-transfer.test.js');
await import('./presence.test.js');
await import('./voicemail.test.js');

// Registered after the suites' own hooks, so these run after their gateways have stopped.
after(async () => {
  // The suites did run on PostgreSQL: what they stored is there.
  const stored = {
    users: 0,
    messages: 0,
    contacts: 0,
    call_records: 0,
    presence: 0,
    voicemails: 0,
  };
  for (const url of databases) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const table of Object.keys(stored) as Array<keyof typeof stored>) {
        const { rows } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table}`,
        );
        stored[table] += rows[0]!.n;
      }
    } finally {
      await client.end();
    }
  }
  assert.ok(
    Object.values(stored).every((n) => n > 0),
    JSON.stringify(stored),
  );
});
after(() => postgres.stop());
