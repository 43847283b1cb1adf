/**
 * The REST side of calls, registered from the protocol's endpoint table: call history (the
 * signed-in user's call records: list, delete one, delete all) and TURN credentials in coturn's
 * shared-secret form (the TURN REST API: `use-auth-secret`).
 */
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SIP_NOT_CONFIGURED, WireErrorCodes } from '../../core/protocol/constants.js';
import { Endpoints } from '../../core/protocol/endpoints.js';
import type {
  CallHistoryResponse,
  CallRecord,
  SipCredentialsResponse,
  TurnCredentialsResponse,
} from '../../core/protocol/schema.js';
import { bearerClaims } from '../auth/routes.js';
import { publicId } from '../directory/users.js';
import type { TokenService } from '../auth/tokens.js';
import type { Clock } from '../clock.js';
import { WireError } from '../errors.js';
import type { CallRecordEntry, Storage } from '../storage/types.js';

/** TURN settings: coturn's `static-auth-secret` and the URLs clients use. */
export interface TurnSettings {
  secret: string;
  /** `turn:` / `turns:` URLs. */
  urls: string[];
  /** Seconds the credentials stay valid. */
  ttl: number;
}

/** The default lifetime of TURN credentials, seconds (the TURN REST API draft's 1 day). */
export const DEFAULT_TURN_TTL = 86400;

/**
 * coturn REST-API credentials for `userId`: username `<expiry unix seconds>:<userId>`,
 * credential base64(HMAC-SHA1(secret, username)).
 */
export function turnCredentials(
  settings: TurnSettings | undefined,
  userId: string,
  now: number,
): TurnCredentialsResponse {
  if (!settings) return { iceServers: [], ttl: DEFAULT_TURN_TTL };
  const username = `${Math.floor(now / 1000) + settings.ttl}:${userId}`;
  const credential = createHmac('sha1', settings.secret).update(username).digest('base64');
  return { iceServers: [{ urls: settings.urls, username, credential }], ttl: settings.ttl };
}

/** SIP settings: the proxy's `auth_ephemeral` secret, its WebSocket URL and domain. */
export interface SipSettings {
  secret: string;
  /** `wss://` (or `ws://` on loopback) URL clients register at. */
  wsUrl: string;
  domain: string;
  /** Seconds the credentials stay valid. */
  ttl: number;
  /** Seconds a call rings unanswered before its caller ends it (the gateway's call timeout). */
  ringTimeout: number;
}

/**
 * SIP credentials for `userId`, in the scheme of Kamailio's `auth_ephemeral` (and coturn's):
 * username `<expiry unix seconds>:<userId>`, password base64(HMAC-SHA1(secret, username)).
 */
export function sipCredentials(
  settings: SipSettings,
  user: { id: string; displayName: string },
  now: number,
): SipCredentialsResponse {
  const username = `${Math.floor(now / 1000) + settings.ttl}:${user.id}`;
  return {
    wsUrl: settings.wsUrl,
    domain: settings.domain,
    uri: `sip:${user.id}@${settings.domain}`,
    username,
    password: createHmac('sha1', settings.secret).update(username).digest('base64'),
    displayName: user.displayName,
    ttl: settings.ttl,
    ringTimeout: settings.ringTimeout,
  };
}

/** The wire form of a stored record (without its owner). */
export function wireCallRecord(r: CallRecordEntry): CallRecord {
  return {
    id: r.id,
    callId: r.callId,
    direction: r.direction,
    remoteParticipant: r.remoteParticipant,
    media: r.media,
    startTime: r.startTime,
    answerTime: r.answerTime,
    endTime: r.endTime,
    duration: r.duration,
    result: r.result,
    statusCode: r.statusCode,
    reasonText: r.reasonText,
  };
}

interface IntegerParam {
  minimum?: number;
  maximum?: number;
  default?: number;
}

/**
 * Reads `?limit=&offset=` against the endpoint's query schema. Query values are strings on the
 * wire; the gateway's ajv does not coerce types, so they are read here, by the same bounds.
 */
export function readHistoryQuery(query: unknown): { limit: number; offset: number } {
  const schema = Endpoints.callHistory.query as unknown as {
    properties: Record<'limit' | 'offset', IntegerParam>;
  };
  const given = (query ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!(name in schema.properties))
      throw new WireError(
        WireErrorCodes.REQUEST_INVALID,
        `querystring has an unexpected parameter '${name}': use limit and offset`,
      );
  }
  const read = (name: 'limit' | 'offset'): number => {
    const spec = schema.properties[name];
    const text = given[name];
    if (text === undefined) return spec.default ?? 0;
    const min = spec.minimum ?? 0;
    const max = spec.maximum ?? Number.MAX_SAFE_INTEGER;
    const n = typeof text === 'string' && /^\d{1,15}$/.test(text) ? Number(text) : NaN;
    if (!(n >= min && n <= max))
      throw new WireError(
        WireErrorCodes.REQUEST_INVALID,
        `querystring/${name} must be a whole number from ${min}${spec.maximum === undefined ? ' up' : ` to ${max}`}; got '${String(text)}'`,
      );
    return n;
  };
  return { limit: read('limit'), offset: read('offset') };
}

/** Registers the call history and TURN routes on `app`. */
export function registerCallRoutes(
  app: FastifyInstance,
  deps: {
    storage: Storage;
    tokens: TokenService;
    clock: Clock;
    turn?: TurnSettings;
    sip?: SipSettings;
  },
): void {
  const { storage, tokens, clock, turn, sip } = deps;

  app.get(Endpoints.callHistory.path, async (request): Promise<CallHistoryResponse> => {
    const claims = await bearerClaims(request, tokens);
    const page = readHistoryQuery(request.query);
    const { records, total } = await storage.listCallRecords(claims.sub, page);
    return { records: records.map(wireCallRecord), total };
  });

  app.delete(Endpoints.callHistoryRemove.path, async (request, reply) => {
    const claims = await bearerClaims(request, tokens);
    const { id } = request.params as { id: string };
    if (!(await storage.deleteCallRecord(claims.sub, id)))
      throw new WireError(
        WireErrorCodes.NOT_FOUND,
        `no call record '${id}' in this user’s history`,
        404,
      );
    return reply.code(Endpoints.callHistoryRemove.status).send();
  });

  app.delete(Endpoints.callHistoryClear.path, async (request, reply) => {
    const claims = await bearerClaims(request, tokens);
    await storage.deleteCallRecords(claims.sub);
    return reply.code(Endpoints.callHistoryClear.status).send();
  });

  app.get(Endpoints.turnCredentials.path, async (request, reply) => {
    const claims = await bearerClaims(request, tokens);
    // Credentials are per user and short-lived: no shared cache may keep them.
    reply.header('cache-control', 'no-store');
    return turnCredentials(turn, claims.sub, clock.now());
  });

  app.get(Endpoints.sipCredentials.path, async (request, reply) => {
    const claims = await bearerClaims(request, tokens);
    if (!sip)
      throw new WireError(
        SIP_NOT_CONFIGURED,
        'this gateway hands out no SIP credentials: start it with --sip-secret, --sip-ws-url and --sip-domain',
        404,
      );
    const user = await storage.findUser({ id: claims.sub });
    if (!user)
      throw new WireError(WireErrorCodes.AUTH_TOKEN_INVALID, 'the user of this token is gone', 401);
    reply.header('cache-control', 'no-store');
    // The name other users call: the username (the id of a user provisioned without one).
    return sipCredentials(sip, { id: publicId(user), displayName: user.displayName }, clock.now());
  });
}
