/**
 * The call engine's report recorder (`call.getReport`; the constants and types are in
 * `report.ts`): fed by the engine's operations and call updates, it keeps each call's timeline
 * and the times of its first Ringing, Connected and connected media, and computes the metrics
 * when a report is asked for.
 */
import type { BasicError } from '../errors.js';
import {
  metrics,
  type CallReport,
  type MetricType,
  type ReportEvent,
  type ReportEventType,
  type ReportMetric,
} from './report.js';
import { mediaConnectionStates, states } from './states.js';
import type { CallObject } from './types.js';

/** What the recorder keeps of a call besides its `CallObject`. */
interface Recorded {
  timeline: ReportEvent[];
  ringingAt?: number;
  connectedAt?: number;
  mediaConnectedAt?: number;
}

/** The engine's recorder: fed by its operations and call updates, read by `getReport`. */
export class CallReports {
  readonly #records = new Map<string, Recorded>();

  #record(callId: string): Recorded {
    let record = this.#records.get(callId);
    if (!record) this.#records.set(callId, (record = { timeline: [] }));
    return record;
  }

  /** An operation started. */
  started(
    callId: string,
    type: ReportEventType,
    operationId: string,
    isLocal: boolean,
    now: number,
  ): void {
    this.#record(callId).timeline.push({ type, operationId, isLocal, start: now });
  }

  /** An operation finished (with `error` when it failed). */
  finished(callId: string, operationId: string, now: number, error?: BasicError): void {
    const event = this.#records.get(callId)?.timeline.find((e) => e.operationId === operationId);
    if (!event) return;
    event.end = now;
    if (error) event.error = error;
  }

  /** A call changed from `before` to `after` (the first Ringing, Connected, media connected). */
  changed(before: CallObject | undefined, after: CallObject, now: number): void {
    const record = this.#record(after.id);
    if (after.state !== before?.state) {
      if (after.state === states.RINGING) record.ringingAt ??= now;
      if (after.state === states.CONNECTED) record.connectedAt ??= now;
    }
    const media = after.mediaConnectionState;
    if (
      media !== before?.mediaConnectionState &&
      (media === mediaConnectionStates.CONNECTED || media === mediaConnectionStates.COMPLETED)
    )
      record.mediaConnectedAt ??= now;
  }

  /** The report of `call`, as of now. */
  report(call: CallObject): CallReport {
    const record = this.#records.get(call.id) ?? { timeline: [] };
    const start = call.startTime;
    const out: ReportMetric[] = [];
    const add = (type: MetricType, from: number | undefined, to: number | undefined) => {
      if (from !== undefined && to !== undefined && to >= from) out.push({ type, data: to - from });
    };
    if (call.endTime != null) add(metrics.CALL_DURATION, start, call.endTime);
    if (call.direction === 'outgoing') {
      add(metrics.TIME_TO_RINGING, start, record.ringingAt);
      add(metrics.TIME_TO_ANSWER, start, record.connectedAt);
    } else if (call.answerTime != null) {
      add(metrics.TIME_FROM_RECEIVE_TO_ANSWER, start, call.answerTime);
    }
    add(metrics.TIME_TO_MEDIA_CONNECTED, start, record.mediaConnectedAt);
    for (const event of record.timeline)
      if (event.isLocal && event.end !== undefined && !event.error)
        out.push({
          type: metrics.OPERATION_DURATION,
          data: event.end - event.start,
          operation: event.type,
          operationId: event.operationId,
        });
    return {
      callId: call.id,
      direction: call.direction,
      start,
      ...(call.endTime != null ? { end: call.endTime } : {}),
      timeline: record.timeline.map((e) => ({ ...e })),
      metrics: out,
    };
  }
}
