/**
 * The call engine's rarely used operations: removing media (stopping the camera or a screen
 * share), replacing a track, DTMF, an audio file played into the call, stats, codecs, media
 * restart, transfer (both ways), join (a call of three, mixed here with WebAudio) and
 * complete-candidate ICE collection. They live in a chunk of
 * their own in the ES builds: `CallManager` starts loading it with the first call and awaits it
 * only when an operation runs before it arrived; once here, the operations run exactly as if
 * they were methods of the engine (checks, queueing and events in the same order). They reach
 * the engine through {@link Engine}, which only `CallManager` makes.
 */
import { CommsError, ErrorCodes, toBasic } from '../errors.js';
import type { FeatureContext } from '../feature.js';
import type { MediaManager } from '../media/manager.js';
import type { MediaRequest } from '../media/types.js';
import { normalizeDestination } from './destination.js';
import { CallErrorCodes } from './errors.js';
import {
  defaultIceCollectionCheck,
  type IceCollectionCheckResult,
  type IceCollectionInfo,
} from './ice.js';
import type { Pending, Session } from './manager.js';
import { isFinal, states, type CallState } from './states.js';
import {
  Transitions,
  type CallSignalling,
  type CallTransition,
  type SignallingError,
  type TransferLink,
  type TransferRequest,
  type TransferTarget,
} from './signalling.js';
import type { ReportEventType } from './report.js';
import type { CallObject, MakeOptions } from './types.js';

/** What these operations use of the engine (`CallManager`'s private members). */
export interface Engine {
  ctx: FeatureContext;
  media: MediaManager;
  getById(callId: string): CallObject | undefined;
  /** The call, or a `call:unknown` / `call:invalidState` error naming `method`. */
  require(
    callId: string,
    method: string,
    allowed?: CallState[],
    direction?: 'incoming' | 'outgoing',
  ): CallObject;
  /** The call's media connection (a `call:invalidState` error without one). */
  session(callId: string): Session;
  sessions: Map<string, Session>;
  signalling(): CallSignalling;
  checkMedia(media: MediaRequest, method: string): void;
  /** Runs `run` as the call's operation `type`, in turn (or at once, with `interrupt`). */
  operation<T>(
    callId: string,
    type: ReportEventType,
    run: () => Promise<T>,
    interrupt?: boolean,
  ): Promise<T>;
  patch(callId: string, patch: Partial<CallObject>): void;
  /** Registers the tracks the call now receives and announces what changed. */
  syncTracks(callId: string): void;
  renegotiate(callId: string, session: Session, operation: string, hold: boolean): Promise<void>;
  finish(callId: string, transition: CallTransition): void;
  start(
    to: string,
    media: MediaRequest,
    options: MakeOptions,
    transfer: { link: TransferLink; wire: { callId: string; transferId: string } },
  ): string;
  /** The media a call that takes over from `call` asks for. */
  mediaOf(call: CallObject): MediaRequest;
  /** Transfers under way, by call id: settled by the backend's `transferCompleted`. */
  transfers: Map<string, Pending<SignallingError | null>>;
  /** Joined calls, by id (`join`). */
  joins: Map<string, Join>;
  /** Adds a call to the state. */
  put(call: CallObject): void;
  /** Sets a remote description through the SDP handlers. */
  setRemote(callId: string, session: Session, type: 'offer' | 'answer', sdp: string): Promise<void>;
  /** Creates and sets a local description; returns the SDP to send. */
  describe(
    callId: string,
    session: Session,
    type: 'offer' | 'answer',
    operation: string,
  ): Promise<string>;
}

const DTMF = /^[0-9#*,]+$/;

/** Removes local tracks from a connected call. */
export async function removeMedia(
  engine: Engine,
  callId: string,
  trackIds: string[],
): Promise<void> {
  const call = engine.require(callId, 'removeMedia', [states.CONNECTED]);
  if (
    !Array.isArray(trackIds) ||
    trackIds.length === 0 ||
    trackIds.some((id) => !call.localTracks.includes(id))
  ) {
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      `removeMedia(): trackIds must be ids of this call's local tracks (${call.localTracks.join(', ') || 'none'})`,
    );
  }
  await engine.operation(callId, 'REMOVE_MEDIA', async () => {
    const session = engine.session(callId);
    for (const sender of session.pc.getSenders()) {
      if (sender.track && trackIds.includes(sender.track.id)) session.pc.removeTrack(sender);
    }
    await engine.renegotiate(callId, session, 'REMOVE_MEDIA', false);
    for (const id of trackIds) if (!engine.media.isDetached(id)) engine.media.dispose(id);
    engine.patch(callId, {
      localTracks: engine.getById(callId)!.localTracks.filter((id) => !trackIds.includes(id)),
    });
    engine.syncTracks(callId);
  });
}

/** Replaces a local track with a new one of the same kind, without renegotiating. */
export async function replaceTrack(
  engine: Engine,
  callId: string,
  trackId: string,
  media: MediaRequest,
): Promise<string> {
  const { media: manager } = engine;
  const call = engine.require(callId, 'replaceTrack', [
    states.CONNECTED,
    states.ON_HOLD,
    states.RINGING,
    states.INITIATED,
  ]);
  if (!call.localTracks.includes(trackId)) {
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      `replaceTrack(): '${trackId}' is not a local track of call ${callId}`,
    );
  }
  engine.checkMedia(media, 'replaceTrack');
  let newTrackId = '';
  await engine.operation(callId, 'REPLACE_TRACK', async () => {
    const session = engine.session(callId);
    const sender = session.pc.getSenders().find((s) => s.track?.id === trackId);
    const oldTrack = manager.getTrackById(trackId);
    const [track] = media.medias?.length
      ? [manager.getTrack(media.medias[0]!.media.tracks[0]!.id)!]
      : await manager.createTracks(media, callId);
    if (!sender || !track || !oldTrack)
      throw new CommsError(CallErrorCodes.NO_MEDIA, 'replaceTrack(): nothing to replace with');
    if (track.kind !== oldTrack.kind) {
      if (!manager.isDetached(track.id)) manager.dispose(track.id);
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        `replaceTrack(): a ${oldTrack.kind} track must be replaced by a ${oldTrack.kind} track`,
      );
    }
    manager.assign(track.id, callId);
    await sender.replaceTrack(track);
    newTrackId = track.id;
    engine.patch(callId, {
      localTracks: engine
        .getById(callId)!
        .localTracks.map((id) => (id === trackId ? track.id : id)),
    });
    if (!manager.isDetached(trackId)) manager.dispose(trackId);
    engine.ctx.emit('call:trackReplaced', { callId, newTrackId: track.id, oldTrack });
  });
  return newTrackId;
}

/** Sends DTMF tones over RTP (RFC 4733). Resolves when they have been played. */
export async function sendDTMF(
  engine: Engine,
  callId: string,
  tone: string,
  duration: number,
  intertoneGap: number,
): Promise<void> {
  engine.require(callId, 'sendDTMF', [states.CONNECTED, states.RINGING, states.EARLY_MEDIA]);
  if (typeof tone !== 'string' || !DTMF.test(tone)) {
    throw new CommsError(
      CallErrorCodes.INVALID_DTMF,
      `sendDTMF(): '${String(tone)}' has a character that is not a DTMF tone (0-9, *, #, ',')`,
    );
  }
  if (!Number.isFinite(duration) || duration < 40 || duration > 6000) {
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      'sendDTMF(): duration must be from 40 to 6000 ms',
    );
  }
  if (!Number.isFinite(intertoneGap) || intertoneGap < 30) {
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      'sendDTMF(): intertoneGap must be at least 30 ms',
    );
  }
  await engine.operation(callId, 'SEND_DTMF', async () => {
    const { pc } = engine.session(callId);
    const sender = pc.getSenders().find((s) => s.track?.kind === 'audio');
    const dtmf = sender?.dtmf;
    // DTMF needs the media transport up: right after answer it may still be connecting, and
    // canInsertDTMF can lag the connection state by a moment (it has no event: poll).
    if (dtmf && !dtmf.canInsertDTMF && ['new', 'connecting'].includes(pc.connectionState)) {
      await waitFor(
        pc,
        'connectionstatechange',
        () => !['new', 'connecting'].includes(pc.connectionState),
        10000,
      );
    }
    for (let waited = 0; dtmf && !dtmf.canInsertDTMF && waited < 3000; waited += 50) {
      if (pc.connectionState !== 'connected') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!dtmf || !dtmf.canInsertDTMF) {
      throw new CommsError(
        CallErrorCodes.DTMF_UNAVAILABLE,
        'sendDTMF(): the call has no audio that can carry DTMF (telephone-event not negotiated)',
      );
    }
    await new Promise<void>((resolve) => {
      const onTone = (event: RTCDTMFToneChangeEvent) => {
        if (event.tone) {
          engine.ctx.emit('call:dtmf', { callId, tone: event.tone });
        } else {
          dtmf.removeEventListener('tonechange', onTone);
          resolve();
        }
      };
      dtmf.addEventListener('tonechange', onTone);
      dtmf.insertDTMF(tone, duration, intertoneGap);
    });
  });
}

/** What `playAudioFile` tells once the file plays: its duration (seconds, as `Audio` reports it). */
export interface AudioFilePlaying {
  duration: number;
}

/**
 * Plays an audio file to the other party (`call.playAudioFile`, as in the seeds): for the
 * file's length the call's audio sender carries the file (read by the browser's `Audio`, through
 * WebAudio) instead of the microphone, then the call's local audio track again. This side does
 * not hear it. `playing` is told when the file starts. The other operations of the call are not
 * held up while it plays; a track replaced meanwhile (a new microphone) stays. If the call's own
 * track cannot be put back, it is ended (`media:trackEnded`), releasing the microphone.
 */
export async function playAudioFile(
  engine: Engine,
  callId: string,
  filePath: string,
  playing: (info: AudioFilePlaying) => void,
): Promise<void> {
  const call = engine.require(callId, 'playAudioFile', [states.CONNECTED]);
  if (typeof filePath !== 'string' || !filePath)
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      'playAudioFile(): filePath must be a path or URL of an audio file',
    );
  const audioId = call.localTracks.find((id) => engine.media.getTrackById(id)?.kind === 'audio');
  if (!audioId)
    throw new CommsError(
      CallErrorCodes.NO_MEDIA,
      `playAudioFile(): call ${callId} sends no audio to replace`,
    );
  await engine.operation(
    callId,
    'PLAY_AUDIO',
    async () => {
      const { pc } = engine.session(callId);
      const sender = pc.getSenders().find((s) => s.track?.kind === 'audio');
      if (!sender)
        throw new CommsError(CallErrorCodes.NO_MEDIA, 'playAudioFile(): no audio is sent');
      const audio = new Audio(filePath);
      audio.crossOrigin = 'anonymous';
      const context = new AudioContext();
      const output = context.createMediaStreamDestination();
      context.createMediaElementSource(audio).connect(output);
      const fileTrack = output.stream.getAudioTracks()[0]!;
      const ended = new Promise<void>((resolve, reject) => {
        audio.addEventListener('ended', () => resolve(), { once: true });
        audio.addEventListener(
          'error',
          () =>
            reject(
              new CommsError(
                CallErrorCodes.AUDIO_FILE_FAILED,
                `playAudioFile(): could not play '${filePath}' (${audio.error?.message || `media error ${audio.error?.code ?? ''}`})`,
              ),
            ),
          { once: true },
        );
      });
      try {
        await sender.replaceTrack(fileTrack);
        await Promise.race([audio.play(), ended]);
        playing({ duration: audio.duration });
        await Promise.race([ended, callEnded(engine, callId)]);
      } catch (error) {
        if (error instanceof CommsError) throw error;
        throw new CommsError(
          CallErrorCodes.AUDIO_FILE_FAILED,
          `playAudioFile(): could not play '${filePath}': ${(error as Error)?.message ?? String(error)}`,
          { cause: error },
        );
      } finally {
        audio.pause();
        await restoreAudio(engine, callId, sender, fileTrack);
        fileTrack.stop();
        void context.close();
      }
    },
    true,
  );
}

/** Rejects once the call has ended (its state final). */
function callEnded(engine: Engine, callId: string): Promise<never> {
  return new Promise((_, reject) => {
    const check = () => {
      if (!isFinal(engine.getById(callId)?.state ?? states.ENDED)) return false;
      unsubscribe();
      reject(
        new CommsError(
          CallErrorCodes.INVALID_STATE,
          `playAudioFile(): call ${callId} ended while the file played`,
        ),
      );
      return true;
    };
    const unsubscribe = engine.ctx.store.subscribe(() => void check());
    check();
  });
}

/**
 * Puts the call's local audio track back on `sender`, unless something else replaced the file
 * meanwhile. If that fails, the track is ended (the microphone released, `media:trackEnded`).
 */
async function restoreAudio(
  engine: Engine,
  callId: string,
  sender: RTCRtpSender,
  fileTrack: MediaStreamTrack,
): Promise<void> {
  if (sender.track !== fileTrack) return;
  const call = engine.getById(callId);
  const id = call?.localTracks.find((t) => engine.media.getTrackById(t)?.kind === 'audio');
  const track = id ? engine.media.getTrack(id) : undefined;
  if (!call || isFinal(call.state) || !track) return;
  try {
    await sender.replaceTrack(track);
  } catch (error) {
    engine.ctx.log.warn(`call ${callId}: could not put its audio back after a file`, error);
    engine.media.end(id!);
  }
}

/** A stats report of the call (or of one of its tracks). Also emitted as `call:statsReceived`. */
export async function getStats(
  engine: Engine,
  callId: string,
  trackId?: string,
): Promise<RTCStatsReport> {
  engine.require(callId, 'getStats');
  const session = engine.sessions.get(callId);
  try {
    if (!session)
      throw new CommsError(
        CallErrorCodes.INVALID_STATE,
        `getStats(): call ${callId} has no media connection`,
      );
    const track = trackId ? engine.media.getTrack(trackId) : null;
    if (trackId && !track)
      throw new CommsError('media:unknownTrack', `getStats(): no track '${trackId}'`);
    const result = await session.pc.getStats(track ?? null);
    engine.ctx.emit('call:statsReceived', { callId, trackId, result });
    return result;
  } catch (error) {
    engine.ctx.emit('call:statsReceived', { callId, trackId, error: toBasic(error) });
    throw error;
  }
}

/** The codecs this browser can send for `kind`. Also emitted as `call:availableCodecs`. */
export async function getAvailableCodecs(
  engine: Engine,
  kind: 'audio' | 'video',
): Promise<RTCRtpCodec[]> {
  if (kind !== 'audio' && kind !== 'video') {
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      `getAvailableCodecs(kind): kind must be 'audio' or 'video'; got '${String(kind)}'`,
    );
  }
  const codecs = RTCRtpSender.getCapabilities(kind)?.codecs ?? [];
  engine.ctx.emit('call:availableCodecs', { kind, codecs });
  return codecs;
}

/** Re-establishes a failed media connection with an ICE restart. */
export async function restartMedia(engine: Engine, callId: string): Promise<void> {
  engine.require(callId, 'restartMedia', [states.CONNECTED, states.ON_HOLD]);
  try {
    await engine.operation(callId, 'MEDIA_RESTART', async () => {
      const session = engine.session(callId);
      session.pc.restartIce();
      await engine.renegotiate(callId, session, 'MEDIA_RESTART', engine.getById(callId)!.localHold);
    });
    engine.ctx.emit('call:mediaRestart', { callId });
  } catch (error) {
    engine.ctx.emit('call:mediaRestart', { callId, error: toBasic(error) });
    throw error;
  }
}

// ── transfer ────────────────────────────────────────────────────────────────

/** `call.directTransfer` (see `CallManager.directTransfer`). */
export async function directTransfer(
  engine: Engine,
  callId: string,
  destination: string,
): Promise<void> {
  requireHeld(engine, callId, 'directTransfer');
  const normalize = engine.ctx.config().call?.normalizeDestination !== false;
  const to = normalizeDestination(destination, normalize);
  await engine.operation(callId, 'DIRECT_TRANSFER', () =>
    transfer(engine, callId, { destination: to }, []),
  );
}

/** `call.consultativeTransfer` (see `CallManager.consultativeTransfer`). */
export async function consultativeTransfer(
  engine: Engine,
  callId: string,
  otherCallId: string,
): Promise<void> {
  requireHeld(engine, callId, 'consultativeTransfer');
  requireHeld(engine, otherCallId, 'consultativeTransfer');
  if (callId === otherCallId)
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      'consultativeTransfer(): callId and otherCallId must be two different calls',
    );
  const work = transfer(engine, callId, { otherCallId }, [otherCallId]);
  await Promise.all([
    engine.operation(callId, 'CONSULTATIVE_TRANSFER', () => work),
    engine.operation(otherCallId, 'CONSULTATIVE_TRANSFER', () => work),
  ]);
}

/** Transfers `callId`; on success ends it and `alsoEnded` as transferred. */
async function transfer(
  engine: Engine,
  callId: string,
  target: TransferTarget,
  alsoEnded: string[],
): Promise<void> {
  const outcome = new Promise<SignallingError | null>((resolve, reject) =>
    engine.transfers.set(callId, { resolve, reject }),
  );
  try {
    await engine.signalling().transfer(callId, target);
    const error = await outcome;
    if (error) throw new CommsError(error.code, error.message);
  } finally {
    engine.transfers.delete(callId);
  }
  for (const id of [callId, ...alsoEnded]) engine.finish(id, Transitions.TRANSFERRED);
}

/** The other party transfers this call: this side calls the target (SIP REFER). */
export function transferRequested(engine: Engine, callId: string, request: TransferRequest): void {
  const call = engine.getById(callId);
  if (!call || isFinal(call.state)) return;
  engine.ctx.log.info(`call ${callId} is transferred to ${request.to} by ${request.referredBy.id}`);
  engine.start(
    request.to,
    engine.mediaOf(call),
    {},
    {
      link: { referredBy: request.referredBy, replaces: callId },
      wire: { callId, transferId: request.transferId },
    },
  );
}

function requireHeld(engine: Engine, callId: string, method: string): CallObject {
  const call = engine.require(callId, method, [states.ON_HOLD]);
  if (!call.localHold)
    throw new CommsError(
      CallErrorCodes.INVALID_STATE,
      `${method}(): call ${callId} must be held locally first (call.hold)`,
    );
  return call;
}

// ── complete candidates (trickleIceMode 'NONE') ─────────────────────────────

/** Waits until the ICE collection check says the candidates gathered so far will do. */
export async function collectIce(
  engine: Engine,
  callId: string,
  session: Session,
  operation: string,
): Promise<void> {
  const { ctx } = engine;
  const config = ctx.config().call ?? {};
  const check =
    config.iceCollectionCheckFunction ??
    engine.signalling().iceCollectionCheck ??
    defaultIceCollectionCheck;
  const timeouts = {
    iceCollectionIdealTimeout: config.iceCollectionIdealTimeout ?? 1000,
    iceCollectionMaxTimeout: config.iceCollectionMaxTimeout ?? 3000,
  };
  const { pc } = session;
  const started = ctx.runtime.now();
  await new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (error?: CommsError) => {
      clearTimeout(timer);
      pc.removeEventListener('icecandidate', onCandidate);
      pc.removeEventListener('icegatheringstatechange', onGathering);
      if (error) reject(error);
      else resolve();
    };
    const failed = (message: string) =>
      done(new CommsError(CallErrorCodes.ICE_COLLECTION_FAILED, message));
    const run = (reason: IceCollectionInfo['reason']) => {
      let result: IceCollectionCheckResult;
      try {
        result = check(
          {
            callId,
            callOperation: operation,
            reason,
            iceCandidates: [...session.candidates],
            iceCollectionDuration: ctx.runtime.now() - started,
            iceGatheringState: pc.iceGatheringState,
            rtcPeerConnectionConfig: pc.getConfiguration(),
            rtcLocalSessionDescription: pc.localDescription?.sdp ?? '',
          },
          timeouts,
        );
      } catch (cause) {
        failed(`the ICE collection check threw: ${(cause as Error).message}`);
        return;
      }
      if (result?.type === 'StartCall') done();
      else if (result?.type === 'Error')
        failed(String(result.error ?? 'the ICE collection check refused the candidates'));
      else if (result?.type === 'Wait') {
        clearTimeout(timer);
        if (result.wait !== undefined)
          timer = setTimeout(() => run('Scheduled'), Math.max(0, result.wait));
      } else failed('the ICE collection check returned no valid result');
    };
    const onCandidate = () => run('NewCandidate');
    const onGathering = () => run('IceGatheringStateChanged');
    pc.addEventListener('icecandidate', onCandidate);
    pc.addEventListener('icegatheringstatechange', onGathering);
    run('Scheduled');
  });
}

/** Resolves when `done()` holds after an `event` on `target` (or at once), or after `ms`. */
function waitFor(
  target: EventTarget,
  event: string,
  done: () => boolean,
  ms: number,
): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      target.removeEventListener(event, check);
      resolve();
    };
    const check = () => {
      if (done()) finish();
    };
    const timer = setTimeout(finish, ms);
    target.addEventListener(event, check);
    check();
  });
}

// ── join ────────────────────────────────────────────────────────────────────

/** Why the calls a join took over ended (`call:stateChange`'s transition). */
export const JOINED: CallTransition = { statusCode: 200, reasonText: 'Joined' };

/**
 * A joined call as the engine sees it: its previous calls ("legs", ids of calls now ended for
 * the API whose connections go on) and what their messages do now.
 */
export interface Join {
  /** The legs still running. */
  legs: string[];
  /** A leg's remote party hung up: stop mixing into it; the last one ends the joined call. */
  ended(legId: string, transition: CallTransition): void;
  /** A leg's remote party renegotiates (hold, ICE restart): answered, audio only. */
  offer(legId: string, sdp: string): Promise<void>;
  /** The joined call ends: stop mixing, close the legs' connections. */
  close(): void;
}

/** One leg of a joined call in the mixer. */
interface Leg {
  id: string;
  session: Session;
  /** What it receives from its remote party: mixed into the other legs. */
  source: MediaStreamAudioSourceNode;
  /** What it sends: the microphone and the other legs' remote audio. */
  mix: MediaStreamAudioDestinationNode;
  /** Plays the remote audio, muted: Chromium feeds remote WebRTC audio to WebAudio only then. */
  player: HTMLAudioElement;
}

/** `call.join` (see `CallManager.join`). */
export async function join(engine: Engine, callId: string, otherCallId: string): Promise<string> {
  const first = requireHeld(engine, callId, 'join');
  const second = requireHeld(engine, otherCallId, 'join');
  if (callId === otherCallId)
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      'join(): callId and otherCallId must be two different calls',
    );
  const joinedId = crypto.randomUUID();
  const work = mixCalls(engine, joinedId, [first, second]).catch((error: unknown) => {
    engine.ctx.emit('call:join', { callId, error: toBasic(error) });
    throw error;
  });
  await Promise.all([
    engine.operation(callId, 'JOIN', () => work),
    engine.operation(otherCallId, 'JOIN', () => work),
  ]);
  return joinedId;
}

/**
 * Joins two held calls: this browser mixes (WebAudio): each leg sends the microphone plus the
 * other leg's remote audio (`replaceTrack`, no renegotiation for that), video stops, and each
 * leg is taken off hold (the remote party sees a remote unhold). Then the two calls end for
 * the API (`Joined`) while their connections go on, and the joined call stands for them.
 */
async function mixCalls(engine: Engine, joinedId: string, calls: CallObject[]): Promise<void> {
  const { media } = engine;
  const sessions = calls.map((c) => engine.session(c.id));
  const audioOf = (session: Session) =>
    session.pc.getTransceivers().filter((t) => t.receiver.track.kind === 'audio');
  // The microphone: the first call's (or the other's, or a new one if neither had one).
  let mic = calls
    .flatMap((c) => c.localTracks)
    .map((id) => media.getTrack(id))
    .find((t): t is MediaStreamTrack => t?.kind === 'audio');
  const remotes = sessions.map((session, i) => {
    const remote = audioOf(session)[0]?.receiver.track;
    if (!remote)
      throw new CommsError(
        CallErrorCodes.NO_MEDIA,
        `join(): call ${calls[i]!.id} carries no audio`,
      );
    return remote;
  });
  const created = !mic;
  if (!mic) [mic] = await media.createTracks({ audio: true }, joinedId);
  if (!mic) throw new CommsError(CallErrorCodes.NO_MEDIA, 'join(): no microphone to mix');
  const context = new AudioContext();
  const legs: Leg[] = calls.map((call, i) => {
    const session = sessions[i]!;
    const remote = remotes[i]!;
    const player = new Audio();
    player.muted = true;
    player.srcObject = new MediaStream([remote]);
    void player.play().catch(() => undefined);
    return {
      id: call.id,
      session,
      source: context.createMediaStreamSource(new MediaStream([remote])),
      mix: context.createMediaStreamDestination(),
      player,
    };
  });
  const microphone = context.createMediaStreamSource(new MediaStream([mic]));
  for (const leg of legs) {
    microphone.connect(leg.mix);
    for (const other of legs) if (other !== leg) other.source.connect(leg.mix);
  }
  const stopLeg = (leg: Leg) => {
    leg.source.disconnect();
    leg.player.srcObject = null;
    for (const track of leg.mix.stream.getTracks()) track.stop();
  };
  const stopAll = () => {
    for (const leg of legs) stopLeg(leg);
    microphone.disconnect();
    void context.close().catch(() => undefined);
  };
  // What each leg sent before, to put back if the join fails.
  const before = sessions.map((s) =>
    s.pc.getTransceivers().map((t) => [t, t.sender.track] as const),
  );
  const unheld: string[] = [];
  try {
    await context.resume();
    await Promise.all(
      legs.map(async (leg) => {
        for (const t of leg.session.pc.getTransceivers()) {
          if (t.currentDirection === 'stopped') continue;
          const audio = t.receiver.track.kind === 'audio';
          // One audio sender carries the mix; any other sender (video, a second audio) stops.
          await t.sender.replaceTrack(
            audio && t === audioOf(leg.session)[0] ? leg.mix.stream.getAudioTracks()[0]! : null,
          );
          t.direction = audio ? 'sendrecv' : 'inactive';
        }
        await engine.renegotiate(leg.id, leg.session, 'JOIN', false);
        unheld.push(leg.id);
      }),
    );
  } catch (error) {
    // Put the calls back as they were: held, sending their own media.
    stopAll();
    if (created) media.dispose(mic.id);
    await Promise.all(
      legs.map(async (leg, i) => {
        for (const [t, track] of before[i]!) {
          await t.sender.replaceTrack(track).catch(() => undefined);
          if (t.currentDirection !== 'stopped') t.direction = 'inactive';
        }
        if (unheld.includes(leg.id))
          await engine.renegotiate(leg.id, leg.session, 'JOIN', true).catch(() => undefined);
      }),
    );
    throw error;
  }

  // The joined call: the microphone, and what each leg receives (audio only).
  const remoteTracks = legs.map((leg) => audioOf(leg.session)[0]!.receiver.track.id);
  const firstCall = calls[0]!;
  const now = engine.ctx.runtime.now();
  const { transfer: _transfer, ...base } = firstCall;
  engine.put({
    ...base,
    id: joinedId,
    direction: 'outgoing',
    from: firstCall.direction === 'outgoing' ? firstCall.from : firstCall.to,
    to: firstCall.remoteParticipant.displayNumber,
    state: states.CONNECTED,
    localHold: false,
    remoteHold: false,
    localTracks: [mic.id],
    remoteTracks,
    mediaOffered: null,
    bandwidth: {},
    startTime: now,
    answerTime: now,
    endTime: null,
    transition: null,
    currentOperations: [],
    joined: {
      callIds: calls.map((c) => c.id),
      participants: calls.map((c) => c.remoteParticipant),
    },
  });
  for (const id of [mic.id, ...remoteTracks]) media.assign(id, joinedId);
  // Everything else the calls had (the other microphone, cameras, remote video) goes.
  for (const call of calls) {
    for (const id of call.localTracks)
      if (id !== mic.id && !media.isDetached(id)) media.dispose(id);
    for (const id of call.remoteTracks) if (!remoteTracks.includes(id)) media.dispose(id);
  }

  const join: Join = {
    legs: legs.map((leg) => leg.id),
    ended(legId, transition) {
      const leg = legs.find((l) => l.id === legId);
      if (!leg || !join.legs.includes(legId)) return;
      join.legs = join.legs.filter((id) => id !== legId);
      stopLeg(leg);
      leg.session.pc.close();
      engine.sessions.delete(legId);
      if (join.legs.length === 0) {
        engine.finish(joinedId, transition);
        return;
      }
      const call = engine.getById(joinedId)!;
      const gone = audioOf(leg.session)[0]!.receiver.track.id;
      const index = call.joined!.callIds.indexOf(legId);
      engine.patch(joinedId, {
        remoteTracks: call.remoteTracks.filter((id) => id !== gone),
        joined: {
          callIds: call.joined!.callIds.filter((id) => id !== legId),
          participants: call.joined!.participants.filter((_, i) => i !== index),
        },
      });
      media.dispose(gone);
      engine.ctx.emit('call:tracksRemoved', { callId: joinedId, trackIds: [gone] });
      engine.ctx.emit('call:removedMedia', { callId: joinedId, trackIds: [gone] });
    },
    async offer(legId, sdp) {
      const session = engine.sessions.get(legId);
      if (!session) return;
      await engine.setRemote(legId, session, 'offer', sdp);
      for (const t of session.pc.getTransceivers())
        if (t.currentDirection !== 'stopped' && t.receiver.track.kind !== 'audio')
          t.direction = 'inactive';
      const answer = await engine.describe(legId, session, 'answer', 'REMOTE_UPDATE');
      await engine
        .signalling()
        .answerOffer(legId, answer, engine.getById(legId)?.customParameters ?? []);
    },
    close() {
      for (const leg of legs) {
        if (!join.legs.includes(leg.id)) continue;
        leg.session.pc.close();
        engine.sessions.delete(leg.id);
      }
      join.legs = [];
      stopAll();
    },
  };
  engine.joins.set(joinedId, join);
  // The previous calls end for the API; their connections go on as the joined call's legs.
  for (const [i, call] of calls.entries()) {
    engine.sessions.delete(call.id);
    engine.patch(call.id, { localTracks: [], remoteTracks: [] });
    engine.finish(call.id, JOINED);
    engine.sessions.set(call.id, sessions[i]!);
  }
  engine.ctx.emit('call:join', { callId: joinedId });
  engine.ctx.emit('call:tracksAdded', { callId: joinedId, trackIds: [mic.id, ...remoteTracks] });
  engine.ctx.emit('call:newMedia', { callId: joinedId, trackIds: [mic.id, ...remoteTracks] });
}
