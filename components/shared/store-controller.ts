import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ClientState, CommsClient } from '../../core/client.js';

/** A host that knows which client is in effect (every `CommsElement`). */
export interface ClientHost extends ReactiveControllerHost {
  readonly activeClient: CommsClient | undefined;
}

/**
 * Subscribes an element to one slice of the client's state: `value` holds the current slice
 * (first the value at subscription, then every change), and the host re-renders on change.
 * Follows the host's client: when the client changes, it re-subscribes to the new one.
 *
 * @example
 * #config = new StoreController(this, (s) => s.config);
 * render() { return html`${this.#config.value?.logs?.logLevel}`; }
 */
export class StoreController<T> implements ReactiveController {
  /** The slice's current value; `undefined` while there is no client. */
  value: T | undefined;

  readonly #host: ClientHost;
  readonly #selector: (state: ClientState) => T;
  readonly #equals: ((a: T, b: T) => boolean) | undefined;
  #client: CommsClient | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(
    host: ClientHost,
    selector: (state: ClientState) => T,
    equals?: (a: T, b: T) => boolean,
  ) {
    this.#host = host;
    this.#selector = selector;
    this.#equals = equals;
    host.addController(this);
  }

  hostConnected(): void {
    this.#follow();
  }

  hostUpdate(): void {
    this.#follow();
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#client = undefined;
  }

  #follow(): void {
    const client = this.#host.activeClient;
    if (client === this.#client) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#client = client;
    this.value = undefined;
    if (!client || client.destroyed) return;
    this.#unsubscribe = client.store.select(
      this.#selector,
      (value) => {
        this.value = value;
        this.#host.requestUpdate();
      },
      this.#equals,
    );
  }
}
