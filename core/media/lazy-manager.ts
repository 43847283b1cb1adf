/**
 * The `media` namespace's target: the media manager (`manager.ts`: tracks, devices, rendering),
 * a chunk of its own in the ES builds fetched by `import()` when first needed:
 *
 * - with the call engine (which uses it): `call/lazy-manager.ts` loads both;
 * - when a media method that needs it is called (`initializeDevices`, `createLocalMedia`,
 *   `renderTracks`, `changeSpeaker`: the client runs them on the manager through `later`, so
 *   they wait for it).
 *
 * Before it has loaded there are no tracks, no detached media and nothing rendered, and no
 * device list was read: `getDevices()`, `getTrackById()` and `getLocalMedia()` answer from the
 * state at once, `setDefaultDevices()` writes it, and the methods that address tracks throw as
 * the manager does for a track it does not have. A chunk that cannot be fetched rejects the
 * method that needed it with `network:error`; the next one fetches it again.
 */
import { CommsError, ErrorCodes } from '../errors.js';
import type { FeatureContext } from '../feature.js';
import { Chunk, LazyFeature } from '../lazy.js';
import type { MediaManager } from './manager.js';
import type * as ManagerModule from './manager.js';
import { setDefaultDevices } from './state.js';
import type { DefaultDevices, DetachedMedia, DevicesObject, TrackObject } from './types.js';

/** The media manager's chunk, shared by every client of the page. */
export const mediaChunk = new Chunk<typeof ManagerModule>(
  'media manager',
  () => import('./manager.js'),
);

/** The `media` namespace's target: the media manager, loaded on demand. */
export class LazyMediaManager extends LazyFeature<typeof ManagerModule, MediaManager> {
  constructor(ctx: FeatureContext) {
    super(ctx, mediaChunk, (module) => new module.MediaManager(ctx));
  }

  // ── what the state answers, manager or not ─────────────────────────────────

  /** The seeds' `getDevices()`: the last known lists (see `initializeDevices`). */
  getDevices(): DevicesObject {
    return this.ctx.store.getState().media.devices;
  }

  getTrackById(trackId: string): TrackObject | undefined {
    return this.ctx.store.getState().media.tracks[trackId];
  }

  setDefaultDevices(defaults: DefaultDevices): void {
    setDefaultDevices(this.ctx, defaults);
  }

  getLocalMedia(): DetachedMedia[] {
    return this.current?.getLocalMedia() ?? [];
  }

  removeTracks(trackIds: string[], selector?: string | Element): void {
    this.current?.removeTracks(trackIds, selector);
  }

  disposeLocalMedia(media: DetachedMedia | string): void {
    const manager = this.current;
    if (manager) return manager.disposeLocalMedia(media);
    throw new CommsError(
      'media:unknownTrack',
      'disposeLocalMedia(): that is not detached media of this client',
    );
  }

  muteTracks(trackIds: string[]): void {
    this.#mute('muteTracks', trackIds);
  }

  unmuteTracks(trackIds: string[]): void {
    this.#mute('unmuteTracks', trackIds);
  }

  /** Before the manager there is no track: the manager's own errors, else nothing to do. */
  #mute(method: 'muteTracks' | 'unmuteTracks', trackIds: string[]): void {
    const manager = this.current;
    if (manager) return manager[method](trackIds);
    if (!Array.isArray(trackIds))
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        `${method}(trackIds): trackIds must be an array`,
      );
    if (trackIds.length > 0)
      throw new CommsError('media:unknownTrack', `${method}(): no track '${trackIds[0]}'`);
  }

  /** Stops every track (destroy); the manager is not loaded for it. */
  disposeAll(): void {
    this.created?.disposeAll();
    this.dispose();
  }
}
