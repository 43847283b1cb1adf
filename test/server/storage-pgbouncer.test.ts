/**
 * The storage conformance suite again, through PgBouncer in transaction pooling (the usual way
 * PostgreSQL is reached at scale): `storage.test.ts` itself (imported, not copied), its
 * storages given databases through a throwaway PgBouncer in front of its cluster and the
 * storage option for a transaction pooler.
 */
import { startPgBouncer } from '../helpers/pgbouncer.js';
import { usePostgresRoute } from '../helpers/postgres.js';

usePostgresRoute(async (server) => {
  const bouncer = await startPgBouncer(server, { poolMode: 'transaction' });
  return {
    createDatabase: (name) => bouncer.createDatabase(name),
    options: { pooler: 'transaction' },
    stop: () => bouncer.stop(),
  };
});

await import('./storage.test.js');
