/**
 * The media state's parts the client needs before the media manager (a chunk loaded on
 * demand, `lazy-manager.ts`) is here: the initial slice and the default devices.
 */
import { CommsError, ErrorCodes } from '../errors.js';
import type { FeatureContext } from '../feature.js';
import type { DefaultDevices, MediaState } from './types.js';

/** The initial `media` slice. */
export const initialMediaState: MediaState = {
  tracks: {},
  devices: { camera: [], microphone: [], speaker: [] },
  defaults: {},
  detached: [],
};

/** Devices to use when a request names none (Kandy `setDefaultDevices`). */
export function setDefaultDevices(ctx: FeatureContext, defaults: DefaultDevices): void {
  if (!defaults || typeof defaults !== 'object') {
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      'setDefaultDevices(devices): devices must be an object',
    );
  }
  ctx.store.update((s) => ({
    ...s,
    media: { ...s.media, defaults: { ...s.media.defaults, ...defaults } },
  }));
}
