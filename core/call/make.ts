/**
 * What the `call` namespace checks and records before the call engine is needed: the checks of
 * `make`'s media and of SDP handlers, and the object of a new outgoing call. Static code, so
 * the client can answer `make()` at once while the engine (`manager.ts`, loaded on demand by
 * `lazy-manager.ts`) is still on its way; the engine uses the same functions.
 */
import { CommsError, ErrorCodes } from '../errors.js';
import type { MediaRequest } from '../media/types.js';
import type { SdpHandlerFunction } from '../sdp/types.js';
import { mediaConnectionStates, states } from './states.js';
import type { CustomParameter, TransferLink } from './signalling.js';
import type { CallObject, MakeOptions } from './types.js';

/** Throws `argument:invalid` naming `method` when `media` asks for nothing usable. */
export function checkMedia(media: MediaRequest, method: string): void {
  if (!media || typeof media !== 'object')
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      `${method}(): media must be an object such as {audio: true}`,
    );
  if (!media.audio && !media.video && !media.screen && !media.medias?.length) {
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      `${method}(): ask for at least one of audio, video, screen or medias`,
    );
  }
}

/** Throws `argument:invalid` unless `handlers` is an array of functions (`setSdpHandlers`). */
export function checkSdpHandlers(handlers: SdpHandlerFunction[]): void {
  if (!Array.isArray(handlers) || handlers.some((h) => typeof h !== 'function')) {
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      'setSdpHandlers(handlers): handlers must be an array of functions',
    );
  }
}

/**
 * Throws `argument:invalid` naming `method` unless `params` is a list of at most 16
 * `{name, value}` strings (a name of 1 to 64 characters, a value of at most 1,024): what the
 * gateway takes.
 */
export function checkCustomParameters(params: unknown, method: string): CustomParameter[] {
  if (!Array.isArray(params) || params.length > 16)
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      `${method}(): custom parameters must be an array of at most 16 {name, value} objects`,
    );
  params.forEach((p: unknown, i) => {
    const { name, value } = (p ?? {}) as Partial<CustomParameter>;
    if (typeof name !== 'string' || name.length < 1 || name.length > 64)
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        `${method}(): custom parameter ${i} needs a name of 1 to 64 characters`,
      );
    if (typeof value !== 'string' || value.length > 1024)
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        `${method}(): custom parameter '${name}' needs a value of at most 1024 characters`,
      );
  });
  return params.map(({ name, value }: CustomParameter) => ({ name, value }));
}

/** The object of an outgoing call as `make` records it: Initiating, no media yet. */
export function outgoingCall(
  id: string,
  from: string,
  to: string,
  options: MakeOptions,
  startTime: number,
  transfer?: TransferLink,
): CallObject {
  return {
    id,
    direction: 'outgoing',
    from,
    to,
    state: states.INITIATING,
    mediaConnectionState: mediaConnectionStates.NEW,
    localHold: false,
    remoteHold: false,
    localTracks: [],
    remoteTracks: [],
    mediaOffered: null,
    remoteParticipant: { displayNumber: to, displayName: to },
    bandwidth: options.bandwidth ?? {},
    customParameters: options.customParameters ?? [],
    startTime,
    answerTime: null,
    endTime: null,
    transition: null,
    currentOperations: [],
    ...(transfer ? { transfer } : {}),
  };
}
