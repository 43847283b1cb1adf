import type { ReactiveController } from 'lit';
import type { ClientState, CommsClient } from '../../core/client.js';
import type { BasicError } from '../../core/errors.js';
import type { ClientHost } from './store-controller.js';

/** A list the gateway keeps for a user and pushes additions to (call history, voicemail). */
export interface Feed<T extends { id: string }> {
  /** Reads it from the server, or null when the client holds it already. */
  read(client: CommsClient): Promise<unknown> | null;
  /** What the client holds of it. */
  items(state: ClientState): readonly T[];
}

/**
 * Keeps the host's client's `feed` loaded: reads it once the client is connected for a user it
 * was not read for (again after another user signs in). Later items come by themselves (the
 * gateway pushes them); `onNew` is told of each item that arrives after it was read, and
 * `onError` of a read that failed (nothing more is read for that user).
 */
export class FeedLoader<T extends { id: string }> implements ReactiveController {
  readonly #host: ClientHost;
  readonly #feed: Feed<T>;
  readonly #onNew: ((items: T[]) => void) | undefined;
  readonly #onError: ((error: BasicError) => void) | undefined;
  #client: CommsClient | undefined;
  #stop: Array<() => void> = [];
  /** Whose feed was read (or found read). */
  #loadedFor: string | undefined;
  /** The items known once it was read: the others are new. */
  #seen: Set<string> | undefined;

  constructor(
    host: ClientHost,
    feed: Feed<T>,
    onNew?: (items: T[]) => void,
    onError?: (error: BasicError) => void,
  ) {
    this.#host = host;
    this.#feed = feed;
    this.#onNew = onNew;
    this.#onError = onError;
    host.addController(this);
  }

  hostConnected(): void {
    this.#follow();
  }

  hostUpdate(): void {
    this.#follow();
  }

  hostDisconnected(): void {
    this.#unfollow();
  }

  #unfollow(): void {
    for (const stop of this.#stop.splice(0)) stop();
    this.#client = undefined;
  }

  #follow(): void {
    const client = this.#host.activeClient;
    if (client === this.#client) return;
    this.#unfollow();
    this.#client = client;
    this.#loadedFor = undefined;
    this.#seen = undefined;
    if (!client || client.destroyed) return;
    this.#stop.push(
      client.store.select(
        (s) => (s.connection.status === 'connected' ? s.users.self : null),
        (self) => {
          if (!self || self === this.#loadedFor) return;
          this.#loadedFor = self;
          this.#seen = undefined;
          const reading = this.#feed.read(client);
          if (!reading) this.#loaded(client);
          else
            void reading.then(
              () => this.#loadedFor === self && this.#loaded(client),
              (error: BasicError) => this.#loadedFor === self && this.#onError?.(error),
            );
        },
      ),
      client.store.select(
        (s) => this.#feed.items(s),
        (items) => {
          const seen = this.#seen;
          if (!seen) return;
          const fresh = items.filter((item) => !seen.has(item.id));
          for (const item of fresh) seen.add(item.id);
          if (fresh.length) this.#onNew?.(fresh);
        },
      ),
    );
  }

  #loaded(client: CommsClient): void {
    this.#seen = new Set(this.#feed.items(client.store.getState()).map((item) => item.id));
  }
}
