/**
 * Talking to the gateway as a client does, for the benchmarks: accounts (signup, login) and
 * authenticated WebSockets, by the routes and subprotocols of `core/protocol/`. Also the check
 * that decides whether the gateway's authenticated WebSocket exists yet ({@link probeGateway}).
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  Routes,
  WS_BEARER_PREFIX,
  WS_SUBPROTOCOL,
} from '../../core/protocol/constants.js';
import type { ErrorResponse, SignupRequest, TokenResponse } from '../../core/protocol/schema.js';

/** The WebSocket URL of a gateway at `httpUrl`. */
export function webSocketUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}${Routes.WEBSOCKET}`;
}

/** The subprotocols a client offers: `comms-kit.v1` and `bearer.<token>`. */
export function bearerProtocols(accessToken: string): string[] {
  return [WS_SUBPROTOCOL, `${WS_BEARER_PREFIX}${accessToken}`];
}

/** A feature the gateway does not have yet, found by asking it. */
export class NotBuiltError extends Error {
  override readonly name = 'NotBuiltError';
}

async function post<T>(url: string, route: string, body: unknown): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.ok) return (await res.json()) as T;
    if (res.status === 404) throw new NotBuiltError(`POST ${route} answered 404`);
    // A rate limit is the gateway doing its job: wait as told, a bounded number of times.
    if (res.status === 429 && attempt < 20) {
      const seconds = Number(res.headers.get('retry-after') ?? '1');
      await new Promise((r) => setTimeout(r, Math.min(Math.max(seconds, 0.1), 30) * 1000));
      continue;
    }
    const text = await res.text();
    let message = text;
    try {
      const { error } = JSON.parse(text) as ErrorResponse;
      message = `${error.code}: ${error.message}`;
    } catch {
      // not the protocol's error body: keep the text
    }
    throw new Error(`POST ${route} answered ${res.status}: ${message}`);
  }
}

/**
 * Signs up `count` fresh users (unique names for this run, strong random passwords) and logs
 * each in. Resolves with their access tokens.
 */
export async function createUsers(url: string, count: number): Promise<string[]> {
  const run = randomBytes(4).toString('hex');
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const username = `bench-${run}-${i}`;
    const password = `${randomBytes(18).toString('base64url')}-Aa1`;
    const signup: SignupRequest = { username, password, displayName: `Bench ${i}` };
    await post(url, Routes.SIGNUP, signup);
    const login = await post<TokenResponse>(url, Routes.LOGIN, { identity: username, password });
    tokens.push(login.accessToken);
  }
  return tokens;
}

/**
 * Opens a WebSocket with `protocols`, sends one `ping` request and waits for its `ok` reply.
 * Resolves with the open socket. Rejects with {@link NotBuiltError} when nothing answers the
 * route (404, or the upgrade is dropped), and with an `Error` for any other failure.
 */
export function openAndPing(
  url: string,
  protocols: string[],
  options: { timeoutMs?: number; id?: string } = {},
): Promise<WebSocket> {
  const id = options.id ?? 'bench';
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols, { perMessageDeflate: false });
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.terminate();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`no ping reply in ${options.timeoutMs ?? 10e3} ms`)),
      options.timeoutMs ?? 10e3,
    );
    socket.once('unexpected-response', (_req, res) => {
      const route = new URL(url).pathname;
      if (res.statusCode === 404) fail(new NotBuiltError(`GET ${route} (upgrade) answered 404`));
      else fail(new Error(`GET ${route} (upgrade) answered ${res.statusCode}`));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || /socket hang up/.test(error.message)) {
        fail(new NotBuiltError(`GET ${new URL(url).pathname} (upgrade) was dropped unanswered`));
      } else fail(error);
    });
    socket.once('open', () => {
      socket.send(JSON.stringify({ v: PROTOCOL_VERSION, id, type: 'ping' }));
    });
    socket.on('message', function onMessage(data) {
      let frame: { re?: unknown; ok?: unknown; error?: { code: string; message: string } };
      try {
        frame = JSON.parse(String(data)) as typeof frame;
      } catch {
        return;
      }
      if (frame.re !== id) return;
      socket.off('message', onMessage);
      clearTimeout(timer);
      if (frame.ok === true) resolve(socket);
      else fail(new Error(`ping answered ${frame.error?.code}: ${frame.error?.message}`));
    });
  });
}

/** Whether the gateway accepts authenticated WebSockets, and if not, what answered. */
export type GatewayProbe = { built: true } | { built: false; reason: string };

/**
 * The check that switches the gateway benchmarks on: a user signs up and logs in, opens an
 * authenticated WebSocket at `Routes.WEBSOCKET` and gets a `ping` answered. A missing route
 * (404, an upgrade dropped) means "not built"; any other failure is an error.
 */
export async function probeGateway(url: string): Promise<GatewayProbe> {
  try {
    const [token] = await createUsers(url, 1);
    const socket = await openAndPing(webSocketUrl(url), bearerProtocols(token!));
    socket.close();
    return { built: true };
  } catch (error) {
    if (error instanceof NotBuiltError) {
      return {
        built: false,
        reason: `the gateway does not accept authenticated WebSockets at ${Routes.WEBSOCKET} yet (${error.message})`,
      };
    }
    throw error;
  }
}
