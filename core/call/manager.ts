/**
 * The call engine (the seeds' `call` namespace). It owns every RTCPeerConnection: local and
 * remote descriptions through the SDP handler pipeline, trickle ICE (or complete candidates
 * through the ICE collection check), renegotiation for hold and media changes with glare
 * resolution, DTMF, stats and codecs. A backend only carries its messages (`CallSignalling`).
 *
 * A chunk of its own in the ES builds: `lazy-manager.ts` loads it when the client first takes
 * calls and creates one engine per client. Nothing static imports values from here.
 */
import { CommsError, ErrorCodes, type BasicError, toBasic } from '../errors.js';
import type { FeatureContext } from '../feature.js';
import type { MediaManager } from '../media/manager.js';
import type { MediaRequest } from '../media/types.js';
import { loadAdapter } from '../platform/browser.js';
import { restRequest } from '../backends/gateway/rest.js';
import { Routes } from '../protocol/constants.js';
import type { TurnCredentialsResponse } from '../protocol/schema.js';
import type { SdpHandlerFunction, SdpHandlerInfo } from '../sdp/types.js';
import { normalizeDestination } from './destination.js';
import { CallErrorCodes } from './errors.js';
import { checkCustomParameters, checkMedia, checkSdpHandlers, outgoingCall } from './make.js';
import { CallReports } from './recorder.js';
import type { CallReport, ReportEventType } from './report.js';
import {
  isFinal,
  mediaConnectionStates,
  states,
  transitions,
  type CallState,
  type MediaConnectionState,
} from './states.js';
import {
  Transitions,
  type CallSignalling,
  type CallTransition,
  type CallForwarding,
  type CandidateInit,
  type CustomParameter,
  type RemoteParty,
  type SignallingError,
  type SignallingHandlers,
  type TransferLink,
} from './signalling.js';
import type { AnswerOptions, CallObject, MakeOptions } from './types.js';
import type { Engine, Join } from './operations.js';
import type * as OperationsModule from './operations.js';
import type { AudioFilePlaying } from './operations.js';

type Operations = typeof OperationsModule;

/**
 * Throws `call:invalidTransition` unless `from → to` is in the transition table (`states.ts`).
 * Here, not beside the table: only the engine moves a call, so only its chunk carries the check.
 */
function assertTransition(callId: string, from: CallState, to: CallState): void {
  if (from === to) return;
  if (!transitions[from].includes(to)) {
    throw new CommsError(
      'call:invalidTransition',
      `call ${callId} cannot go from ${from} to ${to}`,
    );
  }
}

/** The rarely used operations, once their chunk has loaded. */
let operations: Operations | undefined;

/**
 * Loads the rarely used operations (`operations.ts`: a chunk of its own in the ES builds, so a
 * page that never calls pays nothing for them). Started when the first call's media connects
 * (or by the first operation that needs them, if that comes first). `operations.ts`
 * imports types only from this module: a lazy chunk that imports values back from the module
 * that loads it makes the bundler split its runtime off the CDN entry (one more file to fetch).
 */
function loadOperations(): Promise<Operations> {
  return import('./operations.js').then((loaded) => (operations = loaded));
}

/** A promise's settling functions, kept until an answer arrives. */
export interface Pending<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** What the engine keeps per call beside its public CallObject. */
export interface Session {
  pc: RTCPeerConnection;
  polite: boolean;
  /** Local candidates held until the first description has been sent. */
  outbox: Array<CandidateInit | null> | null;
  /** Remote candidates held until a remote description is set. */
  inbox: Array<CandidateInit | null>;
  queue: Promise<unknown>;
  /**
   * The backend's ICE servers added to `pc` (webrtc-adapter's shims loaded first). Started with
   * the session, awaited before its first local description: it runs alongside getUserMedia
   * (and, on the callee's side, the offer and the ringing feedback). Never rejects.
   */
  ice: Promise<void>;
  awaitingAnswer: Pending<string> | null;
  /** The other side's offer this side last yielded to, until it is answered. */
  yielded: Promise<unknown> | null;
  /** How many times this side yielded to the other's offer (glare). */
  glare: number;
  /**
   * This side's renegotiation offer in progress: being made, sent, answered (the answer being
   * applied), or waiting to be made again (after the backend refused it in a glare).
   */
  offering: 'making' | 'sent' | 'answered' | 'waiting' | null;
  /** A hold (true) or unhold (false) in progress on this side. */
  holding: boolean | null;
  /**
   * The other side's offer waiting behind this side's operations: run at once when one of them
   * is about to offer (so the two offers do not cross).
   */
  waitingRemote: (() => Promise<void>) | null;
  streams: Map<string, string>;
  candidates: RTCIceCandidate[];
}

// The gateway's call signalling: only calls need it, so it comes with this chunk
// (`LazyCallManager.useGateway`).
export { GatewayCallSignalling } from '../backends/gateway/call-signalling.js';

let operationCounter = 0;

export class CallManager {
  readonly #ctx: FeatureContext;
  readonly #media: MediaManager;
  #signalling: CallSignalling | undefined;
  readonly #sessions = new Map<string, Session>();
  #sdpHandlers: SdpHandlerFunction[] | undefined;
  readonly #self: () => string;
  readonly #turnToken: () => Promise<string> | undefined;
  /** The ICE servers being fetched, shared by whoever needs them meanwhile. */
  #iceFetch: Promise<RTCIceServer[]> | undefined;
  /** The gateway's TURN servers, kept for half their lifetime. */
  #turn: { servers: RTCIceServer[]; until: number } | undefined;
  /** What `operations.ts` reaches of this engine. */
  readonly #engine: Engine;

  /**
   * `self` names this user in call objects; `turnToken` gives the access token for the
   * gateway's TURN credentials, added to `call.defaultPeerConfig` before candidates are
   * gathered (nothing when they are not to be used).
   */
  constructor(
    ctx: FeatureContext,
    media: MediaManager,
    self: () => string,
    turnToken: () => Promise<string> | undefined = () => undefined,
  ) {
    this.#ctx = ctx;
    this.#media = media;
    this.#self = self;
    this.#turnToken = turnToken;
    this.#engine = {
      ctx,
      media,
      sessions: this.#sessions,
      transfers: this.#transfers,
      joins: this.#joins,
      put: (call) => this.#put(call),
      setRemote: (...args) => this.#setRemote(...args),
      describe: (...args) => this.#createDescription(...args),
      getById: (callId) => this.getById(callId),
      require: (...args) => this.#require(...args),
      session: (callId) => this.#session(callId),
      signalling: () => this.#requireSignalling(),
      checkMedia: (request, method) => this.#checkMedia(request, method),
      operation: (callId, type, run, interrupt) => this.#operation(callId, type, run, interrupt),
      patch: (callId, patch) => this.#patch(callId, patch),
      syncTracks: (callId) => this.#syncTracks(callId),
      renegotiate: (...args) => this.#renegotiate(...args),
      finish: (callId, transition) => this.#finish(callId, transition),
      start: (...args) => this.#start(...args),
      mediaOf: (call) => this.#mediaOf(call),
    };
    // webrtc-adapter's shims live in a lazy chunk: start loading them now, so they are applied
    // before the first call negotiates (#shims waits for them).
    if (typeof RTCPeerConnection !== 'undefined') void loadAdapter().catch(() => undefined);
    // Once this client may call or be called, fetch the ICE servers (the gateway's TURN
    // credentials, which the client keeps for half their lifetime), so a call does not wait for
    // them. A failure here is retried by the call, which warns.
    // A local device that goes away mid-call (unplugged, permission revoked): the call goes on
    // with the default device.
    ctx.on('media:trackEnded', ({ trackId, callId }) => {
      if (callId) this.#deviceGone(callId, trackId);
    });
    ctx.store.select(
      (s) => s.services.subscribed.includes('call'),
      (calls) => {
        if (calls)
          void this.#fetchIceServers().catch((error: unknown) =>
            this.#ctx.log.debug('could not fetch the ICE servers ahead of a call', error),
          );
      },
    );
  }

  /**
   * Switches `callId` from a local device that went away to the default one. `ideal` lets the
   * browser fall back when the default is gone too.
   */
  #deviceGone(callId: string, trackId: string): void {
    const track = this.#media.getTrackById(trackId);
    const call = this.getById(callId);
    if (!call || !track?.isLocal || track.type === 'screen' || !call.localTracks.includes(trackId))
      return;
    if (call.state !== states.CONNECTED && call.state !== states.ON_HOLD) return;
    const { defaults } = this.#ctx.store.getState().media;
    const request: MediaRequest =
      track.kind === 'audio'
        ? { audio: true, audioOptions: { deviceId: { ideal: defaults.microphone ?? 'default' } } }
        : { video: true, videoOptions: { deviceId: { ideal: defaults.camera ?? '' } } };
    this.#ctx.log.warn(
      `the ${track.kind} device of call ${call.id} went away: switching to the default one`,
    );
    this.replaceTrack(call.id, trackId, request).catch((error: unknown) => {
      this.#ctx.log.error(
        `could not switch call ${call.id} to another ${track.kind} device`,
        error,
      );
    });
  }

  /** Moves the connected and held calls' local tracks to these devices, one after another. */
  async changeInputDevices(devices: { microphone?: string; camera?: string }): Promise<void> {
    for (const call of this.getAll()) {
      if (call.state !== states.CONNECTED && call.state !== states.ON_HOLD) continue;
      for (const trackId of call.localTracks) {
        const track = this.#media.getTrackById(trackId);
        if (track?.type === 'audio' && devices.microphone && track.deviceId !== devices.microphone)
          await this.replaceTrack(call.id, trackId, {
            audio: true,
            audioOptions: { deviceId: devices.microphone },
          });
        if (track?.type === 'video' && devices.camera && track.deviceId !== devices.camera)
          await this.replaceTrack(call.id, trackId, {
            video: true,
            videoOptions: { deviceId: devices.camera },
          });
      }
    }
  }

  /** The backend's ICE servers; one fetch at a time, shared. */
  #fetchIceServers(): Promise<RTCIceServer[]> {
    this.#iceFetch ??= this.#turnServers().finally(() => (this.#iceFetch = undefined));
    return this.#iceFetch;
  }

  /** The gateway's TURN servers, when they are to be used (cached for half their lifetime). */
  async #turnServers(): Promise<RTCIceServer[]> {
    const token = this.#turnToken();
    if (!token) return [];
    const now = this.#ctx.runtime.now();
    if (this.#turn && this.#turn.until > now) return this.#turn.servers;
    const response = await restRequest<TurnCredentialsResponse>(
      this.#ctx.runtime,
      this.#ctx.config(),
      Routes.TURN,
      { token: await token },
    );
    this.#turn = { servers: response.iceServers, until: now + (response.ttl * 1000) / 2 };
    return response.iceServers;
  }

  /** Waits for webrtc-adapter's shims (loaded once; a call goes on without them if they fail). */
  async #shims(): Promise<void> {
    try {
      await loadAdapter();
    } catch (error) {
      this.#ctx.log.warn('webrtc-adapter could not be loaded; going on without its shims', error);
    }
  }

  /**
   * Before a connection gathers candidates: waits for the shims, then adds the backend's ICE
   * servers to it (`Session.ice`).
   */
  async #configureIce(session: Session): Promise<void> {
    await this.#shims();
    let extra: RTCIceServer[] = [];
    try {
      extra = await this.#fetchIceServers();
    } catch (error) {
      this.#ctx.log.warn(
        'no TURN credentials from the server; calls may fail across strict NATs',
        error,
      );
    }
    if (extra.length === 0 || session.pc.signalingState === 'closed') return;
    const config = session.pc.getConfiguration();
    session.pc.setConfiguration({
      ...config,
      iceServers: [...(config.iceServers ?? []), ...extra],
    });
  }

  /**
   * Connects the engine to a backend's signalling (once per backend). `held`: what the backend
   * delivered before this engine was here (`lazy-manager.ts` holds it), handled now in order.
   */
  useSignalling(
    signalling: CallSignalling,
    held: Array<(handlers: SignallingHandlers) => void> = [],
  ): void {
    this.#signalling = signalling;
    const handlers: SignallingHandlers = {
      incoming: (call) => void this.#incoming(call),
      ringing: (callId) => this.#remoteRinging(callId),
      answered: (callId, sdp, custom) => void this.#remoteAnswered(callId, sdp, custom),
      ended: (callId, transition) => this.#remoteEnded(callId, transition),
      offer: (callId, sdp, hold) => void this.#remoteOffer(callId, sdp, hold),
      answer: (callId, sdp) => {
        const session = this.#sessions.get(callId);
        // Answered: an offer from the other side after this is no glare (see `#remoteOffer`).
        if (session?.offering === 'sent') session.offering = 'answered';
        session?.awaitingAnswer?.resolve(sdp);
      },
      parameters: (callId, customParameters) => {
        if (this.getById(callId))
          this.#ctx.emit('call:customParameters', { callId, customParameters });
      },
      candidate: (callId, candidate) => void this.#remoteCandidate(callId, candidate),
      transferRequested: (callId, request) =>
        void this.#lazy((ops, engine) => ops.transferRequested(engine, callId, request)).catch(
          (error: unknown) =>
            this.#ctx.log.warn(`call ${callId}: could not take its transfer`, error),
        ),
      transferCompleted: (callId, error) => this.#transfers.get(callId)?.resolve(error),
      forwarded: (callId, forwarding) => this.#remoteForwarded(callId, forwarding),
    };
    signalling.setHandlers(handlers);
    for (const event of held) event(handlers);
  }

  // ── reading ──────────────────────────────────────────────────────────────────

  getAll(): CallObject[] {
    return Object.values(this.#ctx.store.getState().call.calls);
  }

  getById(callId: string): CallObject | undefined {
    return this.#ctx.store.getState().call.calls[callId];
  }

  /** Replaces the SDP handlers for future operations (the seeds' `setSdpHandlers`). */
  setSdpHandlers(handlers: SdpHandlerFunction[]): void {
    checkSdpHandlers(handlers);
    this.#sdpHandlers = [...handlers];
  }

  // ── outgoing ─────────────────────────────────────────────────────────────────

  /**
   * Starts a call and returns its id at once (as in the seeds); progress arrives as
   * `call:operation`, `call:start` and `call:stateChange`. Bad arguments throw.
   */
  make(
    destination: string,
    media: MediaRequest = { audio: true },
    options: MakeOptions = {},
  ): string {
    this.#requireSignalling();
    const normalize = this.#ctx.config().call?.normalizeDestination !== false;
    const to = normalizeDestination(destination, normalize);
    this.#checkMedia(media, 'make');
    if (options.customParameters) checkCustomParameters(options.customParameters, 'make');
    return this.#start(to, media, options);
  }

  /** Starts an outgoing call to a checked destination (`make`, or a transfer's new call). */
  #start(
    to: string,
    media: MediaRequest,
    options: MakeOptions,
    transfer?: { link: TransferLink; wire: { callId: string; transferId: string } },
  ): string {
    this.#requireSignalling();
    const callId = crypto.randomUUID();
    this.#put(
      outgoingCall(callId, this.#self(), to, options, this.#ctx.runtime.now(), transfer?.link),
    );
    this.#begin(callId, to, media, options, transfer);
    return callId;
  }

  /**
   * Starts a call that `make` recorded (Initiating) while this engine was being loaded
   * (`lazy-manager.ts`), unless it has ended meanwhile.
   * @internal
   */
  startRecorded(callId: string, to: string, media: MediaRequest, options: MakeOptions): void {
    if (this.getById(callId)?.state !== states.INITIATING || this.#sessions.has(callId)) return;
    this.#begin(callId, to, media, options);
  }

  /** Opens the connection of a recorded outgoing call and runs its MAKE operation. */
  #begin(
    callId: string,
    to: string,
    media: MediaRequest,
    options: MakeOptions,
    transfer?: { link: TransferLink; wire: { callId: string; transferId: string } },
  ): void {
    const signalling = this.#requireSignalling();
    const session = this.#createSession(callId, false);
    void this.#operation(callId, 'MAKE', async () => {
      try {
        await this.#attachMedia(callId, session, media);
        const sdp = await this.#createDescription(callId, session, 'offer', 'MAKE');
        const { to: party } = await signalling.invite({
          callId,
          to,
          sdp,
          media: {
            audio: !!media.audio || this.#hasDetached(media, 'audio'),
            video: !!media.video || !!media.screen || this.#hasDetached(media, 'video'),
          },
          displayName: options.displayName,
          customParameters: options.customParameters ?? [],
          ...(transfer ? { transfer: transfer.wire } : {}),
        });
        this.#flushOutbox(callId, session);
        this.#patch(callId, {
          remoteParticipant: { displayNumber: party.id, displayName: party.displayName },
        });
        if (this.getById(callId)?.state === states.INITIATING)
          this.#setState(callId, states.INITIATED);
        this.#ctx.emit('call:start', { callId });
      } catch (error) {
        const basic = toBasic(error);
        this.#ctx.emit('call:start', { callId, error: basic });
        this.#finish(callId, failureTransition(error), basic);
        throw error;
      }
    }).catch(() => undefined);
  }

  // ── incoming ─────────────────────────────────────────────────────────────────

  async #incoming(call: {
    callId: string;
    from: RemoteParty;
    sdp: string;
    media: { audio: boolean; video: boolean };
    customParameters: CustomParameter[];
    transfer?: TransferLink;
    forwarded?: CallForwarding[];
  }): Promise<void> {
    const { callId } = call;
    if (this.getById(callId)) return;
    this.#put({
      id: callId,
      direction: 'incoming',
      from: call.from.id,
      to: this.#self(),
      state: states.INITIATING,
      mediaConnectionState: mediaConnectionStates.NEW,
      localHold: false,
      remoteHold: false,
      localTracks: [],
      remoteTracks: [],
      mediaOffered: call.media,
      remoteParticipant: { displayNumber: call.from.id, displayName: call.from.displayName },
      bandwidth: {},
      customParameters: [],
      startTime: this.#ctx.runtime.now(),
      answerTime: null,
      endTime: null,
      transition: null,
      currentOperations: [],
      ...(call.transfer ? { transfer: call.transfer } : {}),
      ...(call.forwarded?.length ? { forwarded: call.forwarded } : {}),
    });
    const session = this.#createSession(callId, true);
    this.#ctx.emit('call:receive', { callId });
    if (call.customParameters.length)
      this.#ctx.emit('call:customParameters', { callId, customParameters: call.customParameters });
    try {
      await this.#shims();
      await this.#setRemote(callId, session, 'offer', call.sdp);
      this.#setState(callId, states.INITIATED);
      if (this.#ctx.config().call?.ringingFeedbackMode !== 'manual')
        await this.sendRingingFeedback(callId);
      // A consultative transfer: the call replaces one this user is in, so it is taken at once.
      const replaced = call.transfer?.replaces ? this.getById(call.transfer.replaces) : undefined;
      if (replaced && !isFinal(replaced.state)) await this.answer(callId, this.#mediaOf(replaced));
    } catch (error) {
      this.#ctx.log.warn(`incoming call ${callId} could not be set up`, error);
      await this.#signalling?.reject(callId).catch(() => undefined);
      this.#finish(callId, Transitions.MEDIA_FAILED, toBasic(error));
    }
  }

  /** Tells the caller this device is ringing (automatic unless `ringingFeedbackMode: 'manual'`). */
  async sendRingingFeedback(callId: string): Promise<void> {
    const call = this.#require(callId, 'sendRingingFeedback', [states.INITIATED], 'incoming');
    await this.#operation(call.id, 'SEND_RINGING_FEEDBACK', async () => {
      await this.#requireSignalling().ringing(callId);
      this.#setState(callId, states.RINGING);
    });
  }

  /** Answers an incoming call with the given media. */
  async answer(
    callId: string,
    media: MediaRequest = { audio: true },
    options: AnswerOptions = {},
  ): Promise<void> {
    this.#require(callId, 'answer', [states.INITIATED, states.RINGING], 'incoming');
    this.#checkMedia(media, 'answer');
    if (options.customParameters) checkCustomParameters(options.customParameters, 'answer');
    const session = this.#session(callId);
    await this.#operation(callId, 'ANSWER', async () => {
      try {
        await this.#attachMedia(callId, session, media);
        const sdp = await this.#createDescription(callId, session, 'answer', 'ANSWER');
        await this.#requireSignalling().answer(callId, sdp, options.customParameters ?? []);
        this.#flushOutbox(callId, session);
        this.#patch(callId, {
          answerTime: this.#ctx.runtime.now(),
          customParameters: options.customParameters ?? [],
          bandwidth: options.bandwidth ?? {},
        });
        this.#setState(callId, states.CONNECTED, { statusCode: 200, reasonText: 'Answered' });
        this.#syncTracks(callId);
      } catch (error) {
        await this.#signalling?.end(callId).catch(() => undefined);
        this.#finish(callId, failureTransition(error), toBasic(error));
        throw error;
      }
    });
  }

  /** Rejects an incoming call: the caller is told. */
  async reject(callId: string): Promise<void> {
    this.#require(callId, 'reject', [states.INITIATED, states.RINGING], 'incoming');
    await this.#operation(callId, 'REJECT', async () => {
      await this.#requireSignalling().reject(callId);
      this.#finish(callId, Transitions.REJECTED);
    });
  }

  /** Ignores an incoming call on this device: the caller is not told. */
  async ignore(callId: string): Promise<void> {
    this.#require(callId, 'ignore', [states.INITIATED, states.RINGING], 'incoming');
    await this.#operation(callId, 'IGNORE', async () => {
      this.#finish(callId, Transitions.IGNORED);
    });
  }

  /**
   * Forwards an incoming call that rings here to `destination` (the seeds' `forward`): the
   * destination rings instead of this user, with the caller's offer. The call ends here
   * (`Forwarded`, 302, its `forwarded` naming the destination); the caller's call goes on
   * ringing at the destination, with the same id.
   */
  async forward(callId: string, destination: string): Promise<void> {
    this.#require(callId, 'forward', [states.INITIATED, states.RINGING], 'incoming');
    const normalize = this.#ctx.config().call?.normalizeDestination !== false;
    const to = normalizeDestination(destination, normalize);
    await this.#operation(callId, 'FORWARD', async () => {
      const forwarding = await this.#requireSignalling().forward(callId, to);
      const call = this.getById(callId);
      if (!call || isFinal(call.state)) return;
      this.#patch(callId, { forwarded: [...(call.forwarded ?? []), forwarding] });
      this.#finish(callId, Transitions.FORWARDED);
    });
  }

  /** Ends a call in any state (cancels an outgoing one that is not answered yet). */
  async end(callId: string): Promise<void> {
    const call = this.#require(callId, 'end');
    if (isFinal(call.state)) return;
    await this.#operation(
      callId,
      'END',
      async () => {
        // A joined call ends the calls it is made of.
        const ids = this.#joins.get(callId)?.legs ?? [callId];
        await Promise.all(
          ids.map((id) =>
            this.#requireSignalling()
              .end(id)
              .catch((error: unknown) => {
                this.#ctx.log.warn(`could not tell the other side that call ${id} ended`, error);
              }),
          ),
        );
        this.#finish(callId, Transitions.ENDED);
      },
      true,
    );
  }

  // ── mid-call ─────────────────────────────────────────────────────────────────

  /** Puts the call on hold: no media either way until `unhold`. */
  async hold(callId: string): Promise<void> {
    const call = this.#require(callId, 'hold', [states.CONNECTED, states.ON_HOLD]);
    this.#single(callId, 'hold');
    if (call.localHold)
      throw new CommsError(CallErrorCodes.INVALID_STATE, `hold(): call ${callId} is already held`);
    await this.#operation(callId, 'HOLD', async () => {
      const session = this.#session(callId);
      for (const t of session.pc.getTransceivers())
        if (t.currentDirection !== 'stopped') t.direction = 'inactive';
      const previous = { state: call.state, localHold: false, remoteHold: call.remoteHold };
      await this.#holding(session, true, () => this.#renegotiate(callId, session, 'HOLD', true));
      this.#patch(callId, { localHold: true });
      this.#setState(callId, states.ON_HOLD, undefined, previous);
      this.#syncTracks(callId);
    });
  }

  /** Takes the call off hold. */
  async unhold(callId: string): Promise<void> {
    const call = this.#require(callId, 'unhold', [states.ON_HOLD]);
    if (!call.localHold)
      throw new CommsError(
        CallErrorCodes.INVALID_STATE,
        `unhold(): call ${callId} is not held locally`,
      );
    await this.#operation(callId, 'UNHOLD', async () => {
      const session = this.#session(callId);
      for (const t of session.pc.getTransceivers())
        if (t.currentDirection !== 'stopped')
          t.direction = t.sender.track ? 'sendrecv' : 'recvonly';
      const previous = { state: call.state, localHold: true, remoteHold: call.remoteHold };
      await this.#holding(session, false, () =>
        this.#renegotiate(callId, session, 'UNHOLD', false),
      );
      this.#patch(callId, { localHold: false });
      this.#setState(
        callId,
        this.getById(callId)!.remoteHold ? states.ON_HOLD : states.CONNECTED,
        undefined,
        previous,
      );
      this.#syncTracks(callId);
    });
  }

  /** Adds media (audio, video, screen or detached) to a connected call. */
  async addMedia(callId: string, media: MediaRequest = {}): Promise<void> {
    this.#require(callId, 'addMedia', [states.CONNECTED]);
    this.#single(callId, 'addMedia');
    this.#checkMedia(media, 'addMedia');
    await this.#operation(callId, 'ADD_MEDIA', async () => {
      const session = this.#session(callId);
      await this.#attachMedia(callId, session, media);
      await this.#renegotiate(callId, session, 'ADD_MEDIA', false);
      this.#syncTracks(callId);
    });
  }

  /** Removes local tracks from a connected call. */
  removeMedia(callId: string, trackIds: string[]): Promise<void> {
    return this.#lazy((ops, engine) => ops.removeMedia(engine, callId, trackIds));
  }

  /** Adds a camera track (the seeds' `startVideo`). */
  startVideo(callId: string, videoOptions?: MediaRequest['videoOptions']): Promise<void> {
    return this.addMedia(callId, { video: true, videoOptions });
  }

  /** Removes the camera track (the seeds' `stopVideo`). */
  stopVideo(callId: string): Promise<void> {
    const video = this.#localOfType(callId, 'video', 'stopVideo');
    return this.removeMedia(callId, [video]);
  }

  /** Adds a screen-share track. */
  startScreenshare(callId: string, screenOptions?: MediaRequest['screenOptions']): Promise<void> {
    return this.addMedia(callId, { screen: true, screenOptions });
  }

  /** Removes the screen-share track. */
  stopScreenshare(callId: string): Promise<void> {
    const screen = this.#localOfType(callId, 'screen', 'stopScreenshare');
    return this.removeMedia(callId, [screen]);
  }

  // ── loaded on demand (operations.ts) ────────────────────────────────────────

  /** Replaces a local track with a new one of the same kind, without renegotiating. */
  replaceTrack(callId: string, trackId: string, media: MediaRequest): Promise<string> {
    return this.#lazy((ops, engine) => ops.replaceTrack(engine, callId, trackId, media));
  }

  /** Sends DTMF tones over RTP (RFC 4733). Resolves when they have been played. */
  sendDTMF(callId: string, tone: string, duration = 100, intertoneGap = 70): Promise<void> {
    return this.#lazy((ops, engine) => ops.sendDTMF(engine, callId, tone, duration, intertoneGap));
  }

  /** A stats report of the call (or of one of its tracks). Also emitted as `call:statsReceived`. */
  getStats(callId: string, trackId?: string): Promise<RTCStatsReport> {
    return this.#lazy((ops, engine) => ops.getStats(engine, callId, trackId));
  }

  /** The codecs this browser can send for `kind`. Also emitted as `call:availableCodecs`. */
  getAvailableCodecs(kind: 'audio' | 'video'): Promise<RTCRtpCodec[]> {
    return this.#lazy((ops, engine) => ops.getAvailableCodecs(engine, kind));
  }

  /** Re-establishes a failed media connection with an ICE restart. */
  restartMedia(callId: string): Promise<void> {
    return this.#lazy((ops, engine) => ops.restartMedia(engine, callId));
  }

  /**
   * Sends the call's custom parameters (`setCustomParameters`) to the other party, who gets
   * `call:customParameters`. The call must be answered (Connected or On Hold).
   */
  async sendCustomParameters(callId: string): Promise<void> {
    this.#require(callId, 'sendCustomParameters', [states.CONNECTED, states.ON_HOLD]);
    await this.#operation(callId, 'SEND_CUSTOM_PARAMETERS', () =>
      this.#requireSignalling().parameters(callId, this.#parametersOf(callId)),
    );
  }

  /**
   * Plays an audio file to the other party instead of the microphone, for the file's length
   * (as in the seeds). `playing` is told when it starts. See `operations.ts`.
   */
  playAudioFile(
    callId: string,
    filePath: string,
    playing: (info: AudioFilePlaying) => void = () => undefined,
  ): Promise<void> {
    return this.#lazy((ops, engine) => ops.playAudioFile(engine, callId, filePath, playing));
  }

  /** The call's report: its operations' timeline and its metrics, as of now. */
  getReport(callId: string): CallReport {
    return this.#reports.report(this.#require(callId, 'getReport'));
  }

  readonly #reports = new CallReports();

  /** The custom parameters set on a call, sent with its renegotiations. */
  #parametersOf(callId: string): CustomParameter[] {
    return this.getById(callId)?.customParameters ?? [];
  }

  /**
   * Transfers the other party of a locally held call to `destination` (the seeds' direct,
   * or blind, transfer). The backend asks the transferee to call the destination; when that
   * call is answered this call ends (`Transferred`). On failure the call stays as it was (held)
   * and the promise rejects (`call:transferFailed`, `call:unknownDestination`, …).
   */
  directTransfer(callId: string, destination: string): Promise<void> {
    return this.#lazy((ops, engine) => ops.directTransfer(engine, callId, destination));
  }

  /**
   * Connects the other parties of two locally held calls to each other, then ends both (the
   * seeds' consultative, or warm, transfer). Both calls see the `call:operation`.
   */
  consultativeTransfer(callId: string, otherCallId: string): Promise<void> {
    return this.#lazy((ops, engine) => ops.consultativeTransfer(engine, callId, otherCallId));
  }

  /**
   * Joins two locally held calls into one audio call with both remote parties (the seeds'
   * `join`); resolves with the new call's id (also in `call:join`). This browser mixes: each
   * remote party hears this user and the other party, through its own call, which goes on at
   * the backend. Both calls end (`Joined`); both see the `call:operation` JOIN.
   */
  join(callId: string, otherCallId: string): Promise<string> {
    return this.#lazy((ops, engine) => ops.join(engine, callId, otherCallId));
  }

  /**
   * Runs an operation of `operations.ts`: at once when its chunk is here (so it checks, queues
   * and emits exactly as a method would), else once it has loaded. A chunk that fails to load
   * rejects this operation and is tried again by the next.
   */
  async #lazy<T>(run: (ops: Operations, engine: Engine) => Promise<T> | T): Promise<T> {
    return run(operations ?? (await loadOperations()), this.#engine);
  }

  /** The media a call that takes over from `call` asks for: audio, and video if it sent video. */
  #mediaOf(call: CallObject): MediaRequest {
    const video = call.localTracks.some((id) => this.#media.getTrackById(id)?.kind === 'video');
    return { audio: true, ...(video ? { video: true } : {}) };
  }

  readonly #transfers = new Map<string, Pending<SignallingError | null>>();

  /** Joined calls, by id (`operations.ts` makes them). */
  readonly #joins = new Map<string, Join>();

  /** The joined call that `callId` is a leg of. */
  #joinOf(callId: string): Join | undefined {
    for (const join of this.#joins.values()) if (join.legs.includes(callId)) return join;
    return undefined;
  }

  /** Ends every call (disconnect, destroy). */
  /** Hangs up every call in progress, each other party told (`auth.logout()`). */
  async hangUpAll(): Promise<void> {
    await Promise.all(
      this.getAll()
        .filter((call) => !isFinal(call.state))
        .map((call) => this.end(call.id).catch(() => undefined)),
    );
  }

  endAll(transition: CallTransition): void {
    for (const call of this.getAll()) if (!isFinal(call.state)) this.#finish(call.id, transition);
  }

  // ── the peer connection ─────────────────────────────────────────────────────

  #createSession(callId: string, polite: boolean): Session {
    const config = this.#ctx.config().call ?? {};
    const pc = new RTCPeerConnection({ ...config.defaultPeerConfig });
    const session: Session = {
      pc,
      polite,
      outbox: [],
      inbox: [],
      queue: Promise.resolve(),
      ice: Promise.resolve(),
      awaitingAnswer: null,
      yielded: null,
      glare: 0,
      offering: null,
      holding: null,
      waitingRemote: null,
      streams: new Map(),
      candidates: [],
    };
    session.ice = this.#configureIce(session).catch((error: unknown) =>
      this.#ctx.log.warn(`call ${callId}: its ICE servers could not be set`, error),
    );
    this.#sessions.set(callId, session);
    // What this gathering (the first, or an ICE restart's) found: with no candidate at all, the
    // connection can never carry media (a relay-only policy whose TURN servers all refused, or
    // none configured). The browser leaves it 'new' for ever; the call says 'failed' instead, so
    // the application can tell the user and offer `restartMedia`.
    let gathered = 0;
    const iceErrors: string[] = [];
    pc.addEventListener('icecandidateerror', (event) => {
      const { url, errorCode, errorText } = event as RTCPeerConnectionIceErrorEvent;
      iceErrors.push(`${url}: ${errorCode} ${errorText}`.trim());
    });
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'gathering') {
        gathered = 0;
        iceErrors.length = 0;
      } else if (pc.iceGatheringState === 'complete' && !gathered) {
        this.#ctx.log.warn(
          `call ${callId}: no ICE candidate could be gathered, so no media can flow` +
            (iceErrors.length ? ` (${iceErrors.join('; ')})` : ''),
        );
        this.#mediaConnection(callId, mediaConnectionStates.FAILED);
      }
    });
    pc.addEventListener('icecandidate', (event) => {
      if (event.candidate) {
        session.candidates.push(event.candidate);
        gathered++;
      }
      if (this.#completeCandidates()) return;
      const candidate = event.candidate ? event.candidate.toJSON() : null;
      if (session.outbox) session.outbox.push(candidate as CandidateInit | null);
      else
        void this.#signalling
          ?.candidate(callId, candidate as CandidateInit | null)
          .catch(() => undefined);
    });
    pc.addEventListener('track', (event) => {
      const stream = event.streams[0];
      if (stream) session.streams.set(event.track.id, stream.id);
    });
    pc.addEventListener('iceconnectionstatechange', () => {
      const next = pc.iceConnectionState as MediaConnectionState;
      // Once the first call's media flows, load the rarely used operations, so they are here
      // when asked for; not before, where fetching and compiling them slowed the call's setup.
      if (!operations && (next === 'connected' || next === 'completed'))
        void loadOperations().catch(() => undefined);
      this.#mediaConnection(callId, next);
    });
    return session;
  }

  /**
   * Whether descriptions go out with their candidates (`trickleIceMode: 'NONE'`, or a backend
   * that cannot trickle, as SIP) rather than each candidate on its own.
   */
  #completeCandidates(): boolean {
    return (
      this.#ctx.config().call?.trickleIceMode === 'NONE' || this.#signalling?.trickle === false
    );
  }

  /** Sets the call's media connection state, with `call:mediaConnectionChange` when it changes. */
  #mediaConnection(callId: string, next: MediaConnectionState): void {
    const call = this.getById(callId);
    if (!call || call.mediaConnectionState === next) return;
    this.#patch(callId, { mediaConnectionState: next });
    this.#ctx.emit('call:mediaConnectionChange', {
      callId,
      previous: { state: call.mediaConnectionState },
    });
  }

  async #attachMedia(callId: string, session: Session, media: MediaRequest): Promise<void> {
    const created = await this.#media.createTracks({ ...media, medias: undefined }, callId);
    const detached = (media.medias ?? []).flatMap((m) =>
      m.media.tracks
        .map((t) => this.#media.getTrack(t.id))
        .filter((t): t is MediaStreamTrack => !!t),
    );
    const tracks = [...detached, ...created];
    const stream = new MediaStream(tracks);
    for (const track of tracks) {
      this.#media.assign(track.id, callId);
      const free = session.pc
        .getTransceivers()
        .find(
          (t) =>
            t.currentDirection !== 'stopped' &&
            !t.sender.track &&
            t.receiver.track.kind === track.kind &&
            t.mid !== null,
        );
      if (free) {
        await free.sender.replaceTrack(track);
        free.sender.setStreams?.(stream);
        free.direction = 'sendrecv';
      } else {
        session.pc.addTrack(track, stream);
      }
    }
    this.#patch(callId, {
      localTracks: [...this.getById(callId)!.localTracks, ...tracks.map((t) => t.id)],
    });
  }

  /** Creates an offer or answer, runs the handlers, sets it locally; returns the SDP to send. */
  async #createDescription(
    callId: string,
    session: Session,
    type: 'offer' | 'answer',
    operation: string,
  ): Promise<string> {
    const { pc } = session;
    await session.ice;
    const description = type === 'offer' ? await pc.createOffer() : await pc.createAnswer();
    const sdp = await this.#runHandlers(callId, description.sdp ?? '', {
      callId,
      type,
      step: 'set',
      endpoint: 'local',
    });
    await pc.setLocalDescription({ type, sdp });
    if (this.#completeCandidates())
      await this.#lazy((ops, engine) => ops.collectIce(engine, callId, session, operation));
    const local = pc.localDescription?.sdp ?? sdp;
    return await this.#runHandlers(callId, local, {
      callId,
      type,
      step: 'send',
      endpoint: 'local',
    });
  }

  async #setRemote(
    callId: string,
    session: Session,
    type: 'offer' | 'answer',
    sdp: string,
  ): Promise<void> {
    const processed = await this.#runHandlers(callId, sdp, {
      callId,
      type,
      step: 'set',
      endpoint: 'remote',
    });
    await session.pc.setRemoteDescription({ type, sdp: processed });
    const pending = session.inbox.splice(0);
    for (const candidate of pending) await this.#addCandidate(session, candidate);
  }

  async #runHandlers(callId: string, sdp: string, info: SdpHandlerInfo): Promise<string> {
    const handlers =
      this.#sdpHandlers ??
      (this.#ctx.config().call?.sdpHandlers as SdpHandlerFunction[] | undefined) ??
      [];
    const removeBundling = this.#ctx.config().call?.removeBundling === true;
    if (handlers.length === 0 && !removeBundling) return sdp;
    // Loaded on the first call that has handlers: a separate chunk in the ES builds.
    const sdpTransform = await import('sdp-transform');
    const original = sdpTransform.parse(sdp);
    let current = sdpTransform.parse(sdp);
    if (removeBundling) current.groups = [];
    for (const handler of handlers) {
      try {
        const next = handler(current, info, original);
        if (!next || typeof next !== 'object' || !Array.isArray(next.media))
          throw new Error('it did not return an SDP object');
        current = next;
      } catch (cause) {
        throw new CommsError(
          ErrorCodes.SDP_HANDLER_FAILED,
          `an SDP handler failed on call ${callId}: ${(cause as Error).message}`,
          { cause },
        );
      }
    }
    return sdpTransform.write(current);
  }

  /** A local renegotiation: offer, wait for the answer; with glare, the polite side yields. */
  async #renegotiate(
    callId: string,
    session: Session,
    operation: string,
    hold: boolean,
  ): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = new Promise<string>(
        (resolve, reject) => (session.awaitingAnswer = { resolve, reject }),
      );
      answer.catch(() => undefined); // read below; a glare may reject it before then
      // The other side's offer that came first is answered first.
      await session.waitingRemote?.().catch(() => undefined);
      const glare = session.glare;
      session.offering = 'making';
      try {
        const sdp = await this.#createDescription(callId, session, 'offer', operation);
        // Yielded to the other side's offer meanwhile (rolled back): this one is not sent.
        if (session.glare !== glare || session.pc.signalingState !== 'have-local-offer')
          await answer;
        session.offering = 'sent';
        await this.#requireSignalling().offer(callId, sdp, hold, this.#parametersOf(callId));
        const remote = await withTimeout(
          answer,
          this.#ctx.config().connectivity?.requestTimeout ?? 10000,
          `no answer to the ${operation} offer`,
        );
        session.awaitingAnswer = null;
        await this.#setRemote(callId, session, 'answer', remote);
        return;
      } catch (error) {
        session.awaitingAnswer = null;
        // Not a glare, unless this side yielded to the other's offer meanwhile (then whatever
        // failed here failed for that).
        if ((error as CommsError).code !== 'call:glare' && session.glare === glare) throw error;
        const { pc } = session;
        if (session.glare === glare && pc.signalingState === 'have-local-offer') {
          // The backend refused ours while the other side's crossed it (SIP's 491): neither was
          // taken. Each side waits, the caller (who owns the call's id) longer (RFC 3261 §14.1);
          // the other side's offer that comes meanwhile is answered at once.
          session.offering = 'waiting';
          await pc.setLocalDescription({ type: 'rollback' });
          const [least, most] = session.polite ? [0, 2000] : [2100, 4000];
          await new Promise((r) => setTimeout(r, least + Math.random() * (most - least)));
        }
        // The other side's offer won: once it is answered, offer ours again.
        await session.yielded;
      } finally {
        session.offering = null;
      }
    }
    throw new CommsError(
      CallErrorCodes.NEGOTIATION_FAILED,
      `${operation}: the two sides kept offering at once`,
    );
  }

  /** Runs a hold or unhold (`held`): an answer to the other side's offer meanwhile keeps it. */
  async #holding(session: Session, held: boolean, run: () => Promise<void>): Promise<void> {
    session.holding = held;
    try {
      await run();
    } finally {
      session.holding = null;
    }
  }

  async #remoteOffer(callId: string, sdp: string, hold: boolean): Promise<void> {
    const join = this.#joinOf(callId);
    if (join) return join.offer(callId, sdp);
    const session = this.#sessions.get(callId);
    const call = this.getById(callId);
    if (!session || !call || isFinal(call.state)) return;
    const { pc } = session;
    // Glare: this side is offering too. Once both offers are out, the caller's wins (the other
    // side yields, as here on the callee's); an offer not yet sent always yields (the other
    // side never sees it: a SIP backend could not have taken this offer while its own was out).
    // An offer that comes after the answer to ours (the backend keeps their order) is none: it
    // waits its turn, behind the answer being applied.
    const collided =
      session.offering !== 'answered' &&
      (!!session.offering || pc.signalingState === 'have-local-offer');
    let yielded: (() => void) | undefined;
    if (collided) {
      if (!session.polite && session.offering === 'sent') return;
      session.glare++;
      // This side's renegotiation offers again once the other side's offer is answered.
      session.yielded = new Promise<void>((resolve) => (yielded = resolve));
      session.awaitingAnswer?.reject(new CommsError('call:glare', 'both sides offered at once'));
      if (pc.signalingState === 'have-local-offer')
        await pc.setLocalDescription({ type: 'rollback' });
    }
    const type = hold ? 'REMOTE_HOLD' : call.remoteHold ? 'REMOTE_UNHOLD' : 'REMOTE_UPDATE';
    const run = () =>
      this.#operation(
        callId,
        type,
        async () => {
          // The call as it is now: an offer that waited its turn may find this side's hold or
          // unhold done meanwhile (the snapshot taken when it arrived would answer it wrongly).
          const current = this.getById(callId)!;
          const previous = {
            state: current.state,
            localHold: current.localHold,
            remoteHold: current.remoteHold,
          };
          await this.#setRemote(callId, session, 'offer', sdp);
          if (session.holding ?? this.getById(callId)!.localHold)
            for (const t of pc.getTransceivers())
              if (t.currentDirection !== 'stopped') t.direction = 'inactive';
          const answer = await this.#createDescription(callId, session, 'answer', 'REMOTE_UPDATE');
          await this.#requireSignalling().answerOffer(callId, answer, this.#parametersOf(callId));
          const now = this.getById(callId)!;
          if (now.remoteHold !== hold) {
            this.#patch(callId, { remoteHold: hold });
            const next = hold || now.localHold ? states.ON_HOLD : states.CONNECTED;
            this.#setState(callId, next, undefined, previous);
          }
          this.#syncTracks(callId);
        },
        true,
        false,
      );
    // Yielding, this side answers the other's offer now: its own operation waits for that.
    // Otherwise the answer waits its turn behind this side's operations, unless one of them is
    // about to offer first (`waitingRemote`).
    let handled: Promise<void>;
    if (collided) handled = run();
    else {
      let begun: Promise<void> | undefined;
      const begin = () => {
        if (session.waitingRemote === begin) session.waitingRemote = null;
        return (begun ??= run());
      };
      session.waitingRemote = begin;
      handled = session.queue.then(begin, begin);
      session.queue = handled.catch(() => undefined);
    }
    await handled.finally(yielded);
  }

  async #remoteAnswered(
    callId: string,
    sdp: string,
    customParameters: CustomParameter[],
  ): Promise<void> {
    const session = this.#sessions.get(callId);
    if (!session || !this.getById(callId)) return;
    try {
      await this.#setRemote(callId, session, 'answer', sdp);
      this.#patch(callId, { answerTime: this.#ctx.runtime.now() });
      if (customParameters.length)
        this.#ctx.emit('call:customParameters', { callId, customParameters });
      this.#setState(callId, states.CONNECTED, { statusCode: 200, reasonText: 'Answered' });
      this.#syncTracks(callId);
    } catch (error) {
      await this.#signalling?.end(callId).catch(() => undefined);
      this.#finish(callId, Transitions.MEDIA_FAILED, toBasic(error));
    }
  }

  #remoteRinging(callId: string): void {
    const call = this.getById(callId);
    if (
      call?.direction === 'outgoing' &&
      (call.state === states.INITIATED || call.state === states.INITIATING)
    ) {
      this.#setState(callId, states.RINGING);
    }
  }

  /** The callee forwarded this outgoing call: it rings at `forwarding.to` now. */
  #remoteForwarded(callId: string, forwarding: CallForwarding): void {
    const call = this.getById(callId);
    if (!call || call.direction !== 'outgoing' || isFinal(call.state)) return;
    this.#patch(callId, {
      remoteParticipant: {
        displayNumber: forwarding.to.id,
        displayName: forwarding.to.displayName,
      },
      forwarded: [...(call.forwarded ?? []), forwarding],
    });
    this.#ctx.emit('call:forwarded', { callId, by: forwarding.by, to: forwarding.to });
  }

  #remoteEnded(callId: string, transition: CallTransition): void {
    const join = this.#joinOf(callId);
    if (join) return join.ended(callId, transition);
    const call = this.getById(callId);
    if (!call || isFinal(call.state)) return;
    this.#finish(callId, transition);
  }

  async #remoteCandidate(callId: string, candidate: CandidateInit | null): Promise<void> {
    const session = this.#sessions.get(callId);
    if (!session) return;
    if (!session.pc.remoteDescription) session.inbox.push(candidate);
    else await this.#addCandidate(session, candidate);
  }

  async #addCandidate(session: Session, candidate: CandidateInit | null): Promise<void> {
    try {
      await session.pc.addIceCandidate(candidate ?? undefined);
    } catch (error) {
      this.#ctx.log.debug('a remote ICE candidate was refused', error);
    }
  }

  #flushOutbox(callId: string, session: Session): void {
    const pending = session.outbox ?? [];
    session.outbox = null;
    for (const candidate of pending)
      void this.#signalling?.candidate(callId, candidate).catch(() => undefined);
  }

  /** Registers the tracks this side now receives and announces what changed both ways. */
  #syncTracks(callId: string): void {
    const session = this.#sessions.get(callId);
    const call = this.getById(callId);
    if (!session || !call) return;
    const receiving = session.pc
      .getTransceivers()
      .filter(
        (t) =>
          t.currentDirection !== 'stopped' &&
          (t.currentDirection === 'sendrecv' || t.currentDirection === 'recvonly'),
      )
      .map((t) => t.receiver.track);
    const sending = session.pc
      .getTransceivers()
      .filter(
        (t) =>
          t.currentDirection !== 'stopped' &&
          t.sender.track &&
          (t.currentDirection === 'sendrecv' || t.currentDirection === 'sendonly'),
      )
      .map((t) => t.sender.track!.id);
    const added: string[] = [];
    for (const track of receiving) {
      if (!this.#media.getTrackById(track.id)) {
        this.#media.register(track, session.streams.get(track.id) ?? `remote-${callId}`, {
          isLocal: false,
          callId,
          type: track.kind === 'audio' ? 'audio' : 'video',
        });
      }
      if (!call.remoteTracks.includes(track.id)) added.push(track.id);
    }
    const receivingIds = receiving.map((t) => t.id);
    const removed = call.remoteTracks.filter((id) => !receivingIds.includes(id));
    const activeLocal = call.localTracks.filter((id) => sending.includes(id));
    this.#patch(callId, { remoteTracks: receivingIds });
    const localAdded = activeLocal.filter((id) => !this.#announcedLocal(callId).has(id));
    const localRemoved = [...this.#announcedLocal(callId)].filter(
      (id) => !activeLocal.includes(id),
    );
    this.#localAnnounced.set(callId, new Set(activeLocal));
    if (added.length || localAdded.length) {
      const trackIds = [...localAdded, ...added];
      this.#ctx.emit('call:tracksAdded', { callId, trackIds });
      this.#ctx.emit('call:newMedia', { callId, trackIds });
    }
    if (removed.length || localRemoved.length) {
      const trackIds = [...localRemoved, ...removed];
      this.#ctx.emit('call:tracksRemoved', { callId, trackIds });
      this.#ctx.emit('call:removedMedia', { callId, trackIds });
    }
  }

  readonly #localAnnounced = new Map<string, Set<string>>();

  #announcedLocal(callId: string): Set<string> {
    return this.#localAnnounced.get(callId) ?? new Set();
  }

  /** Ends the call locally: stops its media, closes its connection, records why. */
  #finish(callId: string, transition: CallTransition, error?: BasicError): void {
    const call = this.getById(callId);
    if (!call || isFinal(call.state)) return;
    const session = this.#sessions.get(callId);
    this.#sessions.delete(callId);
    this.#joins.get(callId)?.close();
    this.#joins.delete(callId);
    session?.awaitingAnswer?.reject(new CommsError(ErrorCodes.CANCELLED, 'the call ended'));
    this.#transfers
      .get(callId)
      ?.reject(new CommsError(ErrorCodes.CANCELLED, 'the call ended before its transfer'));
    session?.pc.close();
    const trackIds = [...call.localTracks, ...call.remoteTracks];
    for (const id of call.localTracks) if (!this.#media.isDetached(id)) this.#media.dispose(id);
    for (const id of call.remoteTracks) this.#media.dispose(id);
    this.#localAnnounced.delete(callId);
    const cancelled =
      call.direction === 'incoming' &&
      call.answerTime === null &&
      transition.statusCode === Transitions.CANCELLED.statusCode;
    this.#patch(callId, {
      endTime: this.#ctx.runtime.now(),
      mediaConnectionState: mediaConnectionStates.CLOSED,
      localTracks: [],
      remoteTracks: [],
    });
    if (trackIds.length) this.#ctx.emit('call:tracksRemoved', { callId, trackIds });
    this.#setState(
      callId,
      cancelled ? states.CANCELLED : states.ENDED,
      transition,
      undefined,
      error,
    );
  }

  // ── state ───────────────────────────────────────────────────────────────────

  #setState(
    callId: string,
    next: CallState,
    transition?: CallTransition,
    previous?: { state: CallState; localHold?: boolean; remoteHold?: boolean },
    error?: BasicError,
  ): void {
    const call = this.getById(callId);
    if (!call) return;
    if (call.state === next && !previous) return;
    assertTransition(callId, call.state, next);
    this.#patch(callId, { state: next, transition: transition ?? call.transition });
    this.#ctx.emit('call:stateChange', {
      callId,
      previous: previous ?? { state: call.state },
      ...(transition ? { transition } : {}),
      ...(error ? { error } : {}),
    });
  }

  #put(call: CallObject): void {
    this.#reports.changed(this.getById(call.id), call, this.#ctx.runtime.now());
    this.#ctx.store.update((s) => ({
      ...s,
      call: { calls: { ...s.call.calls, [call.id]: call } },
    }));
  }

  #patch(callId: string, patch: Partial<CallObject>): void {
    const call = this.getById(callId);
    if (call) this.#put({ ...call, ...patch });
  }

  /**
   * Runs an operation on a call, one at a time per call, emitting `call:operation` START and
   * FINISH (with the error, if any). `interrupt` runs at once (end must not wait behind a hold).
   */
  #operation<T>(
    callId: string,
    type: ReportEventType,
    run: () => Promise<T>,
    interrupt = false,
    isLocal = true,
  ): Promise<T> {
    const session = this.#sessions.get(callId);
    const id = `op-${++operationCounter}`;
    const start = async (): Promise<T> => {
      const operation = { id, type, isLocal, status: 'ONGOING' as const };
      this.#patch(callId, {
        currentOperations: [...(this.getById(callId)?.currentOperations ?? []), operation],
      });
      this.#reports.started(callId, type, id, isLocal, this.#ctx.runtime.now());
      this.#ctx.emit('call:operation', {
        callId,
        operation: type,
        operationId: id,
        transition: 'START',
        isLocal,
      });
      const finish = (error?: unknown) => {
        const basic = error === undefined ? undefined : toBasic(error);
        this.#reports.finished(callId, id, this.#ctx.runtime.now(), basic);
        this.#ctx.emit('call:operation', {
          callId,
          operation: type,
          operationId: id,
          transition: 'FINISH',
          isLocal,
          previous: { operation: type, status: 'ONGOING' },
          ...(basic ? { error: basic } : {}),
        });
      };
      try {
        const result = await run();
        finish();
        return result;
      } catch (error) {
        finish(error);
        throw error;
      } finally {
        this.#patch(callId, {
          currentOperations: (this.getById(callId)?.currentOperations ?? []).filter(
            (o) => o.id !== id,
          ),
        });
      }
    };
    if (!session || interrupt) return start();
    const result = session.queue.then(start, start);
    session.queue = result.catch(() => undefined);
    return result;
  }

  // ── checks ──────────────────────────────────────────────────────────────────

  #require(
    callId: string,
    method: string,
    allowed?: CallState[],
    direction?: 'incoming' | 'outgoing',
  ): CallObject {
    const call = typeof callId === 'string' ? this.getById(callId) : undefined;
    if (!call)
      throw new CommsError(
        CallErrorCodes.UNKNOWN_CALL,
        `${method}(): there is no call '${String(callId)}'`,
      );
    if (direction && call.direction !== direction) {
      throw new CommsError(
        CallErrorCodes.INVALID_STATE,
        `${method}(): call ${callId} is ${call.direction}; ${method} is for ${direction} calls`,
      );
    }
    if (allowed && !allowed.includes(call.state)) {
      throw new CommsError(
        CallErrorCodes.INVALID_STATE,
        `${method}(): call ${callId} is ${call.state}; it must be ${allowed.join(' or ')}`,
      );
    }
    return call;
  }

  #session(callId: string): Session {
    const session = this.#sessions.get(callId);
    if (!session)
      throw new CommsError(
        CallErrorCodes.INVALID_STATE,
        this.#joins.has(callId)
          ? `call ${callId} is a joined call: it has no connection of its own`
          : `call ${callId} has no media connection`,
      );
    return session;
  }

  /** Refuses `method` on a joined call (audio only, never held). */
  #single(callId: string, method: string): void {
    if (this.#joins.has(callId))
      throw new CommsError(
        CallErrorCodes.INVALID_STATE,
        `${method}(): call ${callId} is a joined call: it stays audio only and cannot be held`,
      );
  }

  #requireSignalling(): CallSignalling {
    if (!this.#signalling)
      throw new CommsError(
        CallErrorCodes.NO_BACKEND,
        'calls need a connected backend: connect() first',
      );
    return this.#signalling;
  }

  #checkMedia(media: MediaRequest, method: string): void {
    checkMedia(media, method);
  }

  #hasDetached(media: MediaRequest, kind: string): boolean {
    return (media.medias ?? []).some((m) => m.media.tracks.some((t) => t.kind === kind));
  }

  #localOfType(callId: string, type: 'video' | 'screen', method: string): string {
    const call = this.#require(callId, method, [states.CONNECTED]);
    const id = call.localTracks.find((t) => this.#media.getTrackById(t)?.type === type);
    if (!id)
      throw new CommsError(
        CallErrorCodes.INVALID_STATE,
        `${method}(): call ${callId} has no local ${type} track`,
      );
    return id;
  }
}

function failureTransition(error: unknown): CallTransition {
  const code = (error as CommsError)?.code;
  if (code === 'call:unknownDestination' || code === 'call:invalidDestination')
    return Transitions.NOT_FOUND;
  if (code === 'media:unavailable')
    return { statusCode: 488, reasonText: (error as Error).message };
  return { statusCode: 500, reasonText: (error as Error)?.message ?? 'The call failed' };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new CommsError(ErrorCodes.REQUEST_TIMEOUT, message)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
