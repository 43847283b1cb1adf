/**
 * Call records of the calls over SIP (`comms-kit/sip`), which go through the SIP proxy and
 * never through the gateway: the proxy (`deploy/kamailio/kamailio.cfg`) tells the gateway how
 * each call goes over Kamailio's event socket (evapi, `--sip-events host:port`), and the gateway
 * keeps both parties' records as it does for its own calls, and pushes each to its owner
 * (`callHistory:new`, to every socket of theirs: a SIP client does not subscribe to `call`).
 *
 * The socket carries netstrings (`<length>:<bytes>,`). This side connects, sends
 * `auth <secret>` (the SIP secret, `--sip-secret`; the proxy closes a connection that sends
 * anything else), then reads one JSON event per netstring, all with the SIP `callId` (the call's
 * id in comms-kit too) and the From and To users:
 *
 * - `invite` (`video`): a call starts ringing; a second one with the same Call-ID follows a
 *   forward (the caller calls the Contact of the 3xx, RFC 3261 §8.1.3.4).
 * - `answered` (`status`): a 2xx to the INVITE.
 * - `cancel` (`reason`): the caller gave up; `Reason: SIP;cause=408` says for no answer.
 * - `failed` (`status`, `reason`): the INVITE's final failure (404 from the proxy when the callee
 *   is not registered); a 3xx is a forward.
 * - `bye`: one party hung up (From says who).
 *
 * The outcomes are the gateway's own calls' (`service.ts`): the same results, status codes and
 * texts. Times are this side's clock when an event arrives. What a call was is held in memory
 * until it ends: a gateway restarted during a call keeps no record of it, and an answered
 * call whose BYE never comes is forgotten after a day. The proxy sends each event to one
 * authenticated connection, so every node may connect.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { CallTransition } from '../../core/call/signalling.js';
import { Transitions as T } from '../../core/call/signalling.js';
import type { Clock, TimerHandle } from '../clock.js';
import { publicId, resolveUser } from '../directory/users.js';
import type { CallRecordEntry, CallResult, Storage } from '../storage/types.js';
import type { WebSocketGateway } from '../ws/gateway.js';
import { storeCallRecords } from './records.js';

/** One event from the proxy. */
export interface SipCallEvent {
  event: 'invite' | 'answered' | 'cancel' | 'failed' | 'bye';
  callId: string;
  /** The From user: the caller, or for a BYE whoever hung up. */
  from: string;
  /** The To user: the callee (for a forwarded call, the one it was forwarded to). */
  to: string;
  video?: boolean;
  status?: number;
  reason?: string;
}

export interface SipRecordsOptions {
  /** The proxy's event socket. */
  host: string;
  port: number;
  /** The SIP secret the proxy checks (`auth <secret>`). */
  secret: string;
  storage: Storage;
  ws: WebSocketGateway;
  clock: Clock;
  log: {
    info(details: Record<string, unknown>, message: string): void;
    warn(details: Record<string, unknown>, message: string): void;
    error(details: Record<string, unknown>, message: string): void;
  };
}

/** A party of a SIP call: a gateway user (`userId`) or someone the gateway does not know. */
interface Party {
  /** Their SIP user (the user part of their address). */
  sip: string;
  userId?: string;
  /** Public id and name, as records name the other party. */
  id: string;
  displayName: string;
}

interface SipCall {
  caller: Party;
  callee: Party;
  video: boolean;
  startTime: number;
  answerTime: number | null;
  /** Who forwarded it so far (names, for the records' reason text). */
  forwards: string[];
  /** Forwarded by `by`, waiting for the caller's INVITE to the Contact. */
  forwarding?: { by: Party; status: number; reason: string; timer: TimerHandle };
  /** The caller cancelled for no answer. */
  noAnswer: boolean;
}

/** One party's outcome. */
interface Outcome {
  result: CallResult;
  transition: CallTransition;
}

/** The largest netstring accepted (an event is a few hundred bytes). */
const MAX_EVENT_BYTES = 64 * 1024;
/** How long a forwarded call waits for the caller's INVITE to the Contact. */
const FORWARD_FOLLOW_MS = 32_000;
/** How long an answered call is remembered without its BYE. */
const FORGET_MS = 24 * 3600_000;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5000;

/** The complete netstrings in `buffer`, and what is left of it; throws on a malformed one. */
export function readNetstrings(buffer: Buffer): { items: Buffer[]; rest: Buffer } {
  const items: Buffer[] = [];
  let at = 0;
  for (;;) {
    const colon = buffer.indexOf(0x3a, at);
    if (colon < 0) {
      if (buffer.length - at > 10) throw new Error('a netstring length is too long');
      break;
    }
    const digits = buffer.toString('latin1', at, colon);
    if (!/^\d{1,10}$/.test(digits)) throw new Error(`'${digits}' is not a netstring length`);
    const length = Number(digits);
    if (length > MAX_EVENT_BYTES)
      throw new Error(`a netstring of ${length} bytes (at most ${MAX_EVENT_BYTES})`);
    const end = colon + 1 + length;
    if (buffer.length < end + 1) break;
    if (buffer[end] !== 0x2c) throw new Error('a netstring does not end with a comma');
    items.push(buffer.subarray(colon + 1, end));
    at = end + 1;
  }
  return { items, rest: buffer.subarray(at) };
}

/** A netstring of `text`. */
export const netstring = (text: string): Buffer => {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from(`${bytes.length}:`), bytes, Buffer.from(',')]);
};

/** The event in `text`, or undefined when it is not one. */
export function parseSipCallEvent(text: string): SipCallEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const events = ['invite', 'answered', 'cancel', 'failed', 'bye'];
  if (typeof v.event !== 'string' || !events.includes(v.event)) return undefined;
  for (const key of ['callId', 'from', 'to'] as const)
    if (typeof v[key] !== 'string' || !v[key]) return undefined;
  if (v.status !== undefined && !Number.isInteger(v.status)) return undefined;
  if (v.video !== undefined && typeof v.video !== 'boolean') return undefined;
  if (v.reason !== undefined && typeof v.reason !== 'string') return undefined;
  return v as unknown as SipCallEvent;
}

/** How a call that was never answered ended for each party, from the INVITE's final status. */
export function failedOutcome(
  status: number,
  reason: string,
  noAnswer: boolean,
): { caller: Outcome; callee: Outcome } {
  const both = (caller: CallResult, transition: CallTransition) => ({
    caller: { result: caller, transition },
    callee: { result: 'missed' as const, transition },
  });
  if (status === 487)
    return noAnswer ? both('noAnswer', T.NO_ANSWER) : both('cancelled', T.CANCELLED);
  if (status === 486 || status === 600) return both('busy', T.BUSY);
  if (status === 603)
    return {
      caller: { result: 'rejected', transition: T.REJECTED },
      callee: { result: 'rejected', transition: T.REJECTED },
    };
  if (status === 408) return both('noAnswer', T.NO_ANSWER);
  if (status === 480 || status === 404) return both('noAnswer', T.UNAVAILABLE);
  return both('failed', { statusCode: status, reasonText: reason || 'Failed' });
}

/** Keeps the records of SIP calls from the proxy's events. */
export class SipCallRecords {
  readonly #o: SipRecordsOptions;
  readonly #calls = new Map<string, SipCall>();
  #socket: Socket | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #delay = RECONNECT_MIN_MS;
  #closed = false;
  /** Events are handled one after the other (a user lookup must not reorder them). */
  #queue: Promise<void> = Promise.resolve();
  /** Whether the last attempt failed already (the next failures are not logged again). */
  #failing = false;
  readonly #sweeper: ReturnType<typeof setInterval>;

  constructor(options: SipRecordsOptions) {
    this.#o = options;
    this.#connect();
    this.#sweeper = setInterval(() => this.#sweep(), 600_000);
    this.#sweeper.unref();
  }

  /** Settles once every event received so far is handled (for tests and shutdown). */
  idle(): Promise<void> {
    return this.#queue;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#sweeper);
    this.#socket?.destroy();
    for (const call of this.#calls.values()) call.forwarding?.timer.cancel();
    await this.#queue;
  }

  #connect(): void {
    const { host, port, log } = this.#o;
    const socket = connect({ host, port });
    this.#socket = socket;
    let buffer: Buffer = Buffer.alloc(0);
    let openedAt = 0;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      openedAt = Date.now();
      this.#delay = RECONNECT_MIN_MS;
      this.#failing = false;
      socket.write(netstring(`auth ${this.#o.secret}`));
      log.info({ host, port }, 'SIP call events: connected to the proxy');
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      let items: Buffer[];
      try {
        ({ items, rest: buffer } = readNetstrings(buffer));
      } catch (error) {
        log.warn({ err: error }, 'SIP call events: the proxy sent something else; reconnecting');
        openedAt = 0;
        socket.destroy();
        return;
      }
      for (const item of items) {
        const event = parseSipCallEvent(item.toString('utf8'));
        if (!event) {
          log.warn({ event: item.toString('utf8').slice(0, 200) }, 'SIP call events: not an event');
          continue;
        }
        this.#queue = this.#queue
          .then(() => this.#handle(event))
          .catch((error: unknown) =>
            log.error({ err: error, callId: event.callId }, 'SIP call events: handling failed'),
          );
      }
    });
    socket.on('error', (error) => {
      if (!this.#failing && !this.#closed)
        log.warn({ err: error, host, port }, 'SIP call events: cannot reach the proxy; retrying');
      this.#failing = true;
    });
    socket.on('close', () => {
      if (this.#closed) return;
      // The proxy closed it at once after the greeting: it refused the secret.
      if (openedAt && Date.now() - openedAt < 1000)
        log.warn(
          { host, port },
          'SIP call events: the proxy closed the connection: is --sip-secret its SIP_SECRET?',
        );
      this.#retry = setTimeout(() => this.#connect(), this.#delay);
      this.#delay = Math.min(this.#delay * 2, RECONNECT_MAX_MS);
    });
  }

  async #party(sip: string): Promise<Party> {
    const user = await resolveUser(this.#o.storage, sip);
    return user
      ? { sip, userId: user.id, id: publicId(user), displayName: user.displayName }
      : { sip, id: sip, displayName: sip };
  }

  async #handle(event: SipCallEvent): Promise<void> {
    const now = this.#o.clock.now();
    const call = this.#calls.get(event.callId);
    switch (event.event) {
      case 'invite': {
        if (call?.forwarding) {
          // The caller follows the forward: the call rings at the Contact now.
          const { by } = call.forwarding;
          call.forwarding.timer.cancel();
          call.forwarding = undefined;
          call.callee = await this.#party(event.to);
          call.forwards.push(by.displayName);
          await this.#forwarderRecord(
            event.callId,
            call,
            by,
            `Forwarded to ${call.callee.displayName}`,
          );
          return;
        }
        if (call) return;
        this.#calls.set(event.callId, {
          caller: await this.#party(event.from),
          callee: await this.#party(event.to),
          video: event.video === true,
          startTime: now,
          answerTime: null,
          forwards: [],
          noAnswer: false,
        });
        return;
      }
      case 'answered':
        if (call && call.answerTime === null) call.answerTime = now;
        return;
      case 'cancel':
        if (call && /cause\s*=\s*408\b/i.test(event.reason ?? '')) call.noAnswer = true;
        return;
      case 'failed': {
        if (!call || call.answerTime !== null) return;
        const status = event.status ?? 500;
        const reason = event.reason ?? '';
        if (status >= 300 && status < 400) {
          const by = call.callee;
          call.forwarding = {
            by,
            status,
            reason,
            timer: this.#o.clock.setTimeout(
              () => void this.#unfollowed(event.callId),
              FORWARD_FOLLOW_MS,
            ),
          };
          return;
        }
        this.#calls.delete(event.callId);
        const outcome = failedOutcome(status, reason, call.noAnswer);
        await this.#store(event.callId, call, now, outcome);
        return;
      }
      case 'bye': {
        if (!call || call.answerTime === null) return;
        this.#calls.delete(event.callId);
        const ender = { result: 'answered' as const, transition: T.ENDED };
        const other = { result: 'answered' as const, transition: T.ENDED_REMOTELY };
        const byCaller = event.from === call.caller.sip;
        await this.#store(event.callId, call, now, {
          caller: byCaller ? ender : other,
          callee: byCaller ? other : ender,
        });
        return;
      }
    }
  }

  /** A forward the caller did not follow (it gave up, or the Contact was refused). */
  #unfollowed(callId: string): void {
    this.#queue = this.#queue.then(async () => {
      const call = this.#calls.get(callId);
      if (!call?.forwarding) return;
      this.#calls.delete(callId);
      const { by, status, reason } = call.forwarding;
      call.forwarding = undefined;
      await this.#forwarderRecord(callId, call, by, reason || T.FORWARDED.reasonText);
      const transition = { statusCode: status, reasonText: `Forwarded by ${by.displayName}` };
      // The caller's alone: the forwarder has theirs.
      const outcome = { result: 'failed' as const, transition };
      const records = this.#records(callId, call, this.#o.clock.now(), { caller: outcome });
      await storeCallRecords(this.#o, callId, records, {});
    });
  }

  /** The record of the callee who forwarded the ringing call. */
  async #forwarderRecord(callId: string, call: SipCall, by: Party, reasonText: string) {
    if (!by.userId) return;
    const record: CallRecordEntry = {
      id: randomUUID(),
      userId: by.userId,
      callId,
      direction: 'incoming',
      remoteParticipant: { id: call.caller.id, displayName: call.caller.displayName },
      media: { audio: true, video: call.video },
      startTime: call.startTime,
      answerTime: null,
      endTime: this.#o.clock.now(),
      duration: 0,
      result: 'rejected',
      statusCode: T.FORWARDED.statusCode,
      reasonText,
    };
    await storeCallRecords(this.#o, callId, [record], {});
  }

  /** The records of the parties `outcome` names that are gateway users. */
  #records(
    callId: string,
    call: SipCall,
    now: number,
    outcome: { caller?: Outcome; callee?: Outcome },
  ): CallRecordEntry[] {
    const duration = call.answerTime === null ? 0 : Math.round((now - call.answerTime) / 1000);
    const forwarded = call.forwards.length
      ? ` (forwarded by ${call.forwards.join(', then ')})`
      : '';
    const records: CallRecordEntry[] = [];
    for (const owner of ['caller', 'callee'] as const) {
      const self = call[owner];
      const ending = outcome[owner];
      if (!self.userId || !ending) continue;
      const remote = owner === 'caller' ? call.callee : call.caller;
      records.push({
        id: randomUUID(),
        userId: self.userId,
        callId,
        direction: owner === 'caller' ? 'outgoing' : 'incoming',
        remoteParticipant: { id: remote.id, displayName: remote.displayName },
        media: { audio: true, video: call.video },
        startTime: call.startTime,
        answerTime: call.answerTime,
        endTime: now,
        duration,
        result: ending.result,
        statusCode: ending.transition.statusCode,
        reasonText: ending.transition.reasonText + forwarded,
      });
    }
    return records;
  }

  #store(
    callId: string,
    call: SipCall,
    now: number,
    outcome: { caller: Outcome; callee: Outcome },
  ) {
    return storeCallRecords(this.#o, callId, this.#records(callId, call, now, outcome), {});
  }

  /** Forgets the calls whose end never came. */
  #sweep(): void {
    const now = this.#o.clock.now();
    for (const [callId, call] of this.#calls)
      if (now - call.startTime > FORGET_MS) {
        this.#calls.delete(callId);
        this.#o.log.warn({ callId }, 'SIP call events: a call never ended; no record kept');
      }
  }
}
