/**
 * The one map of every event a client emits, keyed by the seeds' event names. Features add
 * their events here as they are built, so `client.on(name, listener)` is typed end to end.
 */
import type { BasicError } from './errors.js';
import type { ClientConfig } from './config.js';

/** Event name → the single parameter object its listeners receive. */
export interface CommsEventMap {
  /** The configuration changed through `updateConfig` (comms-kit addition). */
  'config:change': { config: ClientConfig; previous: ClientConfig };
  /** A REST request to the server failed (seed event). */
  'request:error': { error: BasicError };
}

/** Any event name of {@link CommsEventMap}. */
export type CommsEventName = keyof CommsEventMap;

/** A listener for one event. */
export type EventListener<K extends CommsEventName> = (params: CommsEventMap[K]) => void;

/** A listener for every event (`client.subscribe`): the event's name, then its parameters. */
export type AnyEventListener = <K extends CommsEventName>(
  type: K,
  params: CommsEventMap[K],
) => void;
