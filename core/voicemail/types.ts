/**
 * The `voicemail` namespace's types: the seeds' indicators, and comms-kit's additions (the
 * mailbox itself, leaving one, recording one).
 */
import type { Voicemail, VoicemailLeaveResponse } from '../protocol/schema.js';

export type { Voicemail, VoicemailLeaveResponse };

/** New, old and urgent counts of one kind of message (as in the seeds). */
export interface VoicemailCounts {
  /** Not heard yet. */
  new: number;
  /** Heard. */
  old: number;
  /** Urgent ones (comms-kit has no urgency: always 0). */
  urgent: number;
}

/** The seeds' voicemail data: what `voicemail.get()` answers and `voicemail:change` carries. */
export interface VoicemailIndicators {
  /** When the mailbox was last read from the server (ms since the epoch); 0: never. */
  lastUpdated: number;
  /** Whether there are voicemails not heard yet. */
  newMessagesWaiting: boolean;
  /** How many voicemails there are. */
  totalVoice: number;
  /** How many of them are not heard yet. */
  unheardVoice: number;
  voice: VoicemailCounts;
  /** Always zeros: the gateway keeps no fax. */
  fax: VoicemailCounts;
  /** Always zeros: the gateway keeps no multimedia messages. */
  multimedia: VoicemailCounts;
}

/** `voicemail.leave` options. */
export interface LeaveVoicemailOptions {
  /** The recording's length in milliseconds (`VoicemailRecording.stop()` gives it). */
  durationMs: number;
  /** The unanswered call it follows, if any. */
  callId?: string;
}

/** `voicemail.record` options. */
export interface RecordVoicemailOptions {
  /**
   * The microphone: a device id, or constraints. Default: the client's default microphone
   * (`media.setDefaultDevices`), else the browser's.
   */
  microphone?: string | MediaTrackConstraints;
  /** Stop by itself after this long (ms; default and most: 120,000, the gateway's limit). */
  maxDurationMs?: number;
}

/** What a recording gives when it stops. */
export interface RecordedVoicemail {
  /** The audio, as `MediaRecorder` made it (`audio/webm;codecs=opus` in Chromium and Firefox). */
  audio: Blob;
  durationMs: number;
}

/** A recording under way (`voicemail.record()`): its microphone is released when it stops. */
export interface VoicemailRecording {
  /** The recording's type. */
  readonly mimeType: string;
  /** `'recording'`, then `'stopped'` (stopped, by itself at the longest, or cancelled). */
  readonly state: 'recording' | 'stopped';
  /** Milliseconds recorded so far. */
  elapsed(): number;
  /** Stops (if still recording) and resolves with the recording. */
  stop(): Promise<RecordedVoicemail>;
  /** Stops and throws the recording away; `stop()` then rejects with `operation:cancelled`. */
  cancel(): void;
}
