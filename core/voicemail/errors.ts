/**
 * The voicemail error codes the core makes itself. The gateway's refusals reach the client as
 * they are (`WireErrorCodes.VOICEMAIL_*`: `voicemail:notFound`, `voicemail:tooLarge`, …), and
 * the checks the core makes before uploading a recording use the same codes.
 */
export const VoicemailErrorCodes = {
  /** The client is on an in-page hub (`comms-kit/local`), which keeps no voicemail. */
  NOT_SUPPORTED: 'voicemail:notSupported',
  /** No microphone, or it was refused, or the browser has no `MediaRecorder`. */
  RECORDING_FAILED: 'voicemail:recordingFailed',
} as const;
