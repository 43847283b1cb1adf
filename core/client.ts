/**
 * `createClient(config)` and the client it returns: the public API, kept thin. Features
 * (auth, call, conversation, …) attach their namespaces here as they are built.
 */
import { createNanoEvents, type Emitter } from 'nanoevents';
import {
  resolveConfig,
  type ClientConfig,
  type ConfigUpdate,
  deepMerge,
  normaliseConfig,
  validateConfig,
} from './config.js';
import { CommsError, ErrorCodes } from './errors.js';
import type { AnyEventListener, CommsEventMap, CommsEventName, EventListener } from './events.js';
import { createLogger, type Logger, type LogTarget } from './logger.js';
import { getBrowserDetails, type BrowserDetails } from './platform/browser.js';
import { Store, type ReadableStore } from './store.js';
import { version } from './version.js';

/** The client's whole state tree. Each feature owns one slice. */
export interface ClientState {
  /** The resolved configuration (defaults merged with what the application gave). */
  config: ClientConfig;
  /** `'active'` until `destroy()` is called. */
  lifecycle: 'active' | 'destroyed';
}

type Events = { [K in CommsEventName]: (params: CommsEventMap[K]) => void };

/**
 * A comms-kit client. Create it with {@link createClient}; the seeds call it `api`.
 */
export class CommsClient {
  readonly #store: Store<ClientState>;
  readonly #emitter: Emitter<Events> = createNanoEvents<Events>();
  readonly #all = new Set<AnyEventListener>();
  readonly #log: Logger;
  #destroyed = false;

  /** Use {@link createClient}. */
  constructor(config: unknown = {}) {
    const resolved = resolveConfig(config);
    this.#store = new Store<ClientState>({ config: resolved, lifecycle: 'active' });
    this.#log = this.logger({ type: 'client' });
    this.#log.info(`comms-kit ${version} created`);
  }

  /** The read side of the state tree, for bindings such as the elements' controllers. */
  get store(): ReadableStore<ClientState> {
    return this.#store;
  }

  /** Returns the version of comms-kit. */
  getVersion(): string {
    return version;
  }

  /** Information about the browser in use (`{browser, version}`), through webrtc-adapter. */
  getBrowserDetails(): BrowserDetails {
    this.#assertActive('getBrowserDetails');
    return getBrowserDetails();
  }

  /** Returns the current configuration (a frozen snapshot; change it with `updateConfig`). */
  getConfig(): ClientConfig {
    this.#assertActive('getConfig');
    return this.#store.getState().config;
  }

  /**
   * Merges `newConfigValues` into the current configuration: only the given values change.
   * Arrays and functions replace; plain objects merge. Throws `config:invalid` on a bad value,
   * leaving the configuration as it was.
   */
  updateConfig(newConfigValues: ConfigUpdate): void {
    this.#assertActive('updateConfig');
    const previous = this.#store.getState().config;
    const next = deepMerge<ClientConfig>(previous, normaliseConfig(newConfigValues));
    validateConfig(next);
    this.#store.update((s) => ({ ...s, config: next }));
    this.#log.action('config/update', newConfigValues);
    this.emit('config:change', { config: next, previous });
  }

  /**
   * Adds a listener for one event. Returns a function that removes it (as does `off`).
   */
  on<K extends CommsEventName>(type: K, listener: EventListener<K>): () => void {
    this.#assertActive('on');
    if (typeof listener !== 'function') {
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        `on('${String(type)}', listener): listener must be a function`,
      );
    }
    const unbind = this.#emitter.on(type, listener as Events[K]);
    return unbind;
  }

  /** Removes a listener added with `on`. */
  off<K extends CommsEventName>(type: K, listener: EventListener<K>): void {
    this.#assertActive('off');
    const list = this.#emitter.events[type] as Array<Events[K]> | undefined;
    if (!list) return;
    const index = list.indexOf(listener as Events[K]);
    if (index !== -1) list.splice(index, 1);
  }

  /** Adds a listener for every event: it receives the event's name and its parameters. */
  subscribe(listener: AnyEventListener): () => void {
    this.#assertActive('subscribe');
    if (typeof listener !== 'function') {
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        'subscribe(listener): listener must be a function',
      );
    }
    this.#all.add(listener);
    return () => this.#all.delete(listener);
  }

  /** Removes a listener added with `subscribe`. */
  unsubscribe(listener: AnyEventListener): void {
    this.#assertActive('unsubscribe');
    this.#all.delete(listener);
  }

  /**
   * Destroys the client: from now on every method throws `client:destroyed`. Listeners and
   * state are released on the next tick, so events being delivered finish undisturbed.
   */
  destroy(): Promise<void> {
    if (this.#destroyed) return Promise.resolve();
    this.#destroyed = true;
    this.#log.info('client destroyed');
    return new Promise((resolve) => {
      setTimeout(() => {
        this.#store.update((s) => ({ ...s, lifecycle: 'destroyed' }));
        this.#store.clear();
        this.#emitter.events = {};
        this.#all.clear();
        resolve();
      }, 0);
    });
  }

  /** True once `destroy()` has been called. */
  get destroyed(): boolean {
    return this.#destroyed;
  }

  /**
   * Emits an event to its listeners and to every `subscribe` listener. A listener that throws
   * is logged and does not stop the others. For the client's features.
   * @internal
   */
  emit<K extends CommsEventName>(type: K, params: CommsEventMap[K]): void {
    const listeners = [...((this.#emitter.events[type] as Array<Events[K]> | undefined) ?? [])];
    for (const listener of listeners) this.#call(type, () => listener(params));
    for (const listener of [...this.#all]) this.#call(type, () => listener(type, params));
  }

  /**
   * A logger for one subject, reading `config.logs` live. For the client's features.
   * @internal
   */
  logger(target: LogTarget): Logger {
    return createLogger(target, () => this.#store.getState().config.logs ?? {});
  }

  #call(type: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#log.error(`a listener of '${type}' threw`, error);
    }
  }

  #assertActive(method: string): void {
    if (this.#destroyed) {
      throw new CommsError(
        ErrorCodes.CLIENT_DESTROYED,
        `${method}() was called on a destroyed client; create a new one with createClient()`,
      );
    }
  }
}

/**
 * Creates a client (the seeds' `create`). Throws `config:invalid` naming the wrong value.
 *
 * @example
 * const client = createClient({ server: 'http://127.0.0.1:8080', logs: { logLevel: 'info' } });
 * client.on('config:change', ({ config }) => console.log(config));
 */
export function createClient(config: ClientConfig = {}): CommsClient {
  return new CommsClient(config);
}
