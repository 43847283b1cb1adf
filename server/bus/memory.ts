/**
 * The embedded {@link Bus}: one process, no network. Each handler gets its own copy of a
 * message as it was when published, on a later microtask, so code written against it behaves
 * as it will over Redis (no shared objects, no synchronous re-entry). The copy is a structured
 * clone (the message types are JSON-shaped, as Redis needs), or a spread when every value is a
 * primitive (most messages, `user.event` with its serialised frame among them): the same
 * isolation, since primitives cannot be changed, for a fiftieth of the cost (0.02 µs against
 * 1.2 µs; each message sent in a conversation is published once per member).
 */
import type { Bus, BusHandler, BusMessage, BusUnsubscribe } from './types.js';

export class MemoryBus implements Bus {
  /** One process: nothing published here reaches another. */
  readonly shared = false;
  private readonly channels = new Map<string, Set<BusHandler>>();
  private readonly onError: (error: unknown) => void;
  private closed = false;

  /** @param onError told when a handler throws (the other handlers still run) */
  constructor(onError: (error: unknown) => void = () => {}) {
    this.onError = onError;
  }

  async publish(channel: string, message: BusMessage): Promise<void> {
    this.assertOpen();
    const handlers = this.channels.get(channel);
    if (!handlers?.size) return;
    const copy = copyOf(message);
    await Promise.resolve();
    let first = true;
    for (const handler of [...handlers]) {
      try {
        handler(first ? copy : copyOf(copy));
      } catch (error) {
        this.onError(error);
      }
      first = false;
    }
  }

  async subscribe(channel: string, handler: BusHandler): Promise<BusUnsubscribe> {
    this.assertOpen();
    let handlers = this.channels.get(channel);
    if (!handlers) this.channels.set(channel, (handlers = new Set()));
    // A wrapper per subscription, so the same handler subscribed twice is two subscriptions.
    const entry: BusHandler = (message) => handler(message);
    handlers.add(entry);
    return async () => {
      handlers.delete(entry);
      if (!handlers.size && this.channels.get(channel) === handlers) this.channels.delete(channel);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
  }

  /** How many channels have subscribers (for tests that check nothing leaks). */
  get channelCount(): number {
    return this.channels.size;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the bus is closed');
  }
}

/** A copy of `message` that shares nothing changeable with it. */
function copyOf(message: BusMessage): BusMessage {
  for (const key in message) {
    const value = (message as unknown as Record<string, unknown>)[key];
    if (typeof value === 'object' && value !== null) return structuredClone(message);
  }
  return { ...message };
}
