import type { ServiceName } from '../protocol/constants.js';
import type { Subscription } from '../protocol/schema.js';

/** A service as `services.subscribe` takes it: a name, or the seeds' ServiceDescriptor. */
export type ServiceDescriptor = string | { service: string; params?: Record<string, unknown> };

/** Options of `services.subscribe`. */
export interface SubscribeOptions {
  /** Only `'websocket'` (as in the seeds). */
  type?: 'websocket';
  /**
   * Identifies this device: the same correlator replaces the earlier subscription, different
   * ones coexist. Default: one made per client.
   */
  clientCorrelator?: string;
}

/** What `services.getSubscriptions()` returns (the seeds' shape, plus the subscription). */
export interface SubscriptionsInfo {
  /** The services that can be subscribed to. */
  available: ServiceName[];
  /** The services with an active subscription. */
  subscribed: ServiceName[];
  /** True while a subscribe or unsubscribe is under way. */
  isPending: boolean;
  /** comms-kit: the subscription as the server granted it. */
  subscription: Subscription | null;
}

/** The `services` slice of the client state. */
export interface ServicesState extends SubscriptionsInfo {
  /** The services the application asked for (restored after a reconnect). */
  wanted: ServiceName[];
  clientCorrelator: string;
}
