/**
 * A small test client for the gateway: REST calls with `fetch`, and WebSockets (`ws`) with a
 * queue of received frames, request/reply by id, and the close code.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import {
  Routes,
  WS_BEARER_PREFIX,
  WS_SUBPROTOCOL,
  WS_TOKEN_QUERY,
} from '../../core/protocol/constants.js';
import type { ErrorBody, TokenResponse } from '../../core/protocol/schema.js';

/** A JSON response. */
export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** POSTs JSON (or GETs when `body` is undefined) and reads the JSON answer. */
export async function call<T = Record<string, unknown>>(
  url: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
}

/** The `error` of an error response. */
export const errorOf = (res: JsonResponse) => (res.body as { error: ErrorBody }).error;

let counter = 0;
/** A fresh username (unique in the process). */
export const uniqueName = (prefix = 'user') => `${prefix}${process.pid}x${++counter}`;

/** A password the strength rule accepts. */
export const PASSWORD = 'violet-lantern-orbit-42';

/** Signs up `username` and logs in; returns the tokens. */
export async function signupAndLogin(url: string, username = uniqueName()): Promise<TokenResponse> {
  const signup = await call(url, Routes.SIGNUP, { username, password: PASSWORD });
  if (signup.status !== 201) throw new Error(`signup failed: ${JSON.stringify(signup.body)}`);
  return login(url, username);
}

/** Logs in with a password; throws unless it succeeds. */
export async function login(
  url: string,
  identity: string,
  password = PASSWORD,
): Promise<TokenResponse> {
  const res = await call<TokenResponse>(url, Routes.LOGIN, { identity, password });
  if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A refused handshake: the HTTP status and error body. */
export class HandshakeRefused extends Error {
  readonly status: number;
  readonly error: ErrorBody;
  constructor(status: number, error: ErrorBody) {
    super(`handshake refused: ${status} ${error.code}`);
    this.status = status;
    this.error = error;
  }
}

export interface ConnectOptions {
  /** `'protocol'` (default): `bearer.<token>` subprotocol; `'query'`: `?access_token=`. */
  mode?: 'protocol' | 'query';
  origin?: string;
  /** Subprotocols to offer instead of the usual pair. */
  protocols?: string[];
  /** Answer server pings (default true). */
  autoPong?: boolean;
}

type Frame = Record<string, unknown>;

/** An open test socket. */
export class TestSocket {
  readonly ws: WebSocket;
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];
  private nextId = 0;
  /** The TCP socket under the WebSocket (known once the upgrade is answered). */
  tcp: Socket | undefined;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.once('upgrade', (response) => (this.tcp = response.socket));
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters.splice(0)) wake();
      }),
    );
  }

  /** The first received frame matching `predicate` (removed from the queue). */
  async next(predicate: (f: Frame) => boolean = () => true, timeoutMs = 3000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(predicate);
      if (index >= 0) return this.frames.splice(index, 1)[0]!;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error('socket closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a frame');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next event named `event`. */
  event(event: string, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.type === 'event' && f.event === event, timeoutMs);
  }

  /** Frames received and not yet taken. */
  get pending(): readonly Frame[] {
    return this.frames;
  }

  /** Sends raw text. */
  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Sends a request (adding `v` and an `id` unless given) and resolves with its reply. */
  async request(frame: Frame): Promise<Frame> {
    const id = (frame.id as string | undefined) ?? `r${++this.nextId}`;
    this.ws.send(JSON.stringify({ v: 1, id, ...frame }));
    return this.next((f) => f.re === id);
  }

  close(): void {
    this.ws.close();
  }
}

/** Opens a WebSocket to the gateway at `url` with `token`; rejects with {@link HandshakeRefused}. */
export function connect(
  url: string,
  token: string | undefined,
  options: ConnectOptions = {},
): Promise<TestSocket> {
  const mode = options.mode ?? 'protocol';
  const wsUrl = new URL(Routes.WEBSOCKET, url.replace(/^http/, 'ws'));
  if (mode === 'query' && token) wsUrl.searchParams.set(WS_TOKEN_QUERY, token);
  const protocols =
    options.protocols ??
    (mode === 'protocol' && token
      ? [WS_SUBPROTOCOL, `${WS_BEARER_PREFIX}${token}`]
      : [WS_SUBPROTOCOL]);
  const ws = new WebSocket(wsUrl, protocols, {
    ...(options.origin && { origin: options.origin }),
    autoPong: options.autoPong ?? true,
  });
  const socket = new TestSocket(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        let error: ErrorBody = { code: '(none)', message: body };
        try {
          error = (JSON.parse(body) as { error: ErrorBody }).error;
        } catch {
          // not JSON: keep the text
        }
        reject(new HandshakeRefused(res.statusCode ?? 0, error));
      });
    });
    ws.once('error', reject);
  });
}

/** Asserts-friendly: the refusal of a handshake that must fail. */
export async function refusal(promise: Promise<TestSocket>): Promise<HandshakeRefused> {
  try {
    const socket = await promise;
    socket.close();
  } catch (error) {
    if (error instanceof HandshakeRefused) return error;
    throw error;
  }
  throw new Error('the handshake succeeded but should have been refused');
}
