/**
 * comms-kit/core: the headless SDK. No Lit, no rendering, no side effects at import.
 */
export { createClient, CommsClient, type ClientState } from './client.js';
export {
  defaultConfig,
  type ClientConfig,
  type ConfigUpdate,
  type AuthenticationConfig,
  type SubscriptionConfig,
  type ConnectivityConfig,
  type CallConfig,
  type NotificationsConfig,
} from './config.js';
export { CommsError, ErrorCodes, isBasicError, type BasicError, type ErrorCode } from './errors.js';
export type { AnyEventListener, CommsEventMap, CommsEventName, EventListener } from './events.js';
export {
  levels,
  defaultLogHandler,
  type LogEntry,
  type LogHandler,
  type LogLevel,
  type LogsConfig,
  type LogActionsOptions,
} from './logger.js';
export type { BrowserDetails } from './platform/browser.js';
export type { ReadableStore, StoreListener } from './store.js';
export * as sdpHandlers from './sdp/handlers.js';
export type { CodecSelector, SdpHandlerFunction, SdpHandlerInfo, SdpObject } from './sdp/types.js';
export { version } from './version.js';
