/**
 * The in-page backend: several clients in one page reach each other through a hub (for
 * Storybook, offline demos and tests of one page). Calls go through its signalling, with real
 * RTCPeerConnections, by the gateway's rules: ring every device of the callee, the first answer
 * wins and the others stop, busy when the callee is in a call, no answer after a timeout,
 * cancel before answer; transfer as the gateway does it (the transferee calls the target; the
 * transferred calls end when that call is answered); forward of a ringing call to another user,
 * who rings with the caller's offer and the candidates it trickled (kept while it rings). Messaging, presence, contacts and the
 * directory go through sockets the hub hands out (`transport`), answered by the in-page
 * gateway (`gateway.ts`) with the gateway's protocol frames and rules.
 */
import { CommsError } from '../../errors.js';
import {
  Transitions,
  type CallForwarding,
  type CallSignalling,
  type CallTransition,
  type CandidateInit,
  type RemoteParty,
  type SignallingHandlers,
} from '../../call/signalling.js';
import type { Transport } from '../../transport/types.js';
import { forwardCall, type ForwardContext } from './forward.js';
import { createLocalGateway, type ConversationSeed, type LocalGatewayOptions } from './gateway.js';

export type { ConversationSeed } from './gateway.js';

/** Options of {@link createLocalHub}. */
export interface LocalHubOptions extends LocalGatewayOptions {
  /** Milliseconds an unanswered call rings before it ends with "no answer". Default 30000. */
  noAnswerTimeout?: number;
  /** Milliseconds each message takes to arrive (a little latency keeps ordering honest). Default 0. */
  latency?: number;
  /**
   * Allow every user in a call to receive another. Default false: busy, unless the device
   * registered with `multiCall` (the client's `call.multiCall`).
   */
  multiCall?: boolean;
}

/** Options of a device joining the hub. */
export interface LocalDeviceOptions {
  /** Read at each call: this device takes a second call while in one (rings, not busy). */
  multiCall?: () => boolean;
}

/** A registered device (exported for `forward.ts`). */
export interface Device {
  party: RemoteParty;
  handlers: SignallingHandlers | undefined;
  multiCall: () => boolean;
}

/** A live hub call (exported for `forward.ts`). */
export interface HubCall {
  id: string;
  caller: Device;
  callee: string;
  ringing: Device[];
  answered: Device | null;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** A transfer of this call under way. */
  transfer?: HubTransfer;
  /** The transfer this call carries out (the transferee's call to the target). */
  carries?: HubTransfer;
  /**
   * While it rings: the incoming call as the callee's devices got it and the candidates the
   * caller sent since (at most {@link MAX_HELD_CANDIDATES}), for a forward to hand on.
   */
  held?: {
    incoming: Parameters<SignallingHandlers['incoming']>[0];
    candidates: Array<CandidateInit | null>;
  };
  /** Its forwardings (`forward`), oldest first. */
  forwards: CallForwarding[];
}

/** The caller's candidates kept with a ringing call (as the gateway keeps them). */
const MAX_HELD_CANDIDATES = 32;

interface HubTransfer {
  id: string;
  /** The transferred call and the party who transfers it. */
  call: HubCall;
  by: Device;
  transferee: Device;
  /** The target user. */
  target: string;
  /** Consultative: the transferrer's call with the target (ended too on success). */
  replaces: HubCall | null;
  /** Until the transferee places the call: then the transfer fails (no answer timeout). */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** An in-page signalling hub. */
export interface LocalHub {
  /** Registers a device of user `party.id`; returns the signalling that client's engine uses. */
  register(
    party: RemoteParty,
    options?: LocalDeviceOptions,
  ): CallSignalling & { unregister(): void };
  /** Users with at least one registered device. */
  users(): string[];
  /**
   * Puts a user in the directory before any client joins as them, as an account exists before
   * its first login: messages to them are kept until they join.
   */
  addUser(party: RemoteParty): void;
  /** Sockets for `party`'s client: messaging, presence, contacts, directory (`useLocalBackend`). */
  transport(party: RemoteParty): Transport;
  /** Cuts every client's socket as a network failure would; the clients reconnect. */
  drop(): number;
  /** While false the hub is unreachable: sockets are cut and refused (calls are not affected). */
  setReachable(reachable: boolean): void;
  /**
   * Stores a conversation's history at once, as if it had been written before the page opened
   * (for stories and tests: long threads, messages of other days, unread counts). Each message
   * is stored as `message.send` stores it (next seq, a client id), with its own time; nothing
   * is pushed, so seed before the members' clients join (a client connected already learns it
   * at its next connection). Returns the conversation's id. Throws
   * `conversation:unknownDestination` for a member the hub does not know, `request:invalid` for
   * a sender or reader who is not a member.
   */
  seedConversation(seed: ConversationSeed): string;
}

export function createLocalHub(options: LocalHubOptions = {}): LocalHub {
  const devices = new Set<Device>();
  const calls = new Map<string, HubCall>();
  const noAnswer = options.noAnswerTimeout ?? 30000;
  const deliver = (fn: () => void) =>
    options.latency ? setTimeout(fn, options.latency) : queueMicrotask(fn);

  const gateway = createLocalGateway(options, deliver);

  const devicesOf = (id: string) => [...devices].filter((d) => d.party.id === id);
  const inCall = (id: string) =>
    [...calls.values()].some((c) => c.answered && (c.caller.party.id === id || c.callee === id));

  /** Presence shows both parties of an answered call on the phone. */
  function activity(call: HubCall, inCall: boolean): void {
    if (!call.answered) return;
    gateway.callActivity(call.caller.party.id, call.id, inCall);
    gateway.callActivity(call.answered.party.id, call.id, inCall);
  }

  function close(call: HubCall, transition: CallTransition, except?: Device): void {
    clearTimeout(call.timer);
    if (!calls.delete(call.id)) return;
    activity(call, false);
    if (call.transfer) {
      clearTimeout(call.transfer.timer);
      delete call.transfer.call.transfer;
    }
    const carried = call.carries;
    if (carried && !call.answered && carried.call.transfer === carried) {
      delete carried.call.transfer;
      deliver(() =>
        carried.by.handlers?.transferCompleted(carried.call.id, {
          code: 'call:transferFailed',
          message: `${carried.target} did not take the transferred call: ${transition.reasonText}`,
        }),
      );
    }
    const targets = new Set<Device>([call.caller, ...call.ringing]);
    if (call.answered) targets.add(call.answered);
    for (const device of targets) {
      if (device === except) continue;
      deliver(() => device.handlers?.ended(call.id, transition));
    }
  }

  /** The transfer `call` carries is done: tell the transferrer, end the transferred call(s). */
  function transferred(call: HubCall): void {
    const t = call.carries;
    if (!t || t.call.transfer !== t) return;
    delete t.call.transfer;
    deliver(() => t.by.handlers?.transferCompleted(t.call.id, null));
    close(t.call, Transitions.TRANSFERRED);
    if (t.replaces && calls.has(t.replaces.id)) close(t.replaces, Transitions.TRANSFERRED);
  }

  /** The answered call `callId` of which `device` is a party (caller or answering device). */
  function answeredCall(callId: string, device: Device): HubCall {
    const call = find(callId, device);
    if (call.caller !== device && call.answered !== device)
      throw new CommsError('call:unknown', `there is no call '${callId}' for this user`);
    if (!call.answered)
      throw new CommsError(
        'call:invalidState',
        `call '${callId}' is not answered: nothing to transfer`,
      );
    return call;
  }

  /** The other party of `device` in `call`, once the call has one. */
  function peer(call: HubCall, device: Device): Device | undefined {
    return device === call.caller ? (call.answered ?? undefined) : call.caller;
  }

  function find(callId: string, device: Device): HubCall {
    const call = calls.get(callId);
    if (
      !call ||
      (call.caller !== device && call.answered !== device && !call.ringing.includes(device))
    ) {
      throw new CommsError('call:unknown', `there is no call '${callId}' for this user`);
    }
    return call;
  }

  /** What `forward.ts` reaches of the hub. */
  const forwarding: ForwardContext = {
    find,
    devicesOf,
    inCall: (id) => !options.multiCall && inCall(id),
    deliver,
    ring: (call) => {
      clearTimeout(call.timer);
      call.timer = setTimeout(() => close(call, Transitions.NO_ANSWER), noAnswer);
    },
  };

  return {
    users: () => [...new Set([...devices].map((d) => d.party.id))],
    addUser: (party) => gateway.user(party),
    transport: (party) => ({ open: () => gateway.connect(party) }),
    drop: () => gateway.drop(),
    setReachable: (reachable) => gateway.setReachable(reachable),
    seedConversation: (seed) => gateway.seed(seed),
    register(party, deviceOptions = {}) {
      gateway.user(party);
      const device: Device = {
        party,
        handlers: undefined,
        multiCall: deviceOptions.multiCall ?? (() => false),
      };
      devices.add(device);
      const signalling: CallSignalling & { unregister(): void } = {
        setHandlers(handlers) {
          device.handlers = handlers;
        },
        unregister() {
          devices.delete(device);
          for (const call of [...calls.values()]) {
            if (call.caller === device || call.answered === device)
              close(call, Transitions.CONNECTION_LOST, device);
            else call.ringing = call.ringing.filter((d) => d !== device);
          }
        },
        async invite({ callId, to, sdp, media, displayName, customParameters, transfer }) {
          let carries: HubTransfer | undefined;
          if (transfer) {
            carries = calls.get(transfer.callId)?.transfer;
            if (
              carries?.id !== transfer.transferId ||
              carries.transferee !== device ||
              carries.target !== to ||
              carries.timer === undefined
            )
              throw new CommsError(
                'call:unknown',
                `there is no transfer '${transfer.transferId}' for this user`,
              );
            // Placed: from now on the new call's own ending decides.
            clearTimeout(carries.timer);
            carries.timer = undefined;
          }
          const reachable = devicesOf(to).filter(
            (d) => d !== device && (!carries?.replaces || d === peer(carries.replaces, carries.by)),
          );
          if (reachable.length === 0)
            throw new CommsError('call:unknownDestination', `'${to}' is not reachable`);
          // In a call, only the devices that take a second call ring; none: busy.
          const busyNow = !options.multiCall && !carries?.replaces && inCall(to);
          const targets = busyNow ? reachable.filter((d) => d.multiCall()) : reachable;
          const caller: Device = displayName
            ? { ...device, party: { ...device.party, displayName } }
            : device;
          const incoming = {
            callId,
            from: caller.party,
            sdp,
            media,
            customParameters,
            ...(carries
              ? {
                  transfer: {
                    referredBy: carries.by.party,
                    replaces: carries.replaces?.id ?? null,
                  },
                }
              : {}),
          };
          const call: HubCall = {
            id: callId,
            caller: device,
            callee: to,
            ringing: targets,
            answered: null,
            timer: undefined,
            ...(carries ? { carries } : {}),
            held: { incoming, candidates: [] },
            forwards: [],
          };
          calls.set(callId, call);
          if (targets.length === 0) {
            deliver(() => close(call, Transitions.BUSY));
            return { to: { id: to, displayName: reachable[0]!.party.displayName } };
          }
          forwarding.ring(call);
          for (const target of targets) deliver(() => target.handlers?.incoming(incoming));
          return { to: { id: to, displayName: targets[0]!.party.displayName } };
        },
        async ringing(callId) {
          const call = find(callId, device);
          deliver(() => call.caller.handlers?.ringing(callId));
        },
        async answer(callId, sdp, customParameters) {
          const call = find(callId, device);
          if (call.answered)
            throw new CommsError('call:alreadyAnswered', 'the call was answered on another device');
          clearTimeout(call.timer);
          call.answered = device;
          delete call.held;
          for (const other of call.ringing) {
            if (other !== device)
              deliver(() => other.handlers?.ended(callId, Transitions.ANSWERED_ELSEWHERE));
          }
          call.ringing = [];
          activity(call, true);
          deliver(() => call.caller.handlers?.answered(callId, sdp, customParameters));
          transferred(call);
        },
        async reject(callId) {
          close(find(callId, device), Transitions.REJECTED, device);
        },
        async end(callId) {
          const call = calls.get(callId);
          if (!call) return;
          const transition = call.answered
            ? Transitions.ENDED_REMOTELY
            : device === call.caller
              ? Transitions.CANCELLED
              : Transitions.REJECTED;
          close(call, transition, device);
        },
        async offer(callId, sdp, hold, customParameters) {
          const target = peer(find(callId, device), device);
          deliver(() => {
            target?.handlers?.offer(callId, sdp, hold);
            if (customParameters.length) target?.handlers?.parameters(callId, customParameters);
          });
        },
        async answerOffer(callId, sdp, customParameters) {
          const target = peer(find(callId, device), device);
          deliver(() => {
            target?.handlers?.answer(callId, sdp);
            if (customParameters.length) target?.handlers?.parameters(callId, customParameters);
          });
        },
        async parameters(callId, customParameters) {
          const call = find(callId, device);
          if (!call.answered)
            throw new CommsError(
              'request:invalid',
              `call '${callId}' is not answered yet: send custom parameters once it is connected`,
            );
          const target = peer(call, device);
          deliver(() => target?.handlers?.parameters(callId, customParameters));
        },
        async candidate(callId, candidate: CandidateInit | null) {
          const call = calls.get(callId);
          if (!call) return;
          if (
            device === call.caller &&
            call.held &&
            call.held.candidates.length < MAX_HELD_CANDIDATES
          )
            call.held.candidates.push(candidate);
          const targets =
            device === call.caller
              ? call.answered
                ? [call.answered]
                : call.ringing
              : [call.caller];
          for (const target of targets)
            deliver(() => target.handlers?.candidate(callId, candidate));
        },
        async forward(callId, destination) {
          return forwardCall(forwarding, device, callId, destination);
        },
        async transfer(callId, target) {
          const call = answeredCall(callId, device);
          const transferee = peer(call, device)!;
          let to: string;
          let replaces: HubCall | null = null;
          if ('otherCallId' in target) {
            replaces = answeredCall(target.otherCallId, device);
            if (replaces === call)
              throw new CommsError('argument:invalid', 'a call cannot be transferred to itself');
            to = peer(replaces, device)!.party.id;
          } else {
            to = target.destination;
            if (devicesOf(to).length === 0)
              throw new CommsError('call:unknownDestination', `'${to}' is not reachable`);
          }
          if (to === transferee.party.id || to === device.party.id)
            throw new CommsError(
              'call:invalidDestination',
              `'${to}' is already in the call: transfer to someone else`,
            );
          if (call.transfer)
            throw new CommsError(
              'call:transferPending',
              `call '${callId}' is being transferred already`,
            );
          const transfer: HubTransfer = {
            id: crypto.randomUUID(),
            call,
            by: device,
            transferee,
            target: to,
            replaces,
            // A transferee that never places the call: the transfer fails, the call goes on.
            timer: setTimeout(() => {
              if (call.transfer !== transfer) return;
              delete call.transfer;
              deliver(() =>
                device.handlers?.transferCompleted(callId, {
                  code: 'call:transferFailed',
                  message: `${transferee.party.displayName} did not call ${to}: the transfer timed out`,
                }),
              );
            }, noAnswer),
          };
          call.transfer = transfer;
          deliver(() =>
            transferee.handlers?.transferRequested(callId, {
              transferId: transfer.id,
              to,
              referredBy: device.party,
            }),
          );
        },
      };
      return signalling;
    },
  };
}
