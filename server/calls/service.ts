/**
 * Call signalling: the `call.*` request frames, routed between a call's parties only, and a
 * call record (CDR) per party when a call ends. The rules are the in-page hub's
 * (`core/backends/local/hub.ts`), with SIP-like status codes (`Transitions` in
 * `core/call/signalling.ts`):
 *
 * - `call.invite` (the caller makes the call id; a known id answers `call:exists`) finds the
 *   callee by username (or number, for `tel:` and E.164; the user part of a `sip:` URI), else
 *   `call:unknownDestination`. It rings every socket of the callee subscribed to `call`, other
 *   than the caller's own (`call:incoming`), and answers `{to}`. A callee in an answered call is
 *   busy (486) unless some device of theirs subscribed with `multiCall` (only those ring then);
 *   a callee with no such socket is not available (480); both
 *   arrive as `call:ended` after the reply. Unanswered, the call ends after the no-answer
 *   timeout (408, both sides).
 * - `call.ringing` → the caller gets `call:ringing`.
 * - `call.answer`: the first answer wins (`call:answered` to the caller; the other ringing
 *   devices get `call:ended` 200 "Answered on another device"); later ones get
 *   `call:alreadyAnswered`.
 * - `call.reject`, or `call.end` from a ringing device: 603 to the caller and the other devices.
 * - `call.end` from the caller before the answer: 487 to the ringing devices; after the answer,
 *   from either party: 200 "Ended by the other party" to the other one.
 * - `call.offer`, `call.answerOffer`, `call.parameters` (after the answer) and `call.candidate`
 *   go to the other party's device: the caller's candidates before the answer to every ringing
 *   device, after it to the answering one only.
 * - `call.transfer` (a party of an answered call; `destination` for a direct transfer, or
 *   `otherCallId`, another answered call of the same socket, for a consultative one) checks the
 *   target and sends the other party (the transferee) `call:transfer`; its client calls the
 *   target with an invite carrying the transfer (only that party, only to that target). When
 *   that call is answered the transferrer gets `call:transferred` and the transferred call(s)
 *   end (200 "Transferred"; the records say who it was transferred to); when it ends
 *   unanswered the transferrer gets `call:transferred` with `call:transferFailed` and the call
 *   is unharmed. For a consultative transfer the new call rings only the target's device in
 *   the replaced call, which takes it at once.
 * - `call.forward` (a ringing device of the callee, before the answer) sends the call on to
 *   `destination`, checked as an invite's callee: the call's callee and devices become the
 *   destination's, which ring with the caller's offer and the candidates the caller trickled
 *   so far (kept with the ringing call for this, up to {@link MAX_HELD_CANDIDATES}); the
 *   callee's other devices get 302, the caller `call:forwarded`. See {@link CallService.forward}.
 * - Only the call's own sockets may signal in it: any other socket, even the same user's, gets
 *   `call:unknown`, the same answer as for a call that does not exist.
 * - A party's socket that closes is away: its events wait in its mailbox, and its calls go on
 *   for the grace; when a socket of the same user subscribes to `call` with the same
 *   `clientCorrelator` (the device reconnected), it takes the device's place and gets what
 *   waited. A device still away after the grace is gone: a caller or answering device ends the
 *   call (408 to the other party), a ringing device stops ringing. A close the client will not
 *   follow with a reconnect (1000 its own disconnect, 4003 session revoked), or a socket that
 *   never subscribed, is gone at once.
 *
 * Events travel over the bus on the recipient's user channel (`call.event`), so the node that
 * holds the socket delivers them; the live calls are in a {@link CallStore}. Finding the
 * callee's sockets at invite reads this node's registry: several nodes need a shared directory
 * of call devices for that (see docs/architecture.md).
 */
import { randomUUID } from 'node:crypto';
import { FINAL_CLOSE_CODES, WireErrorCodes } from '../../core/protocol/constants.js';
import type { EventName, ReplyPayload, RequestFrame } from '../../core/protocol/schema.js';
import { Transitions, type CallTransition } from '../../core/call/signalling.js';
import { userChannel, type Bus, type BusMessage, type CallEventMessage } from '../bus/types.js';
import type { Clock, TimerHandle } from '../clock.js';
import { WireError } from '../errors.js';
import type {
  CallRecordEntry,
  CallResult,
  Storage,
  UserLookup,
  UserRecord,
} from '../storage/types.js';
import type { Connection } from '../ws/connection.js';
import type { PushOptions, WebSocketGateway } from '../ws/gateway.js';
import { storeCallRecords } from './records.js';
import {
  deviceKey,
  MemoryCallStore,
  type ActiveCall,
  type CallDevice,
  type CallStore,
  type CalleeDevice,
  type CallForward,
  MAX_HELD_CANDIDATES,
  type PendingTransfer,
  type QueuedEvent,
} from './store.js';

/** Pushes meant for the sockets that take calls. */
const CALLS: PushOptions = { service: 'call' };

/** What the other party sees when a party's device is gone for good. */
export const PARTY_LOST: CallTransition = {
  statusCode: 408,
  reasonText: 'The other party’s connection was lost',
};
/** What every party's record says when the gateway shut down during the call. */
export const SHUT_DOWN: CallTransition = { statusCode: 503, reasonText: 'The gateway shut down' };

/** How many times one call may be forwarded (`call.forward`; SIP's Max-Forwards, small). */
export const MAX_FORWARDS = 5;

/** How long events wait for a device that is away, ms (past the grace: it learns how it ended). */
export const MAILBOX_TTL_MS = 5 * 60_000;

/** Options of {@link CallService}. */
export interface CallServiceOptions {
  ws: WebSocketGateway;
  storage: Storage;
  bus: Bus;
  clock: Clock;
  /** Where live calls are kept. Default: in this process. */
  store?: CallStore;
  /**
   * The store is shared with other gateway nodes: {@link CallService.close} ends only the
   * calls with a device on this node's sockets, not every call in the store.
   */
  sharedStore?: boolean;
  /** How long an unanswered call rings, ms. */
  noAnswerTimeoutMs: number;
  /** How long a party's device has to come back after its socket closed, ms (0: none). */
  reconnectGraceMs: number;
  /** Told about failures that no client can be told about. */
  log: {
    error(details: Record<string, unknown>, message: string): void;
    debug(details: Record<string, unknown>, message: string): void;
  };
}

/** How a call ends: who is told what, and what each party's record says. */
interface Ending {
  /** What the caller's device is told (null: nothing, it ended the call itself). */
  toCaller: CallTransition | null;
  /** What the callee's ringing or answering devices are told (null: nothing). */
  toCallee: CallTransition | null;
  /** A callee device not to tell (the one that ended the call). */
  except?: string;
  caller: { result: CallResult; transition: CallTransition };
  callee: { result: CallResult; transition: CallTransition };
}

/** What a decision about a call comes to. */
type Decision = { end: Ending } | { update: ActiveCall } | { error: WireError } | { noop: true };

/** A socket's part in a call. */
type Role = { kind: 'caller'; device: CallDevice } | { kind: 'callee'; device: CalleeDevice };

const unknownCall = (callId: string) =>
  new WireError(
    WireErrorCodes.CALL_UNKNOWN,
    `there is no call '${callId}' for this device: only the sockets taking part in a call may signal in it`,
  );
const invalid = (message: string) => new WireError(WireErrorCodes.REQUEST_INVALID, message);

/** The id calls reach and clients show. */
export const publicId = (user: UserRecord): string =>
  user.username ?? user.number ?? user.email ?? user.id;

/** Which user a destination names: a username, a number (`tel:`, E.164), a `sip:` user part. */
export function destinationLookup(to: string): UserLookup[] {
  let value = to.trim();
  const sip = /^sips?:([^@;]+)@/i.exec(value);
  if (sip) value = sip[1]!;
  else if (/^tel:/i.test(value)) value = value.slice(4).split(';')[0]!;
  if (/^\+?[0-9]{7,15}$/.test(value))
    return [{ number: value.startsWith('+') ? value : `+${value}` }];
  if (value.includes('@')) return [{ email: value.toLowerCase() }];
  return [{ username: value.toLowerCase() }];
}

export class CallService {
  private readonly o: CallServiceOptions;
  private readonly store: CallStore;
  /** No-answer timers, by call id. */
  private readonly noAnswer = new Map<string, TimerHandle>();
  /** Grace timers, by call id and device key. */
  private readonly grace = new Map<string, TimerHandle>();
  /** Timers of transfers whose transferee has not placed the call yet, by transfer id. */
  private readonly transferTimers = new Map<string, TimerHandle>();
  private readonly unhook: Array<() => void> = [];
  private closed = false;

  constructor(options: CallServiceOptions) {
    this.o = options;
    this.store = options.store ?? new MemoryCallStore();
    const { ws } = options;
    ws.register({
      'call.invite': (conn, frame) => this.invite(conn, frame),
      'call.ringing': (conn, frame) => this.ringing(conn, frame),
      'call.answer': (conn, frame) => this.answer(conn, frame),
      'call.reject': (conn, frame) => this.reject(conn, frame),
      'call.end': (conn, frame) => this.end(conn, frame),
      'call.offer': (conn, frame) =>
        this.relay(conn, frame.callId, 'call:offer', {
          callId: frame.callId,
          sdp: frame.sdp,
          hold: frame.hold,
          ...(frame.customParameters && { customParameters: frame.customParameters }),
        }),
      'call.answerOffer': (conn, frame) =>
        this.relay(conn, frame.callId, 'call:answer', {
          callId: frame.callId,
          sdp: frame.sdp,
          ...(frame.customParameters && { customParameters: frame.customParameters }),
        }),
      'call.parameters': (conn, frame) =>
        this.relay(conn, frame.callId, 'call:parameters', {
          callId: frame.callId,
          customParameters: frame.customParameters,
        }),
      'call.candidate': (conn, frame) => this.candidate(conn, frame),
      'call.transfer': (conn, frame) => this.transfer(conn, frame),
      'call.forward': (conn, frame) => this.forward(conn, frame),
    });
    // Which sockets take calls, kept in the store so that every node can ring them.
    ws.subscriptions.onChange((conn, previous, next) => {
      if (this.closed) return;
      const has = !!next?.services.includes('call');
      if (!has && !previous?.services.includes('call')) return;
      const work = has
        ? this.store.setDevice({
            userId: conn.userId,
            connId: conn.id,
            correlator: next!.clientCorrelator,
            multiCall: next!.multiCall === true,
            expiresAt: next!.expiresAt,
          })
        : this.store.dropDevice(conn.userId, conn.id);
      work.catch(this.failed);
      return work;
    });
    this.unhook.push(
      ws.on('busMessage', (message) => this.onBusMessage(message)),
      ws.on('closed', (conn, code) => void this.onClosed(conn, code).catch(this.failed)),
      // After the subscribe reply has gone out: what waited follows it.
      ws.on('subscribed', (conn) =>
        setImmediate(() => void this.onSubscribed(conn).catch(this.failed)),
      ),
    );
  }

  /**
   * Ends every live call (records say 503) and stops; for shutdown. With a shared store, only
   * the calls in which a socket of this node takes part: the other nodes' calls go on.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const unhook of this.unhook) unhook();
    const mine = (c: ActiveCall) =>
      [c.caller.device, ...c.devices].some(
        (d) =>
          d.connId !== null && this.o.ws.registry.byUser(d.userId).some((s) => s.id === d.connId),
      );
    // A store that does not answer (Redis away) is logged, and the rest of the shutdown goes on:
    // the calls stay in it until a party ends them, as when a node dies.
    const live = await this.store.all().catch((error: unknown) => (this.failed(error), []));
    for (const call of live) {
      if (this.o.sharedStore && !mine(call)) continue;
      await this.finish(call.id, (c) => ({ end: shutDown(c) })).catch(this.failed);
    }
    // This node's sockets close: other nodes must not ring them any more.
    for (const conn of this.o.ws.registry.all())
      if (conn.subscription?.services.includes('call'))
        await this.store.dropDevice(conn.userId, conn.id).catch(this.failed);
    for (const timer of [
      ...this.noAnswer.values(),
      ...this.grace.values(),
      ...this.transferTimers.values(),
    ])
      timer.cancel();
    this.noAnswer.clear();
    this.grace.clear();
    this.transferTimers.clear();
  }

  /** The live calls (copies), for tests and diagnostics. */
  calls(): Promise<ActiveCall[]> {
    return this.store.all();
  }

  // ── requests ────────────────────────────────────────────────────────────────

  private async invite(
    conn: Connection,
    frame: RequestFrame<'call.invite'>,
  ): Promise<ReplyPayload<'call.invite'>> {
    const { storage, clock } = this.o;
    const exists = () =>
      new WireError(
        WireErrorCodes.CALL_EXISTS,
        `a call with id '${frame.callId}' exists already: make a new id for each call`,
      );
    if ((await this.store.get(frame.callId)) || (await storage.hasCallRecord(frame.callId)))
      throw exists();
    let callee: UserRecord | undefined;
    for (const lookup of destinationLookup(frame.to)) {
      callee = await storage.findUser(lookup);
      if (callee) break;
    }
    if (!callee)
      throw new WireError(
        WireErrorCodes.CALL_UNKNOWN_DESTINATION,
        `there is no user '${frame.to}' to call`,
      );
    const caller = await storage.findUser({ id: conn.userId });
    if (!caller) throw unknownCall(frame.callId);

    const carried = frame.transfer ? await this.carried(conn, frame.transfer, callee) : null;
    const inCall =
      !carried?.replaces && (await this.store.ofUser(callee.id)).some((c) => c.answerTime !== null);
    // In a call, only the devices that take a second call (subscribed with multiCall) ring.
    // The callee's devices on every node (those of a shared store), not only this one's.
    const targets = (await this.store.devicesOf(callee.id, clock.now())).filter(
      (d) =>
        d.connId !== conn.id &&
        (!inCall || d.multiCall) &&
        (!carried?.replacesConnId || d.connId === carried.replacesConnId),
    );
    const busy = inCall && targets.length === 0;
    const call: ActiveCall = {
      id: frame.callId,
      caller: {
        userId: caller.id,
        id: publicId(caller),
        displayName: frame.displayName || caller.displayName,
        device: this.deviceOf(conn),
      },
      callee: { userId: callee.id, id: publicId(callee), displayName: callee.displayName },
      devices: targets.map((d) => ({
        userId: d.userId,
        connId: d.connId,
        correlator: d.correlator,
        state: 'ringing' as const,
      })),
      media: frame.media,
      startTime: clock.now(),
      answerTime: null,
      offer: { sdp: frame.sdp, customParameters: frame.customParameters ?? [], candidates: [] },
      ...(carried
        ? {
            carries: {
              callId: frame.transfer!.callId,
              transferId: frame.transfer!.transferId,
              referredBy: carried.referredBy,
            },
            ...(carried.replaces ? { replaces: carried.replaces } : {}),
          }
        : {}),
    };
    if (!(await this.store.insert(call))) throw exists();
    if (call.carries) {
      const { callId, transferId } = call.carries;
      this.transferTimers.get(transferId)?.cancel();
      this.transferTimers.delete(transferId);
      await this.store.change(callId, (c) => {
        if (c.transfer?.id === transferId) c.transfer.placed = true;
        return { next: c, result: null };
      });
    }

    if (busy || !targets.length) {
      // After the reply, so the caller knows the call before it hears how it ended.
      const ending = busy ? endBusy(call) : endUnavailable(call);
      setImmediate(() => void this.finish(call.id, () => ({ end: ending })).catch(this.failed));
    } else {
      this.ringFor(call.id);
      for (const device of call.devices) await this.send(device, 'call:incoming', incoming(call));
    }
    return { to: { id: call.callee.id, displayName: call.callee.displayName } };
  }

  /** (Re)starts the call's no-answer timeout: unanswered when it fires, it ends (408). */
  private ringFor(callId: string): void {
    this.noAnswer.get(callId)?.cancel();
    this.noAnswer.set(
      callId,
      this.o.clock.setTimeout(() => {
        this.noAnswer.delete(callId);
        void this.finish(callId, (c) =>
          c.answerTime === null ? { end: endNoAnswer(c) } : { noop: true },
        ).catch(this.failed);
      }, this.o.noAnswerTimeoutMs),
    );
  }

  private async ringing(conn: Connection, frame: RequestFrame<'call.ringing'>) {
    const call = await this.party(conn, frame.callId);
    const role = roleOf(call, conn)!;
    if (role.kind === 'caller') throw invalid('the caller’s own device does not ring');
    if (role.device.state === 'ringing' && call.answerTime === null)
      await this.send(call.caller.device, 'call:ringing', { callId: call.id });
    return {};
  }

  private async answer(conn: Connection, frame: RequestFrame<'call.answer'>) {
    type Outcome = { error: WireError } | { call: ActiveCall; stopped: CalleeDevice[] };
    const outcome = await this.store.change<Outcome>(frame.callId, (call) => {
      const role = roleOf(call, conn);
      if (!role) return { next: call, result: { error: unknownCall(frame.callId) } };
      if (role.kind === 'caller')
        return { next: call, result: { error: invalid('the caller cannot answer its own call') } };
      if (call.answerTime !== null || role.device.state !== 'ringing')
        return {
          next: call,
          result: {
            error: new WireError(
              WireErrorCodes.CALL_ALREADY_ANSWERED,
              `call '${call.id}' was answered already${role.device.state === 'answered' ? ' on this device' : ' on another device'}`,
            ),
          },
        };
      const stopped = call.devices.filter((d) => d !== role.device && d.state === 'ringing');
      role.device.state = 'answered';
      for (const d of stopped) d.state = 'stopped';
      call.answerTime = this.o.clock.now();
      // Answered: nobody will be forwarded the offer any more.
      delete call.offer;
      return { next: call, result: { call, stopped } };
    });
    if (!outcome) throw unknownCall(frame.callId);
    if ('error' in outcome) throw outcome.error;
    const { call, stopped } = outcome;
    this.noAnswer.get(call.id)?.cancel();
    this.noAnswer.delete(call.id);
    await this.send(call.caller.device, 'call:answered', {
      callId: call.id,
      sdp: frame.sdp,
      customParameters: frame.customParameters ?? [],
    });
    for (const device of stopped)
      await this.send(device, 'call:ended', { callId: call.id, ...Transitions.ANSWERED_ELSEWHERE });
    await this.activity(call, true);
    if (call.carries) await this.transferDone(call, null);
    return {};
  }

  private async reject(conn: Connection, frame: RequestFrame<'call.reject'>) {
    return this.finish(
      frame.callId,
      (call) => {
        const role = roleOf(call, conn);
        if (!role) return { error: unknownCall(call.id) };
        if (role.kind === 'caller')
          return { error: invalid('the caller cannot reject its own call: send call.end') };
        if (role.device.state === 'stopped') return { noop: true };
        if (role.device.state === 'answered')
          return { error: invalid('the call is answered: send call.end to hang up') };
        return { end: endRejected(call, role.device) };
      },
      true,
    );
  }

  private async end(conn: Connection, frame: RequestFrame<'call.end'>) {
    return this.finish(
      frame.callId,
      (call) => {
        const role = roleOf(call, conn);
        if (!role) return { error: unknownCall(call.id) };
        if (role.kind === 'caller')
          return { end: call.answerTime === null ? endCancelled(call) : endHungUp(call, 'caller') };
        if (role.device.state === 'stopped') return { noop: true };
        if (role.device.state === 'ringing') return { end: endRejected(call, role.device) };
        return { end: endHungUp(call, 'callee', role.device) };
      },
      true,
    );
  }

  private async relay(
    conn: Connection,
    callId: string,
    event: 'call:offer' | 'call:answer' | 'call:parameters',
    payload: Record<string, unknown>,
  ) {
    const call = await this.party(conn, callId);
    const role = roleOf(call, conn)!;
    if (role.kind === 'callee' && role.device.state === 'stopped') throw unknownCall(callId);
    if (call.answerTime === null) {
      const what = event === 'call:parameters' ? 'send custom parameters' : 'renegotiate';
      throw invalid(`call '${callId}' is not answered yet: ${what} once it is connected`);
    }
    const peer =
      role.kind === 'caller'
        ? call.devices.find((d) => d.state === 'answered')
        : call.caller.device;
    if (peer) await this.send(peer, event, payload);
    return {};
  }

  private async candidate(conn: Connection, frame: RequestFrame<'call.candidate'>) {
    const call = await this.party(conn, frame.callId);
    const role = roleOf(call, conn)!;
    let targets: CallDevice[];
    if (role.kind === 'caller' && call.answerTime === null) {
      // Before the answer the caller's candidates are kept with the call (a forward hands them
      // on) and go to the ringing devices that have the offer; read and kept in one change.
      const devices = await this.store.change(call.id, (c) => {
        if (c.answerTime !== null)
          return { next: c, result: c.devices.filter((d) => d.state === 'answered') };
        const held = c.offer?.candidates;
        if (held && held.length < MAX_HELD_CANDIDATES) held.push(frame.candidate);
        return {
          next: c,
          result: c.devices.filter((d) => d.state === 'ringing' && !d.awaitingOffer),
        };
      });
      if (!devices) throw unknownCall(frame.callId);
      targets = devices;
    } else if (role.kind === 'caller') {
      targets = call.devices.filter((d) => d.state === 'answered');
    } else {
      targets = role.device.state === 'stopped' ? [] : [call.caller.device];
    }
    for (const target of targets)
      await this.send(target, 'call:candidate', {
        callId: call.id,
        candidate: frame.candidate,
      });
    return {};
  }

  private async transfer(conn: Connection, frame: RequestFrame<'call.transfer'>) {
    const { destination, otherCallId } = frame;
    if ((destination === undefined) === (otherCallId === undefined))
      throw invalid('call.transfer takes exactly one of destination and otherCallId');
    const call = await this.answeredParty(conn, frame.callId);
    const role = roleOf(call, conn)!;
    const transferee = role.kind === 'caller' ? call.callee : call.caller;
    let target: { userId: string; id: string };
    let replaces: string | null = null;
    if (otherCallId !== undefined) {
      if (otherCallId === call.id) throw invalid('a call cannot be transferred to itself');
      const other = await this.answeredParty(conn, otherCallId);
      const otherRole = roleOf(other, conn)!;
      const party = otherRole.kind === 'caller' ? other.callee : other.caller;
      target = { userId: party.userId, id: party.id };
      replaces = other.id;
    } else {
      let user: UserRecord | undefined;
      for (const lookup of destinationLookup(destination!)) {
        user = await this.o.storage.findUser(lookup);
        if (user) break;
      }
      if (!user)
        throw new WireError(
          WireErrorCodes.CALL_UNKNOWN_DESTINATION,
          `there is no user '${destination}' to transfer the call to`,
        );
      target = { userId: user.id, id: publicId(user) };
    }
    if (target.userId === transferee.userId || target.userId === conn.userId)
      throw new WireError(
        WireErrorCodes.CALL_INVALID_DESTINATION,
        `'${target.id}' is already in the call: transfer it to someone else`,
      );
    const transfer: PendingTransfer = {
      id: randomUUID(),
      by: role.kind,
      targetUserId: target.userId,
      targetId: target.id,
      replaces,
    };
    const outcome = await this.store.change<WireError | null>(call.id, (c) => {
      if (c.transfer)
        return {
          next: c,
          result: new WireError(
            WireErrorCodes.CALL_TRANSFER_PENDING,
            `call '${c.id}' is being transferred already`,
          ),
        };
      c.transfer = transfer;
      return { next: c, result: null };
    });
    if (outcome === undefined) throw unknownCall(call.id);
    if (outcome) throw outcome;
    // A transferee that never places the call (its client failed, or ignores the request):
    // the transfer fails after the no-answer timeout, and the call goes on.
    this.transferTimers.set(
      transfer.id,
      this.o.clock.setTimeout(() => {
        this.transferTimers.delete(transfer.id);
        void this.transferNotPlaced(call.id, transfer.id).catch(this.failed);
      }, this.o.noAnswerTimeoutMs),
    );
    const by = role.kind === 'caller' ? call.caller : call.callee;
    const peer =
      role.kind === 'caller'
        ? call.devices.find((d) => d.state === 'answered')
        : call.caller.device;
    if (peer)
      await this.send(peer, 'call:transfer', {
        callId: call.id,
        transferId: transfer.id,
        to: target.id,
        referredBy: {
          id: by.id,
          displayName: role.kind === 'caller' ? call.caller.displayName : call.callee.displayName,
        },
      });
    return {};
  }

  /**
   * `call.forward`: a ringing device of the callee sends the call on to `destination`. The
   * destination is checked as an invite checks its callee (unknown, busy, not available), and
   * may be neither the callee nor the caller. Then, in one change, the call's callee becomes the
   * destination and its devices the destination's; the callee's other devices are told 302
   * "Forwarded" and get a record each, the caller `call:forwarded`, and the destination's devices
   * `call:incoming` with the kept offer, then the kept candidates. The no-answer timeout starts
   * again (each destination rings for the full time), at most {@link MAX_FORWARDS} times a call.
   */
  private async forward(
    conn: Connection,
    frame: RequestFrame<'call.forward'>,
  ): Promise<ReplyPayload<'call.forward'>> {
    const { storage, clock } = this.o;
    const call = await this.party(conn, frame.callId);
    const role = roleOf(call, conn)!;
    if (role.kind === 'caller')
      throw invalid('the caller cannot forward its own call: only a ringing callee can');
    const notRinging = () =>
      new WireError(
        WireErrorCodes.CALL_INVALID_STATE,
        `call '${frame.callId}' does not ring on this device: only a ringing call can be forwarded`,
      );
    if (role.device.state !== 'ringing' || call.answerTime !== null) throw notRinging();
    if ((call.forwards?.length ?? 0) >= MAX_FORWARDS)
      throw new WireError(
        WireErrorCodes.CALL_INVALID_STATE,
        `call '${frame.callId}' was forwarded ${MAX_FORWARDS} times already: answer or reject it`,
      );
    let target: UserRecord | undefined;
    for (const lookup of destinationLookup(frame.destination)) {
      target = await storage.findUser(lookup);
      if (target) break;
    }
    if (!target)
      throw new WireError(
        WireErrorCodes.CALL_UNKNOWN_DESTINATION,
        `there is no user '${frame.destination}' to forward the call to`,
      );
    if (target.id === call.callee.userId || target.id === call.caller.userId)
      throw new WireError(
        WireErrorCodes.CALL_INVALID_DESTINATION,
        `'${publicId(target)}' is already in the call: forward it to someone else`,
      );
    const inCall = (await this.store.ofUser(target.id)).some((c) => c.answerTime !== null);
    const reachable = (await this.store.devicesOf(target.id, clock.now())).filter(
      (d) => d.connId !== call.caller.device.connId,
    );
    const targets = reachable.filter((d) => !inCall || d.multiCall);
    if (!targets.length)
      throw new WireError(
        inCall ? WireErrorCodes.CALL_DESTINATION_BUSY : WireErrorCodes.CALL_DESTINATION_UNAVAILABLE,
        inCall
          ? `'${publicId(target)}' is in a call: the call still rings here`
          : `'${publicId(target)}' has no device taking calls: the call still rings here`,
      );
    const to = { userId: target.id, id: publicId(target), displayName: target.displayName };
    type Outcome =
      { error: WireError } | { call: ActiveCall; forwarding: CallForward; stopped: CalleeDevice[] };
    const outcome = await this.store.change<Outcome>(call.id, (c) => {
      const device = roleOf(c, conn)?.device;
      if (!device || device === c.caller.device)
        return { next: c, result: { error: unknownCall(c.id) } };
      const mine = device as CalleeDevice;
      if (mine.state !== 'ringing' || c.answerTime !== null || !c.offer)
        return { next: c, result: { error: notRinging() } };
      const forwarding: CallForward = {
        by: { id: c.callee.id, displayName: c.callee.displayName },
        to: { id: to.id, displayName: to.displayName },
      };
      const stopped = c.devices.filter((d) => d !== mine && d.state === 'ringing');
      c.forwards = [...(c.forwards ?? []), forwarding];
      c.callee = to;
      c.devices = targets.map((d) => ({
        userId: d.userId,
        connId: d.connId,
        correlator: d.correlator,
        state: 'ringing' as const,
        awaitingOffer: true as const,
      }));
      return {
        next: c,
        result: { call: structuredClone(c), forwarding, stopped },
      };
    });
    if (!outcome) throw unknownCall(frame.callId);
    if ('error' in outcome) throw outcome.error;
    const { call: forwarded, forwarding, stopped } = outcome;
    this.ringFor(call.id);
    // The forwarding callee's record: their part of the call ends here.
    const now = clock.now();
    const transition = { ...Transitions.FORWARDED, reasonText: `Forwarded to ${to.displayName}` };
    await this.storeRecords(call.id, [
      {
        id: randomUUID(),
        userId: call.callee.userId,
        callId: call.id,
        direction: 'incoming',
        remoteParticipant: { id: call.caller.id, displayName: call.caller.displayName },
        media: call.media,
        startTime: call.startTime,
        answerTime: null,
        endTime: now,
        duration: 0,
        result: 'rejected',
        statusCode: transition.statusCode,
        reasonText: transition.reasonText,
      },
    ]);
    for (const device of stopped)
      await this.send(device, 'call:ended', { callId: call.id, ...Transitions.FORWARDED });
    await this.send(call.caller.device, 'call:forwarded', { callId: call.id, ...forwarding });
    // The destination rings with what the caller sent: the offer, then the kept candidates.
    for (const device of forwarded.devices)
      await this.send(device, 'call:incoming', incoming(forwarded));
    let sent = 0;
    for (;;) {
      const held = forwarded.offer!.candidates.slice(sent);
      for (const device of forwarded.devices)
        for (const candidate of held)
          await this.send(device, 'call:candidate', { callId: call.id, candidate });
      sent += held.length;
      // Candidates kept meanwhile are sent now; from then on they go straight to these devices.
      const more = await this.store.change(call.id, (c) => {
        const kept = c.offer?.candidates.length ?? sent;
        if (kept > sent) return { next: c, result: c.offer!.candidates.slice(0) };
        for (const d of c.devices) delete d.awaitingOffer;
        return { next: c, result: null };
      });
      if (!more) break;
      forwarded.offer!.candidates = more;
    }
    return {
      by: forwarding.by,
      to: forwarding.to,
    };
  }

  /**
   * Checks an invite that carries a transfer: the transferred call exists, is being transferred
   * with that id, `conn` is its transferee's device and `callee` its target.
   */
  private async carried(
    conn: Connection,
    link: { callId: string; transferId: string },
    callee: UserRecord,
  ): Promise<{
    referredBy: { id: string; displayName: string };
    replaces: string | null;
    replacesConnId: string | null;
  }> {
    const refused = new WireError(
      WireErrorCodes.CALL_UNKNOWN,
      `there is no transfer '${link.transferId}' of call '${link.callId}' for this device to carry out`,
    );
    const origin = await this.store.get(link.callId);
    const t = origin?.transfer;
    const role = origin && roleOf(origin, conn);
    if (!origin || !t || t.id !== link.transferId || t.placed || !role || role.kind === t.by)
      throw refused;
    if (t.targetUserId !== callee.id) throw refused;
    const by = t.by === 'caller' ? origin.caller : origin.callee;
    let replacesConnId: string | null = null;
    if (t.replaces) {
      const replaced = await this.store.get(t.replaces);
      if (!replaced) throw refused;
      const device =
        replaced.caller.userId === callee.id
          ? replaced.caller.device
          : replaced.devices.find((d) => d.state === 'answered');
      replacesConnId = device?.connId ?? null;
    }
    return {
      referredBy: { id: by.id, displayName: by.displayName },
      replaces: t.replaces,
      replacesConnId,
    };
  }

  /** The transferee did not place the call in time: the transfer fails, the call goes on. */
  private async transferNotPlaced(callId: string, transferId: string): Promise<void> {
    const origin = await this.store.change(callId, (c) => {
      if (c.transfer?.id !== transferId || c.transfer.placed) return { next: c, result: null };
      const result = structuredClone(c);
      delete c.transfer;
      return { next: c, result };
    });
    const t = origin?.transfer;
    if (!origin || !t) return;
    const device =
      t.by === 'caller' ? origin.caller.device : origin.devices.find((d) => d.state === 'answered');
    const transferee = t.by === 'caller' ? origin.callee : origin.caller;
    if (device)
      await this.send(device, 'call:transferred', {
        callId,
        error: {
          code: WireErrorCodes.CALL_TRANSFER_FAILED,
          message: `${transferee.displayName} did not call ${t.targetId}: the transfer timed out`,
        },
      });
  }

  /**
   * The transferee's call to the target was answered (`error` null) or ended unanswered: tell
   * the transferrer, and on success end the transferred call(s).
   */
  private async transferDone(call: ActiveCall, error: WireError | null): Promise<void> {
    const link = call.carries!;
    const transfer = await this.store.change(link.callId, (origin) => {
      const t = origin.transfer;
      if (t?.id !== link.transferId) return { next: origin, result: null };
      delete origin.transfer;
      return { next: origin, result: { t, origin } };
    });
    if (!transfer) return;
    const { t, origin } = transfer;
    const device =
      t.by === 'caller' ? origin.caller.device : origin.devices.find((d) => d.state === 'answered');
    if (device)
      await this.send(device, 'call:transferred', {
        callId: origin.id,
        ...(error ? { error: { code: error.code, message: error.message } } : {}),
      });
    if (error) return;
    const transferrer = origin[t.by];
    const transferee = t.by === 'caller' ? origin.callee : origin.caller;
    await this.finish(origin.id, () => ({
      end: endTransferred(t.by, call.callee.displayName, transferrer.displayName),
    }));
    if (t.replaces) {
      await this.finish(t.replaces, (c) => ({
        end: endTransferred(
          c.caller.userId === transferrer.userId ? 'caller' : 'callee',
          transferee.displayName,
          transferrer.displayName,
        ),
      }));
    }
  }

  // ── sockets coming and going ────────────────────────────────────────────────

  private async onClosed(conn: Connection, code: number): Promise<void> {
    if (this.closed) return;
    for (const call of await this.store.ofUser(conn.userId)) {
      const role = roleOf(call, conn);
      if (!role) continue;
      const { correlator } = role.device;
      const now = FINAL_CLOSE_CODES.includes(code) || !correlator || !this.o.reconnectGraceMs;
      if (now) {
        await this.gone(call.id, (c) => roleOf(c, conn)?.device);
        continue;
      }
      const key = deviceKey(conn.userId, correlator);
      const away = await this.store.change(call.id, (c) => {
        const device = roleOf(c, conn)?.device;
        if (device) device.connId = null;
        return { next: c, result: !!device };
      });
      if (!away) continue;
      const timerKey = `${call.id}\n${key}`;
      this.grace.get(timerKey)?.cancel();
      this.grace.set(
        timerKey,
        this.o.clock.setTimeout(() => {
          this.grace.delete(timerKey);
          void this.gone(call.id, (c) => awayDevice(c, conn.userId, correlator)).catch(this.failed);
        }, this.o.reconnectGraceMs),
      );
      this.o.log.debug({ callId: call.id, userId: conn.userId }, 'call device away');
    }
  }

  /** A socket subscribed: when it is a device of a call coming back, it takes its place. */
  private async onSubscribed(conn: Connection): Promise<void> {
    const sub = conn.subscription;
    if (this.closed || !sub?.services.includes('call')) return;
    const key = deviceKey(conn.userId, sub.clientCorrelator);
    for (const call of await this.store.ofUser(conn.userId)) {
      const moved = await this.store.change(call.id, (c) => {
        const devices = [c.caller.device, ...c.devices].filter(
          (d) => d.userId === conn.userId && d.correlator === sub.clientCorrelator,
        );
        for (const d of devices) d.connId = conn.id;
        return { next: c, result: devices.length > 0 };
      });
      if (!moved) continue;
      const timerKey = `${call.id}\n${key}`;
      this.grace.get(timerKey)?.cancel();
      this.grace.delete(timerKey);
      this.o.log.debug({ callId: call.id, userId: conn.userId }, 'call device back');
    }
    for (const { event, payload } of await this.store.dequeue(key, this.o.clock.now()))
      conn.event(event as EventName, payload as never);
  }

  /**
   * A device is gone for good: the caller or the answerer ends the call; a ringing one stops
   * ringing, and when it was the last one the call ends as not available (480).
   */
  private async gone(
    callId: string,
    which: (call: ActiveCall) => CallDevice | CalleeDevice | undefined,
  ): Promise<void> {
    await this.finish(callId, (call) => {
      const device = which(call);
      if (!device) return { noop: true };
      if (device === call.caller.device) return { end: endLost(call, 'caller') };
      const d = device as CalleeDevice;
      if (d.state === 'answered') return { end: endLost(call, 'callee') };
      d.state = 'stopped';
      d.connId = null;
      if (call.answerTime === null && !call.devices.some((x) => x.state === 'ringing'))
        return { end: endUnavailable(call) };
      return { update: call };
    });
  }

  // ── ending ──────────────────────────────────────────────────────────────────

  /**
   * Decides about a call atomically and carries the decision out: an ending removes the call,
   * tells the devices, writes the records and updates "in a call". With `strict`, a call that
   * does not exist answers `call:unknown`.
   */
  private async finish(
    callId: string,
    decide: (call: ActiveCall) => Decision,
    strict = false,
  ): Promise<Record<string, never>> {
    const decision = await this.store.change(callId, (call) => {
      const d = decide(call);
      return { next: 'end' in d ? null : 'update' in d ? d.update : call, result: { d, call } };
    });
    if (!decision) {
      if (strict) throw unknownCall(callId);
      return {};
    }
    const { d, call } = decision;
    if ('error' in d) throw d.error;
    if (!('end' in d)) return {};

    const ending = d.end;
    this.noAnswer.get(callId)?.cancel();
    this.noAnswer.delete(callId);
    if (call.transfer) {
      this.transferTimers.get(call.transfer.id)?.cancel();
      this.transferTimers.delete(call.transfer.id);
    }
    for (const [key, timer] of this.grace) {
      if (key.startsWith(`${callId}\n`)) {
        timer.cancel();
        this.grace.delete(key);
      }
    }
    const now = this.o.clock.now();
    const duration = call.answerTime === null ? 0 : Math.round((now - call.answerTime) / 1000);
    // A forwarded call: both records name who forwarded it (the callee is its last destination).
    const forwarded = call.forwards?.length
      ? ` (forwarded by ${call.forwards.map((f) => f.by.displayName).join(', then ')})`
      : '';
    const record = (owner: 'caller' | 'callee', outcome: Ending['caller']): CallRecordEntry => {
      const remote = owner === 'caller' ? call.callee : call.caller;
      return {
        id: randomUUID(),
        userId: owner === 'caller' ? call.caller.userId : call.callee.userId,
        callId,
        direction: owner === 'caller' ? 'outgoing' : 'incoming',
        remoteParticipant: { id: remote.id, displayName: remote.displayName },
        media: call.media,
        startTime: call.startTime,
        answerTime: call.answerTime,
        endTime: now,
        duration,
        result: outcome.result,
        statusCode: outcome.transition.statusCode,
        reasonText: outcome.transition.reasonText + forwarded,
      };
    };
    await this.storeRecords(callId, [
      record('caller', ending.caller),
      record('callee', ending.callee),
    ]);
    // After the records: a client told that the call ended finds it in its history.
    if (ending.toCaller)
      await this.send(call.caller.device, 'call:ended', { callId, ...ending.toCaller });
    if (ending.toCallee) {
      for (const device of call.devices) {
        if (device.state === 'stopped' || (ending.except && device.connId === ending.except))
          continue;
        await this.send(device, 'call:ended', { callId, ...ending.toCallee });
      }
    }
    if (call.answerTime !== null) await this.activity(call, false);
    if (call.carries && call.answerTime === null)
      await this.transferDone(
        call,
        new WireError(
          WireErrorCodes.CALL_TRANSFER_FAILED,
          `${call.callee.displayName} did not take the transferred call: ${ending.caller.transition.reasonText}`,
        ),
      );
    return {};
  }

  /** Stores call records and pushes each to its owner's sockets that take calls. */
  private storeRecords(callId: string, records: CallRecordEntry[]): Promise<void> {
    return storeCallRecords(this.o, callId, records, CALLS);
  }

  /** Publishes `call.activity` for the call's users whose "in an answered call" changed. */
  private async activity(call: ActiveCall, inCall: boolean): Promise<void> {
    for (const userId of new Set([call.caller.userId, call.callee.userId])) {
      const others = (await this.store.ofUser(userId)).filter(
        (c) => c.id !== call.id && c.answerTime !== null,
      );
      if (others.length) continue;
      await this.o.bus.publish(userChannel(userId), { type: 'call.activity', userId, inCall });
    }
  }

  // ── delivery ────────────────────────────────────────────────────────────────

  /** Sends an event to a device: over the bus to its socket, or to its mailbox while away. */
  private async send(
    device: CallDevice,
    event: Extract<EventName, `call:${string}`>,
    payload: Record<string, unknown>,
  ): Promise<void> {
    if (device.connId) {
      const message: CallEventMessage = {
        type: 'call.event',
        userId: device.userId,
        connIds: [device.connId],
        event,
        payload,
      };
      await this.o.bus.publish(userChannel(device.userId), message);
    } else if (device.correlator) {
      const event_: QueuedEvent = { event, payload };
      await this.store.enqueue(
        deviceKey(device.userId, device.correlator),
        event_,
        this.o.clock.now() + MAILBOX_TTL_MS,
      );
    }
  }

  private onBusMessage(message: BusMessage): void {
    if (message.type !== 'call.event') return;
    for (const conn of this.o.ws.registry.byUser(message.userId)) {
      if (message.connIds.includes(conn.id))
        conn.event(message.event as EventName, message.payload as never);
    }
  }

  // ── helpers ─────────────────────────────────────────────────────────────────

  /** The call, when `conn` takes part in it; `call:unknown` otherwise. */
  private async party(conn: Connection, callId: string): Promise<ActiveCall> {
    const call = await this.store.get(callId);
    if (!call || !roleOf(call, conn)) throw unknownCall(callId);
    return call;
  }

  /** The answered call in which `conn` is the caller or the answering device. */
  private async answeredParty(conn: Connection, callId: string): Promise<ActiveCall> {
    const call = await this.party(conn, callId);
    const role = roleOf(call, conn)!;
    if (role.kind === 'callee' && role.device.state !== 'answered') throw unknownCall(callId);
    if (call.answerTime === null)
      throw new WireError(
        WireErrorCodes.CALL_INVALID_STATE,
        `call '${callId}' is not answered: only a connected call can be transferred`,
      );
    return call;
  }

  private deviceOf(conn: Connection): CallDevice {
    return {
      userId: conn.userId,
      connId: conn.id,
      correlator: conn.subscription?.clientCorrelator ?? null,
    };
  }

  private readonly failed = (error: unknown) => {
    this.o.log.error({ err: error }, 'call handling failed');
  };
}

/** `call:incoming` for a ringing call: the caller's kept offer, the transfer or forwards it carries. */
function incoming(call: ActiveCall): Record<string, unknown> {
  return {
    callId: call.id,
    from: { id: call.caller.id, displayName: call.caller.displayName },
    sdp: call.offer!.sdp,
    media: call.media,
    customParameters: call.offer!.customParameters,
    ...(call.carries
      ? { transfer: { referredBy: call.carries.referredBy, replaces: call.replaces ?? null } }
      : {}),
    ...(call.forwards?.length ? { forwarded: call.forwards } : {}),
  };
}

/** The part `conn` plays in `call`, or null. */
function roleOf(call: ActiveCall, conn: Connection): Role | null {
  const mine = (d: CallDevice) => d.connId === conn.id && d.userId === conn.userId;
  if (mine(call.caller.device)) return { kind: 'caller', device: call.caller.device };
  const device = call.devices.find(mine);
  return device ? { kind: 'callee', device } : null;
}

/** The device of `userId` with `correlator` that is away, if any. */
function awayDevice(
  call: ActiveCall,
  userId: string,
  correlator: string,
): CallDevice | CalleeDevice | undefined {
  return [call.caller.device, ...call.devices].find(
    (d) => d.connId === null && d.userId === userId && d.correlator === correlator,
  );
}

// ── endings ──────────────────────────────────────────────────────────────────

const T = Transitions;

function endRejected(call: ActiveCall, by: CalleeDevice): Ending {
  return {
    toCaller: T.REJECTED,
    toCallee: T.REJECTED,
    except: by.connId ?? undefined,
    caller: { result: 'rejected', transition: T.REJECTED },
    callee: { result: 'rejected', transition: T.REJECTED },
  };
}

function endCancelled(_call: ActiveCall): Ending {
  return {
    toCaller: null,
    toCallee: T.CANCELLED,
    caller: { result: 'cancelled', transition: T.CANCELLED },
    callee: { result: 'missed', transition: T.CANCELLED },
  };
}

function endHungUp(_call: ActiveCall, by: 'caller' | 'callee', device?: CalleeDevice): Ending {
  const ender = { result: 'answered' as const, transition: T.ENDED };
  const other = { result: 'answered' as const, transition: T.ENDED_REMOTELY };
  return by === 'caller'
    ? { toCaller: null, toCallee: T.ENDED_REMOTELY, caller: ender, callee: other }
    : {
        toCaller: T.ENDED_REMOTELY,
        toCallee: null,
        except: device?.connId ?? undefined,
        caller: other,
        callee: ender,
      };
}

function endNoAnswer(_call: ActiveCall): Ending {
  return {
    toCaller: T.NO_ANSWER,
    toCallee: T.NO_ANSWER,
    caller: { result: 'noAnswer', transition: T.NO_ANSWER },
    callee: { result: 'missed', transition: T.NO_ANSWER },
  };
}

function endBusy(_call: ActiveCall): Ending {
  return {
    toCaller: T.BUSY,
    toCallee: null,
    caller: { result: 'busy', transition: T.BUSY },
    callee: { result: 'missed', transition: T.BUSY },
  };
}

function endUnavailable(_call: ActiveCall): Ending {
  return {
    toCaller: T.UNAVAILABLE,
    toCallee: null,
    caller: { result: 'noAnswer', transition: T.UNAVAILABLE },
    callee: { result: 'missed', transition: T.UNAVAILABLE },
  };
}

/** The caller's or the answering device is gone for good. */
function endLost(call: ActiveCall, who: 'caller' | 'callee'): Ending {
  const answered = call.answerTime !== null;
  const lost = { result: answered ? 'answered' : 'failed', transition: T.CONNECTION_LOST } as const;
  const other = { result: answered ? 'answered' : 'missed', transition: PARTY_LOST } as const;
  return who === 'caller'
    ? { toCaller: T.CONNECTION_LOST, toCallee: PARTY_LOST, caller: lost, callee: other }
    : {
        toCaller: PARTY_LOST,
        toCallee: T.CONNECTION_LOST,
        caller: { ...other, result: 'answered' },
        callee: { ...lost, result: 'answered' },
      };
}

/**
 * A transferred call ends for both parties as 200 "Transferred"; the records say to whom
 * (`to`) and, for the transferee (or the target, in a consultative transfer), by whom.
 */
function endTransferred(by: 'caller' | 'callee', to: string, byName: string): Ending {
  const mine = { ...T.TRANSFERRED, reasonText: `Transferred to ${to}` };
  const theirs = { ...T.TRANSFERRED, reasonText: `Transferred to ${to} by ${byName}` };
  return {
    toCaller: T.TRANSFERRED,
    toCallee: T.TRANSFERRED,
    caller: { result: 'answered', transition: by === 'caller' ? mine : theirs },
    callee: { result: 'answered', transition: by === 'caller' ? theirs : mine },
  };
}

function shutDown(call: ActiveCall): Ending {
  const answered = call.answerTime !== null;
  return {
    toCaller: SHUT_DOWN,
    toCallee: SHUT_DOWN,
    caller: { result: answered ? 'answered' : 'failed', transition: SHUT_DOWN },
    callee: { result: answered ? 'answered' : 'missed', transition: SHUT_DOWN },
  };
}
