/**
 * What every feature manager receives from the client: the environment, the live
 * configuration, the state store, the event emitter and a logger. Features never reach into
 * each other except through the collaborators the client hands them.
 */
import type { ClientConfig } from './config.js';
import type { CommsEventMap, CommsEventName, EventListener } from './events.js';
import type { Logger } from './logger.js';
import type { Runtime } from './platform/runtime.js';
import type { Store } from './store.js';
import type { ClientState } from './state.js';

export interface FeatureContext {
  runtime: Runtime;
  config(): ClientConfig;
  store: Store<ClientState>;
  emit<K extends CommsEventName>(type: K, params: CommsEventMap[K]): void;
  /** Listens to the client's events (what another feature emits); returns the unbind. */
  on<K extends CommsEventName>(type: K, listener: EventListener<K>): () => void;
  log: Logger;
}
