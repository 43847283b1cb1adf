/**
 * Checks shared by the messaging benchmarks.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, Routes, WS_SUBPROTOCOL } from '../../core/protocol/constants.js';
import { startPostgres } from '../../test/helpers/postgres.js';
import type { BenchContext } from './benchmark.js';
import type { Recorder } from './report.js';
import { bearerProtocols, webSocketUrl } from './gateway.js';
import type { Probes } from './probes.js';
import { startMeasuredServer, type MeasuredServer } from './processes.js';

/**
 * Whether the shared protocol schema (`core/protocol/schema.ts`, `RequestFrames`) defines a
 * request that carries a chat message: a type naming `message` or `chat`. Returns the failed
 * check, or null.
 */
export async function missingMessageRequest(probes: Probes): Promise<string | null> {
  const types = await probes.requestTypes();
  return types.some((type) => /message|chat/i.test(type))
    ? null
    : `the protocol defines no message request (RequestFrames: ${types.join(', ')})`;
}

/** A socket that resolves replies by id and hands events to a listener. */
export class Peer {
  readonly socket: WebSocket;
  #counter = 0;
  readonly #pending = new Map<string, (frame: Record<string, unknown>) => void>();
  onEvent: (frame: Record<string, unknown>) => void = () => undefined;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      const resolve = typeof frame.re === 'string' ? this.#pending.get(frame.re) : undefined;
      if (resolve) {
        this.#pending.delete(frame.re as string);
        resolve(frame);
      } else this.onEvent(frame);
    });
  }

  static open(url: string, protocols: string[]): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, protocols, { perMessageDeflate: false });
      socket.once('open', () => resolve(new Peer(socket)));
      socket.once('error', reject);
    });
  }

  request(frame: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = `r${++this.#counter}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (reply) =>
        reply.ok === true ? resolve(reply) : reject(new Error(JSON.stringify(reply.error))),
      );
      this.socket.send(JSON.stringify({ v: PROTOCOL_VERSION, id, ...frame }));
    });
  }
}

export async function account(server: string, username: string, password: string): Promise<string> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(server + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return res.json() as Promise<{ accessToken: string }>;
  };
  await post(Routes.SIGNUP, { username, password, displayName: username });
  return (await post(Routes.LOGIN, { identity: username, password })).accessToken;
}

/** A gateway with two users on it, each on a socket subscribed to `chat`, in one conversation. */
export interface GatewayPair {
  /** User A's and user B's gateway sockets, both subscribed to `chat`. */
  a: Peer;
  b: Peer;
  /** Their one-to-one conversation. */
  conversationId: string;
  /** The gateway process (for its CPU time). */
  server: MeasuredServer;
}

/** What the messaging benchmarks measure with: both sides of the comparison, ready. */
export interface MessagingBench extends Omit<GatewayPair, 'server'> {
  /** Two sockets in one room of the bare relay. */
  relayA: WebSocket;
  relayB: WebSocket;
  /** The two server processes (for their CPU time). */
  servers: { gateway: MeasuredServer; bare: MeasuredServer };
}

/**
 * Starts a fresh gateway with `extraArgs` (rate limits off: the benchmarks measure the path,
 * not the limiter); signs up two users; opens, subscribes and pairs their sockets. Stopped
 * through `context.defer`.
 */
async function gatewayPair(context: BenchContext, extraArgs: string[]): Promise<GatewayPair> {
  const limitsOff = [
    '--message-rate-limit',
    '0',
    '--frame-rate-limit',
    '1000000',
    '--auth-rate-limit',
    '0',
  ];
  const server = await startMeasuredServer('gateway', [...limitsOff, ...extraArgs]);
  context.defer(() => server.stop());
  const run = randomBytes(3).toString('hex');
  const password = `${randomBytes(18).toString('base64url')}-Aa1`;
  const [userA, userB] = [`msg-${run}-a`, `msg-${run}-b`];
  const [tokenA, tokenB] = [
    await account(server.url, userA, password),
    await account(server.url, userB, password),
  ];
  const ws = webSocketUrl(server.url);
  const a = await Peer.open(ws, bearerProtocols(tokenA));
  const b = await Peer.open(ws, bearerProtocols(tokenB));
  context.defer(() => {
    a.socket.terminate();
    b.socket.terminate();
  });
  await a.request({ type: 'subscribe', services: ['chat'], clientCorrelator: 'bench-a' });
  await b.request({ type: 'subscribe', services: ['chat'], clientCorrelator: 'bench-b' });
  const opened = await a.request({ type: 'conversation.open', destination: userB });
  const conversationId = (opened.conversation as { id: string }).id;
  return { a, b, conversationId, server };
}

/**
 * Starts a fresh gateway (on its default storage: a SQLite file in a temporary folder) with
 * two users in one conversation, and the bare relay with two sockets in one room. Everything
 * is stopped through `context.defer`.
 */
export async function setUpMessagingBench(context: BenchContext): Promise<MessagingBench> {
  const { server, ...pair } = await gatewayPair(context, []);
  const bare = await startMeasuredServer('bare');
  context.defer(() => bare.stop());

  const run = randomBytes(3).toString('hex');
  const relay = `${bare.url.replace(/^http/, 'ws')}/?room=${run}`;
  const openRelay = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(relay, [WS_SUBPROTOCOL], { perMessageDeflate: false });
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
  const [relayA, relayB] = [await openRelay(), await openRelay()];
  context.defer(() => {
    relayA.terminate();
    relayB.terminate();
  });
  return { ...pair, relayA, relayB, servers: { gateway: server, bare } };
}

/**
 * With `--postgres`: a second gateway, the same but on PostgreSQL (`--db postgres://…`, a
 * throwaway cluster started as the tests start theirs, `test/helpers/postgres.ts`: loopback,
 * `fsync` and `synchronous_commit` off); without, null. Stopped through `context.defer`.
 */
export async function setUpPostgresGateway(context: BenchContext): Promise<GatewayPair | null> {
  if (!context.options.postgres) return null;
  const postgres = await startPostgres();
  context.defer(() => postgres.stop());
  const url = await postgres.createDatabase('bench');
  return gatewayPair(context, ['--db', url]);
}

/**
 * Records the PostgreSQL gateway's CPU per message (`postgres.cpu`, when measured) and the
 * note that says how the `postgres.*` figures were taken.
 */
export function recordPostgresCpu(record: Recorder, samples: number[]): void {
  if (samples.length)
    record.figure(
      'postgres.cpu',
      'gateway on PostgreSQL: gateway CPU per message (not PostgreSQL’s)',
      'µs',
      samples,
    );
  record.notes.push(
    'postgres.*: the same gateway on PostgreSQL (--db postgres://, a throwaway local cluster with fsync and synchronous_commit off, pool of 10), measured in the same runs; no target (the targets are on the default SQLite storage)',
  );
}

/**
 * Runs `run`, which handles `count` messages, and gives its result with the server's CPU time
 * per message in µs (all its threads; null where the kernel does not tell).
 */
export async function withCpu<T>(
  server: MeasuredServer,
  count: number,
  run: () => Promise<T>,
): Promise<{ result: T; cpu: number | null }> {
  const before = server.cpuTime();
  const result = await run();
  const after = server.cpuTime();
  return {
    result,
    cpu: before === null || after === null ? null : ((after - before) * 1000) / count,
  };
}
