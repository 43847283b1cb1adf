/**
 * The voicemail manager, a chunk of its own (`lazy.ts` loads it on first use): the seeds'
 * `voicemail.fetch()` over the gateway's mailbox, and what a user needs beyond the seeds:
 * recording a message (`MediaRecorder`), leaving it for someone, playing one (its audio as a
 * `Blob`), marking one heard, deleting one. The mailbox is kept in the state (`state.ts`), so
 * `get()` counts it synchronously; pushed `voicemail:new`, `voicemail:heard` and
 * `voicemail:removed` keep it current, each followed by `voicemail:change`.
 */
import { Routes, WireErrorCodes } from '../protocol/constants.js';
import {
  MAX_VOICEMAIL_BYTES,
  MAX_VOICEMAIL_DURATION_MS,
  VOICEMAIL_CONTENT_TYPES,
} from '../protocol/voicemail-limits.js';
import type {
  EventFrame,
  Voicemail,
  VoicemailLeaveResponse,
  VoicemailListResponse,
  VoicemailResponse,
} from '../protocol/schema.js';
import { restBaseUrl, restRequest } from '../backends/gateway/rest.js';
import { CommsError, ErrorCodes, asCommsError } from '../errors.js';
import type { FeatureContext } from '../feature.js';
import { VoicemailErrorCodes } from './errors.js';
import { voicemailIndicators, type VoicemailState } from './state.js';
import type {
  LeaveVoicemailOptions,
  RecordVoicemailOptions,
  RecordedVoicemail,
  VoicemailIndicators,
  VoicemailRecording,
} from './types.js';

/** The formats to record in, the first the browser can make (Chromium, Firefox, Safari). */
const RECORDING_TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4'];

const byNewest = (a: Voicemail, b: Voicemail) => b.createdAt - a.createdAt;

export class VoicemailManager {
  readonly #ctx: FeatureContext;
  readonly #token: () => Promise<string>;
  readonly #local: () => boolean;

  constructor(ctx: FeatureContext, token: () => Promise<string>, local: () => boolean) {
    this.#ctx = ctx;
    this.#token = token;
    this.#local = local;
  }

  /** The seeds' indicators, from the state. */
  get(): VoicemailIndicators {
    return voicemailIndicators(this.#state());
  }

  /** Reads the mailbox from the gateway (the seeds' `fetch`); emits `voicemail:change`. */
  async fetch(): Promise<VoicemailIndicators> {
    await this.list();
    return this.get();
  }

  /** Reads the mailbox from the gateway and answers it, newest first; emits `voicemail:change`. */
  async list(): Promise<Voicemail[]> {
    const { voicemails } = await this.#json<VoicemailListResponse>(Routes.VOICEMAILS);
    this.#set({ voicemails: [...voicemails].sort(byNewest), lastUpdated: this.#ctx.runtime.now() });
    return this.#state().voicemails;
  }

  /**
   * Leaves a voicemail for `destination` (a user id, username, email or number): `audio` is
   * the recording (`record()` makes one). Checks the gateway's limits first, so a recording
   * that would be refused is not uploaded.
   */
  async leave(
    destination: string,
    audio: Blob,
    options: LeaveVoicemailOptions,
  ): Promise<VoicemailLeaveResponse> {
    return this.#guard(async () => {
      if (typeof destination !== 'string' || !destination.trim())
        throw argument(
          'voicemail.leave(destination, audio, options): destination must name a user',
        );
      if (!(audio instanceof Blob))
        throw argument('voicemail.leave(destination, audio, options): audio must be a Blob');
      const durationMs = Math.round(options?.durationMs);
      if (!(durationMs >= 1 && durationMs <= MAX_VOICEMAIL_DURATION_MS))
        throw new CommsError(
          durationMs > MAX_VOICEMAIL_DURATION_MS
            ? WireErrorCodes.VOICEMAIL_TOO_LONG
            : WireErrorCodes.VOICEMAIL_EMPTY,
          `voicemail.leave: options.durationMs must be 1–${MAX_VOICEMAIL_DURATION_MS} ms; got ${String(options?.durationMs)}`,
        );
      if (!audio.size)
        throw new CommsError(
          WireErrorCodes.VOICEMAIL_EMPTY,
          'voicemail.leave: the recording is empty',
        );
      if (audio.size > MAX_VOICEMAIL_BYTES)
        throw new CommsError(
          WireErrorCodes.VOICEMAIL_TOO_LARGE,
          `voicemail.leave: a recording is at most ${MAX_VOICEMAIL_BYTES} bytes; this one has ${audio.size}`,
        );
      const essence = audio.type.split(';')[0]!.trim().toLowerCase();
      if (!(VOICEMAIL_CONTENT_TYPES as readonly string[]).includes(essence))
        throw new CommsError(
          WireErrorCodes.VOICEMAIL_UNSUPPORTED_TYPE,
          `voicemail.leave: the recording must be ${VOICEMAIL_CONTENT_TYPES.join(', ')}; got '${audio.type || 'no type'}'`,
        );
      const query = new URLSearchParams({ to: destination.trim(), durationMs: String(durationMs) });
      if (options.callId) query.set('callId', options.callId);
      const response = await this.#fetch(`${Routes.VOICEMAILS}?${query}`, {
        method: 'POST',
        body: audio,
        headers: { 'content-type': audio.type },
      });
      return (await response.json()) as VoicemailLeaveResponse;
    });
  }

  /** The recording of one of this user's voicemails. */
  async getAudio(id: string): Promise<Blob> {
    return this.#guard(async () => {
      checkId('getAudio', id);
      const response = await this.#fetch(`${Routes.VOICEMAILS}/${encodeURIComponent(id)}/audio`);
      return response.blob();
    });
  }

  /** Marks one of this user's voicemails heard; emits `voicemail:change`. */
  async markHeard(id: string): Promise<Voicemail> {
    checkId('markHeard', id, this.#ctx);
    const { voicemail } = await this.#json<VoicemailResponse>(
      `${Routes.VOICEMAILS}/${encodeURIComponent(id)}/heard`,
      'POST',
    );
    this.#apply(voicemail.id, (v) => ({ ...v, heardAt: voicemail.heardAt }));
    return voicemail;
  }

  /** Deletes one of this user's voicemails; emits `voicemail:change`. */
  async remove(id: string): Promise<void> {
    checkId('remove', id, this.#ctx);
    await this.#json(`${Routes.VOICEMAILS}/${encodeURIComponent(id)}`, 'DELETE');
    this.#apply(id, () => undefined);
  }

  /**
   * Starts recording a voicemail from the microphone. Resolves once recording has begun;
   * `stop()` gives the audio and its length for `leave()`. Rejects with
   * `voicemail:recordingFailed` without a microphone (or permission) or `MediaRecorder`.
   */
  async record(options: RecordVoicemailOptions = {}): Promise<VoicemailRecording> {
    return this.#guard(async () => {
      const max = Math.min(
        options.maxDurationMs ?? MAX_VOICEMAIL_DURATION_MS,
        MAX_VOICEMAIL_DURATION_MS,
      );
      if (!(max >= 1))
        throw argument('voicemail.record(options): maxDurationMs must be a positive number');
      const g = globalThis as typeof globalThis & { MediaRecorder?: typeof MediaRecorder };
      const Recorder = g.MediaRecorder;
      const devices = g.navigator?.mediaDevices;
      if (!Recorder || !devices?.getUserMedia)
        throw new CommsError(
          VoicemailErrorCodes.RECORDING_FAILED,
          'this browser cannot record audio (no MediaRecorder or getUserMedia)',
        );
      const mimeType = RECORDING_TYPES.find((t) => Recorder.isTypeSupported(t));
      if (!mimeType)
        throw new CommsError(
          VoicemailErrorCodes.RECORDING_FAILED,
          `this browser records none of ${RECORDING_TYPES.join(', ')}`,
        );
      const chosen = options.microphone ?? this.#ctx.store.getState().media.defaults.microphone;
      const audio: MediaTrackConstraints | boolean =
        typeof chosen === 'string' ? { deviceId: { exact: chosen } } : (chosen ?? true);
      let stream: MediaStream;
      try {
        stream = await devices.getUserMedia({ audio });
      } catch (cause) {
        throw new CommsError(
          VoicemailErrorCodes.RECORDING_FAILED,
          `the microphone could not be opened: ${(cause as Error)?.message ?? String(cause)}`,
          { cause },
        );
      }
      return startRecording(this.#ctx, new Recorder(stream, { mimeType }), stream, max);
    });
  }

  /** A `voicemail:*` event from the gateway: the mailbox changed; emits `voicemail:change`. */
  handleEvent(frame: EventFrame): void {
    if (frame.event === 'voicemail:new') {
      const { voicemail } = frame as EventFrame<'voicemail:new'>;
      const others = this.#state().voicemails.filter((v) => v.id !== voicemail.id);
      this.#set({ ...this.#state(), voicemails: [voicemail, ...others].sort(byNewest) });
    } else if (frame.event === 'voicemail:heard') {
      const { id, heardAt } = frame as EventFrame<'voicemail:heard'>;
      this.#apply(id, (v) => (v.heardAt === null ? { ...v, heardAt } : v));
    } else if (frame.event === 'voicemail:removed') {
      this.#apply((frame as EventFrame<'voicemail:removed'>).id, () => undefined);
    }
  }

  #state(): VoicemailState {
    return this.#ctx.store.getState().voicemail;
  }

  #set(voicemail: VoicemailState): void {
    this.#ctx.store.update((s) => ({ ...s, voicemail }));
    this.#ctx.emit('voicemail:change', this.get());
  }

  /** Replaces (or with undefined, removes) the voicemail `id`, if it is in the state. */
  #apply(id: string, change: (v: Voicemail) => Voicemail | undefined): void {
    const state = this.#state();
    if (!state.voicemails.some((v) => v.id === id)) return;
    const voicemails = state.voicemails.flatMap((v) => (v.id === id ? (change(v) ?? []) : [v]));
    this.#set({ ...state, voicemails });
  }

  /** Runs `work`; a failure is emitted as `voicemail:error` and thrown as a `CommsError`. */
  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      if (this.#local())
        throw new CommsError(
          VoicemailErrorCodes.NOT_SUPPORTED,
          'voicemail needs the gateway: the in-page hub (comms-kit/local) keeps no voicemail',
        );
      return await work();
    } catch (error) {
      throw fail(this.#ctx, error);
    }
  }

  /** A JSON request to the gateway with this user's token. */
  #json<T>(path: string, method: 'GET' | 'POST' | 'DELETE' = 'GET'): Promise<T> {
    return this.#guard(async () =>
      restRequest<T>(this.#ctx.runtime, this.#ctx.config(), path, {
        method,
        token: await this.#token(),
      }),
    );
  }

  /** A request whose body or answer is not JSON; the gateway's error bodies become CommsErrors. */
  async #fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const url = restBaseUrl(this.#ctx.config()) + path;
    const headers = { ...init.headers, authorization: `Bearer ${await this.#token()}` };
    let response: Response;
    try {
      response = await this.#ctx.runtime.fetch(url, { ...init, headers, credentials: 'omit' });
    } catch (cause) {
      throw new CommsError(ErrorCodes.NETWORK_ERROR, `could not reach the gateway at ${url}`, {
        cause,
      });
    }
    if (response.ok) return response;
    const body = (await response.json().catch(() => ({}))) as {
      error?: { code?: string; message?: string };
    };
    throw new CommsError(
      body.error?.code ?? ErrorCodes.PROTOCOL_ERROR,
      body.error?.message ?? `the gateway answered ${response.status} at ${path}`,
    );
  }
}

const argument = (message: string) => new CommsError(ErrorCodes.INVALID_ARGUMENT, message);

/** Emits `voicemail:error` for `error` and returns it as a `CommsError` to throw (once). */
function fail(ctx: FeatureContext, error: unknown): CommsError {
  const e = asCommsError(error);
  if (!reported.has(e)) {
    reported.add(e);
    ctx.emit('voicemail:error', { error: e.toJSON() });
  }
  return e;
}
const reported = new WeakSet<CommsError>();

function checkId(method: string, id: unknown, ctx?: FeatureContext): void {
  if (typeof id !== 'string' || !id) {
    const error = argument(`voicemail.${method}(id): id must be a voicemail's id`);
    throw ctx ? fail(ctx, error) : error;
  }
}

/** Records from `recorder` until stopped, cancelled or `max` ms; releases the microphone. */
function startRecording(
  ctx: FeatureContext,
  recorder: MediaRecorder,
  stream: MediaStream,
  max: number,
): Promise<VoicemailRecording> {
  const chunks: Blob[] = [];
  let startedAt = 0;
  let endedAt = 0;
  let cancelled = false;
  let timer: ReturnType<FeatureContext['runtime']['setTimeout']> | undefined;
  const stopped = new Promise<void>((resolve) => {
    recorder.addEventListener('stop', () => {
      endedAt ||= ctx.runtime.now();
      ctx.runtime.clearTimeout(timer);
      for (const track of stream.getTracks()) track.stop();
      resolve();
    });
  });
  recorder.addEventListener('dataavailable', (event) => {
    if (event.data.size) chunks.push(event.data);
  });
  const end = () => {
    if (recorder.state === 'inactive') return;
    endedAt = ctx.runtime.now();
    recorder.stop();
  };
  return new Promise<VoicemailRecording>((resolve, reject) => {
    recorder.addEventListener('start', () => {
      startedAt = ctx.runtime.now();
      timer = ctx.runtime.setTimeout(end, max);
      resolve({
        mimeType: recorder.mimeType,
        get state() {
          return recorder.state === 'inactive' ? 'stopped' : 'recording';
        },
        elapsed: () => (endedAt || ctx.runtime.now()) - startedAt,
        async stop(): Promise<RecordedVoicemail> {
          end();
          await stopped;
          if (cancelled)
            throw fail(
              ctx,
              new CommsError(ErrorCodes.CANCELLED, 'the recording was cancelled: record another'),
            );
          const type = recorder.mimeType || chunks[0]?.type || 'audio/webm';
          return {
            audio: new Blob(chunks, { type }),
            durationMs: Math.max(1, Math.min(max, endedAt - startedAt)),
          };
        },
        cancel() {
          cancelled = true;
          chunks.length = 0;
          end();
        },
      });
    });
    recorder.addEventListener('error', () => {
      for (const track of stream.getTracks()) track.stop();
      reject(new CommsError(VoicemailErrorCodes.RECORDING_FAILED, 'the recorder failed to start'));
    });
    try {
      // A chunk every second, so a recording stopped by a closing page still has most of it.
      recorder.start(1000);
    } catch (cause) {
      for (const track of stream.getTracks()) track.stop();
      reject(
        new CommsError(VoicemailErrorCodes.RECORDING_FAILED, 'the recorder could not start', {
          cause,
        }),
      );
    }
  });
}
