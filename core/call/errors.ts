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
