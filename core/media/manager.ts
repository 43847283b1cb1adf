/**
 * Media (the seeds' `media` namespace): the registry of every local and remote track, device
 * lists and defaults, detached media, rendering into the page, and mute. The call engine asks
 * it for tracks and hands it the remote ones; it owns no RTCPeerConnection. A chunk of its own
 * in the ES builds, loaded on demand (`lazy-manager.ts`): it must import nothing but types
 * from that module.
 */
import { CommsError, ErrorCodes } from '../errors.js';
import type { FeatureContext } from '../feature.js';
import type {
  DefaultDevices,
  DetachedMedia,
  DeviceInfo,
  DevicesObject,
  MediaConstraint,
  MediaObject,
  MediaRequest,
  TrackObject,
} from './types.js';
import { setDefaultDevices } from './state.js';

/** Error code when the browser refuses or cannot provide media. */
export const MEDIA_ERROR = 'media:unavailable';

function constraint(
  value: MediaConstraint | undefined,
  exactByDefault = false,
): ConstrainDOMString | ConstrainULong | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'object') return value as ConstrainDOMString;
  return exactByDefault ? { exact: String(value) } : ({ ideal: value } as ConstrainULong);
}

function clean<T extends object>(value: T): T | true {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return entries.length ? (Object.fromEntries(entries) as T) : true;
}

export class MediaManager {
  readonly #ctx: FeatureContext;
  readonly #tracks = new Map<string, MediaStreamTrack>();
  readonly #rendered = new Map<string, Set<HTMLMediaElement>>();
  #listening = false;

  constructor(ctx: FeatureContext) {
    this.#ctx = ctx;
  }

  // ── tracks ──────────────────────────────────────────────────────────────────

  /** Creates local tracks for `request` (camera, microphone, screen), registered for `callId`. */
  async createTracks(request: MediaRequest, callId: string | null): Promise<MediaStreamTrack[]> {
    const devices = globalThis.navigator?.mediaDevices;
    if (!devices)
      throw new CommsError(
        MEDIA_ERROR,
        'this environment has no media devices (navigator.mediaDevices)',
      );
    const { defaults } = this.#ctx.store.getState().media;
    const created: MediaStreamTrack[] = [];
    try {
      if (request.audio || request.video) {
        const audio = request.audio
          ? clean({
              deviceId: constraint(request.audioOptions?.deviceId ?? defaults.microphone, true),
            })
          : false;
        const video = request.video
          ? clean({
              deviceId: constraint(request.videoOptions?.deviceId ?? defaults.camera, true),
              width: constraint(request.videoOptions?.width),
              height: constraint(request.videoOptions?.height),
              frameRate: constraint(request.videoOptions?.frameRate),
            })
          : false;
        const stream = await devices.getUserMedia({ audio, video } as MediaStreamConstraints);
        for (const track of stream.getTracks()) {
          this.register(track, stream.id, {
            isLocal: true,
            callId,
            type: track.kind === 'audio' ? 'audio' : 'video',
          });
          created.push(track);
        }
      }
      if (request.screen) {
        const stream = await devices.getDisplayMedia({
          video: clean({
            width: constraint(request.screenOptions?.width),
            height: constraint(request.screenOptions?.height),
            frameRate: constraint(request.screenOptions?.frameRate),
          }),
          audio: false,
        } as DisplayMediaStreamOptions);
        for (const track of stream.getVideoTracks()) {
          this.register(track, stream.id, { isLocal: true, callId, type: 'screen' });
          created.push(track);
        }
      }
    } catch (error) {
      for (const track of created) this.dispose(track.id);
      const name = (error as DOMException)?.name;
      const reason =
        name === 'NotAllowedError'
          ? 'permission to use the camera or microphone was denied'
          : name === 'NotFoundError'
            ? 'no camera or microphone matches the request'
            : name === 'NotReadableError'
              ? 'the camera or microphone is in use by another program'
              : `the browser could not provide media (${name ?? String(error)})`;
      const commsError = new CommsError(MEDIA_ERROR, reason, { cause: error });
      this.#ctx.emit('devices:error', { error: commsError.toJSON() });
      throw commsError;
    }
    return created;
  }

  /** Registers a track (local or remote) so the application can address it by id. */
  register(
    track: MediaStreamTrack,
    streamId: string,
    {
      isLocal,
      callId,
      type,
    }: { isLocal: boolean; callId: string | null; type: TrackObject['type'] },
  ): TrackObject {
    this.#tracks.set(track.id, track);
    const object: TrackObject = {
      id: track.id,
      kind: track.kind,
      type,
      label: track.label,
      isLocal,
      muted: !track.enabled,
      sourceMuted: track.muted,
      disabled: track.readyState === 'ended',
      state: track.readyState,
      streamId,
      callId,
      deviceId: isLocal ? (track.getSettings().deviceId ?? null) : null,
    };
    this.#setTrack(object);
    track.addEventListener('mute', () => {
      this.#patchTrack(track.id, { sourceMuted: true });
      this.#ctx.emit('media:sourceMuted', { trackId: track.id });
    });
    track.addEventListener('unmute', () => {
      this.#patchTrack(track.id, { sourceMuted: false });
      this.#ctx.emit('media:sourceUnmuted', { trackId: track.id });
    });
    track.addEventListener('ended', () => this.#ended(track.id));
    return object;
  }

  /** The live MediaStreamTrack behind an id (for the call engine). */
  getTrack(trackId: string): MediaStreamTrack | undefined {
    return this.#tracks.get(trackId);
  }

  /** The seeds' `getTrackById`. */
  getTrackById(trackId: string): TrackObject | undefined {
    return this.#ctx.store.getState().media.tracks[trackId];
  }

  /** Reassigns a track to a call (detached media used in a call). */
  assign(trackId: string, callId: string | null): void {
    this.#patchTrack(trackId, { callId });
  }

  /** Stops a local track (or forgets a remote one) and removes it from the registry. */
  dispose(trackId: string): void {
    const track = this.#tracks.get(trackId);
    if (!track) return;
    const object = this.getTrackById(trackId);
    if (object?.isLocal) track.stop();
    this.#unrender(trackId);
    this.#tracks.delete(trackId);
    this.#ctx.store.update((s) => {
      const { [trackId]: _gone, ...tracks } = s.media.tracks;
      return { ...s, media: { ...s.media, tracks } };
    });
  }

  /** Stops a local track and marks it ended (`media:trackEnded`), as when its device goes. */
  end(trackId: string): void {
    this.#tracks.get(trackId)?.stop();
    this.#ended(trackId);
  }

  // ── mute ────────────────────────────────────────────────────────────────────

  /** Stops sending the given local tracks' media (the track stays). */
  muteTracks(trackIds: string[]): void {
    this.#setMuted(trackIds, true);
  }

  /** Resumes sending the given tracks' media. */
  unmuteTracks(trackIds: string[]): void {
    this.#setMuted(trackIds, false);
  }

  #setMuted(trackIds: string[], muted: boolean): void {
    const method = muted ? 'muteTracks' : 'unmuteTracks';
    if (!Array.isArray(trackIds)) {
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        `${method}(trackIds): trackIds must be an array`,
      );
    }
    for (const id of trackIds) {
      const track = this.#tracks.get(id);
      if (!track) throw new CommsError('media:unknownTrack', `${method}(): no track '${id}'`);
      if (track.enabled === !muted) continue;
      track.enabled = !muted;
      this.#patchTrack(id, { muted });
      this.#ctx.emit(muted ? 'media:muted' : 'media:unmuted', { trackId: id });
    }
  }

  // ── rendering ───────────────────────────────────────────────────────────────

  /**
   * Renders tracks into the element matching `selector` (or the element given): one `<video>`
   * or `<audio>` per track, playing inline. Local audio is never rendered back (no echo).
   */
  async renderTracks(
    trackIds: string[],
    selector: string | Element,
    options: { speakerId?: string } = {},
  ): Promise<void> {
    const container = typeof selector === 'string' ? document.querySelector(selector) : selector;
    if (!container)
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        `renderTracks(): no element matches '${String(selector)}'`,
      );
    for (const id of trackIds) {
      const track = this.#tracks.get(id);
      const object = this.getTrackById(id);
      if (!track || !object)
        throw new CommsError('media:unknownTrack', `renderTracks(): no track '${id}'`);
      if (object.isLocal && track.kind === 'audio') continue;
      const element = document.createElement(track.kind === 'video' ? 'video' : 'audio');
      element.autoplay = true;
      element.setAttribute('playsinline', '');
      element.dataset.trackId = id;
      element.muted = object.isLocal;
      element.srcObject = new MediaStream([track]);
      const speaker = options.speakerId ?? this.#ctx.store.getState().media.defaults.speaker;
      if (speaker && 'setSinkId' in element) {
        await (element as HTMLMediaElement & { setSinkId(id: string): Promise<void> })
          .setSinkId(speaker)
          .catch(() => undefined);
      }
      container.append(element);
      const set = this.#rendered.get(id) ?? new Set();
      set.add(element);
      this.#rendered.set(id, set);
      element.play().catch(() => undefined);
    }
  }

  /** Removes rendered tracks from the element matching `selector` (or everywhere). */
  removeTracks(trackIds: string[], selector?: string | Element): void {
    const container = typeof selector === 'string' ? document.querySelector(selector) : selector;
    for (const id of trackIds) this.#unrender(id, container ?? undefined);
  }

  /** Sends every rendered remote audio/video element's output to `speakerId`. */
  async changeSpeaker(speakerId: string): Promise<void> {
    this.setDefaultDevices({ speaker: speakerId });
    const elements = [...this.#rendered.values()].flatMap((set) => [...set]);
    await Promise.all(
      elements
        .filter((el) => 'setSinkId' in el)
        .map((el) =>
          (el as HTMLMediaElement & { setSinkId(id: string): Promise<void> }).setSinkId(speakerId),
        ),
    );
  }

  #unrender(trackId: string, container?: Element): void {
    const set = this.#rendered.get(trackId);
    if (!set) return;
    for (const element of [...set]) {
      if (container && element.parentElement !== container) continue;
      element.srcObject = null;
      element.remove();
      set.delete(element);
    }
    if (set.size === 0) this.#rendered.delete(trackId);
  }

  // ── devices ─────────────────────────────────────────────────────────────────

  /** The seeds' `getDevices()`: the last known lists (see `initializeDevices`). */
  getDevices(): DevicesObject {
    return this.#ctx.store.getState().media.devices;
  }

  /**
   * Reads the device lists (asking for permission first when labels are hidden, if
   * `permission` is true) and keeps them current as devices come and go.
   */
  async initializeDevices(permission = { audio: true, video: true }): Promise<DevicesObject> {
    const devices = globalThis.navigator?.mediaDevices;
    if (!devices)
      throw new CommsError(
        MEDIA_ERROR,
        'this environment has no media devices (navigator.mediaDevices)',
      );
    let list = await devices.enumerateDevices();
    if (list.some((d) => !d.label) && (permission.audio || permission.video)) {
      try {
        const stream = await devices.getUserMedia(permission);
        stream.getTracks().forEach((t) => t.stop());
      } catch (error) {
        const commsError = new CommsError(MEDIA_ERROR, 'permission to list devices was denied', {
          cause: error,
        });
        this.#ctx.emit('devices:error', { error: commsError.toJSON() });
      }
      list = await devices.enumerateDevices();
    }
    if (!this.#listening) {
      this.#listening = true;
      devices.addEventListener('devicechange', this.#onDeviceChange);
    }
    return this.#setDevices(list);
  }

  /** Devices to use when a request names none (Kandy `setDefaultDevices`). */
  setDefaultDevices(defaults: DefaultDevices): void {
    setDefaultDevices(this.#ctx, defaults);
  }

  readonly #onDeviceChange = () => {
    void globalThis.navigator.mediaDevices
      .enumerateDevices()
      .then((list) => this.#setDevices(list));
  };

  #setDevices(list: MediaDeviceInfo[]): DevicesObject {
    const info = (d: MediaDeviceInfo): DeviceInfo => ({
      deviceId: d.deviceId,
      groupId: d.groupId,
      kind: d.kind,
      label: d.label,
    });
    const devices: DevicesObject = {
      camera: list.filter((d) => d.kind === 'videoinput').map(info),
      microphone: list.filter((d) => d.kind === 'audioinput').map(info),
      speaker: list.filter((d) => d.kind === 'audiooutput').map(info),
    };
    this.#ctx.store.update((s) => ({ ...s, media: { ...s.media, devices } }));
    this.#ctx.emit('devices:change', { devices });
    return devices;
  }

  // ── detached media ─────────────────────────────────────────────────────────

  /** Creates media outside any call (a preview, or reuse across calls). */
  async createLocalMedia(request: MediaRequest): Promise<DetachedMedia[]> {
    const tracks = await this.createTracks(request, null);
    const detached = tracks.map((track) => {
      const object = this.getTrackById(track.id)!;
      return {
        type: object.type,
        media: { id: `media-${track.id}`, isLocal: true, tracks: [object] },
      };
    });
    this.#ctx.store.update((s) => ({
      ...s,
      media: { ...s.media, detached: [...s.media.detached, ...tracks.map((t) => t.id)] },
    }));
    return detached;
  }

  /** The detached media the application still owns. */
  getLocalMedia(): DetachedMedia[] {
    return this.#ctx.store
      .getState()
      .media.detached.map((id) => this.getTrackById(id))
      .filter((t): t is TrackObject => t !== undefined)
      .map((t) => ({
        type: t.type,
        media: { id: `media-${t.id}`, isLocal: true, tracks: [t] } as MediaObject,
      }));
  }

  /** Stops detached media (by media id or track id). */
  disposeLocalMedia(media: DetachedMedia | string): void {
    const trackId =
      typeof media === 'string' ? media.replace(/^media-/, '') : media?.media?.tracks?.[0]?.id;
    if (!trackId || !this.#ctx.store.getState().media.detached.includes(trackId)) {
      throw new CommsError(
        'media:unknownTrack',
        'disposeLocalMedia(): that is not detached media of this client',
      );
    }
    this.dispose(trackId);
    this.#ctx.store.update((s) => ({
      ...s,
      media: { ...s.media, detached: s.media.detached.filter((id) => id !== trackId) },
    }));
  }

  /** True when the application owns this track as detached media (the engine must not stop it). */
  isDetached(trackId: string): boolean {
    return this.#ctx.store.getState().media.detached.includes(trackId);
  }

  disposeAll(): void {
    for (const id of [...this.#tracks.keys()]) this.dispose(id);
    if (this.#listening)
      globalThis.navigator?.mediaDevices?.removeEventListener('devicechange', this.#onDeviceChange);
  }

  #ended(trackId: string): void {
    const object = this.getTrackById(trackId);
    if (!object || object.state === 'ended') return;
    this.#patchTrack(trackId, { state: 'ended', disabled: true });
    this.#ctx.emit('media:trackEnded', { trackId, callId: object.callId });
  }

  #setTrack(object: TrackObject): void {
    this.#ctx.store.update((s) => ({
      ...s,
      media: { ...s.media, tracks: { ...s.media.tracks, [object.id]: object } },
    }));
  }

  #patchTrack(trackId: string, patch: Partial<TrackObject>): void {
    const current = this.getTrackById(trackId);
    if (current) this.#setTrack({ ...current, ...patch });
  }
}
