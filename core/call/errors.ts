/** The call engine's stable error codes, and errors as its events carry them. */
import { CommsError, ErrorCodes, type BasicError } from '../errors.js';

/** Stable error codes of call operations. */
export const CallErrorCodes = {
  UNKNOWN_CALL: 'call:unknown',
  INVALID_STATE: 'call:invalidState',
  INVALID_DTMF: 'call:invalidDTMF',
  DTMF_UNAVAILABLE: 'call:dtmfUnavailable',
  NO_MEDIA: 'call:noMedia',
  NEGOTIATION_FAILED: 'call:negotiationFailed',
  ICE_COLLECTION_FAILED: 'call:iceCollectionFailed',
  NO_BACKEND: 'call:noBackend',
  TRANSFER_FAILED: 'call:transferFailed',
  AUDIO_FILE_FAILED: 'call:audioFileFailed',
} as const;

/** Any error as the `{code, message}` events carry. */
export function toBasic(error: unknown): BasicError {
  if (error instanceof CommsError) return error.toJSON();
  return { code: ErrorCodes.NETWORK_ERROR, message: (error as Error)?.message ?? String(error) };
}
