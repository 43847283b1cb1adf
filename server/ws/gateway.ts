/**
 * The WebSocket endpoint (`Routes.WEBSOCKET`), on the HTTP server's port through
 * `@fastify/websocket`.
 *
 * Handshake (before the upgrade, answered with an HTTP error body when refused): the `Origin`
 * must be allowed (403 `origin:forbidden`); a client offering subprotocols must offer
 * `comms-kit.v1` (400 `request:invalid`), which the server selects; the access token comes as
 * the subprotocol `bearer.<jwt>` or the query parameter `access_token` (401 `auth:required`,
 * `auth:tokenInvalid`, `auth:tokenExpired`).
 *
 * After it: frames of at most `MAX_FRAME_BYTES` (larger: close 1009); each text frame is parsed,
 * rate limited, validated against its request schema and answered by exactly one reply;
 * server pings every `pingIntervalMs` and closes a socket silent for `idleTimeoutMs` (4008);
 * the socket closes with 4001 when its access token lapses unless `token.update` brought a
 * newer one; with 4003 when its session is revoked; with 1012 when the server shuts down.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { WebSocket } from 'ws';
import {
  CloseCodes,
  MAX_FRAME_BYTES,
  Routes,
  WS_BEARER_PREFIX,
  WS_SUBPROTOCOL,
  WS_TOKEN_QUERY,
  WireErrorCodes,
} from '../../core/protocol/constants.js';
import type { ServiceName } from '../../core/protocol/constants.js';
import type {
  EventName,
  EventPayloads,
  ReplyPayload,
  RequestFrame,
  RequestType,
} from '../../core/protocol/schema.js';
import type { Static } from '@sinclair/typebox';
import type { AccessClaims, TokenService } from '../auth/tokens.js';
import {
  userChannel,
  type Bus,
  type BusHandler,
  type BusMessage,
  type UserEventMessage,
} from '../bus/types.js';
import type { Clock } from '../clock.js';
import { WireError, internalError, wireErrorOf } from '../errors.js';
import type { OriginCheck } from '../http/origins.js';
import { Connection, eventFrame, type ConnectionLimits, type Serialized } from './connection.js';
import { parseJson, validateFrame } from './frames.js';
import { SocketRegistry } from './registry.js';
import { SubscriptionManager } from './subscriptions.js';

/** WebSocket tuning. */
export interface WebSocketOptions extends ConnectionLimits {
  /** How often the server pings each socket, ms. */
  pingIntervalMs: number;
  /** A socket with no frame and no pong for this long is closed with IDLE (4008), ms. */
  idleTimeoutMs: number;
  /** On shutdown, how long sockets get to finish the close handshake before they are cut, ms. */
  closeGraceMs: number;
}

/** Defaults of {@link WebSocketOptions}. */
export const defaultWebSocketOptions: WebSocketOptions = {
  perSecond: 20,
  burst: 40,
  maxRefused: 100,
  pingIntervalMs: 30_000,
  idleTimeoutMs: 75_000,
  closeGraceMs: 2_000,
};

/** What a handler answers: the reply's payload, or that payload serialised already. */
export type Reply<T extends RequestType> = ReplyPayload<T> | Serialized<ReplyPayload<T>>;

export type Handler<T extends RequestType> = (
  conn: Connection,
  frame: RequestFrame<T>,
  request: RequestContext,
) => Promise<Reply<T>> | Reply<T>;

/** What a handler can do besides answering its request. */
export interface RequestContext {
  /**
   * Runs `task` right after the success reply has been sent (in the same turn: no wait for
   * the event loop), e.g. pushing the events the request caused. Not run when the handler
   * fails. A task that fails is logged, never thrown.
   */
  afterReply(task: () => void | Promise<void>): void;
  /**
   * Runs `task` once the handler has succeeded, right before its reply is sent (the same
   * turn), for events to other sockets that should not wait for the reply's write: a message
   * reaches its recipients first, and its sender's acknowledgement a few microseconds later.
   * Not run when the handler fails. A promise it returns is not waited for; a task that fails
   * is logged, never thrown, and the reply is still sent.
   */
  beforeReply(task: () => void | Promise<void>): void;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified claims of a WebSocket handshake's access token. */
    wsClaims?: AccessClaims;
    /** That access token (never logged). */
    wsToken?: string;
  }
}

/** Handlers for some request types, as a feature registers them. */
export type HandlerTable = { [T in RequestType]?: Handler<T> };

/** Where {@link WebSocketGateway.push} delivers. */
export interface PushOptions {
  /** Only sockets subscribed to this service (default: every socket of the user). */
  service?: ServiceName;
  /** Not this socket (the one whose request caused the event: its reply tells it). */
  except?: Connection;
}

/** What {@link registerWebSocket} gives back. */
export interface WebSocketGateway {
  registry: SocketRegistry;
  subscriptions: SubscriptionManager;
  /**
   * Adds a feature's request handlers (calls, messaging, presence…). Each type has one
   * handler; registering a type twice is a programming error.
   */
  register(table: HandlerTable): void;
  /**
   * Pushes an event to the sockets of each user in `userIds` (internal ids), on whichever
   * node holds them: this node's at once (before it returns), the others' through the bus.
   * Resolves once published.
   */
  push<E extends EventName>(
    userIds: Iterable<string>,
    event: E,
    payload: Static<(typeof EventPayloads)[E]> | Serialized<Static<(typeof EventPayloads)[E]>>,
    options?: PushOptions,
  ): Promise<void>;
  /** Adds a listener of the bus messages on the user channels this node listens to. */
  onBusMessage(listener: (message: BusMessage) => void): void;
  /** Adds a listener told when a socket has closed (after its subscription was dropped). */
  onClose(listener: (conn: Connection) => void): void;
  /**
   * Feature hooks. Each returns a function that removes the listener; a listener that throws
   * is logged and does not stop the others.
   * - `busMessage`: every message on the channels of the users this node holds sockets of
   *   (after the gateway's own handling);
   * - `subscribed`: a socket's `subscribe` succeeded (`conn.subscription` is the new one);
   * - `closed`: a socket closed (already out of the registry), with the close code.
   */
  on<K extends keyof GatewayHooks>(hook: K, listener: GatewayHooks[K]): () => void;
}

/** The listeners {@link WebSocketGateway.on} takes. */
export interface GatewayHooks {
  busMessage: BusHandler;
  subscribed: (conn: Connection) => void;
  closed: (conn: Connection, code: number) => void;
}

/**
 * The gateway's sockets (`ws`'s `WebSocket` option): a `ws` socket that knows its
 * {@link Connection}, so one set of listeners serves every socket rather than a set of closures
 * each.
 */
class GatewaySocket extends WebSocket {
  /** Its connection, once the handshake's access token made one. */
  connection: Connection | null = null;
}

/** The connection of one of the gateway's sockets (set before its listeners are added). */
const connectionOf = (socket: WebSocket) => (socket as GatewaySocket).connection!;

/** Closes a socket whose access token lapsed (one function for every socket's timer). */
const expireToken = (conn: Connection) =>
  conn.close(CloseCodes.TOKEN_EXPIRED, 'access token expired');

/** The token a handshake carries: from a `bearer.` subprotocol, else `?access_token=`. */
function handshakeToken(request: FastifyRequest): { token?: string; protocols: string[] } {
  const header = request.headers['sec-websocket-protocol'];
  const protocols = header
    ? header
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
    : [];
  const bearer = protocols.find((p) => p.startsWith(WS_BEARER_PREFIX));
  if (bearer) return { token: bearer.slice(WS_BEARER_PREFIX.length), protocols };
  const query = (request.query as Record<string, unknown> | undefined)?.[WS_TOKEN_QUERY];
  return { token: typeof query === 'string' && query ? query : undefined, protocols };
}

/** Registers the WebSocket endpoint on `app`. */
export async function registerWebSocket(
  app: FastifyInstance,
  deps: {
    tokens: TokenService;
    bus: Bus;
    clock: Clock;
    origins: OriginCheck;
    options: WebSocketOptions;
  },
): Promise<WebSocketGateway> {
  const { tokens, bus, clock, origins, options } = deps;
  const log = app.log.child({ component: 'ws' });
  /** This node, among those sharing the bus. */
  const nodeId = randomUUID();
  let closing = false;

  const hooks: { [K in keyof GatewayHooks]: Set<GatewayHooks[K]> } = {
    busMessage: new Set(),
    subscribed: new Set(),
    closed: new Set(),
  };
  const emit = <K extends keyof GatewayHooks>(hook: K, ...args: Parameters<GatewayHooks[K]>) => {
    for (const listener of [...hooks[hook]]) {
      try {
        (listener as (...a: Parameters<GatewayHooks[K]>) => void)(...args);
      } catch (error) {
        log.error({ err: error, hook }, 'a gateway hook failed');
      }
    }
  };

  const deliver = (message: UserEventMessage) => {
    for (const conn of registry.byUser(message.userId)) {
      if (conn.id === message.exceptConnection) continue;
      if (message.service && !conn.subscription?.services.includes(message.service)) continue;
      conn.sendFrame(message.frame);
    }
  };

  const onBusMessage = (message: BusMessage) => {
    switch (message.type) {
      case 'session.revoked':
        for (const conn of registry.bySession(message.userId, message.familyId))
          conn.close(CloseCodes.SESSION_REVOKED, `session revoked (${message.reason})`);
        break;
      case 'subscription.claimed':
        subscriptions.claimed(message);
        break;
      case 'user.event':
        // This node's own pushes reached its sockets when they were made.
        if (message.origin !== nodeId) deliver(message);
        break;
    }
    emit('busMessage', message);
  };
  const registry = new SocketRegistry(bus, onBusMessage);
  const subscriptions = new SubscriptionManager({ registry, bus, clock });

  const scheduleTokenExpiry = (conn: Connection) => {
    conn.tokenTimer?.cancel();
    conn.tokenTimer = clock.setTimeout(expireToken, conn.tokenExpiresAt - clock.now(), conn);
  };

  const handlers: HandlerTable = {
    ping: () => ({ time: clock.now() }),
    subscribe: (conn, frame) =>
      subscriptions.subscribe(conn, frame).then((subscription) => {
        emit('subscribed', conn);
        return { subscription };
      }),
    unsubscribe: (conn, frame) => ({ subscription: subscriptions.unsubscribe(conn, frame) }),
    'subscription.extend': (conn, frame) => ({ subscription: subscriptions.extend(conn, frame) }),
    'token.update': async (conn, frame) => {
      const claims = await tokens.verify(frame.accessToken);
      if (claims.sub !== conn.userId)
        throw new WireError(
          WireErrorCodes.AUTH_TOKEN_INVALID,
          'the access token belongs to another user than this socket',
          401,
        );
      if (claims.exp * 1000 > conn.tokenExpiresAt) {
        conn.tokenExpiresAt = claims.exp * 1000;
        conn.familyId = claims.fam;
        scheduleTokenExpiry(conn);
      }
      return { expiresAt: conn.tokenExpiresAt };
    },
  };

  const runTask = (task: () => void | Promise<void>) => {
    try {
      const result = task();
      if (result)
        result.catch((error: unknown) => log.error({ err: error }, 'a task of a request failed'));
    } catch (error) {
      log.error({ err: error }, 'a task of a request failed');
    }
  };

  const dispatch = async (conn: Connection, frame: RequestFrame) => {
    try {
      const handler = handlers[frame.type] as Handler<RequestType> | undefined;
      if (!handler) {
        conn.replyError(frame.id, {
          code: WireErrorCodes.FRAME_UNSUPPORTED,
          message: `this gateway does not handle '${frame.type}' frames`,
        });
        return;
      }
      let before: Array<() => void | Promise<void>> | undefined;
      let after: Array<() => void | Promise<void>> | undefined;
      const payload = await handler(conn, frame, {
        beforeReply: (task) => void (before ??= []).push(task),
        afterReply: (task) => void (after ??= []).push(task),
      });
      if (before) for (const task of before) runTask(task);
      conn.reply(frame.id, payload);
      if (after) for (const task of after) runTask(task);
    } catch (error) {
      const wire = wireErrorOf(error);
      if (wire) {
        if (!(error instanceof WireError)) log.warn({ err: error, type: frame.type }, wire.message);
        return conn.replyError(frame.id, wire.toBody());
      }
      log.error({ err: error, type: frame.type, conn: conn.id }, 'frame handler failed');
      conn.replyError(frame.id, internalError);
    }
  };

  const onMessage = (
    conn: Connection,
    data: Buffer | ArrayBuffer | Buffer[],
    isBinary: boolean,
  ) => {
    conn.lastSeen = performance.now();
    if (isBinary) {
      conn.replyError(null, {
        code: WireErrorCodes.FRAME_MALFORMED,
        message: 'binary frames are not accepted: send JSON text',
      });
      return;
    }
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data).toString('utf8');
    const parsed = parseJson(text);
    const admitted = conn.admit();
    if (admitted === 'abuse') {
      log.warn(
        { conn: conn.id, userId: conn.userId },
        'closing a socket that keeps exceeding its rate limit',
      );
      conn.close(CloseCodes.POLICY, 'rate limit exceeded repeatedly');
      return;
    }
    if (!parsed.ok) return conn.replyError(null, parsed.error.toBody());
    const result = validateFrame(parsed.value);
    if (admitted === 'limited') {
      const re = result.ok ? result.frame.id : result.re;
      return conn.replyError(re, {
        code: WireErrorCodes.RATE_LIMITED,
        message: `too many frames: at most ${options.perSecond} per second (bursts of ${options.burst}); slow down`,
      });
    }
    if (!result.ok) return conn.replyError(result.re, result.error.toBody());
    void dispatch(conn, result.frame);
  };

  /** Told once the last socket has closed while the server shuts down. */
  let drained: (() => void) | undefined;

  // The listeners of every socket: each finds its connection on the socket (`this`).
  function socketError(this: WebSocket, error: Error) {
    onSocketError(error, this);
  }
  function socketMessage(
    this: WebSocket,
    data: Buffer | ArrayBuffer | Buffer[],
    isBinary: boolean,
  ) {
    onMessage(connectionOf(this), data, isBinary);
  }
  function socketPong(this: WebSocket) {
    connectionOf(this).lastSeen = performance.now();
  }
  function socketClose(this: WebSocket, code: number) {
    const conn = connectionOf(this);
    conn.closeCode = code;
    conn.tokenTimer?.cancel();
    subscriptions.drop(conn);
    registry.remove(conn);
    log.debug({ conn: conn.id, userId: conn.userId, code }, 'socket closed');
    emit('closed', conn, code);
    if (drained && registry.size === 0) drained();
  }

  /** What a socket's listeners hold: its connection, never the upgrade request. */
  const listen = (socket: GatewaySocket, conn: Connection) => {
    socket.connection = conn;
    // @fastify/websocket's own 'error' listener closes over the upgrade's request and reply,
    // which would keep them (raw request, headers with the token, a child logger, a
    // ServerResponse: several KB) alive for as long as the socket is open. Ours does the same
    // job (the errorHandler below) and holds only the socket.
    socket.removeAllListeners('error');
    socket.on('error', socketError);
    socket.on('message', socketMessage);
    socket.on('pong', socketPong);
    socket.on('close', socketClose);
  };

  const onConnection = async (socket: WebSocket, request: FastifyRequest) => {
    const claims = request.wsClaims!;
    const token = request.wsToken!;
    const conn = new Connection(
      socket,
      { userId: claims.sub, familyId: claims.fam, tokenExpiresAt: claims.exp * 1000 },
      options,
      request.raw.socket,
    );
    if (closing) return conn.close(CloseCodes.SERVICE_RESTART, 'server restarting');
    listen(socket as GatewaySocket, conn);
    scheduleTokenExpiry(conn);
    try {
      await registry.add(conn);
    } catch (error) {
      // The bus is down (Redis away): this node could not hear about the user; the client
      // reconnects with backoff.
      log.error({ err: error, userId: conn.userId }, 'cannot listen on the user channel');
      return conn.close(CloseCodes.SERVICE_RESTART, 'server unavailable, retry');
    }
    log.debug({ conn: conn.id, userId: conn.userId }, 'socket open');
    // A revocation published between the handshake's check and the channel subscription.
    try {
      await tokens.verify(token);
    } catch (error) {
      if (error instanceof WireError && error.code === WireErrorCodes.AUTH_TOKEN_INVALID)
        conn.close(CloseCodes.SESSION_REVOKED, 'session revoked');
    }
  };

  /** Oversized frames and broken connections: ws closes the socket itself (1009 …). */
  const onSocketError = (error: Error, socket: WebSocket) => {
    log.debug({ err: error }, 'socket error');
    if (socket.readyState === socket.OPEN) socket.close(CloseCodes.POLICY, 'socket error');
  };

  await app.register(websocket, {
    options: {
      // ws only calls `new` on it; the plugin's types ask for the module's statics too.
      WebSocket: GatewaySocket as never,
      // The registry knows every open socket; a set of them in `ws` too would cost each socket
      // a set entry and a 'close' listener of its own.
      clientTracking: false,
      maxPayload: MAX_FRAME_BYTES,
      handleProtocols: (protocols: Set<string>) =>
        protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false,
    },
    errorHandler: (error, socket) => onSocketError(error, socket),
    preClose: (done) => {
      closing = true;
      for (const conn of registry.all())
        conn.close(CloseCodes.SERVICE_RESTART, 'server restarting');
      const cut = setTimeout(() => {
        for (const conn of registry.all()) conn.socket.terminate();
      }, options.closeGraceMs);
      const finish = () => {
        clearTimeout(cut);
        drained = undefined;
        app.websocketServer.close(() => done());
      };
      if (registry.size === 0) finish();
      else drained = finish;
    },
  });

  const pinger = setInterval(() => {
    const now = performance.now();
    for (const conn of registry.all()) {
      if (now - conn.lastSeen > options.idleTimeoutMs) conn.close(CloseCodes.IDLE, 'idle');
      else if (conn.open) conn.socket.ping();
    }
  }, options.pingIntervalMs);
  pinger.unref();
  app.addHook('onClose', async () => clearInterval(pinger));

  app.route({
    method: 'GET',
    url: Routes.WEBSOCKET,
    onRequest: async (request: FastifyRequest) => {
      if (!request.ws) return;
      if (!origins(request.headers.origin, request.headers.host))
        throw new WireError(
          WireErrorCodes.ORIGIN_FORBIDDEN,
          `origin ${request.headers.origin} may not connect: start the server with --origin ${request.headers.origin} to allow it`,
          403,
        );
      const { token, protocols } = handshakeToken(request);
      if (protocols.length && !protocols.includes(WS_SUBPROTOCOL))
        throw new WireError(
          WireErrorCodes.REQUEST_INVALID,
          `offer the subprotocol '${WS_SUBPROTOCOL}' (with 'bearer.<accessToken>')`,
          400,
        );
      if (!token)
        throw new WireError(
          WireErrorCodes.AUTH_REQUIRED,
          `send the access token as the subprotocol '${WS_BEARER_PREFIX}<accessToken>' or the query parameter '${WS_TOKEN_QUERY}'`,
          401,
        );
      request.wsClaims = await tokens.verify(token);
      request.wsToken = token;
    },
    // The handshake passed: nothing answers through Fastify's response any more (the upgrade
    // writes to the socket itself), so let go of it. @fastify/websocket assigns the upgrade's
    // socket to a ServerResponse, which would otherwise keep it, the request, its reply and a
    // child logger alive as long as the socket is open (several KB per socket).
    preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.ws && reply.raw.socket) reply.raw.detachSocket(reply.raw.socket);
    },
    handler: async () => {
      throw new WireError(
        WireErrorCodes.REQUEST_INVALID,
        `${Routes.WEBSOCKET} takes a WebSocket upgrade`,
        426,
        { upgrade: 'websocket' },
      );
    },
    wsHandler: onConnection,
  });

  const register = (table: HandlerTable) => {
    for (const type of Object.keys(table) as RequestType[]) {
      if (handlers[type]) throw new Error(`a handler for '${type}' is already registered`);
    }
    Object.assign(handlers, table);
  };

  const on = <K extends keyof GatewayHooks>(hook: K, listener: GatewayHooks[K]) => {
    hooks[hook].add(listener);
    return () => void hooks[hook].delete(listener);
  };

  const push: WebSocketGateway['push'] = async (userIds, event, payload, pushOptions = {}) => {
    // Serialised once, whatever the number of users and sockets it reaches.
    const frame = eventFrame(event, payload);
    const published: Promise<void>[] = [];
    for (const userId of new Set(userIds)) {
      const message: UserEventMessage = {
        type: 'user.event',
        userId,
        service: pushOptions.service ?? null,
        exceptConnection: pushOptions.except?.id ?? null,
        event,
        frame,
        origin: nodeId,
      };
      // This node's sockets at once; the other nodes' through the bus.
      deliver(message);
      if (bus.shared) published.push(bus.publish(userChannel(userId), message));
    }
    await Promise.all(published);
  };

  return {
    registry,
    subscriptions,
    register,
    on,
    push,
    onBusMessage: (listener) => void on('busMessage', listener),
    onClose: (listener) => void on('closed', (conn) => listener(conn)),
  };
}
