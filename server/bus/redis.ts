/**
 * The distributed {@link Bus}: Redis pub/sub, so that N gateway nodes sharing one Redis
 * reach each other's sockets. Messages go over the wire as their JSON text; each handler
 * parses its own copy, so handlers share nothing (as with `MemoryBus`).
 *
 * Two connections, as Redis requires: one publishes (and serves other commands, the call
 * store's among them), one only subscribes. A channel is subscribed on Redis once, however many
 * handlers this node has on it, and unsubscribed when the last one goes. Messages on a
 * channel arrive in the order they were published from one node (one publishing connection).
 * While the connection to Redis is down, `publish` and `subscribe` reject at once and the
 * errors go to `onError`; node-redis reconnects and subscribes again to the channels held.
 */
import { closeRedis, connectRedis, type RedisClient } from '../redis.js';
import type { Bus, BusHandler, BusMessage, BusUnsubscribe } from './types.js';

/** A Redis channel this node listens on, and its handlers here. */
interface Channel {
  handlers: Set<BusHandler>;
  /** Settles when Redis has confirmed the SUBSCRIBE. */
  ready: Promise<void>;
  listener: (text: string) => void;
}

export class RedisBus implements Bus {
  /** Every node on the same Redis gets what is published. */
  readonly shared = true;
  /** The publishing connection: free for other commands (the call store uses it). */
  readonly client: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly channels = new Map<string, Channel>();
  private readonly onError: (error: unknown) => void;
  private closed = false;

  /**
   * Connects to Redis at `url`. Rejects with `RedisUnavailableError` (code
   * `server:redisUnavailable`) when it does not answer.
   * @param onError told when a handler throws (the other handlers still run), when a message
   *   cannot be read, and when the connection fails after the start
   */
  static async connect(
    url: string,
    onError: (error: unknown) => void = () => {},
  ): Promise<RedisBus> {
    const client = await connectRedis(url, onError, 'comms-kit-bus');
    try {
      const subscriber = await connectRedis(url, onError, 'comms-kit-bus-sub');
      return new RedisBus(client, subscriber, onError);
    } catch (error) {
      await closeRedis(client);
      throw error;
    }
  }

  private constructor(
    client: RedisClient,
    subscriber: RedisClient,
    onError: (error: unknown) => void,
  ) {
    this.client = client;
    this.subscriber = subscriber;
    this.onError = onError;
  }

  async publish(channel: string, message: BusMessage): Promise<void> {
    this.assertOpen();
    await this.client.publish(channel, JSON.stringify(message));
  }

  async subscribe(channel: string, handler: BusHandler): Promise<BusUnsubscribe> {
    this.assertOpen();
    let entry = this.channels.get(channel);
    if (!entry) {
      const handlers = new Set<BusHandler>();
      const listener = (text: string) => this.deliver(handlers, text);
      const created: Channel = {
        handlers,
        listener,
        ready: this.subscriber.subscribe(channel, listener),
      };
      this.channels.set(channel, created);
      entry = created;
    }
    // A wrapper per subscription, so the same handler subscribed twice is two subscriptions.
    // It counts at once, so an unsubscribe meanwhile does not drop the channel under it.
    const wrapper: BusHandler = (message) => handler(message);
    const current = entry;
    current.handlers.add(wrapper);
    try {
      await current.ready;
    } catch (error) {
      current.handlers.delete(wrapper);
      if (this.channels.get(channel) === current && !current.handlers.size)
        this.channels.delete(channel);
      throw error;
    }
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      current.handlers.delete(wrapper);
      if (current.handlers.size || this.channels.get(channel) !== current) return;
      this.channels.delete(channel);
      if (this.closed) return;
      // Even while the connection is down, so that it is not subscribed again on reconnect.
      await this.subscriber.unsubscribe(channel, current.listener).catch(this.onError);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.channels.clear();
    await Promise.all([closeRedis(this.subscriber), closeRedis(this.client)]);
  }

  /** How many channels have subscribers here (for tests that check nothing leaks). */
  get channelCount(): number {
    return this.channels.size;
  }

  private deliver(handlers: Set<BusHandler>, text: string): void {
    for (const handler of [...handlers]) {
      try {
        handler(JSON.parse(text) as BusMessage);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the bus is closed');
  }
}
