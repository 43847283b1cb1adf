/**
 * The client configuration: the seeds' `config` object (`logs`, `authentication`,
 * `subscription`, `connectivity`, `call`, `notifications`), its defaults, validation, and the
 * deep merge that `createClient` and `updateConfig` use.
 */
import { CommsError, ErrorCodes } from './errors.js';
import { isLogLevel, type LogsConfig } from './logger.js';
import type { ReconnectPolicy } from './transport/reconnect-policy.js';
import type { IceCollectionCheckResult, IceCollectionInfo } from './call/ice.js';

/** A REST server address (`config.authentication.server`). */
export interface ServerAddress {
  /** Host name, without protocol or port. */
  base?: string;
  /** `'https'` (default) or `'http'`. */
  protocol?: 'http' | 'https';
  /** Port number; default 443. */
  port?: number;
}

/** A WebSocket server address (`config.subscription.websocket`). */
export interface WebSocketAddress {
  /** Host name, without protocol or port. */
  server?: string;
  /** `'wss'` (default) or `'ws'`. */
  protocol?: 'ws' | 'wss';
  /** Port number; default 443. */
  port?: number;
}

/** Where a session is saved so a page reload resumes it (e.g. `window.localStorage`). */
export type SessionStorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** `config.authentication`. */
export interface AuthenticationConfig {
  server?: ServerAddress;
  /**
   * Renew the access token by itself before it expires, without dropping the socket (Notify's
   * `forceRefreshToken`). Default true.
   */
  autoRefresh?: boolean;
  /**
   * Save the session (user and refresh token) here after every change, and resume from it when
   * `connect()` is called without credentials. Off by default: a refresh token in
   * `localStorage` is readable by any script on the page.
   */
  storage?: SessionStorageLike;
  /** The key the session is saved under. Default `'comms-kit:session'`. */
  storageKey?: string;
}

/** `config.subscription`. */
export interface SubscriptionConfig {
  /** Seconds a subscription lives before it must be extended; at least 60. Default 3600. */
  expires?: number;
  /** Retries of a subscribe answered "service unavailable". Default 3. */
  serviceUnavailableMaxRetries?: number;
  websocket?: WebSocketAddress;
}

/** `config.connectivity`. */
export interface ConnectivityConfig {
  /** Milliseconds between keepalive pings. Default 30000. */
  pingInterval?: number;
  /** Failed reconnect attempts before giving up; 0 means no limit. Default 5. */
  reconnectLimit?: number;
  /** Base milliseconds between reconnect attempts. Default 5000. */
  reconnectDelay?: number;
  /** Multiplier applied to the delay after each failed attempt. Default 1. */
  reconnectTimeMultiplier?: number;
  /** Upper bound of the delay between attempts, in milliseconds. Default 640000. */
  reconnectTimeLimit?: number;
  /** Reconnect by itself after a connectivity loss. Default true. */
  autoReconnect?: boolean;
  /** Check connectivity with keepalive pings. Default true. */
  checkConnectivity?: boolean;
  /** `'query'` appends the bearer access token to the WebSocket URL. Default `'none'`. */
  webSocketOAuthMode?: 'none' | 'query';
  /** Fraction by which each reconnect delay is spread at random (0–1). Default 0.2. */
  reconnectJitter?: number;
  /** Replaces the reconnect rule; the default follows the settings above. */
  reconnectPolicy?: ReconnectPolicy;
  /** Milliseconds to wait for the WebSocket to open, or for a reply to a request. Default 10000. */
  requestTimeout?: number;
}

/** `config.call` (the call engine arrives with the calls feature; the options are fixed now). */
export interface CallConfig {
  /** Passed to every `RTCPeerConnection` (ICE servers and the like). */
  defaultPeerConfig?: RTCConfiguration;
  /**
   * `'FULL'` (default): send the description at once and trickle candidates after it.
   * `'NONE'`: wait for complete candidates (through `iceCollectionCheckFunction`) and send
   * them inside the description, for backends that cannot trickle.
   */
  trickleIceMode?: 'FULL' | 'NONE';
  /** Milliseconds to wait for an ideal candidate list. Default 1000. */
  iceCollectionIdealTimeout?: number;
  /** Milliseconds to wait for ICE collection at most. Default 3000. */
  iceCollectionMaxTimeout?: number;
  /** Decides when ICE collection is complete enough to proceed. */
  iceCollectionCheckFunction?: (
    info: IceCollectionInfo,
    timeouts: { iceCollectionIdealTimeout: number; iceCollectionMaxTimeout: number },
  ) => IceCollectionCheckResult;
  /** Use TURN credentials provided by the server. Default true. */
  serverTurnCredentials?: boolean;
  /** SDP handler functions applied to every local and remote description. */
  sdpHandlers?: Array<(...args: never[]) => unknown>;
  /** Support early media. Default false. */
  earlyMedia?: boolean;
  /** Re-sync call states after connecting. Default false. */
  resyncOnConnect?: boolean;
  /** Remove `a=group` bundling lines. Default false. */
  removeBundling?: boolean;
  /**
   * Take a second call while in one (Sinch's `multiCall`): the backend rings this device
   * instead of answering the caller busy (486). Sent when the client subscribes (or joins a
   * local hub), so a change takes effect at the next `connect`. Default false.
   */
  multiCall?: boolean;
  /** `'auto'` (default) or `'manual'` ringing feedback. */
  ringingFeedbackMode?: 'auto' | 'manual';
  /** Milliseconds between call audits. Default 25000. */
  callAuditTimer?: number;
  /** Milliseconds the passive side waits before a media reconnection. Default 3000. */
  mediaConnectionRetryDelay?: number;
  /** Normalise SIP/tel destinations. Default true. */
  normalizeDestination?: boolean;
}

/** `config.notifications`. */
export interface NotificationsConfig {
  /** Event ids remembered for de-duplication. Default 100. */
  idCacheLength?: number;
  /** `'any-channel'` (default) or `'push-channel-only'`. */
  incomingCallNotificationMode?: 'any-channel' | 'push-channel-only';
}

/** The configuration object given to `createClient`. Every section is optional. */
export interface ClientConfig {
  /**
   * Shorthand for the gateway's address, e.g. `'http://127.0.0.1:8080'`: fills
   * `authentication.server` and `subscription.websocket` (explicit sections win).
   */
  server?: string;
  logs?: LogsConfig;
  authentication?: AuthenticationConfig;
  subscription?: SubscriptionConfig;
  connectivity?: ConnectivityConfig;
  call?: CallConfig;
  notifications?: NotificationsConfig;
}

/** The seeds' defaults. */
export const defaultConfig = {
  logs: { logLevel: 'debug', logActions: false },
  authentication: {
    server: { protocol: 'https', port: 443 },
    autoRefresh: true,
    storageKey: 'comms-kit:session',
  },
  subscription: {
    expires: 3600,
    serviceUnavailableMaxRetries: 3,
    websocket: { protocol: 'wss', port: 443 },
  },
  connectivity: {
    pingInterval: 30000,
    reconnectLimit: 5,
    reconnectDelay: 5000,
    reconnectTimeMultiplier: 1,
    reconnectTimeLimit: 640000,
    autoReconnect: true,
    checkConnectivity: true,
    webSocketOAuthMode: 'none',
    reconnectJitter: 0.2,
    requestTimeout: 10000,
  },
  call: {
    trickleIceMode: 'FULL',
    iceCollectionIdealTimeout: 1000,
    iceCollectionMaxTimeout: 3000,
    serverTurnCredentials: true,
    sdpHandlers: [],
    earlyMedia: false,
    resyncOnConnect: false,
    removeBundling: false,
    ringingFeedbackMode: 'auto',
    callAuditTimer: 25000,
    mediaConnectionRetryDelay: 3000,
    normalizeDestination: true,
  },
  notifications: { idCacheLength: 100, incomingCallNotificationMode: 'any-channel' },
} as const satisfies ClientConfig;

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
/** A partial configuration, as taken by `updateConfig`. */
export type ConfigUpdate = DeepPartial<ClientConfig>;

/**
 * `protocol://host:port` for a configured server; IPv6 hosts get their brackets, a missing
 * port its protocol's default.
 */
export function originOf(protocol: string, host: string, port: number | undefined): string {
  const secure = protocol === 'https' || protocol === 'wss';
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${protocol}://${bracketed}:${port ?? (secure ? 443 : 80)}`;
}

/** True for `{}`-style objects: the only values the merge descends into. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Merges `update` into `base` without mutating either: plain objects merge key by key; arrays,
 * functions and every other value replace; `undefined` leaves the base value as it was.
 */
export function deepMerge<T>(base: T, update: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(update)) {
    return (update === undefined ? base : update) as T;
  }
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(update)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    if (value === undefined) continue;
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? deepMerge(out[key], value) : value;
  }
  return out as T;
}

const positiveNumbers = [
  'connectivity.pingInterval',
  'connectivity.reconnectDelay',
  'connectivity.reconnectTimeLimit',
  'connectivity.reconnectTimeMultiplier',
  'connectivity.requestTimeout',
  'call.iceCollectionIdealTimeout',
  'call.iceCollectionMaxTimeout',
  'call.callAuditTimer',
  'call.mediaConnectionRetryDelay',
  'notifications.idCacheLength',
] as const;

function at(config: object, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (isPlainObject(v) ? v[k] : undefined), config);
}

function invalid(path: string, expected: string, got: unknown): CommsError {
  const shown = typeof got === 'string' ? `'${got}'` : String(got);
  return new CommsError(
    ErrorCodes.INVALID_CONFIG,
    `config.${path} must be ${expected}; got ${shown}`,
  );
}

/**
 * Rewrites older spellings the seeds accept (`logs.loglevel`, upper-case levels) and expands
 * the `server` shorthand. Returns a new object.
 */
export function normaliseConfig(input: unknown): ConfigUpdate {
  if (input === undefined || input === null) return {};
  if (!isPlainObject(input)) {
    throw new CommsError(
      ErrorCodes.INVALID_CONFIG,
      `config must be a plain object; got ${typeof input}`,
    );
  }
  let config: Record<string, unknown> = { ...input };
  if (isPlainObject(config.logs) && 'loglevel' in config.logs) {
    const { loglevel, ...rest } = config.logs;
    config.logs = { logLevel: loglevel, ...rest };
  }
  if (isPlainObject(config.logs) && typeof config.logs.logLevel === 'string') {
    config.logs = { ...config.logs, logLevel: config.logs.logLevel.toLowerCase() };
  }
  if (config.server !== undefined) {
    config = deepMerge<Record<string, unknown>>({ ...expandServer(config.server) }, config);
  }
  return config as ConfigUpdate;
}

function expandServer(server: unknown): ClientConfig {
  let url: URL;
  try {
    if (typeof server !== 'string') throw new TypeError();
    url = new URL(server);
  } catch {
    throw invalid('server', "an absolute http(s) URL such as 'http://127.0.0.1:8080'", server);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid('server', 'an http: or https: URL', server);
  }
  const secure = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  return {
    authentication: { server: { base: url.hostname, protocol: secure ? 'https' : 'http', port } },
    subscription: { websocket: { server: url.hostname, protocol: secure ? 'wss' : 'ws', port } },
  };
}

/** Throws a {@link CommsError} `config:invalid` naming the first wrong value. */
export function validateConfig(config: ClientConfig): void {
  const level = config.logs?.logLevel;
  if (level !== undefined && !isLogLevel(level)) {
    throw invalid('logs.logLevel', "one of 'silent', 'error', 'warn', 'info', 'debug'", level);
  }
  const handler = config.logs?.handler;
  if (handler !== undefined && typeof handler !== 'function') {
    throw invalid('logs.handler', 'a function', handler);
  }
  for (const path of positiveNumbers) {
    const value = at(config, path);
    if (
      value !== undefined &&
      (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    ) {
      throw invalid(path, 'a positive number', value);
    }
  }
  const limit = config.connectivity?.reconnectLimit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw invalid('connectivity.reconnectLimit', 'a whole number ≥ 0 (0: no limit)', limit);
  }
  const jitter = config.connectivity?.reconnectJitter;
  if (jitter !== undefined && (typeof jitter !== 'number' || jitter < 0 || jitter > 1)) {
    throw invalid('connectivity.reconnectJitter', 'a number from 0 to 1', jitter);
  }
  const expires = config.subscription?.expires;
  if (expires !== undefined && (typeof expires !== 'number' || expires < 60)) {
    throw invalid('subscription.expires', 'a number of seconds ≥ 60', expires);
  }
  const handlers = config.call?.sdpHandlers;
  if (
    handlers !== undefined &&
    (!Array.isArray(handlers) || handlers.some((h) => typeof h !== 'function'))
  ) {
    throw invalid('call.sdpHandlers', 'an array of functions', handlers);
  }
}

/** Resolves a full configuration: defaults, then `input`, normalised and validated. */
export function resolveConfig(input: unknown, base: ClientConfig = defaultConfig): ClientConfig {
  const merged = deepMerge<ClientConfig>(base, normaliseConfig(input));
  validateConfig(merged);
  return merged;
}
