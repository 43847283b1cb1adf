/**
 * The in-page backend: several clients in one page reach each other through a hub (for
 * Storybook, offline demos and tests of one page). Calls go through its signalling, with real
 * RTCPeerConnections, by the gateway's rules: ring every device of the callee, the first answer
 * wins and the others stop, busy when the callee is in a call, no answer after a timeout,
 * cancel before answer. Messaging, presence, contacts and the directory go through sockets the
 * hub hands out (`transport`), answered by the in-page gateway (`gateway.ts`) with the
 * gateway's protocol frames and rules.
 */
import { CommsError } from '../../errors.js';
import {
  Transitions,
  type CallSignalling,
  type CallTransition,
  type CandidateInit,
  type RemoteParty,
  type SignallingHandlers,
} from '../../call/signalling.js';
import type { Transport } from '../../transport/types.js';
import { createLocalGateway, type LocalGatewayOptions } from './gateway.js';

/** Options of {@link createLocalHub}. */
export interface LocalHubOptions extends LocalGatewayOptions {
  /** Milliseconds an unanswered call rings before it ends with "no answer". Default 30000. */
  noAnswerTimeout?: number;
  /** Milliseconds each message takes to arrive (a little latency keeps ordering honest). Default 0. */
  latency?: number;
  /** Allow a user in a call to receive another. Default false (busy). */
  multiCall?: boolean;
}

interface Device {
  party: RemoteParty;
  handlers: SignallingHandlers | undefined;
}

interface HubCall {
  id: string;
  caller: Device;
  callee: string;
  ringing: Device[];
  answered: Device | null;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** An in-page signalling hub. */
export interface LocalHub {
  /** Registers a device of user `party.id`; returns the signalling that client's engine uses. */
  register(party: RemoteParty): CallSignalling & { unregister(): void };
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
    const targets = new Set<Device>([call.caller, ...call.ringing]);
    if (call.answered) targets.add(call.answered);
    for (const device of targets) {
      if (device === except) continue;
      deliver(() => device.handlers?.ended(call.id, transition));
    }
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

  return {
    users: () => [...new Set([...devices].map((d) => d.party.id))],
    addUser: (party) => gateway.user(party),
    transport: (party) => ({ open: () => gateway.connect(party) }),
    drop: () => gateway.drop(),
    setReachable: (reachable) => gateway.setReachable(reachable),
    register(party) {
      gateway.user(party);
      const device: Device = { party, handlers: undefined };
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
        async invite({ callId, to, sdp, media, displayName, customParameters }) {
          const targets = devicesOf(to).filter((d) => d !== device);
          if (targets.length === 0)
            throw new CommsError('call:unknownDestination', `'${to}' is not reachable`);
          const caller: Device = displayName
            ? { ...device, party: { ...device.party, displayName } }
            : device;
          const call: HubCall = {
            id: callId,
            caller: device,
            callee: to,
            ringing: targets,
            answered: null,
            timer: undefined,
          };
          calls.set(callId, call);
          if (!options.multiCall && inCall(to)) {
            deliver(() => close(call, Transitions.BUSY));
            return { to: { id: to, displayName: targets[0]!.party.displayName } };
          }
          call.timer = setTimeout(() => close(call, Transitions.NO_ANSWER), noAnswer);
          for (const target of targets) {
            deliver(() =>
              target.handlers?.incoming({
                callId,
                from: caller.party,
                sdp,
                media,
                customParameters,
              }),
            );
          }
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
          for (const other of call.ringing) {
            if (other !== device)
              deliver(() => other.handlers?.ended(callId, Transitions.ANSWERED_ELSEWHERE));
          }
          call.ringing = [];
          activity(call, true);
          deliver(() => call.caller.handlers?.answered(callId, sdp, customParameters));
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
        async offer(callId, sdp, hold) {
          const target = peer(find(callId, device), device);
          deliver(() => target?.handlers?.offer(callId, sdp, hold));
        },
        async answerOffer(callId, sdp) {
          const target = peer(find(callId, device), device);
          deliver(() => target?.handlers?.answer(callId, sdp));
        },
        async candidate(callId, candidate: CandidateInit | null) {
          const call = calls.get(callId);
          if (!call) return;
          const targets =
            device === call.caller
              ? call.answered
                ? [call.answered]
                : call.ringing
              : [call.caller];
          for (const target of targets)
            deliver(() => target.handlers?.candidate(callId, candidate));
        },
      };
      return signalling;
    },
  };
}
