/**
 * comms-kit/server: the gateway, for Node. `startServer()` runs it in-process; the
 * `comms-kit-server` command runs it from the shell; `signUserTicket()` is for applications'
 * backends that log their users in with app-signed tickets.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';

export { buildApp, defaults, validateAppOptions, type AppOptions, type Gateway } from './app.js';
export { signUserTicket, verifyUserTicket, type SignUserTicketOptions } from './auth/tickets.js';
export { ManualClock, systemClock, type Clock, type TimerHandle } from './clock.js';
export { WireError } from './errors.js';
export { MemoryBus } from './bus/memory.js';
export { RedisBus } from './bus/redis.js';
export { RedisUnavailableError } from './redis.js';
export type * from './bus/types.js';
export { userChannel } from './bus/types.js';
export { SqliteStorage } from './storage/sqlite/index.js';
export {
  POOLERS,
  PostgresStorage,
  type Pooler,
  type PostgresOptions,
} from './storage/postgres/index.js';
export {
  DB_FILE,
  DEFAULT_DATA_DIR,
  DatabaseMisconfiguredError,
  DatabaseTimeoutError,
  DatabaseUnavailableError,
  IdentityConflictError,
  databaseFile,
  isPostgresUrl,
  openStorage,
  redactDatabaseUrl,
} from './storage/index.js';
export type * from './storage/types.js';
export { defaultWebSocketOptions, type WebSocketOptions } from './ws/gateway.js';
export { CallService, PARTY_LOST, SHUT_DOWN } from './calls/service.js';
export {
  MemoryCallStore,
  deviceKey,
  type ActiveCall,
  type CallDevice,
  type CallStore,
  type CalleeDevice,
  type ReachableDevice,
} from './calls/store.js';
export { RedisCallStore, type RedisCallStoreOptions } from './calls/redis-store.js';
export {
  DEFAULT_PRESENCE_TTL,
  MemoryPresenceRegistry,
  RedisPresenceRegistry,
  type NodePresence,
  type PresenceRegistry,
  type RedisPresenceRegistryOptions,
} from './presence/registry.js';
export { turnCredentials, type TurnSettings } from './calls/routes.js';

/** Options of {@link startServer}. */
export interface ServerOptions extends AppOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
}

/** A running gateway. */
export interface RunningServer {
  /** The base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The port actually bound. */
  port: number;
  app: FastifyInstance;
  /**
   * Stops accepting connections, closes every WebSocket with SERVICE_RESTART (1012), then
   * closes the storage. HTTP responses still in progress get {@link SHUTDOWN_GRACE_MS}; a
   * connection still open then (a client that stopped reading a download) is cut.
   */
  close(): Promise<void>;
}

/**
 * How long a shutdown waits for HTTP responses in progress before cutting their connections:
 * a client that stops reading a download would otherwise hold the process up for as long as it
 * keeps the connection.
 */
export const SHUTDOWN_GRACE_MS = 5000;

/** Error thrown by {@link startServer} when the port is already taken. */
export class PortInUseError extends Error {
  readonly code = 'server:portInUse';
  constructor(host: string, port: number) {
    super(
      `port ${port} on ${host} is already in use: stop the program using it, or choose another port with --port or PORT`,
    );
    this.name = 'PortInUseError';
  }
}

/** Builds and starts the gateway. Rejects with {@link PortInUseError} when the port is taken. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  const app = await buildApp(options);
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new PortInUseError(host, port);
    throw error;
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const close = async () => {
    const cut = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    try {
      await app.close();
    } finally {
      clearTimeout(cut);
    }
  };
  return { url: `http://${shownHost}:${bound}`, port: bound, app, close };
}
