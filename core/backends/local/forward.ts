/**
 * The in-page hub's forward (`CallSignalling.forward`), by the gateway's rules. It reaches the
 * hub through {@link ForwardContext} and imports only types from `hub.ts`.
 */
import { CommsError } from '../../errors.js';
import { Transitions, type CallForwarding } from '../../call/signalling.js';
import type { Device, HubCall } from './hub.js';

/** How many times a call may be forwarded (as the gateway allows). */
const MAX_FORWARDS = 5;

/** What the forward uses of the hub. */
export interface ForwardContext {
  /** The call `device` takes part in (`call:unknown` otherwise). */
  find(callId: string, device: Device): HubCall;
  devicesOf(id: string): Device[];
  /** The user is busy: in an answered call, and the hub is not `multiCall`. */
  inCall(id: string): boolean;
  deliver(fn: () => void): void;
  /** (Re)starts the call's no-answer timeout. */
  ring(call: HubCall): void;
}

/**
 * `device`, ringing for `callId`, forwards it to `to`: the destination rings instead with the
 * caller's kept offer and candidates; the callee's other devices stop (302), the caller is told.
 */
export function forwardCall(
  hub: ForwardContext,
  device: Device,
  callId: string,
  to: string,
): CallForwarding {
  const call = hub.find(callId, device);
  if (device === call.caller)
    throw new CommsError(
      'request:invalid',
      'the caller cannot forward its own call: only a ringing callee can',
    );
  const held = call.held;
  if (call.answered || !call.ringing.includes(device) || !held)
    throw new CommsError(
      'call:invalidState',
      `call '${callId}' does not ring on this device: only a ringing call can be forwarded`,
    );
  if (call.forwards.length >= MAX_FORWARDS)
    throw new CommsError(
      'call:invalidState',
      `call '${callId}' was forwarded ${MAX_FORWARDS} times already: answer or reject it`,
    );
  if (to === call.callee || to === call.caller.party.id)
    throw new CommsError(
      'call:invalidDestination',
      `'${to}' is already in the call: forward it to someone else`,
    );
  const reachable = hub.devicesOf(to).filter((d) => d !== call.caller);
  if (reachable.length === 0)
    throw new CommsError('call:unknownDestination', `'${to}' is not reachable`);
  const targets = hub.inCall(to) ? reachable.filter((d) => d.multiCall()) : reachable;
  if (targets.length === 0)
    throw new CommsError('call:destinationBusy', `'${to}' is in a call: the call still rings here`);
  const forwarding: CallForwarding = {
    by: device.party,
    to: { id: to, displayName: targets[0]!.party.displayName },
  };
  const stopped = call.ringing.filter((d) => d !== device);
  call.callee = to;
  call.ringing = targets;
  call.forwards.push(forwarding);
  // Each destination rings for the full time.
  hub.ring(call);
  for (const other of stopped)
    hub.deliver(() => other.handlers?.ended(callId, Transitions.FORWARDED));
  hub.deliver(() => call.caller.handlers?.forwarded(callId, forwarding));
  // The destination rings with what the caller sent: the offer, then its candidates.
  const incoming = { ...held.incoming, forwarded: [...call.forwards] };
  const candidates = [...held.candidates];
  for (const target of targets) {
    hub.deliver(() => target.handlers?.incoming(incoming));
    for (const candidate of candidates)
      hub.deliver(() => target.handlers?.candidate(callId, candidate));
  }
  return forwarding;
}
