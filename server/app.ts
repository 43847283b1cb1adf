import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import ajvFormatsModule from 'ajv-formats';
import { WireErrorCodes } from '../core/protocol/constants.js';
import { Endpoints } from '../core/protocol/endpoints.js';
import { version } from '../core/version.js';
import { registerAuthRoutes, type AuthRateLimit } from './auth/routes.js';
import { AuthService } from './auth/service.js';
import { preloadPasswordRules } from './auth/passwords.js';
import { MAX_ACCESS_TOKEN_TTL, TokenService } from './auth/tokens.js';
import { MemoryBus } from './bus/memory.js';
import { RedisBus } from './bus/redis.js';
import type { Bus } from './bus/types.js';
import { DEFAULT_TURN_TTL, registerCallRoutes } from './calls/routes.js';
import { CallService } from './calls/service.js';
import {
  defaultVoicemailRateLimit,
  registerVoicemailRoutes,
  type VoicemailRateLimit,
} from './voicemail/routes.js';
import { RedisCallStore } from './calls/redis-store.js';
import { SipCallRecords } from './calls/sip-records.js';
import type { CallStore } from './calls/store.js';
import { systemClock, type Clock } from './clock.js';
import { WireError } from './errors.js';
import { installErrorHandling } from './http/errors.js';
import { originCheck } from './http/origins.js';
import { registerContacts } from './contacts/service.js';
import {
  DIRECTORY_DETAILS,
  registerDirectory,
  type DirectoryDetails,
} from './directory/service.js';
import {
  defaultMessageRateLimit,
  registerMessaging,
  type Fault,
  type MessageRateLimit,
} from './messaging/service.js';
import { packageRoot } from './paths.js';
import { validateRedisUrl } from './redis.js';
import { redisRateLimitStore } from './http/rate-limit-store.js';
import { RedisKeyedRateLimit } from './redis-rate-limit.js';
import {
  DEFAULT_PRESENCE_GRACE,
  PRESENCE_SCOPES,
  PresenceService,
  type PresenceScope,
} from './presence/service.js';
import {
  DEFAULT_PRESENCE_TTL,
  MemoryPresenceRegistry,
  RedisPresenceRegistry,
  type PresenceRegistry,
} from './presence/registry.js';
import { POOLERS, openStorage, type StorageLocation } from './storage/index.js';
import type { Storage } from './storage/types.js';
import {
  defaultWebSocketOptions,
  registerWebSocket,
  type WebSocketGateway,
  type WebSocketOptions,
} from './ws/gateway.js';

/** `host:port` (a host name, an IPv4 address, or an IPv6 one in brackets), or undefined. */
function hostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?):(\d{1,5})$/i.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || !(port >= 1 && port <= 65535)) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

// ajv-formats is CommonJS with `exports.default`; under NodeNext its default import is the
// module object.
type AjvPlugin = NonNullable<NonNullable<FastifyServerOptions['ajv']>['plugins']>[number];
const ajvFormats = ((ajvFormatsModule as unknown as { default?: unknown }).default ??
  ajvFormatsModule) as AjvPlugin;

/** Options of {@link buildApp}. */
export interface AppOptions extends StorageLocation {
  /** Folder served at `/` (the demo). Default: the package's `demo/`. */
  demoDir?: string;
  /** Folder served at `/cdn/` (the CDN build). Default: the package's `dist/cdn/`. */
  cdnDir?: string;
  /** Pino log level, or `false` for no logs. Default `'info'`. */
  logLevel?: string | false;
  /** A storage to use instead of opening `db`/`dataDir` (the caller closes it). */
  storage?: Storage;
  /** A bus to use instead of the in-process one (the caller closes it). */
  bus?: Bus;
  /**
   * Redis shared by the gateway nodes (`--redis-url`, `redis://host:port`): the bus becomes
   * Redis pub/sub (unless `bus` is given), live calls are kept in Redis (unless `callStore`
   * is given) and so is who is online (unless `presenceRegistry` is given; see `presenceTtl`).
   * Default: none, everything in this process. The app
   * fails to build (`RedisUnavailableError`, code `server:redisUnavailable`) when Redis does
   * not answer, and closes its connections when it closes.
   */
  redisUrl?: string;
  /** Time source (tests pass a `ManualClock`). Default: the system clock. */
  clock?: Clock;
  /**
   * Browser origins allowed to open a WebSocket and call the API (`--origin`). Default: the
   * gateway's own origin and http(s)://localhost, 127.0.0.1, [::1] on any port.
   */
  origins?: string[];
  /** Application key for app-signed tickets (`--app-key`); with `appSecret`. */
  appKey?: string;
  /** Application secret for app-signed tickets (`--app-secret`), at least 16 characters. */
  appSecret?: string;
  /** Access-token lifetime, seconds, 1 to 900. Default 900. */
  accessTokenTtl?: number;
  /** Refresh-token lifetime, seconds. Default 30 days. */
  refreshTokenTtl?: number;
  /** `iss` and `aud` of access tokens. Default `'comms-kit'` for both. */
  issuer?: string;
  audience?: string;
  /** Per-IP limit of each auth route, or false for none. Default 60 per minute. */
  authRateLimit?: AuthRateLimit | false;
  /**
   * The reverse proxies whose `X-Forwarded-For` names the client (`--trust-proxy`): their
   * addresses or CIDR ranges (or `loopback`, `linklocal`, `uniquelocal`). Default: none, the
   * client's address is the connection's.
   */
  trustProxy?: string[];
  /** WebSocket rate limit, keepalive and shutdown timing. */
  webSocket?: Partial<WebSocketOptions>;
  /** Seconds an unanswered call rings before it ends with 408 (`--call-timeout`). Default 30. */
  callTimeout?: number;
  /**
   * Seconds a call's device has to come back (same user, same clientCorrelator) after its
   * socket closed before its calls end (`--call-grace`). Default 10; 0: they end at once.
   */
  callGrace?: number;
  /** Where live calls are kept (default: in this process). */
  callStore?: CallStore;
  /** coturn's `static-auth-secret` (`--turn-secret`); with `turnUrls`. */
  turnSecret?: string;
  /** TURN URLs given to clients with credentials, `turn:` or `turns:` (`--turn-urls`). */
  turnUrls?: string[];
  /** Seconds TURN credentials stay valid (`--turn-ttl`). Default 86400. */
  turnTtl?: number;
  /**
   * The SIP proxy's `auth_ephemeral` secret (`--sip-secret`), to hand out SIP credentials
   * (`comms-kit/sip`); with `sipWsUrl` and `sipDomain`.
   */
  sipSecret?: string;
  /** The proxy's SIP-over-WebSocket URL clients register at, `wss://` or `ws://` (`--sip-ws-url`). */
  sipWsUrl?: string;
  /** The SIP domain: users are `sip:<username>@<domain>` (`--sip-domain`). */
  sipDomain?: string;
  /** Seconds SIP credentials stay valid (`--sip-ttl`). Default 86400. */
  sipTtl?: number;
  /**
   * The SIP proxy's call events, `host:port` (`--sip-events`: Kamailio's evapi, see
   * `deploy/kamailio/kamailio.cfg`): the gateway keeps the records of calls over SIP. Needs
   * `sipSecret`.
   */
  sipEvents?: string;
  /** Messages per user: `{perSecond, burst}`, or false for no limit. Default 30/s, bursts of 60. */
  messageRateLimit?: MessageRateLimit | false;
  /** Whose presence a user may see: `'contacts'` (mutual contacts, default) or `'all'`. */
  presenceScope?: PresenceScope;
  /**
   * Who sees a user's email address and phone number in the directory (`--directory-details`):
   * `'all'` (default) or `'contacts'` (mutual contacts; a number filter matches whole numbers).
   */
  directoryDetails?: DirectoryDetails;
  /** Seconds a user stays online after their last presence socket drops. Default 10. */
  presenceGrace?: number;
  /**
   * With `redisUrl`: seconds a node's users stay online in Redis after its last refresh
   * (`--presence-ttl`), so that a node that dies has its users go offline after this long.
   * It refreshes every third of it. Default 30.
   */
  presenceTtl?: number;
  /** Who is online on any node (default: in this process, or in Redis with `redisUrl`). */
  presenceRegistry?: PresenceRegistry;
  /** Test-only fault injection (`COMMS_FAULT`): see `server/messaging/service.ts`. */
  fault?: Fault;
  /** How many voicemails one user may leave (default 6 at once, then 6 a minute; with Redis, on all nodes together). */
  voicemailRateLimit?: VoicemailRateLimit;
}

/** The services behind a built app (for tests and embedding). */
export interface Gateway {
  storage: Storage;
  bus: Bus;
  clock: Clock;
  tokens: TokenService;
  auth: AuthService;
  ws: WebSocketGateway;
  calls: CallService;
  presence: PresenceService;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The gateway's services. */
    gateway: Gateway;
  }
}

/** Defaults of the options that have one. */
export const defaults = {
  accessTokenTtl: MAX_ACCESS_TOKEN_TTL,
  refreshTokenTtl: 30 * 24 * 3600,
  issuer: 'comms-kit',
  audience: 'comms-kit',
  authRateLimit: { max: 60, timeWindowMs: 60_000 } satisfies AuthRateLimit,
  callTimeout: 30,
  callGrace: 10,
  turnTtl: DEFAULT_TURN_TTL,
  sipTtl: DEFAULT_TURN_TTL,
} as const;

/** Bounds of the call and TURN settings, seconds. */
export const callLimits = {
  callTimeout: { min: 1, max: 3600 },
  callGrace: { min: 0, max: 3600 },
  turnTtl: { min: 60, max: 7 * 86400 },
  sipTtl: { min: 60, max: 7 * 86400 },
} as const;

/** The smallest app secret accepted. */
export const MIN_APP_SECRET_LENGTH = 16;

/** Checks options that can be wrong; throws an Error whose message names the option. */
export function validateAppOptions(options: AppOptions): void {
  if ((options.appKey === undefined) !== (options.appSecret === undefined))
    throw new Error(
      'app tickets need both an app key and an app secret (--app-key and --app-secret)',
    );
  if (options.appKey !== undefined && !options.appKey.trim())
    throw new Error('the app key must not be empty');
  if (options.appSecret !== undefined && options.appSecret.length < MIN_APP_SECRET_LENGTH)
    throw new Error(`the app secret must have at least ${MIN_APP_SECRET_LENGTH} characters`);
  const ttl = options.accessTokenTtl;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_ACCESS_TOKEN_TTL))
    throw new Error(
      `the access-token lifetime must be 1 to ${MAX_ACCESS_TOKEN_TTL} seconds; got ${ttl}`,
    );
  const limit = options.authRateLimit;
  if (limit && (!(limit.max >= 1) || !(limit.timeWindowMs >= 1)))
    throw new Error('the auth rate limit needs max ≥ 1 and timeWindowMs ≥ 1');
  for (const name of ['callTimeout', 'callGrace', 'turnTtl', 'sipTtl'] as const) {
    const value = options[name];
    const { min, max } = callLimits[name];
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max))
      throw new Error(
        `${name} must be a whole number of seconds from ${min} to ${max}; got ${value}`,
      );
  }
  if ((options.turnSecret === undefined) !== (options.turnUrls === undefined))
    throw new Error('TURN needs both a shared secret and URLs (--turn-secret and --turn-urls)');
  if (options.turnSecret !== undefined && !options.turnSecret.trim())
    throw new Error('the TURN secret must not be empty');
  if (options.turnUrls !== undefined) {
    if (!options.turnUrls.length) throw new Error('give at least one TURN URL');
    const bad = options.turnUrls.find((u) => !/^turns?:[^\s,]+$/i.test(u));
    if (bad !== undefined)
      throw new Error(`'${bad}' is not a TURN URL: use turn:host:port or turns:host:port`);
  }
  const sip = [options.sipSecret, options.sipWsUrl, options.sipDomain];
  if (sip.some((v) => v !== undefined) && !sip.every((v) => v !== undefined))
    throw new Error(
      'SIP needs a secret, a WebSocket URL and a domain (--sip-secret, --sip-ws-url and --sip-domain)',
    );
  if (options.sipSecret !== undefined && !options.sipSecret.trim())
    throw new Error('the SIP secret must not be empty');
  if (options.sipWsUrl !== undefined && !/^wss?:\/\/[^\s/]+/i.test(options.sipWsUrl))
    throw new Error(
      `'${options.sipWsUrl}' is not a WebSocket URL: use wss://host:port/path (ws:// on loopback)`,
    );
  if (
    options.sipDomain !== undefined &&
    !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(options.sipDomain)
  )
    throw new Error(
      `'${options.sipDomain}' is not a SIP domain: use a host name such as sip.example.com`,
    );
  if (options.sipEvents !== undefined) {
    if (options.sipSecret === undefined)
      throw new Error(
        '--sip-events needs the SIP settings (--sip-secret, --sip-ws-url and --sip-domain)',
      );
    if (!hostPort(options.sipEvents))
      throw new Error(
        `'${options.sipEvents}' is not an address for the SIP call events: use host:port, such as 127.0.0.1:8448`,
      );
  }
  const voicemails = options.voicemailRateLimit;
  if (voicemails && (!(voicemails.perSecond > 0) || !(voicemails.burst >= 1)))
    throw new Error('the voicemail rate limit needs perSecond > 0 and burst ≥ 1');
  const messages = options.messageRateLimit;
  if (messages && (!(messages.perSecond > 0) || !(messages.burst >= 1)))
    throw new Error('the message rate limit needs perSecond > 0 and burst ≥ 1');
  if (options.presenceScope !== undefined && !PRESENCE_SCOPES.includes(options.presenceScope))
    throw new Error(
      `the presence scope must be one of ${PRESENCE_SCOPES.join(', ')}; got '${String(options.presenceScope)}'`,
    );
  if (
    options.directoryDetails !== undefined &&
    !DIRECTORY_DETAILS.includes(options.directoryDetails)
  )
    throw new Error(
      `the directory details must be one of ${DIRECTORY_DETAILS.join(', ')}; got '${String(options.directoryDetails)}'`,
    );
  const grace = options.presenceGrace;
  if (grace !== undefined && !(grace >= 0 && grace <= 3600))
    throw new Error(`the presence grace period must be 0 to 3600 seconds; got ${grace}`);
  const presenceTtl = options.presenceTtl;
  if (
    presenceTtl !== undefined &&
    !(Number.isInteger(presenceTtl) && presenceTtl >= 1 && presenceTtl <= 3600)
  )
    throw new Error(
      `the presence TTL must be a whole number of seconds from 1 to 3600; got ${presenceTtl}`,
    );
  if (options.redisUrl !== undefined) validateRedisUrl(options.redisUrl);
  const pool = options.dbPoolSize;
  if (pool !== undefined && !(Number.isInteger(pool) && pool >= 1 && pool <= 1000))
    throw new Error(`the database pool size must be a whole number from 1 to 1000; got ${pool}`);
  for (const [what, value] of [
    ['query', options.dbQueryTimeout],
    ['connect', options.dbConnectTimeout],
  ] as const)
    if (value !== undefined && !(value > 0 && value <= 3600))
      throw new Error(
        `the database ${what} timeout must be more than 0 and at most 3600 seconds; got ${value}`,
      );
  if (options.dbPooler !== undefined && !POOLERS.includes(options.dbPooler))
    throw new Error(
      `the database pooler must be one of ${POOLERS.join(', ')}; got '${String(options.dbPooler)}'`,
    );
  if (options.fault !== undefined && options.fault !== 'exit-after-store')
    throw new Error(`unknown fault '${String(options.fault)}': the one fault is exit-after-store`);
}

/** A URL without the value of `access_token` (logs never carry a token). */
const redactUrl = (url: string) => url.replace(/([?&]access_token=)[^&]*/gi, '$1[redacted]');

/**
 * Builds the gateway's HTTP application: storage, accounts and sessions (REST), the WebSocket
 * endpoint, health and readiness probes, the demo at `/` and the CDN build at `/cdn/`.
 */
export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  validateAppOptions(options);
  const root = packageRoot();
  const demoDir = options.demoDir ?? join(root, 'demo');
  const cdnDir = options.cdnDir ?? join(root, 'dist', 'cdn');
  const clock = options.clock ?? systemClock;

  const logger: FastifyServerOptions['logger'] =
    options.logLevel === false
      ? false
      : {
          level: options.logLevel ?? 'info',
          serializers: {
            req: (req: { method: string; url: string; ip?: string }) => ({
              method: req.method,
              url: redactUrl(req.url),
              remoteAddress: req.ip,
            }),
          },
          redact: ['req.headers.authorization', 'req.headers["sec-websocket-protocol"]'],
        };
  const app = Fastify({
    logger,
    // Static files and probes are not worth a log line each; API requests log their own.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: {
      // Reject what the schema does not allow rather than quietly fixing it up.
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false },
      plugins: [ajvFormats],
    },
    bodyLimit: 64 * 1024,
    // The client's address (rate limits, logs) from X-Forwarded-For, only as far back as the
    // proxies named here; without them, whoever connects.
    ...(options.trustProxy !== undefined && { trustProxy: options.trustProxy }),
  });

  const ownsStorage = !options.storage;
  const storage =
    options.storage ??
    (await openStorage(
      options,
      (v, name) => app.log.info({ version: v, name }, 'database migrated'),
      (problem) => app.log.warn(problem),
    ));
  const ownsBus = !options.bus;
  const busError = (error: unknown) => app.log.error({ err: error }, 'bus error');
  let bus: Bus;
  try {
    bus =
      options.bus ??
      (options.redisUrl
        ? await RedisBus.connect(options.redisUrl, busError)
        : new MemoryBus(busError));
  } catch (error) {
    if (ownsStorage) await storage.close();
    throw error;
  }
  app.addHook('onClose', async () => {
    if (ownsBus) await bus.close();
    if (ownsStorage) await storage.close();
  });

  try {
    const tokens = await TokenService.create({
      storage,
      clock,
      accessTokenTtl: options.accessTokenTtl ?? defaults.accessTokenTtl,
      issuer: options.issuer ?? defaults.issuer,
      audience: options.audience ?? defaults.audience,
    });
    const auth = new AuthService({
      storage,
      tokens,
      bus,
      clock,
      refreshTokenTtl: options.refreshTokenTtl ?? defaults.refreshTokenTtl,
      ...(options.appKey &&
        options.appSecret && { app: { appKey: options.appKey, appSecret: options.appSecret } }),
      log: (event, details) => app.log.info(details, event),
    });
    void preloadPasswordRules().catch((error: unknown) =>
      app.log.error({ err: error }, 'the password rules failed to load'),
    );

    installErrorHandling(app);
    const origins = originCheck(options.origins);
    await app.register(fastifyCors, {
      hook: 'onRequest',
      delegator: (request, callback) =>
        callback(null, {
          origin: origins(request.headers.origin, request.headers.host),
          methods: ['GET', 'POST', 'DELETE'],
          allowedHeaders: ['content-type', 'authorization'],
          maxAge: 600,
        }),
    });
    await app.register(fastifyRateLimit, {
      global: false,
      // Shared by the nodes: an address's auth requests count on every node together.
      ...(bus instanceof RedisBus && {
        store: redisRateLimitStore(bus.client, {
          onError: (error) =>
            app.log.warn({ err: error }, 'Redis does not answer: auth rate limits count per node'),
        }),
      }),
      errorResponseBuilder: (_request, context) =>
        new WireError(
          WireErrorCodes.RATE_LIMITED,
          `too many requests from this address: retry in ${context.after}`,
          429,
        ),
    });

    app.get(Endpoints.health.path, async () => ({ status: 'ok' as const, version }));
    app.get(Endpoints.ready.path, async () => {
      try {
        await storage.ping();
      } catch (error) {
        app.log.warn({ err: error }, 'storage is not reachable');
        throw new WireError(WireErrorCodes.SERVER_UNAVAILABLE, 'the storage does not answer', 503);
      }
      return { status: 'ready' as const };
    });

    registerAuthRoutes(app, {
      auth,
      tokens,
      rateLimit:
        options.authRateLimit === undefined ? defaults.authRateLimit : options.authRateLimit,
    });
    const ws = await registerWebSocket(app, {
      tokens,
      bus,
      clock,
      origins,
      options: { ...defaultWebSocketOptions, ...options.webSocket },
    });
    const callStore =
      options.callStore ??
      (bus instanceof RedisBus ? new RedisCallStore(bus.client, { clock }) : undefined);
    const calls = new CallService({
      ws,
      storage,
      bus,
      clock,
      ...(callStore && { store: callStore }),
      // A store other nodes share: this node ends only its own calls when it shuts down.
      sharedStore: callStore instanceof RedisCallStore,
      noAnswerTimeoutMs: (options.callTimeout ?? defaults.callTimeout) * 1000,
      reconnectGraceMs: (options.callGrace ?? defaults.callGrace) * 1000,
      log: app.log.child({ component: 'calls' }),
    });
    // Before the storage closes: live calls end and their records are written.
    app.addHook('preClose', async () => calls.close());
    const sipEvents = options.sipEvents && hostPort(options.sipEvents);
    if (sipEvents && options.sipSecret) {
      const sipRecords = new SipCallRecords({
        ...sipEvents,
        secret: options.sipSecret,
        storage,
        ws,
        clock,
        log: app.log.child({ component: 'sip' }),
      });
      app.addHook('preClose', async () => sipRecords.close());
    }
    registerCallRoutes(app, {
      storage,
      tokens,
      clock,
      ...(options.turnSecret &&
        options.turnUrls && {
          turn: {
            secret: options.turnSecret,
            urls: options.turnUrls,
            ttl: options.turnTtl ?? defaults.turnTtl,
          },
        }),
      ...(options.sipSecret &&
        options.sipWsUrl &&
        options.sipDomain && {
          sip: {
            secret: options.sipSecret,
            wsUrl: options.sipWsUrl,
            domain: options.sipDomain,
            ttl: options.sipTtl ?? defaults.sipTtl,
            ringTimeout: options.callTimeout ?? defaults.callTimeout,
          },
        }),
    });
    // With Redis, a user's messages and voicemails count on every node together.
    const sharedLimit = (name: string, limit: { perSecond: number; burst: number }) =>
      bus instanceof RedisBus
        ? new RedisKeyedRateLimit(bus.client, {
            name,
            ...limit,
            onError: (error) =>
              app.log.warn(
                { err: error },
                `Redis does not answer: ${name} rate limits count per node`,
              ),
          })
        : undefined;
    const voicemailRate = options.voicemailRateLimit ?? defaultVoicemailRateLimit;
    const voicemailLimiter = sharedLimit('voicemail', voicemailRate);
    await registerVoicemailRoutes(app, {
      storage,
      tokens,
      clock,
      ws,
      rateLimit: voicemailRate,
      ...(voicemailLimiter && { limiter: voicemailLimiter }),
      log: (error, event) =>
        app.log.warn({ err: error, event }, 'a voicemail event was not pushed'),
    });
    const messageRate =
      options.messageRateLimit === undefined ? defaultMessageRateLimit : options.messageRateLimit;
    const messageLimiter = messageRate && sharedLimit('message', messageRate);
    registerMessaging({
      gateway: ws,
      storage,
      clock,
      log: app.log.child({ component: 'messaging' }),
      rateLimit: messageRate,
      ...(messageLimiter && { limiter: messageLimiter }),
      ...(options.fault && { fault: options.fault }),
    });
    if (options.fault) app.log.warn({ fault: options.fault }, 'fault injection is on (tests only)');
    let registry = options.presenceRegistry;
    if (!registry && bus instanceof RedisBus) {
      const shared = new RedisPresenceRegistry(bus.client, {
        ttlMs: (options.presenceTtl ?? DEFAULT_PRESENCE_TTL) * 1000,
        onError: (error) => app.log.error({ err: error }, 'presence registry error'),
      });
      await shared.start();
      registry = shared;
    }
    const presence = new PresenceService({
      gateway: ws,
      storage,
      bus,
      registry: registry ?? new MemoryPresenceRegistry(),
      clock,
      log: app.log.child({ component: 'presence' }),
      scope: options.presenceScope ?? 'contacts',
      graceMs: (options.presenceGrace ?? DEFAULT_PRESENCE_GRACE) * 1000,
    });
    // Before the bus closes: this node's users leave the registry, and watchers on the other
    // nodes learn of those now offline.
    app.addHook('preClose', async () =>
      presence
        .close()
        .catch((error: unknown) =>
          app.log.warn({ err: error }, 'leaving the presence registry failed'),
        ),
    );
    registerContacts({ gateway: ws, storage, bus, clock });
    registerDirectory({ gateway: ws, storage, details: options.directoryDetails ?? 'all' });
    app.decorate('gateway', { storage, bus, clock, tokens, auth, ws, calls, presence });

    const prune = () =>
      storage
        .pruneRefreshTokens(clock.now())
        .catch((error: unknown) => app.log.warn({ err: error }, 'pruning refresh tokens failed'));
    void prune();
    const pruner = setInterval(prune, 3600_000);
    pruner.unref();
    app.addHook('onClose', async () => clearInterval(pruner));

    await app.register(fastifyStatic, { root: demoDir, prefix: '/', index: ['index.html'] });
    if (existsSync(cdnDir)) {
      await app.register(fastifyStatic, {
        root: cdnDir,
        prefix: '/cdn/',
        decorateReply: false,
        setHeaders: (res) => res.setHeader('access-control-allow-origin', '*'),
      });
    } else {
      app.log.warn(`no CDN build at ${cdnDir}: run \`npm run build\` to serve /cdn/`);
    }
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}
