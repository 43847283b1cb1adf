/**
 * Service subscriptions (the seeds' `services` namespace): subscribe and unsubscribe over the
 * WebSocket, extend before the subscription lapses (`subscription:resub`), and restore it by
 * itself after a reconnect.
 */
import { SERVICES, SUBSCRIPTION_EXPIRES, type ServiceName } from '../protocol/constants.js';
import type { EventFrame, Subscription } from '../protocol/schema.js';
import { CommsError, ErrorCodes, asCommsError, toBasic } from '../errors.js';
import type { FeatureContext } from '../feature.js';
import type { TimerHandle } from '../platform/runtime.js';
import type { ConnectionManager } from '../transport/connection.js';
import type {
  ServiceDescriptor,
  ServicesState,
  SubscribeOptions,
  SubscriptionsInfo,
} from './types.js';

/** Reasons a subscription changes without the application asking (the seeds' `changeReasons`). */
export const changeReasons = {
  /** Another client subscribed with the same clientCorrelator. */
  REPLACED: 'replaced',
  /** The subscription lapsed before it was extended. */
  EXPIRED: 'expired',
  /** The server ended it. */
  UNSUBSCRIBED: 'unsubscribed',
  /** The connection was lost; it is restored on reconnect. */
  LOST_CONNECTION: 'lostConnection',
} as const;

/** Older names the seeds use for a service. */
const aliases: Record<string, ServiceName> = { im: 'chat', IM: 'chat', sms: 'smsinbound' };

/** The initial `services` slice; the correlator is made per client. */
export function initialServicesState(clientCorrelator: string): ServicesState {
  return {
    available: [...SERVICES],
    subscribed: [],
    isPending: false,
    subscription: null,
    wanted: [],
    clientCorrelator,
  };
}

export class ServicesManager {
  readonly #ctx: FeatureContext;
  readonly #connection: ConnectionManager;
  #extendTimer: TimerHandle | undefined;
  #resubAttempt = 0;

  constructor(ctx: FeatureContext, connection: ConnectionManager) {
    this.#ctx = ctx;
    this.#connection = connection;
  }

  /** The seeds' `getSubscriptions()`. */
  getSubscriptions(): SubscriptionsInfo {
    const { available, subscribed, isPending, subscription } = this.#ctx.store.getState().services;
    return { available: [...available], subscribed: [...subscribed], isPending, subscription };
  }

  /**
   * Subscribes to `services` over the WebSocket (which must be connected: `connect()` opens
   * it). Emits `subscription:change` when pending and when done, `subscription:error` on failure.
   */
  async subscribe(
    services: ServiceDescriptor[],
    options: SubscribeOptions = {},
  ): Promise<SubscriptionsInfo> {
    const names = this.#names(services, 'subscribe');
    if (options.type !== undefined && options.type !== 'websocket') {
      throw this.#fail(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          `subscribe(): options.type must be 'websocket'; got '${String(options.type)}'`,
        ),
      );
    }
    const correlator =
      options.clientCorrelator ?? this.#ctx.store.getState().services.clientCorrelator;
    if (typeof correlator !== 'string' || !correlator || correlator.length > 128) {
      throw this.#fail(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          'subscribe(): options.clientCorrelator must be a string of 1–128 characters',
        ),
      );
    }
    const current = this.#ctx.store.getState().services;
    const wanted = [...new Set([...current.subscribed, ...names])];
    this.#update({ isPending: true, clientCorrelator: correlator });
    this.#ctx.emit('subscription:change', {});
    try {
      await this.#subscribe(wanted, correlator);
      return this.getSubscriptions();
    } catch (error) {
      this.#update({ isPending: false });
      throw this.#fail(error);
    }
  }

  /** Cancels subscriptions: the given services, or all. Emits `subscription:change`. */
  async unsubscribe(services?: ServiceDescriptor[]): Promise<SubscriptionsInfo> {
    const names = services === undefined ? undefined : this.#names(services, 'unsubscribe');
    const current = this.#ctx.store.getState().services;
    const missing = (names ?? []).filter((n) => !current.subscribed.includes(n));
    if (current.subscribed.length === 0 || missing.length > 0) {
      throw this.#fail(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          current.subscribed.length === 0
            ? 'unsubscribe(): there is no active subscription'
            : `unsubscribe(): no subscription for ${missing.map((m) => `'${m}'`).join(', ')}`,
        ),
      );
    }
    this.#update({ isPending: true });
    this.#ctx.emit('subscription:change', {});
    try {
      const { subscription } = await this.#connection.request(
        names ? { type: 'unsubscribe', services: names } : { type: 'unsubscribe' },
      );
      const remaining = subscription?.services ?? [];
      if (subscription) this.#granted(subscription, remaining);
      else this.#cleared([]);
      this.#ctx.emit('subscription:change', {});
      return this.getSubscriptions();
    } catch (error) {
      this.#update({ isPending: false });
      throw this.#fail(error);
    }
  }

  /** After every (re)connection: restore what the application subscribed to. */
  async restore(): Promise<void> {
    const { wanted, clientCorrelator } = this.#ctx.store.getState().services;
    if (wanted.length === 0) return;
    try {
      await this.#subscribe(wanted, clientCorrelator);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Asks for `services` (all that is wanted: a subscribe replaces the one before). */
  async #subscribe(services: ServiceName[], clientCorrelator: string): Promise<void> {
    const { subscription } = await this.#connection.request({
      type: 'subscribe',
      services,
      clientCorrelator,
      expires: this.#expires(),
      // The gateway rings this device mid-call when `call.multiCall` is on.
      ...(this.#ctx.config().call?.multiCall === true ? { multiCall: true } : {}),
    });
    this.#granted(subscription, services);
    this.#ctx.emit('subscription:change', {});
  }

  /** The connection was lost: the subscription is not usable until restored. */
  connectionLost(): void {
    this.#ctx.runtime.clearTimeout(this.#extendTimer);
    const { subscribed } = this.#ctx.store.getState().services;
    if (subscribed.length === 0) return;
    this.#update({ subscribed: [], subscription: null });
    this.#ctx.emit('subscription:change', { reason: changeReasons.LOST_CONNECTION });
  }

  /** Forgets everything on purpose (disconnect, logout). */
  clear(): void {
    this.#ctx.runtime.clearTimeout(this.#extendTimer);
    const had = this.#ctx.store.getState().services.subscribed.length > 0;
    this.#cleared([]);
    if (had) this.#ctx.emit('subscription:change', {});
  }

  /** Handles a pushed event; returns true when it was a subscription event. */
  handleEvent(frame: EventFrame): boolean {
    if (frame.event !== 'subscription:change') return false;
    const { reason, subscription } = frame as EventFrame<'subscription:change'>;
    this.#ctx.log.info(`subscription changed by the server: ${reason}`);
    if (subscription) {
      this.#granted(subscription, this.#ctx.store.getState().services.wanted);
    } else {
      // Replaced by another device: stop wanting it, so a reconnect does not take it back.
      this.#cleared(reason === 'expired' ? this.#ctx.store.getState().services.wanted : []);
    }
    this.#ctx.emit('subscription:change', { reason });
    if (reason === 'expired' && this.#connection.connected) void this.restore();
    return true;
  }

  dispose(): void {
    this.#ctx.runtime.clearTimeout(this.#extendTimer);
  }

  #granted(subscription: Subscription, wanted: ServiceName[]): void {
    this.#update({
      subscribed: [...subscription.services],
      subscription,
      isPending: false,
      wanted,
      clientCorrelator: subscription.clientCorrelator,
    });
    this.#resubAttempt = 0;
    this.#scheduleExtend(subscription);
  }

  #cleared(wanted: ServiceName[]): void {
    this.#ctx.runtime.clearTimeout(this.#extendTimer);
    this.#update({ subscribed: [], subscription: null, isPending: false, wanted });
  }

  #scheduleExtend(subscription: Subscription): void {
    this.#ctx.runtime.clearTimeout(this.#extendTimer);
    const left = subscription.expiresAt - this.#ctx.runtime.now();
    // Extend when 80% of the lifetime has passed (or at once when less is left).
    const delay = Math.max(0, left - subscription.expires * 1000 * 0.2);
    this.#extendTimer = this.#ctx.runtime.setTimeout(() => void this.#extend(), delay);
  }

  async #extend(): Promise<void> {
    const attemptNum = ++this.#resubAttempt;
    try {
      const { subscription } = await this.#connection.request({
        type: 'subscription.extend',
        expires: this.#expires(),
      });
      this.#update({ subscription, subscribed: [...subscription.services] });
      this.#resubAttempt = 0;
      this.#scheduleExtend(subscription);
      this.#ctx.emit('subscription:resub', { attemptNum, isFailure: false });
    } catch (error) {
      const basic = toBasic(error);
      this.#ctx.emit('subscription:resub', { attemptNum, isFailure: true, error: basic });
      const sub = this.#ctx.store.getState().services.subscription;
      const left = (sub?.expiresAt ?? 0) - this.#ctx.runtime.now();
      if (left > 2000 && this.#connection.connected) {
        this.#extendTimer = this.#ctx.runtime.setTimeout(
          () => void this.#extend(),
          Math.min(5000, left / 2),
        );
      }
    }
  }

  #expires(): number {
    const expires = this.#ctx.config().subscription?.expires ?? SUBSCRIPTION_EXPIRES.DEFAULT;
    return Math.min(
      Math.max(Math.round(expires), SUBSCRIPTION_EXPIRES.MIN),
      SUBSCRIPTION_EXPIRES.MAX,
    );
  }

  #names(services: ServiceDescriptor[], method: string): ServiceName[] {
    if (!Array.isArray(services) || services.length === 0) {
      throw this.#fail(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          `${method}(services): services must be a non-empty array`,
        ),
      );
    }
    const names = services.map((s) => {
      const raw = typeof s === 'string' ? s : s?.service;
      const name = (raw !== undefined && aliases[raw]) || raw;
      if (typeof name !== 'string' || !(SERVICES as readonly string[]).includes(name)) {
        throw this.#fail(
          new CommsError(
            ErrorCodes.SERVICE_UNKNOWN,
            `${method}(services): unknown service '${String(raw)}'; available: ${SERVICES.join(', ')}`,
          ),
        );
      }
      return name as ServiceName;
    });
    return [...new Set(names)];
  }

  #fail(error: unknown): CommsError {
    const commsError = asCommsError(error);
    this.#ctx.emit('subscription:error', { error: commsError.toJSON() });
    return commsError;
  }

  #update(patch: Partial<ServicesState>): void {
    this.#ctx.store.update((s) => ({ ...s, services: { ...s.services, ...patch } }));
  }
}
