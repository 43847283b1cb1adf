/**
 * The one map of every event a client emits, keyed by the seeds' event names. Features add
 * their events here as they are built, so `client.on(name, listener)` is typed end to end.
 */
import type { BasicError } from './errors.js';
import type { ClientConfig } from './config.js';
import type { SocketStatus, WSConnectionObject } from './transport/types.js';

/** Event name → the single parameter object its listeners receive. */
export interface CommsEventMap {
  /** The configuration changed through `updateConfig` (comms-kit addition). */
  'config:change': { config: ClientConfig; previous: ClientConfig };
  /** A REST request to the server failed (seed event). */
  'request:error': { error: BasicError };

  /** The credentials or the authenticated user changed (seed event). */
  'auth:change': Record<string, never>;
  /** The credentials are not usable: wrong, expired, revoked (seed event). */
  'auth:error': { error: BasicError };

  /** The WebSocket connected or lost its connection (seed event), with the previous status. */
  'ws:change': WSConnectionObject & { previous: SocketStatus };
  /** Connected and able to work (Notify's `ONLINE`). */
  'connection:online': Record<string, never>;
  /** No longer connected (Notify's `OFFLINE`); reconnecting may be under way. */
  'connection:offline': Record<string, never>;
  /** Reconnecting gave up (Notify's `ERROR`). */
  'connection:error': { error: BasicError };

  /**
   * Subscriptions changed (seed event). `reason` is set when the change was not asked for:
   * one of `services.changeReasons`.
   */
  'subscription:change': { reason?: string };
  /** A subscribe or unsubscribe failed (seed event). */
  'subscription:error': { error: BasicError };
  /** An attempt to extend the subscription was made (seed event). */
  'subscription:resub': { attemptNum: number; isFailure: boolean; error?: BasicError };
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
