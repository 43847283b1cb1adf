/**
 * The WebSocket connection's life: open it with a valid access token, keep it alive with
 * pings, notice when it is lost (close, failed ping, the browser going offline), and reconnect
 * by the reconnect policy until it gives up. Features talk through `request()` and hear pushed
 * events through `onEvent`; they learn of each (re)connection through `onConnected`.
 */
import {
  CloseCodes,
  FINAL_CLOSE_CODES,
  Routes,
  WS_BEARER_PREFIX,
  WS_SUBPROTOCOL,
  WS_TOKEN_QUERY,
} from '../protocol/constants.js';
import type { EventFrame, ReplyPayload, RequestType } from '../protocol/schema.js';
import { CommsError, ErrorCodes, toBasic } from '../errors.js';
import type { FeatureContext } from '../feature.js';
import { originOf } from '../config.js';
import type { TimerHandle } from '../platform/runtime.js';
import { DefaultReconnectPolicy, type ReconnectPolicy } from './reconnect-policy.js';
import { GatewaySocket, type RequestInput } from './socket.js';
import type {
  ConnectionState,
  SocketLike,
  SocketStatus,
  Transport,
  WSConnectionObject,
} from './types.js';

/** Close code the client uses for a socket it gave up on itself (failed ping, offline, reset). */
const LOCAL_RESET = 4000;

/** The initial `connection` slice. */
export const initialConnectionState: ConnectionState = {
  status: 'disconnected',
  pinging: false,
  attempt: 0,
  nextAttemptAt: null,
  lastCloseCode: null,
  online: true,
  error: null,
};

/** What the connection needs from the rest of the client. */
export interface ConnectionDeps {
  /** A valid access token (logging in or refreshing as needed). */
  accessToken(): Promise<string>;
  /** Whether an error means the credentials are no good (stop reconnecting). */
  isFinalAuthError(error: unknown): boolean;
  /** Runs after every successful (re)connection, before `connected` is announced. */
  onConnected(reconnected: boolean): Promise<void>;
  /** Every event the server pushes. */
  onEvent(frame: EventFrame): void;
  /** The open socket was lost (whether or not reconnecting follows). */
  onLost(): void;
}

export class ConnectionManager {
  readonly #ctx: FeatureContext;
  readonly #deps: ConnectionDeps;
  readonly #defaultPolicy: ReconnectPolicy;
  #socket: GatewaySocket | undefined;
  #wanted = false;
  #lostAt = 0;
  #retryTimer: TimerHandle | undefined;
  #pingTimer: TimerHandle | undefined;
  #listening = false;
  #everConnected = false;
  #generation = 0;
  #transport: Transport | undefined;

  constructor(ctx: FeatureContext, deps: ConnectionDeps) {
    this.#ctx = ctx;
    this.#deps = deps;
    this.#defaultPolicy = new DefaultReconnectPolicy(
      () => ctx.config().connectivity ?? {},
      () => ctx.runtime.random(),
    );
  }

  /** Opens the connection (first attempt). Rejects if this attempt fails; does not retry it. */
  async connect(): Promise<void> {
    if (this.#socket?.open) return;
    this.#wanted = true;
    this.#listenToNetwork(true);
    this.#ctx.runtime.clearTimeout(this.#retryTimer);
    this.#update({ status: 'connecting', attempt: 0, nextAttemptAt: null, error: null });
    try {
      await this.#open(++this.#generation);
    } catch (error) {
      if (this.#socket === undefined) this.#stop({ error: toBasic(error) });
      throw error;
    }
  }

  /** Closes the connection on purpose: no reconnecting. */
  disconnect(): void {
    this.#generation++;
    this.#ctx.runtime.clearTimeout(this.#retryTimer);
    this.#stopPing();
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(CloseCodes.NORMAL, 'client disconnect');
    this.#stop({ attempt: 0, nextAttemptAt: null, pinging: false });
  }

  /**
   * Opens the next sockets through `transport` (the in-page hub) instead of a WebSocket to the
   * gateway; `undefined` goes back to the gateway. Takes effect at the next (re)connection.
   */
  useTransport(transport: Transport | undefined): void {
    this.#transport = transport;
  }

  /** Drops the socket and recovers as after a real loss (the seeds' `resetConnection`). */
  reset(): void {
    if (!this.#socket) return;
    this.#socket.close(LOCAL_RESET, 'reset');
  }

  /** Turns keepalive pings on or off at once (the seeds' `enableConnectivityChecking`). */
  setConnectivityChecking(enable: boolean): void {
    if (typeof enable !== 'boolean') {
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        'enableConnectivityChecking(enable): enable must be a boolean',
      );
    }
    this.#stopPing();
    if (enable && this.#socket?.open) this.#schedulePing();
  }

  /** Sends a request over the open socket. */
  request<T extends RequestType>(input: RequestInput<T>): Promise<ReplyPayload<T>> {
    if (!this.#socket?.open) {
      return Promise.reject(
        new CommsError(ErrorCodes.NOT_CONNECTED, `cannot send '${input.type}': not connected`),
      );
    }
    return this.#socket.request(input);
  }

  /** True while the socket is open. */
  get connected(): boolean {
    return this.#socket?.open === true;
  }

  /** The seeds' WSConnectionObject. */
  getSocketState(): WSConnectionObject {
    const config = this.#ctx.config();
    const c = config.connectivity ?? {};
    const ws = config.subscription?.websocket ?? {};
    const state = this.#ctx.store.getState().connection;
    return {
      connected: state.status === 'connected',
      pinging: state.pinging,
      pingInterval: c.pingInterval ?? 30000,
      reconnectLimit: c.reconnectLimit ?? 5,
      reconnectDelay: c.reconnectDelay ?? 5000,
      reconnectTimeMultiplier: c.reconnectTimeMultiplier ?? 1,
      reconnectTimeLimit: c.reconnectTimeLimit ?? 640000,
      autoReconnect: c.autoReconnect !== false,
      method: c.webSocketOAuthMode === 'query' ? 'query' : 'subprotocol',
      wsInfo: {
        protocol: ws.protocol,
        server: ws.server,
        port: ws.port,
        url: Routes.WEBSOCKET,
        params: undefined,
      },
      status: state.status,
      attempt: state.attempt,
      nextAttemptAt: state.nextAttemptAt,
      lastCloseCode: state.lastCloseCode,
      online: state.online,
    };
  }

  /** Stops everything (destroy). */
  dispose(): void {
    this.disconnect();
  }

  async #open(generation: number): Promise<void> {
    const ws = await this.#openSocket(generation);
    if (generation !== this.#generation) {
      ws.close(CloseCodes.NORMAL);
      throw cancelled();
    }
    const socket = new GatewaySocket(
      ws,
      {
        onEvent: (frame) => this.#deps.onEvent(frame),
        onClose: (code) => this.#closed(socket, code),
      },
      this.#ctx.runtime,
      this.#ctx.log,
      () => this.#ctx.config().connectivity?.requestTimeout ?? 10000,
    );
    this.#socket = socket;
    const reconnected = this.#everConnected;
    this.#everConnected = true;
    this.#schedulePing();
    await this.#deps.onConnected(reconnected);
    if (this.#socket !== socket || !socket.open)
      throw new CommsError(ErrorCodes.NOT_CONNECTED, 'the connection closed while starting');
    this.#update({ status: 'connected', attempt: 0, nextAttemptAt: null, error: null });
    this.#ctx.log.info(reconnected ? 'reconnected' : 'connected');
  }

  async #openSocket(generation: number): Promise<SocketLike> {
    if (this.#transport) return this.#transport.open();
    const token = await this.#deps.accessToken();
    if (generation !== this.#generation) throw cancelled();
    const { url, protocols } = this.#address(token);
    return this.#handshake(url, protocols);
  }

  #address(token: string): { url: string; protocols: string[] } {
    const config = this.#ctx.config();
    const ws = config.subscription?.websocket ?? {};
    if (!ws.server) {
      throw new CommsError(
        ErrorCodes.INVALID_CONFIG,
        "config.subscription.websocket.server is not set: pass `server: 'http://host:port'` to createClient",
      );
    }
    let url = `${originOf(ws.protocol ?? 'wss', ws.server, ws.port)}${Routes.WEBSOCKET}`;
    const protocols = [WS_SUBPROTOCOL];
    if (config.connectivity?.webSocketOAuthMode === 'query') {
      url += `?${WS_TOKEN_QUERY}=${encodeURIComponent(token)}`;
    } else {
      protocols.push(WS_BEARER_PREFIX + token);
    }
    return { url, protocols };
  }

  #handshake(url: string, protocols: string[]): Promise<WebSocket> {
    const { runtime } = this.#ctx;
    const timeout = this.#ctx.config().connectivity?.requestTimeout ?? 10000;
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new runtime.WebSocket(url, protocols);
      } catch (cause) {
        reject(
          new CommsError(
            ErrorCodes.NETWORK_ERROR,
            `could not open a WebSocket to ${url.split('?')[0]}`,
            { cause },
          ),
        );
        return;
      }
      const timer = runtime.setTimeout(() => {
        ws.onopen = ws.onclose = ws.onerror = null;
        ws.close();
        reject(
          new CommsError(
            ErrorCodes.REQUEST_TIMEOUT,
            `the WebSocket did not open within ${timeout} ms`,
          ),
        );
      }, timeout);
      ws.onopen = () => {
        runtime.clearTimeout(timer);
        ws.onopen = ws.onclose = ws.onerror = null;
        resolve(ws);
      };
      ws.onerror = () => undefined;
      ws.onclose = (event) => {
        runtime.clearTimeout(timer);
        reject(
          new CommsError(
            ErrorCodes.NETWORK_ERROR,
            `the gateway refused or dropped the WebSocket (${event.code}) at ${url.split('?')[0]}`,
          ),
        );
      };
    });
  }

  #closed(socket: GatewaySocket, code: number): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    this.#stopPing();
    this.#ctx.log.info(`connection lost (${code})`);
    this.#update({ lastCloseCode: code, pinging: false });
    this.#deps.onLost();
    const autoReconnect = this.#ctx.config().connectivity?.autoReconnect !== false;
    if (!this.#wanted || FINAL_CLOSE_CODES.includes(code) || !autoReconnect) {
      const error =
        code === CloseCodes.SESSION_REVOKED
          ? {
              code: 'auth:sessionRevoked',
              message: 'the session was revoked by the server (logout or a reused refresh token)',
            }
          : null;
      this.#stop({ attempt: 0, nextAttemptAt: null, error });
      if (error) this.#ctx.emit('auth:error', { error });
      return;
    }
    this.#lostAt = this.#ctx.runtime.now();
    // An expired token is renewed by the next attempt, which need not wait.
    this.#retry(0, code === CloseCodes.TOKEN_EXPIRED ? 0 : undefined);
  }

  #retry(previousAttempt: number, delayOverride?: number): void {
    const attempt = previousAttempt + 1;
    const policy = this.#ctx.config().connectivity?.reconnectPolicy ?? this.#defaultPolicy;
    const elapsedMs = this.#ctx.runtime.now() - this.#lostAt;
    const closeCode = this.#ctx.store.getState().connection.lastCloseCode ?? undefined;
    const delay = delayOverride ?? policy.nextRetryDelayMs({ attempt, elapsedMs, closeCode });
    if (delay === null) {
      const error = {
        code: ErrorCodes.CONNECTION_LOST,
        message: `reconnecting gave up after ${attempt - 1} attempts`,
      };
      this.#stop({ nextAttemptAt: null, error });
      this.#ctx.emit('connection:error', { error });
      return;
    }
    const generation = ++this.#generation;
    this.#update({
      status: 'reconnecting',
      attempt,
      nextAttemptAt: this.#ctx.runtime.now() + delay,
    });
    this.#ctx.runtime.clearTimeout(this.#retryTimer);
    this.#retryTimer = this.#ctx.runtime.setTimeout(() => {
      this.#update({ nextAttemptAt: null });
      if (!this.#transport && !this.#ctx.runtime.isOnline()) {
        this.#ctx.log.info('offline: waiting for the network before reconnecting');
        return; // the `online` event resumes
      }
      this.#open(generation).catch((error: unknown) => {
        if (generation !== this.#generation) return;
        if (this.#deps.isFinalAuthError(error)) {
          this.#stop({ attempt: 0, nextAttemptAt: null, error: toBasic(error) });
          return;
        }
        this.#ctx.log.debug(`reconnect attempt ${attempt} failed`, error);
        this.#retry(attempt);
      });
    }, delay);
  }

  #schedulePing(): void {
    if (this.#ctx.config().connectivity?.checkConnectivity === false) return;
    const interval = this.#ctx.config().connectivity?.pingInterval ?? 30000;
    this.#pingTimer = this.#ctx.runtime.setTimeout(() => {
      const socket = this.#socket;
      if (!socket?.open) return;
      this.#update({ pinging: true });
      socket.request({ type: 'ping' }).then(
        () => {
          this.#update({ pinging: false });
          if (this.#socket === socket) this.#schedulePing();
        },
        () => {
          this.#ctx.log.warn('keepalive ping failed: reconnecting');
          socket.close(LOCAL_RESET, 'ping failed');
        },
      );
    }, interval);
  }

  #stopPing(): void {
    this.#ctx.runtime.clearTimeout(this.#pingTimer);
    this.#pingTimer = undefined;
  }

  readonly #onOffline = () => {
    this.#update({ online: false });
    this.#ctx.log.info('the browser is offline');
    this.#socket?.close(LOCAL_RESET, 'offline');
  };

  readonly #onOnline = () => {
    this.#update({ online: true });
    this.#ctx.log.info('the browser is online again');
    if (this.#wanted && !this.#socket?.open) {
      // Back online: try at once, counting from the first attempt again.
      this.#lostAt = this.#ctx.runtime.now();
      this.#retry(0, 0);
    }
  };

  #listenToNetwork(on: boolean): void {
    const target = this.#ctx.runtime.networkEvents;
    // An in-page transport needs no network: the browser going offline does not cut it.
    if (!target || on === this.#listening || (on && this.#transport)) return;
    this.#listening = on;
    if (on) {
      target.addEventListener('offline', this.#onOffline);
      target.addEventListener('online', this.#onOnline);
      this.#update({ online: this.#ctx.runtime.isOnline() });
    } else {
      target.removeEventListener('offline', this.#onOffline);
      target.removeEventListener('online', this.#onOnline);
    }
  }

  /** No more reconnecting: stops listening to the network and shows the socket disconnected. */
  #stop(patch: Partial<ConnectionState>): void {
    this.#wanted = false;
    this.#listenToNetwork(false);
    this.#update({ status: 'disconnected', ...patch });
  }

  #update(patch: Partial<ConnectionState>): void {
    const before = this.#ctx.store.getState().connection;
    this.#ctx.store.update((s) => ({ ...s, connection: { ...s.connection, ...patch } }));
    const after = this.#ctx.store.getState().connection;
    if (before.status !== after.status) this.#announce(before.status, after.status);
  }

  #announce(previous: SocketStatus, status: SocketStatus): void {
    this.#ctx.emit('ws:change', { ...this.getSocketState(), previous });
    if (status === 'connected') this.#ctx.emit('connection:online', {});
    if (previous === 'connected') this.#ctx.emit('connection:offline', {});
  }
}

function cancelled(): CommsError {
  return new CommsError(
    ErrorCodes.CANCELLED,
    'the connection attempt was cancelled by disconnect()',
  );
}
