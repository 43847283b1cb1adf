/**
 * The client's side of the call engine: what the `call` namespace forwards to. The engine
 * (`manager.ts`: RTCPeerConnections, SDP, ICE, and through it webrtc-adapter's shims) is a
 * chunk of its own in the ES builds, fetched by `import()` when the client first needs calls
 * (with the media manager it uses, another chunk, `media/lazy-manager.ts`):
 *
 * - when it joins an in-page hub, or connects (or subscribes) with the `call` service:
 *   `connect()` and `services.subscribe()` wait for it before subscribing, so once they
 *   resolve the engine is here and every call method behaves as if it had always been;
 * - when a call method that needs the engine is called (`make`, `answer`, `getStats`,
 *   `getAvailableCodecs`, …; these wait for it);
 * - when the backend delivers a call event (an invite) before it is here: the event is held
 *   and handed to the engine, in order, once it has loaded.
 *
 * Before it has loaded there are no calls, so `getAll()` and `getById()` answer from the
 * state at once; `setSdpHandlers()` is checked and kept for the engine. `make()` called while
 * it loads (right after joining a hub) still returns the call's id at once: the call is
 * recorded as Initiating and starts when the engine arrives. A chunk that fails to load is
 * tried again by the next use; a call made meanwhile ends with the error.
 */
import { CommsError, ErrorCodes, toBasic } from '../errors.js';
import { Chunk, LazyFeature } from '../lazy.js';
import type { FeatureContext } from '../feature.js';
import { mediaChunk, type LazyMediaManager } from '../media/lazy-manager.js';
import type { MediaRequest } from '../media/types.js';
import type { SdpHandlerFunction } from '../sdp/types.js';
import { normalizeDestination } from './destination.js';
import { CallErrorCodes } from './errors.js';
import { checkCustomParameters, checkMedia, checkSdpHandlers, outgoingCall } from './make.js';
import type { CallManager } from './manager.js';
import type { CallReport } from './report.js';
import type * as ManagerModule from './manager.js';
import { isFinal, mediaConnectionStates, states } from './states.js';
import type {
  CallSignalling,
  CallTransition,
  CustomParameter,
  SignallingHandlers,
} from './signalling.js';
import type { CallObject, CallsState, MakeOptions } from './types.js';
import type { EventFrame } from '../protocol/schema.js';
import type { GatewayCallSignalling, Requester } from '../backends/gateway/call-signalling.js';

/** The initial `call` slice. */
export const initialCallsState: CallsState = { calls: {} };

type EngineModule = typeof ManagerModule;

/**
 * The call engine's chunk (shared by every client of the page), loaded with the media
 * manager's, which the engine uses: once it is here, so is that. `manager.ts` imports nothing
 * but types from this module: a lazy chunk that imports values back from the module that loads
 * it makes the bundler split its runtime off the CDN entry (one more file to fetch).
 */
const engineChunk = new Chunk<EngineModule>('call engine', () =>
  Promise.all([import('./manager.js'), mediaChunk.load()]).then(([engine]) => engine),
);

/** A call `make` recorded before the engine was here: what it starts with. */
interface RecordedCall {
  to: string;
  media: MediaRequest;
  options: MakeOptions;
}

/** The `call` namespace's target: the call engine, loaded on demand. */
export class LazyCallManager extends LazyFeature<EngineModule, CallManager> {
  readonly #self: () => string;
  /** The backend's signalling, handed to the engine once it is here. */
  #signalling: CallSignalling | undefined;
  /**
   * The gateway's connection, while calls go through it. Its signalling
   * (`GatewayCallSignalling`, which only calls need) is in the engine's chunk: made with the
   * engine, and until then its call events are held here as they come (`handleGatewayEvent`).
   */
  #gateway: Requester | undefined;
  #gatewaySignalling: GatewayCallSignalling | undefined;
  /** What that backend delivered before the engine was here, in order. */
  #held: Array<(handlers: SignallingHandlers) => void> = [];
  #sdpHandlers: SdpHandlerFunction[] | undefined;
  readonly #recorded = new Map<string, RecordedCall>();

  /** The same collaborators as `CallManager`'s, kept until the engine is created. */
  constructor(
    ctx: FeatureContext,
    media: LazyMediaManager,
    self: () => string,
    turnToken: () => Promise<string> | undefined,
  ) {
    // The media manager's chunk comes with the engine's (`engineChunk`): it is here too.
    super(
      ctx,
      engineChunk,
      (engine) => new engine.CallManager(ctx, media.current!, self, turnToken),
    );
    this.#self = self;
  }

  /**
   * The engine, loaded if needed: at once when its chunk is already here (another client of
   * the page loaded it), else once it has been fetched. Rejects when the chunk cannot be
   * loaded (the next call tries again), ending the calls made meanwhile.
   */
  override load(): Promise<CallManager> {
    return super.load().catch((error: unknown) => {
      this.#failRecorded(error);
      throw error;
    });
  }

  /** Hands the new engine what was kept for it. */
  protected override started(engine: CallManager): void {
    if (this.#gateway && !this.#signalling)
      this.#signalling = this.#gatewaySignalling ??= new engineChunk.loaded!.GatewayCallSignalling(
        this.#gateway,
      );
    if (this.#sdpHandlers) engine.setSdpHandlers(this.#sdpHandlers);
    if (this.#signalling) engine.useSignalling(this.#signalling, this.#held.splice(0));
    const recorded = [...this.#recorded];
    this.#recorded.clear();
    for (const [callId, call] of recorded)
      engine.startRecorded(callId, call.to, call.media, call.options);
  }

  /**
   * Connects calls to a backend's signalling. With the engine here, at once; otherwise what
   * the backend delivers is held until it is (each such event also starts loading it).
   */
  useSignalling(signalling: CallSignalling): void {
    this.#gateway = undefined;
    this.#use(signalling);
  }

  /**
   * Calls go through the gateway's WebSocket (`connection`). Its signalling comes with the
   * engine's chunk: made at once when that is here, else with the engine.
   */
  useGateway(connection: Requester): void {
    this.#gateway = connection;
    const engineModule = engineChunk.loaded;
    if (engineModule)
      return this.#use(
        (this.#gatewaySignalling ??= new engineModule.GatewayCallSignalling(connection)),
      );
    this.#signalling = undefined;
    this.#held = [];
  }

  /**
   * A call event from the gateway (`call:*`; false for any other): to its signalling, or held,
   * in order, until the engine and its signalling are here (it starts loading them).
   */
  handleGatewayEvent(frame: EventFrame): boolean {
    if (!this.#gateway || !frame.event.startsWith('call:')) return false;
    if (this.#gatewaySignalling) return this.#gatewaySignalling.handleEvent(frame);
    this.#held.push(() => this.#gatewaySignalling?.handleEvent(frame));
    void this.prefetch();
    return true;
  }

  #use(signalling: CallSignalling): void {
    const engine = this.current;
    if (engine) {
      this.#signalling = signalling;
      engine.useSignalling(signalling);
      return;
    }
    if (this.#signalling !== signalling) this.#held = [];
    this.#signalling = signalling;
    const hold =
      (name: keyof SignallingHandlers) =>
      (...args: unknown[]): void => {
        this.#held.push((handlers) =>
          (handlers[name] as (...a: unknown[]) => void).apply(handlers, args),
        );
        void this.prefetch();
      };
    // Whichever handler the backend calls holds its event (the engine's handlers, the type).
    signalling.setHandlers(
      new Proxy({} as SignallingHandlers, {
        get: (_, name) => hold(name as keyof SignallingHandlers),
      }),
    );
  }

  // ── reading: the state, engine or not ───────────────────────────────────────

  getAll(): CallObject[] {
    return Object.values(this.ctx.store.getState().call.calls);
  }

  getById(callId: string): CallObject | undefined {
    return this.ctx.store.getState().call.calls[callId];
  }

  /** Replaces the SDP handlers for future operations; kept for the engine until it is here. */
  setSdpHandlers(handlers: SdpHandlerFunction[]): void {
    checkSdpHandlers(handlers);
    this.#sdpHandlers = [...handlers];
    this.created?.setSdpHandlers(handlers);
  }

  /**
   * Sets the custom parameters of a call (none: `[]` or nothing), kept on its `CallObject`:
   * they go with its renegotiations (hold, unhold, media changes) and with
   * `sendCustomParameters`. The call needs no engine for it.
   */
  setCustomParameters(callId: string, customParameters: CustomParameter[] = []): void {
    const call = typeof callId === 'string' ? this.getById(callId) : undefined;
    if (!call || isFinal(call.state))
      throw new CommsError(
        CallErrorCodes.UNKNOWN_CALL,
        `setCustomParameters(): there is no ongoing call '${String(callId)}'`,
      );
    const params = checkCustomParameters(customParameters, 'setCustomParameters');
    this.#put({ ...call, customParameters: params });
    const recorded = this.#recorded.get(callId);
    if (recorded) recorded.options = { ...recorded.options, customParameters: params };
  }

  /**
   * The call's report (its operations' timeline and metrics, as of now). A call the engine
   * has not started yet has an empty one.
   */
  getReport(callId: string): CallReport {
    const engine = this.created;
    if (engine) return engine.getReport(callId);
    const call = typeof callId === 'string' ? this.getById(callId) : undefined;
    if (!call)
      throw new CommsError(
        CallErrorCodes.UNKNOWN_CALL,
        `getReport(): there is no call '${String(callId)}'`,
      );
    return {
      callId,
      direction: call.direction,
      start: call.startTime,
      timeline: [],
      metrics: [],
    };
  }

  // ── make ────────────────────────────────────────────────────────────────────

  /**
   * Starts a call and returns its id at once (as in the seeds). Without a backend it throws
   * `call:noBackend`; while the engine loads, the call is recorded as Initiating and starts
   * when it arrives.
   */
  make(destination: string, media: MediaRequest = { audio: true }, options: MakeOptions = {}) {
    const engine = this.current;
    if (engine) return engine.make(destination, media, options);
    if (!this.#signalling)
      throw new CommsError(
        CallErrorCodes.NO_BACKEND,
        'calls need a connected backend: connect() first',
      );
    const normalize = this.ctx.config().call?.normalizeDestination !== false;
    const to = normalizeDestination(destination, normalize);
    checkMedia(media, 'make');
    if (options.customParameters) checkCustomParameters(options.customParameters, 'make');
    const callId = crypto.randomUUID();
    const call = outgoingCall(callId, this.#self(), to, options, this.ctx.runtime.now());
    this.#put(call);
    this.#recorded.set(callId, { to, media, options });
    void this.load().catch(() => undefined); // a failure ends the call (#failRecorded)
    return callId;
  }

  /** Ends a recorded call (never started): the chunk failed to load, or the client went. */
  #endRecorded(callId: string, transition: CallTransition, error?: CommsError): void {
    this.#recorded.delete(callId);
    const call = this.getById(callId);
    if (!call || isFinal(call.state)) return;
    const basic = error ? toBasic(error) : undefined;
    if (basic) this.ctx.emit('call:start', { callId, error: basic });
    this.#put({
      ...call,
      state: states.ENDED,
      transition,
      endTime: this.ctx.runtime.now(),
      mediaConnectionState: mediaConnectionStates.CLOSED,
    });
    this.ctx.emit('call:stateChange', {
      callId,
      previous: { state: call.state },
      transition,
      ...(basic ? { error: basic } : {}),
    });
  }

  /** The engine's or the media manager's chunk could not be fetched (`error`, from `Chunk`). */
  #failRecorded(cause: unknown): void {
    const error =
      cause instanceof CommsError
        ? cause
        : new CommsError(ErrorCodes.NETWORK_ERROR, `the call engine could not be loaded`, {
            cause,
          });
    for (const callId of [...this.#recorded.keys()])
      this.#endRecorded(callId, { statusCode: 500, reasonText: error.message }, error);
  }

  #put(call: CallObject): void {
    this.ctx.store.update((s) => ({
      ...s,
      call: { calls: { ...s.call.calls, [call.id]: call } },
    }));
  }

  /** Ends every call (destroy); the engine is not loaded for it. */
  endAll(transition: CallTransition): void {
    this.created?.endAll(transition);
    for (const callId of [...this.#recorded.keys()]) this.#endRecorded(callId, transition);
  }

  /**
   * Moves the calls in progress to these devices (`media.changeInputDevices`). Without the
   * engine there is no call with tracks: nothing to do.
   */
  changeInputDevices(devices: { microphone?: string; camera?: string }): Promise<void> {
    return this.current?.changeInputDevices(devices) ?? Promise.resolve();
  }
}
