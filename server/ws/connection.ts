/**
 * One authenticated WebSocket: who it belongs to, its session, its subscription, its rate
 * limit and its timers, and the three kinds of frame it sends (reply, error reply, event).
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '../../core/protocol/constants.js';
import type {
  ErrorBody,
  EventName,
  EventPayloads,
  RequestType,
  ReplyPayload,
  Subscription,
} from '../../core/protocol/schema.js';
import type { Static } from '@sinclair/typebox';
import type { TimerHandle } from '../clock.js';
import { TokenBucket } from './rate-limit.js';

/** A subscription as the gateway holds it: the wire form plus when it was claimed. */
export interface ActiveSubscription extends Subscription {
  /**
   * When this socket claimed it (ms, with microseconds), to order competing claims of one
   * correlator.
   */
  claimedAt: number;
  /** The device takes a second call while in one (`subscribe`'s `multiCall`). */
  multiCall?: boolean;
}

/** Per-connection rate limit. */
export interface ConnectionLimits {
  /** Frames per second, refilled continuously. */
  perSecond: number;
  /** Frames accepted at once. */
  burst: number;
  /** Refused frames within 10 s after which the socket is closed with 1008. */
  maxRefused: number;
}

const REFUSED_WINDOW_MS = 10_000;

/**
 * A random UUID as one flat string. `randomUUID()` builds its result by concatenation: a tree
 * of about 15 strings (~0.6 KB) that an id kept as long as its socket would hold on to.
 */
const flatUuid = (): string => Buffer.from(randomUUID(), 'latin1').toString('latin1');

export class Connection {
  /** This socket's id, unique across gateway nodes (logs, `except` of a push, call devices). */
  readonly id = flatUuid();
  readonly socket: WebSocket;
  readonly userId: string;
  /** The session (refresh-token family) of the access token it holds now. */
  familyId: string;
  /** When its access token expires (ms since the epoch). */
  tokenExpiresAt: number;
  /** Its subscription, if it has one. */
  subscription: ActiveSubscription | null = null;
  /** Last frame or pong (monotonic ms). */
  lastSeen = performance.now();
  tokenTimer: TimerHandle | undefined;
  subscriptionTimer: TimerHandle | undefined;
  /** The close code, once the socket has closed (1000 after a clean close, 4003 on logout…). */
  closeCode: number | null = null;

  /** The TCP socket under the WebSocket (corked while a turn's frames are written). */
  private readonly tcp: Socket | undefined;
  private corked = false;
  private readonly bucket: TokenBucket;
  private readonly maxRefused: number;
  private refused = 0;
  private refusedSince = 0;

  constructor(
    socket: WebSocket,
    session: { userId: string; familyId: string; tokenExpiresAt: number },
    limits: ConnectionLimits,
    tcp?: Socket,
  ) {
    this.socket = socket;
    this.tcp = tcp;
    this.userId = session.userId;
    this.familyId = session.familyId;
    this.tokenExpiresAt = session.tokenExpiresAt;
    this.bucket = new TokenBucket(limits.perSecond, limits.burst);
    this.maxRefused = limits.maxRefused;
  }

  /** True while frames can be sent. */
  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /**
   * Takes a rate-limit token. `'ok'`: go on; `'limited'`: refuse this frame; `'abuse'`: too
   * many refused lately, close the socket.
   */
  admit(): 'ok' | 'limited' | 'abuse' {
    if (this.bucket.take()) return 'ok';
    const now = performance.now();
    if (now - this.refusedSince > REFUSED_WINDOW_MS) {
      this.refusedSince = now;
      this.refused = 0;
    }
    this.refused += 1;
    return this.refused > this.maxRefused ? 'abuse' : 'limited';
  }

  /** Sends the success reply to request `re`. */
  reply<T extends RequestType>(
    re: string,
    payload: ReplyPayload<T> | Serialized<ReplyPayload<T>>,
  ): void {
    if (!(payload instanceof Serialized))
      this.send({ v: PROTOCOL_VERSION, re, ok: true, ...payload });
    else if (this.open)
      this.sendFrame(
        `{"v":${PROTOCOL_VERSION},"re":${JSON.stringify(re)},"ok":true${payload.members}}`,
      );
  }

  /** Sends an error reply (`re` null when the frame had no readable id). */
  replyError(re: string | null, error: ErrorBody): void {
    this.send({ v: PROTOCOL_VERSION, re, ok: false, error });
  }

  /** Pushes an event. */
  event<E extends EventName>(event: E, payload: Static<(typeof EventPayloads)[E]>): void {
    this.sendFrame(eventFrame(event, payload));
  }

  /**
   * Sends a frame serialised already (an event pushed to many sockets is serialised once).
   * The frames one turn of the event loop sends to this socket leave in one write: the TCP
   * socket is corked at the first and uncorked once the turn's callbacks and microtasks are
   * done (e.g. the replies to a burst of pipelined requests, stored in one group commit).
   */
  sendFrame(text: string): void {
    if (!this.open) return;
    if (this.tcp && !this.corked) {
      this.corked = true;
      this.tcp.cork();
      process.nextTick(flush, this);
    }
    this.socket.send(text);
  }

  /** Writes what {@link sendFrame} held back this turn (it runs on the next tick by itself). */
  flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.tcp?.uncork();
  }

  /** Closes the socket with `code` (no-op when it is closing already). */
  close(code: number, reason: string): void {
    if (
      this.socket.readyState === this.socket.OPEN ||
      this.socket.readyState === this.socket.CONNECTING
    )
      this.socket.close(code, reason);
  }

  private send(frame: object): void {
    if (this.open) this.sendFrame(JSON.stringify(frame));
  }
}

const flush = (conn: Connection) => conn.flush();

/**
 * A payload with its JSON made already, for one that goes out twice: a message is the reply to
 * its sender and the event to the other members, serialised once (`JSON.stringify` was a
 * tenth of the gateway's CPU per message). The frame around it is written as text, in the
 * order its object would have (`v`, `re`, `ok` or `v`, `type`, `event`, then the payload's).
 */
export class Serialized<T extends object> {
  readonly value: T;
  /** The payload's members as JSON text, each after a comma (`,"message":{…}`; empty: ''). */
  readonly members: string;

  constructor(value: T) {
    this.value = value;
    const json = JSON.stringify(value);
    this.members = json.length > 2 ? `,${json.slice(1, -1)}` : '';
  }
}

/** An event frame as the wire carries it. */
export function eventFrame<E extends EventName>(
  event: E,
  payload: Static<(typeof EventPayloads)[E]> | Serialized<Static<(typeof EventPayloads)[E]>>,
): string {
  if (payload instanceof Serialized)
    return `{"v":${PROTOCOL_VERSION},"type":"event","event":${JSON.stringify(event)}${payload.members}}`;
  return JSON.stringify({ v: PROTOCOL_VERSION, type: 'event', event, ...payload });
}

/** The wire form of a subscription. */
export function wireSubscription(s: ActiveSubscription): Subscription {
  return {
    id: s.id,
    clientCorrelator: s.clientCorrelator,
    services: s.services,
    expires: s.expires,
    expiresAt: s.expiresAt,
  };
}
