/**
 * The limits of a voicemail, which the gateway enforces and the core's voicemail manager checks
 * before uploading. A module of its own, apart from `constants.ts`, so that only the voicemail
 * manager's chunk carries them, not the core's initial load.
 */

/** Largest voicemail recording the gateway stores, in bytes (1 MiB). */
export const MAX_VOICEMAIL_BYTES = 1024 * 1024;
/** Longest voicemail, in milliseconds (2 minutes). */
export const MAX_VOICEMAIL_DURATION_MS = 120_000;
/** How many voicemails a mailbox holds; a full mailbox refuses new ones until some are deleted. */
export const VOICEMAIL_MAILBOX_SIZE = 100;
/**
 * The recordings the gateway accepts (MediaRecorder's formats: Chromium and Firefox record
 * `audio/webm` or `audio/ogg` with Opus, Safari `audio/mp4`), by their essence: parameters such
 * as `;codecs=opus` are allowed and not kept.
 */
export const VOICEMAIL_CONTENT_TYPES = [
  'audio/webm',
  'audio/ogg',
  'audio/mp4',
  'audio/wav',
] as const;
