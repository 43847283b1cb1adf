/**
 * Call reports (the seeds' `call.getReport`, `call.reportEvents`, `call.metrics`): what
 * happened during a call and how long it took, for an application to log or show.
 *
 * The timeline holds one event per call operation (`call:operation`'s types: the seeds' report
 * events are its operations), with its start, its end and its error if it failed. The metrics
 * are computed from the timeline and the call's own times when the report is asked for, and only
 * for what succeeded (as in the seeds). Times are the client runtime's (`Date.now()`), in ms.
 *
 * The constants and types are here, static (the `call` namespace has them before the call
 * engine is here); the recorder (`recorder.ts`) is the engine's.
 */
import type { BasicError } from '../errors.js';
import type { CallObject } from './types.js';

/** `{NAME: 'NAME', …}` for each of `names` (each constant's value is its name). */
function named<const N extends string>(names: readonly N[]): { readonly [K in N]: K } {
  return Object.fromEntries(names.map((name) => [name, name])) as { readonly [K in N]: K };
}

/** The operations a call report records (the `type` of `call:operation` and of timeline events). */
export const reportEvents = named([
  'MAKE',
  'SEND_RINGING_FEEDBACK',
  'ANSWER',
  'IGNORE',
  'REJECT',
  'FORWARD',
  'END',
  'ADD_MEDIA',
  'REMOVE_MEDIA',
  'MEDIA_RESTART',
  'REPLACE_TRACK',
  'HOLD',
  'REMOTE_HOLD',
  'UNHOLD',
  'REMOTE_UNHOLD',
  'REMOTE_UPDATE',
  'PLAY_AUDIO',
  'JOIN',
  'SEND_CUSTOM_PARAMETERS',
  'SEND_DTMF',
  'DIRECT_TRANSFER',
  'CONSULTATIVE_TRANSFER',
]);

/** One of {@link reportEvents}. */
export type ReportEventType = (typeof reportEvents)[keyof typeof reportEvents];

/** The metrics a call report computes (ms). */
export const metrics = {
  /** From the call's start (made, or received) until it ended. */
  CALL_DURATION: 'CALL_DURATION',
  /** Outgoing: from `make` until the callee's device rang. */
  TIME_TO_RINGING: 'TIME_TO_RINGING',
  /** Outgoing: from `make` until the callee answered (Connected). */
  TIME_TO_ANSWER: 'TIME_TO_ANSWER',
  /** Incoming: from the call's arrival until this user answered it. */
  TIME_FROM_RECEIVE_TO_ANSWER: 'TIME_FROM_RECEIVE_TO_ANSWER',
  /** From the call's start until its media first connected. */
  TIME_TO_MEDIA_CONNECTED: 'TIME_TO_MEDIA_CONNECTED',
  /** Each successful local operation's duration, with `operation` naming it. */
  OPERATION_DURATION: 'OPERATION_DURATION',
} as const;

/** One of {@link metrics}. */
export type MetricType = (typeof metrics)[keyof typeof metrics];

/** An operation in a call's timeline. */
export interface ReportEvent {
  type: ReportEventType;
  /** The `call:operation` id. */
  operationId: string;
  /** Run by this side (false: handling the other side's renegotiation). */
  isLocal: boolean;
  start: number;
  /** When it finished; absent while it runs. */
  end?: number;
  /** Why it failed. */
  error?: BasicError;
}

/** A computed metric. */
export interface ReportMetric {
  type: MetricType;
  /** Milliseconds. */
  data: number;
  /** For `OPERATION_DURATION`: the operation. */
  operation?: ReportEventType;
  /** For `OPERATION_DURATION`: its `call:operation` id. */
  operationId?: string;
}

/** A call report (`call.getReport(callId)`). */
export interface CallReport {
  callId: string;
  direction: CallObject['direction'];
  /** When the call started (made, or received). */
  start: number;
  /** When it ended; absent while it goes on. */
  end?: number;
  timeline: ReportEvent[];
  metrics: ReportMetric[];
}
