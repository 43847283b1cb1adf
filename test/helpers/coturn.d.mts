/** Types of `test/helpers/coturn.mjs`, for the TypeScript tests. */
import type { ChildProcess } from 'node:child_process';

/** The realm the throwaway servers use. */
export const REALM: string;

/** A running throwaway coturn. */
export interface CoturnServer {
  /** Its UDP and TCP port on 127.0.0.1. */
  port: number;
  /** Its `static-auth-secret`: the gateway's `--turn-secret`. */
  secret: string;
  /** `turn:127.0.0.1:<port>?transport=udp` and `…?transport=tcp`: the gateway's `--turn-urls`. */
  urls: string[];
  /** The range its relayed addresses' ports come from. */
  relayPorts: { min: number; max: number };
  process: ChildProcess;
  /** Everything it printed so far (with each request's outcome per user). */
  output(): string;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Runs `turnserver` on a free loopback port and resolves once it listens (UDP and TCP) and its
 * user database is open. `secret`: its `static-auth-secret` (default: a random one).
 */
export function startCoturn(options?: { secret?: string }): Promise<CoturnServer>;

/**
 * Asks `server` for a relay (a TURN Allocate) with `username` and `credential`, over UDP or
 * TCP, with coturn's `turnutils_uclient`. Resolves with the relayed address (`ip:port`) once the
 * server gave one, or with `relayed: undefined` when the client gave up (the server refused);
 * `output` is what the client said. Rejects when the client has neither within 10 s.
 */
export function allocate(
  server: Pick<CoturnServer, 'port'>,
  credentials: { username: string; credential: string; transport?: 'udp' | 'tcp' },
): Promise<{ relayed: string | undefined; output: string }>;
