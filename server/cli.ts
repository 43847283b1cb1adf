/**
 * The command line of `comms-kit-server`: flags, then environment variables, then defaults.
 * {@link parseCommandLine} never exits; it throws {@link UsageError} with a message naming
 * the flag or variable that is wrong.
 */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { version } from '../core/version.js';
import { MIN_APP_SECRET_LENGTH, callLimits, defaults, validateAppOptions } from './app.js';
import { MAX_ACCESS_TOKEN_TTL } from './auth/tokens.js';
import { validateOrigins } from './http/origins.js';
import { DIRECTORY_DETAILS, type DirectoryDetails } from './directory/service.js';
import { DEFAULT_DATA_DIR, POOLERS, isPostgresUrl, redactDatabaseUrl } from './storage/index.js';
import { validateRedisUrl } from './redis.js';
import { PRESENCE_SCOPES, DEFAULT_PRESENCE_GRACE, type PresenceScope } from './presence/service.js';
import { DEFAULT_PRESENCE_TTL } from './presence/registry.js';
import type { ServerOptions } from './index.js';

export const usage = `comms-kit-server ${version}: the comms-kit gateway

Usage: comms-kit-server [options]

Options (flags win over environment variables):
  --port, -p <n>        TCP port (env PORT; default 8080; 0 picks a free port)
  --host <addr>         interface to listen on (env HOST; default 127.0.0.1)
  --data <dir>          data directory, database comms.db inside (env COMMS_DATA;
                        default ${DEFAULT_DATA_DIR})
  --db <file|:memory:|url>  database instead of --data: a SQLite file, :memory: (keeps
                        nothing), or postgres://user:password@host:5432/db (PostgreSQL, for
                        nodes on several hosts; prefer the variable for a password) (env COMMS_DB)
  --db-pool <n>         with a PostgreSQL --db: connections this node keeps at most, 1-1000
                        (env COMMS_DB_POOL; default 10)
  --db-query-timeout <s>  with a PostgreSQL --db: seconds one statement may run before the
                        request fails with server:databaseTimeout, 1-3600
                        (env COMMS_DB_QUERY_TIMEOUT; default 5)
  --db-connect-timeout <s>  with a PostgreSQL --db: seconds a request waits for a database
                        connection, 1-3600 (env COMMS_DB_CONNECT_TIMEOUT; default 5)
  --db-pooler <mode>    with a PostgreSQL --db: what is between this node and PostgreSQL:
                        none (direct connections), session (a pooler in session pooling; as
                        none) or transaction (PgBouncer's pool_mode = transaction: unnamed
                        statements, the timeout set per transaction) (env COMMS_DB_POOLER;
                        default none)
  --origin <origins>    browser origins allowed besides the server's own, comma-separated,
                        repeatable: https://app.example.com, https://*.example.com, or *
                        (env COMMS_ORIGINS; default: http(s)://localhost and 127.0.0.1, any port)
  --app-key <key>       application key for app-signed user tickets (env COMMS_APP_KEY)
  --app-secret <secret> its secret, at least ${MIN_APP_SECRET_LENGTH} characters (env COMMS_APP_SECRET; prefer
                        the variable: a flag shows in the process list)
  --access-token-ttl <s>  access-token lifetime in seconds, 1-${MAX_ACCESS_TOKEN_TTL} (env COMMS_ACCESS_TOKEN_TTL;
                        default ${MAX_ACCESS_TOKEN_TTL})
  --auth-rate-limit <n> requests per minute per address to each auth route, 0 for no limit
                        (env COMMS_AUTH_RATE_LIMIT; default 60)
  --trust-proxy <p>     the reverse proxies whose X-Forwarded-For names the client: their
                        addresses or CIDR ranges, comma-separated, or loopback, linklocal,
                        uniquelocal (env COMMS_TRUST_PROXY; default none: the client is
                        whoever connects)
  --call-timeout <s>    seconds an unanswered call rings, ${callLimits.callTimeout.min}-${callLimits.callTimeout.max} (env COMMS_CALL_TIMEOUT;
                        default ${defaults.callTimeout})
  --call-grace <s>      seconds a call's device has to reconnect before its calls end,
                        ${callLimits.callGrace.min}-${callLimits.callGrace.max} (env COMMS_CALL_GRACE; default ${defaults.callGrace})
  --turn-secret <s>     coturn's static-auth-secret, to hand out TURN credentials (env
                        COMMS_TURN_SECRET; prefer the variable); with --turn-urls
  --turn-urls <urls>    TURN URLs for clients, comma-separated turn:/turns: (env COMMS_TURN_URLS)
  --turn-ttl <s>        seconds TURN credentials stay valid, ${callLimits.turnTtl.min}-${callLimits.turnTtl.max} (env COMMS_TURN_TTL;
                        default ${defaults.turnTtl})
  --sip-secret <s>      the SIP proxy's auth_ephemeral secret, to hand out SIP credentials for
                        comms-kit/sip (env COMMS_SIP_SECRET; prefer the variable); with
                        --sip-ws-url and --sip-domain
  --sip-ws-url <url>    the proxy's SIP-over-WebSocket URL, wss:// (env COMMS_SIP_WS_URL)
  --sip-domain <d>      the SIP domain: users are sip:<username>@<d> (env COMMS_SIP_DOMAIN)
  --sip-ttl <s>         seconds SIP credentials stay valid, ${callLimits.sipTtl.min}-${callLimits.sipTtl.max} (env COMMS_SIP_TTL;
                        default ${defaults.sipTtl})
  --sip-events <h:p>    the proxy's call events (Kamailio's evapi, host:port), to keep the records
                        of calls over SIP (env COMMS_SIP_EVENTS); with the SIP settings
  --frame-rate-limit <n>  WebSocket frames per second per socket, bursts of 2n
                        (env COMMS_FRAME_RATE_LIMIT; default 20)
  --message-rate-limit <n>  messages per second per user, bursts of 2n, 0 for no limit; with
                        --redis-url, on all nodes together (env COMMS_MESSAGE_RATE_LIMIT; default 30)
  --voicemail-rate-limit <n>  voicemails a user may leave per minute, bursts of n; with
                        --redis-url, on all nodes together (env COMMS_VOICEMAIL_RATE_LIMIT; default 6)
  --presence-scope <s>  whose presence a user sees: contacts (users who have each other as
                        contacts) or all (env COMMS_PRESENCE_SCOPE; default contacts)
  --presence-grace <s>  seconds a user stays online after their last connection drops, 0-3600
                        (env COMMS_PRESENCE_GRACE; default ${DEFAULT_PRESENCE_GRACE})
  --directory-details <s>  who sees a user's email and number in the directory: all, or
                        contacts (each other's contacts; numbers then found whole only)
                        (env COMMS_DIRECTORY_DETAILS; default all)
  --redis-url <url>     Redis shared by several gateway nodes, redis://host:port (rediss://
                        for TLS; env COMMS_REDIS_URL; default none: one node, all in-process)
  --presence-ttl <s>    with --redis-url: seconds a node that stops refreshing (it died) keeps
                        its users online, 1-3600; it refreshes every third of it
                        (env COMMS_PRESENCE_TTL; default ${DEFAULT_PRESENCE_TTL})
  --log-level <lvl>     fatal|error|warn|info|debug|trace|silent (env LOG_LEVEL; default info)
  --help, -h            show this help
  --version, -v         show the version
`;

/** A command-line mistake; the message says what to fix. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** What the command line asks for. */
export type Command =
  { kind: 'help' } | { kind: 'version' } | { kind: 'run'; options: ServerOptions };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function wholeNumber(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max)
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}; got '${text}'`);
  return n;
}

/** Names `--trust-proxy` takes for ranges of addresses (as Fastify's `trustProxy` does). */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * `--trust-proxy`: addresses, CIDR ranges and {@link PROXY_RANGES}, comma-separated. Never
 * "trust everyone", nor a count of hops (which cannot check who is connecting): any client
 * could then name itself in X-Forwarded-For and escape the per-address limits.
 */
function parseTrustProxy(text: string, name: string): string[] {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (!entries.length) throw new UsageError(`${name} needs the proxies' addresses or CIDR ranges`);
  for (const entry of entries) {
    if (PROXY_RANGES.includes(entry)) continue;
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= max);
    if (!family || !bitsOk || extra !== undefined)
      throw new UsageError(
        `${name}: '${entry}' is not an IP address, a CIDR range (10.0.0.0/8) or one of ${PROXY_RANGES.join(', ')}`,
      );
  }
  return entries;
}

/** Reads `argv` (without node and the script) and `env`. */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Command {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        data: { type: 'string' },
        db: { type: 'string' },
        'db-pool': { type: 'string' },
        'db-query-timeout': { type: 'string' },
        'db-connect-timeout': { type: 'string' },
        'db-pooler': { type: 'string' },
        origin: { type: 'string', multiple: true },
        'app-key': { type: 'string' },
        'app-secret': { type: 'string' },
        'access-token-ttl': { type: 'string' },
        'auth-rate-limit': { type: 'string' },
        'trust-proxy': { type: 'string' },
        'call-timeout': { type: 'string' },
        'call-grace': { type: 'string' },
        'turn-secret': { type: 'string' },
        'turn-urls': { type: 'string' },
        'turn-ttl': { type: 'string' },
        'sip-secret': { type: 'string' },
        'sip-ws-url': { type: 'string' },
        'sip-domain': { type: 'string' },
        'sip-ttl': { type: 'string' },
        'sip-events': { type: 'string' },
        'frame-rate-limit': { type: 'string' },
        'message-rate-limit': { type: 'string' },
        'voicemail-rate-limit': { type: 'string' },
        'presence-scope': { type: 'string' },
        'presence-grace': { type: 'string' },
        'directory-details': { type: 'string' },
        'redis-url': { type: 'string' },
        'presence-ttl': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const portText = values.port ?? env.PORT ?? '8080';
  const port = wholeNumber(portText, values.port !== undefined ? '--port' : 'PORT', 0, 65535);
  const host = values.host ?? env.HOST ?? '127.0.0.1';
  if (!host.trim()) throw new UsageError('--host must not be empty');

  // Storage: a flag wins over the variables; two at the same level are a mistake.
  const location: Pick<
    ServerOptions,
    'db' | 'dataDir' | 'dbPoolSize' | 'dbQueryTimeout' | 'dbConnectTimeout' | 'dbPooler'
  > = {};
  if (values.db !== undefined && values.data !== undefined)
    throw new UsageError('give --data or --db, not both');
  const db = values.db ?? (values.data === undefined ? env.COMMS_DB : undefined);
  const data = values.data ?? (values.db === undefined ? env.COMMS_DATA : undefined);
  if (db !== undefined && data !== undefined)
    throw new UsageError('COMMS_DB and COMMS_DATA are both set: set one');
  if (db !== undefined) {
    if (!db.trim()) throw new UsageError('--db must name a file, :memory: or a postgres:// URL');
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(db) && !isPostgresUrl(db))
      throw new UsageError(
        `--db: '${redactDatabaseUrl(db)}' is not a database this gateway opens: give a file, :memory: or postgres://user:password@host:port/database`,
      );
    location.db = db;
  } else {
    if (data !== undefined && !data.trim()) throw new UsageError('--data must name a directory');
    location.dataDir = data ?? DEFAULT_DATA_DIR;
  }

  // The PostgreSQL settings: each needs a postgres:// --db.
  const postgresSetting = (
    flag: 'db-pool' | 'db-query-timeout' | 'db-connect-timeout',
    variable: string,
    max: number,
  ) => {
    const text = values[flag] ?? env[variable];
    if (text === undefined) return undefined;
    const name = values[flag] !== undefined ? `--${flag}` : variable;
    if (!location.db || !isPostgresUrl(location.db))
      throw new UsageError(`${name} needs a PostgreSQL --db (postgres://…)`);
    return wholeNumber(text, name, 1, max);
  };
  const poolSize = postgresSetting('db-pool', 'COMMS_DB_POOL', 1000);
  if (poolSize !== undefined) location.dbPoolSize = poolSize;
  const queryTimeout = postgresSetting('db-query-timeout', 'COMMS_DB_QUERY_TIMEOUT', 3600);
  if (queryTimeout !== undefined) location.dbQueryTimeout = queryTimeout;
  const connectTimeout = postgresSetting('db-connect-timeout', 'COMMS_DB_CONNECT_TIMEOUT', 3600);
  if (connectTimeout !== undefined) location.dbConnectTimeout = connectTimeout;
  const poolerText = values['db-pooler'] ?? env.COMMS_DB_POOLER;
  if (poolerText !== undefined) {
    const name = values['db-pooler'] !== undefined ? '--db-pooler' : 'COMMS_DB_POOLER';
    if (!location.db || !isPostgresUrl(location.db))
      throw new UsageError(`${name} needs a PostgreSQL --db (postgres://…)`);
    const pooler = POOLERS.find((p) => p === poolerText.trim().toLowerCase());
    if (!pooler)
      throw new UsageError(
        `${name} must be one of ${POOLERS.join(', ')} (statement pooling runs no transaction); got '${poolerText}'`,
      );
    location.dbPooler = pooler;
  }

  const originTexts = values.origin ?? (env.COMMS_ORIGINS !== undefined ? [env.COMMS_ORIGINS] : []);
  const origins = originTexts
    .flatMap((o) => o.split(','))
    .map((o) => o.trim())
    .filter(Boolean);
  try {
    validateOrigins(origins);
  } catch (error) {
    throw new UsageError(`--origin: ${(error as Error).message}`);
  }

  const appKey = values['app-key'] ?? env.COMMS_APP_KEY;
  const appSecret = values['app-secret'] ?? env.COMMS_APP_SECRET;

  const ttlText = values['access-token-ttl'] ?? env.COMMS_ACCESS_TOKEN_TTL;
  const accessTokenTtl =
    ttlText === undefined
      ? undefined
      : wholeNumber(ttlText, '--access-token-ttl', 1, MAX_ACCESS_TOKEN_TTL);
  const limitText = values['auth-rate-limit'] ?? env.COMMS_AUTH_RATE_LIMIT;
  const limit =
    limitText === undefined ? undefined : wholeNumber(limitText, '--auth-rate-limit', 0, 1_000_000);

  const proxyText = values['trust-proxy'] ?? env.COMMS_TRUST_PROXY;
  const trustProxy =
    proxyText === undefined
      ? undefined
      : parseTrustProxy(
          proxyText,
          values['trust-proxy'] !== undefined ? '--trust-proxy' : 'COMMS_TRUST_PROXY',
        );

  const seconds = (
    flag: 'call-timeout' | 'call-grace' | 'turn-ttl' | 'sip-ttl',
    variable: string,
  ) => {
    const text = values[flag] ?? env[variable];
    if (text === undefined) return undefined;
    const name = (
      {
        'call-timeout': 'callTimeout',
        'call-grace': 'callGrace',
        'turn-ttl': 'turnTtl',
        'sip-ttl': 'sipTtl',
      } as const
    )[flag];
    const { min, max } = callLimits[name];
    return wholeNumber(text, values[flag] !== undefined ? `--${flag}` : variable, min, max);
  };
  const callTimeout = seconds('call-timeout', 'COMMS_CALL_TIMEOUT');
  const callGrace = seconds('call-grace', 'COMMS_CALL_GRACE');
  const turnTtl = seconds('turn-ttl', 'COMMS_TURN_TTL');
  const sipTtl = seconds('sip-ttl', 'COMMS_SIP_TTL');
  const sipSecret = values['sip-secret'] ?? env.COMMS_SIP_SECRET;
  const sipWsUrl = values['sip-ws-url'] ?? env.COMMS_SIP_WS_URL;
  const sipDomain = values['sip-domain'] ?? env.COMMS_SIP_DOMAIN;
  const sipEvents = values['sip-events'] ?? env.COMMS_SIP_EVENTS;
  const turnSecret = values['turn-secret'] ?? env.COMMS_TURN_SECRET;
  const turnUrlsText = values['turn-urls'] ?? env.COMMS_TURN_URLS;
  const turnUrls =
    turnUrlsText === undefined
      ? undefined
      : turnUrlsText
          .split(',')
          .map((u) => u.trim())
          .filter(Boolean);
  const frameText = values['frame-rate-limit'] ?? env.COMMS_FRAME_RATE_LIMIT;
  const frames =
    frameText === undefined
      ? undefined
      : wholeNumber(frameText, '--frame-rate-limit', 1, 1_000_000);
  const messageText = values['message-rate-limit'] ?? env.COMMS_MESSAGE_RATE_LIMIT;
  const messages =
    messageText === undefined
      ? undefined
      : wholeNumber(messageText, '--message-rate-limit', 0, 1_000_000);
  const voicemailText = values['voicemail-rate-limit'] ?? env.COMMS_VOICEMAIL_RATE_LIMIT;
  const voicemails =
    voicemailText === undefined
      ? undefined
      : wholeNumber(voicemailText, '--voicemail-rate-limit', 1, 10_000);
  const scope = values['presence-scope'] ?? env.COMMS_PRESENCE_SCOPE;
  if (scope !== undefined && !(PRESENCE_SCOPES as readonly string[]).includes(scope))
    throw new UsageError(
      `--presence-scope must be one of ${PRESENCE_SCOPES.join(', ')}; got '${scope}'`,
    );
  const graceText = values['presence-grace'] ?? env.COMMS_PRESENCE_GRACE;
  const grace =
    graceText === undefined ? undefined : wholeNumber(graceText, '--presence-grace', 0, 3600);
  const details = values['directory-details'] ?? env.COMMS_DIRECTORY_DETAILS;
  if (details !== undefined && !(DIRECTORY_DETAILS as readonly string[]).includes(details))
    throw new UsageError(
      `--directory-details must be one of ${DIRECTORY_DETAILS.join(', ')}; got '${details}'`,
    );
  const redisUrl = values['redis-url'] ?? env.COMMS_REDIS_URL;
  if (redisUrl !== undefined) {
    try {
      validateRedisUrl(redisUrl);
    } catch (error) {
      throw new UsageError(
        `${values['redis-url'] !== undefined ? '--redis-url' : 'COMMS_REDIS_URL'}: ${(error as Error).message}`,
      );
    }
  }
  const presenceTtlText = values['presence-ttl'] ?? env.COMMS_PRESENCE_TTL;
  const presenceTtl =
    presenceTtlText === undefined
      ? undefined
      : wholeNumber(presenceTtlText, '--presence-ttl', 1, 3600);
  const fault = env.COMMS_FAULT;
  if (fault !== undefined && fault !== '' && fault !== 'exit-after-store')
    throw new UsageError(`COMMS_FAULT must be exit-after-store (tests only); got '${fault}'`);

  const logLevel = values['log-level'] ?? env.LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel))
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}; got '${logLevel}'`);

  const options: ServerOptions = {
    port,
    host,
    ...location,
    ...(origins.length && { origins }),
    ...(appKey !== undefined && { appKey }),
    ...(appSecret !== undefined && { appSecret }),
    ...(accessTokenTtl !== undefined && { accessTokenTtl }),
    ...(limit !== undefined && {
      authRateLimit: limit === 0 ? false : { max: limit, timeWindowMs: 60_000 },
    }),
    ...(trustProxy !== undefined && { trustProxy }),
    ...(callTimeout !== undefined && { callTimeout }),
    ...(callGrace !== undefined && { callGrace }),
    ...(turnSecret !== undefined && { turnSecret }),
    ...(turnUrls !== undefined && { turnUrls }),
    ...(turnTtl !== undefined && { turnTtl }),
    ...(sipSecret !== undefined && { sipSecret }),
    ...(sipWsUrl !== undefined && { sipWsUrl }),
    ...(sipDomain !== undefined && { sipDomain }),
    ...(sipTtl !== undefined && { sipTtl }),
    ...(sipEvents !== undefined && { sipEvents }),
    ...(frames !== undefined && { webSocket: { perSecond: frames, burst: 2 * frames } }),
    ...(messages !== undefined && {
      messageRateLimit: messages === 0 ? false : { perSecond: messages, burst: 2 * messages },
    }),
    ...(voicemails !== undefined && {
      voicemailRateLimit: { perSecond: voicemails / 60, burst: voicemails },
    }),
    ...(scope !== undefined && { presenceScope: scope as PresenceScope }),
    ...(grace !== undefined && { presenceGrace: grace }),
    ...(details !== undefined && { directoryDetails: details as DirectoryDetails }),
    ...(redisUrl !== undefined && { redisUrl }),
    ...(presenceTtl !== undefined && { presenceTtl }),
    ...(fault === 'exit-after-store' && { fault }),
    logLevel: logLevel === 'silent' ? false : logLevel,
  };
  try {
    validateAppOptions(options);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { kind: 'run', options };
}
