import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { ContextProvider } from '@lit/context';
import { createClient, type CommsClient } from '../../core/client.js';
import type { ConfigUpdate } from '../../core/config.js';
import { isBasicError, type BasicError } from '../../core/errors.js';
import type { LogLevel } from '../../core/logger.js';
import { clientContext } from '../shared/context.js';
import { StoreController } from '../shared/store-controller.js';
import {
  CommsClientChangeEvent,
  CommsErrorEvent,
  requestEventTypes,
  type CommsRequestEvent,
} from '../shared/events.js';
import { styles } from './client.styles.js';

/**
 * The provider: creates a comms-kit client from its attributes (or takes one given as
 * `.client`) and provides it by context to every comms-kit element inside it.
 *
 * @tag comms-client
 * @slot - The page content that uses the client: other comms-kit elements, anywhere inside.
 * @slot signin - Shown only while the client is not signed in: a sign-in form such as
 *   `<comms-login>`. Hidden once the client is authenticated, shown again after sign-out.
 * @event comms-client-change - The provided client was created, replaced or removed. `detail.client`.
 * @event comms-error - The attributes could not make a client. `detail.error` is a `{code, message}`.
 *
 * It also handles the intent events its elements dispatch (`comms-dial`, `comms-call-request`,
 * `comms-chat-request`, `comms-message-send`, `comms-message-retry`, `comms-answer`, `comms-reject`, `comms-ignore`, `comms-forward`, `comms-hangup`, `comms-hold`, `comms-mute`,
 * `comms-video`, `comms-screen-share`, `comms-dtmf`, `comms-call-switch`,
 * `comms-media-restart`, `comms-device-select`, `comms-presence-set`, `comms-contact-add`,
 * `comms-contact-remove`, `comms-voicemail-heard`, `comms-voicemail-remove`): once the event has finished its dispatch, it
 * carries it out on its client (`comms-dial` → `client.call.make`), unless a listener called
 * `preventDefault()`. It leaves alone the requests of an element that has its own `.client`.
 * @csspart error - The message shown when the attributes are wrong.
 * @cssproperty --comms-client-error-color - Text color of the error message.
 * @cssproperty --comms-client-error-background - Background of the error message.
 * @cssproperty --comms-client-error-border - Border color of the error message.
 */
export class CommsClientElement extends LitElement {
  static override styles = styles;

  static override properties = {
    server: { type: String, reflect: true },
    logLevel: { type: String, attribute: 'log-level' },
    config: { attribute: false },
    client: { attribute: false },
    /** @private */
    _error: { state: true, attribute: false },
  };

  /** The gateway's address, e.g. `http://127.0.0.1:8080` (the `server` config shorthand). */
  declare server: string | undefined;

  /** The log level of a client this element creates: `silent`, `error`, `warn`, `info`, `debug`. */
  declare logLevel: LogLevel | undefined;

  /** Further configuration for a client this element creates (merged over the attributes). */
  declare config: ConfigUpdate | undefined;

  /**
   * The client to provide. Set it to provide a client you created yourself; otherwise the
   * element creates one from its attributes, and destroys it when removed from the page.
   */
  declare client: CommsClient | undefined;

  /** @internal */
  declare _error: BasicError | undefined;

  readonly #provider = new ContextProvider(this, { context: clientContext });
  /** Whether the provided client is signed in (the `signin` slot shows while it is not). */
  readonly #signedIn = new StoreController(this, (s) => s.auth.status === 'authenticated');
  #owned: CommsClient | undefined;
  #provided: CommsClient | undefined;

  constructor() {
    super();
    for (const type of requestEventTypes) this.addEventListener(type, this.#onRequest);
  }

  /** The client this element provides now (given or created). */
  get activeClient(): CommsClient | undefined {
    return this.client ?? this.#owned;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#sync();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A move within the page disconnects and reconnects in one task: keep the client then.
    queueMicrotask(() => {
      if (!this.isConnected) this.#dropOwned();
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('server') || changed.has('logLevel') || changed.has('config')) {
      this.#applyConfig();
    }
    this.#sync();
  }

  /**
   * Claims a request for this client, then carries it out after its dispatch (a microtask
   * later), so a page listener further up can still `preventDefault()`.
   */
  readonly #onRequest = (event: Event): void => {
    const request = event as CommsRequestEvent<unknown, unknown>;
    const client = this.activeClient;
    if (!client || client.destroyed || typeof request.claim !== 'function') return;
    const origin = event.composedPath()[0] as { activeClient?: unknown } | undefined;
    if (origin?.activeClient && origin.activeClient !== client) return;
    if (request.claim(client)) queueMicrotask(() => void request.settle());
  };

  #attributeConfig(): ConfigUpdate {
    const config: ConfigUpdate = {};
    if (this.server) config.server = this.server;
    if (this.logLevel) config.logs = { logLevel: this.logLevel };
    return { ...config, ...this.config, logs: { ...config.logs, ...this.config?.logs } };
  }

  #applyConfig(): void {
    if (!this.#owned || this.client) return;
    try {
      this.#owned.updateConfig(this.#attributeConfig());
      this._error = undefined;
    } catch (error) {
      this.#fail(error);
    }
  }

  #sync(): void {
    if (!this.isConnected) return;
    if (!this.client && !this.#owned && !this._error) {
      try {
        this.#owned = createClient(this.#attributeConfig());
      } catch (error) {
        this.#fail(error);
      }
    }
    if (this.client && this.#owned) this.#dropOwned();
    const next = this.activeClient;
    if (next !== this.#provided) {
      this.#provided = next;
      this.#provider.setValue(next);
      const event = new CommsClientChangeEvent(next);
      this.dispatchEvent(event);
    }
  }

  #dropOwned(): void {
    const owned = this.#owned;
    this.#owned = undefined;
    if (owned) void owned.destroy();
    if (!this.client && this.#provided === owned) {
      this.#provided = undefined;
      this.#provider.setValue(undefined);
    }
  }

  #fail(error: unknown): void {
    const basic: BasicError = isBasicError(error)
      ? { code: error.code, message: error.message }
      : { code: 'unknown', message: String(error) };
    this._error = basic;
    const event = new CommsErrorEvent(basic);
    this.dispatchEvent(event);
  }

  protected override render() {
    return html`${
        this._error ? html`<p part="error" role="alert">${this._error.message}</p>` : nothing
      }${this.#signedIn.value ? nothing : html`<slot name="signin"></slot>`}<slot></slot>`;
  }
}
