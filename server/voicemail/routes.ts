/**
 * Voicemail over REST: a user leaves a recording for another user (`POST /v1/voicemails`, the
 * raw audio as the body), and only the recipient lists their mailbox, fetches a recording,
 * marks one heard or deletes one. Every route checks the access token, and every read or
 * change is scoped to the signed-in user's own mailbox in the storage query itself, so another
 * user's voicemail id answers `voicemail:notFound` exactly as an unknown one does (404: its
 * existence is not revealed). A new voicemail is pushed to the recipient's sockets as
 * `voicemail:new`, through the bus, so it reaches whichever node holds them; a change made on
 * one device (heard, removed) is pushed to the recipient's other sockets.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WireErrorCodes } from '../../core/protocol/constants.js';
import {
  MAX_VOICEMAIL_BYTES,
  MAX_VOICEMAIL_DURATION_MS,
  VOICEMAIL_CONTENT_TYPES,
  VOICEMAIL_MAILBOX_SIZE,
} from '../../core/protocol/voicemail-limits.js';
import { Endpoints } from '../../core/protocol/endpoints.js';
import type {
  Voicemail,
  VoicemailLeaveResponse,
  VoicemailListResponse,
  VoicemailResponse,
} from '../../core/protocol/schema.js';
import { bearerClaims } from '../auth/routes.js';
import type { AccessClaims, TokenService } from '../auth/tokens.js';
import type { Clock } from '../clock.js';
import { publicId, resolveUser } from '../directory/users.js';
import { WireError } from '../errors.js';
import type { Storage, UserRecord, VoicemailEntry } from '../storage/types.js';
import { KeyedRateLimit, type KeyedLimit } from '../ws/rate-limit.js';
import type { WebSocketGateway } from '../ws/gateway.js';

const E = WireErrorCodes;

/** How many voicemails one user may leave: `burst` at once, then `perSecond`. */
export interface VoicemailRateLimit {
  perSecond: number;
  burst: number;
}

/** The default: 6 at once, then 6 a minute (on all nodes together when they share Redis). */
export const defaultVoicemailRateLimit: VoicemailRateLimit = { perSecond: 0.1, burst: 6 };

/** The wire form of a stored voicemail (without its owner and sender's internal id). */
export function wireVoicemail(v: VoicemailEntry): Voicemail {
  return {
    id: v.id,
    from: v.from,
    callId: v.callId,
    contentType: v.contentType,
    size: v.size,
    durationMs: v.durationMs,
    createdAt: v.createdAt,
    heardAt: v.heardAt,
  };
}

/** The content type's essence (`audio/webm` of `audio/webm;codecs=opus`), when it is accepted. */
export function voicemailContentType(header: string | undefined): string | undefined {
  const essence = header?.split(';')[0]!.trim().toLowerCase();
  return VOICEMAIL_CONTENT_TYPES.find((t) => t === essence);
}

/** Whether `audio` starts with the signature of the container `contentType` names. */
export function looksLike(contentType: string, audio: Uint8Array): boolean {
  const ascii = (from: number, to: number) => String.fromCharCode(...audio.subarray(from, to));
  switch (contentType) {
    case 'audio/webm': // EBML header
      return audio[0] === 0x1a && audio[1] === 0x45 && audio[2] === 0xdf && audio[3] === 0xa3;
    case 'audio/ogg':
      return ascii(0, 4) === 'OggS';
    case 'audio/mp4':
      return ascii(4, 8) === 'ftyp';
    case 'audio/wav':
      return ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE';
    default:
      return false;
  }
}

/** Reads `?to=&durationMs=&callId=` strictly (the gateway's ajv does not coerce query strings). */
export function readLeaveQuery(query: unknown): {
  to: string;
  durationMs: number;
  callId: string | null;
} {
  const given = (query ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(given))
    if (!['to', 'durationMs', 'callId'].includes(name))
      throw new WireError(
        E.REQUEST_INVALID,
        `querystring has an unexpected parameter '${name}': use to, durationMs and callId`,
      );
  const { to, durationMs, callId } = given;
  if (typeof to !== 'string' || !to.trim() || to.length > 256)
    throw new WireError(
      E.REQUEST_INVALID,
      'querystring/to must name the recipient (username, user id, email or number), 1–256 characters',
    );
  if (callId !== undefined && (typeof callId !== 'string' || !callId || callId.length > 128))
    throw new WireError(E.REQUEST_INVALID, 'querystring/callId must be 1–128 characters');
  if (typeof durationMs !== 'string' || !/^\d{1,9}$/.test(durationMs))
    throw new WireError(
      E.REQUEST_INVALID,
      `querystring/durationMs must be the recording's length in whole milliseconds; got '${String(durationMs)}'`,
    );
  const ms = Number(durationMs);
  if (ms < 1) throw new WireError(E.VOICEMAIL_EMPTY, 'the recording is empty: durationMs is 0');
  if (ms > MAX_VOICEMAIL_DURATION_MS)
    throw new WireError(
      E.VOICEMAIL_TOO_LONG,
      `a voicemail lasts at most ${MAX_VOICEMAIL_DURATION_MS / 1000} s; this one lasts ${ms / 1000} s`,
      413,
    );
  return { to, durationMs: ms, callId: typeof callId === 'string' ? callId : null };
}

const notFound = (id: string) =>
  new WireError(E.VOICEMAIL_NOT_FOUND, `no voicemail '${id}' in this user’s mailbox`, 404);

interface Leaving {
  claims: AccessClaims;
  sender: UserRecord;
  recipient: UserRecord;
  contentType: string;
  query: ReturnType<typeof readLeaveQuery>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** `POST /v1/voicemails`: what was checked before its body was read. */
    voicemail?: Leaving;
  }
}

/** Registers the voicemail routes on `app`. */
export async function registerVoicemailRoutes(
  app: FastifyInstance,
  deps: {
    storage: Storage;
    tokens: TokenService;
    clock: Clock;
    ws: WebSocketGateway;
    rateLimit?: VoicemailRateLimit;
    /** What counts `rateLimit` (default: this node alone; with Redis, every node together). */
    limiter?: KeyedLimit;
    log?: (error: unknown, what: string) => void;
  },
): Promise<void> {
  const { storage, tokens, clock, ws } = deps;
  const limit = deps.rateLimit ?? defaultVoicemailRateLimit;
  const rate = deps.limiter ?? new KeyedRateLimit(limit.perSecond, limit.burst);
  const pushed = (what: string) => (error: unknown) => deps.log?.(error, what);

  // Leaving one: its own scope, whose only body parser takes any type as bytes up to the limit.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: MAX_VOICEMAIL_BYTES },
      (_request, body, done) => done(null, body),
    );
    scope.setErrorHandler((error: { code?: string; statusCode?: number }) => {
      // Fastify's own refusal of an oversized body, in this route's words.
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
        throw new WireError(
          E.VOICEMAIL_TOO_LARGE,
          `a voicemail's recording is at most ${MAX_VOICEMAIL_BYTES} bytes`,
          413,
        );
      throw error;
    });

    scope.post(Endpoints.voicemailLeave.path, {
      // Everything that needs no body is checked before a byte of it is read.
      onRequest: async (request: FastifyRequest) => {
        const claims = await bearerClaims(request, tokens);
        const query = readLeaveQuery(request.query);
        const contentType = voicemailContentType(request.headers['content-type']);
        if (!contentType)
          throw new WireError(
            E.VOICEMAIL_UNSUPPORTED_TYPE,
            `a voicemail is ${VOICEMAIL_CONTENT_TYPES.join(', ')}; got '${request.headers['content-type'] ?? 'no content-type'}'`,
            415,
          );
        const declared = Number(request.headers['content-length']);
        if (declared > MAX_VOICEMAIL_BYTES)
          throw new WireError(
            E.VOICEMAIL_TOO_LARGE,
            `a voicemail's recording is at most ${MAX_VOICEMAIL_BYTES} bytes; this one has ${declared}`,
            413,
          );
        const [sender, recipient] = await Promise.all([
          storage.findUser({ id: claims.sub }),
          resolveUser(storage, query.to),
        ]);
        if (!sender) throw new WireError(E.AUTH_TOKEN_INVALID, 'this user no longer exists', 401);
        if (!recipient)
          throw new WireError(
            E.VOICEMAIL_UNKNOWN_RECIPIENT,
            `no user '${query.to}' to leave a voicemail for`,
            404,
          );
        if (recipient.id === sender.id)
          throw new WireError(E.VOICEMAIL_TO_SELF, 'a voicemail cannot be left for oneself');
        request.voicemail = { claims, sender, recipient, contentType, query };
      },
      handler: async (request, reply): Promise<VoicemailLeaveResponse> => {
        const { sender, recipient, contentType, query } = request.voicemail!;
        const audio = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        if (!audio.length)
          throw new WireError(E.VOICEMAIL_EMPTY, 'the recording is empty: send its bytes');
        if (!looksLike(contentType, audio))
          throw new WireError(
            E.VOICEMAIL_INVALID_AUDIO,
            `the body is not ${contentType}: its first bytes are not that format's signature`,
          );
        if (!(await rate.take(sender.id)))
          throw new WireError(
            E.VOICEMAIL_RATE_LIMITED,
            'too many voicemails from this user lately: wait a little, then try again',
            429,
            { 'retry-after': String(Math.ceil(1 / limit.perSecond)) },
          );
        const entry: VoicemailEntry = {
          id: randomUUID(),
          recipientId: recipient.id,
          senderId: sender.id,
          from: { id: publicId(sender), displayName: sender.displayName },
          callId: query.callId,
          contentType,
          size: audio.length,
          durationMs: query.durationMs,
          createdAt: clock.now(),
          heardAt: null,
        };
        if (!(await storage.insertVoicemail({ ...entry, audio }, VOICEMAIL_MAILBOX_SIZE)))
          throw new WireError(
            E.VOICEMAIL_MAILBOX_FULL,
            `${publicId(recipient)}’s mailbox is full (${VOICEMAIL_MAILBOX_SIZE} voicemails)`,
            409,
          );
        void ws
          .push([recipient.id], 'voicemail:new', { voicemail: wireVoicemail(entry) })
          .catch(pushed('voicemail:new'));
        reply.code(Endpoints.voicemailLeave.status);
        return {
          id: entry.id,
          to: { id: publicId(recipient), displayName: recipient.displayName },
          createdAt: entry.createdAt,
        };
      },
    });
  });

  app.get(Endpoints.voicemailList.path, async (request): Promise<VoicemailListResponse> => {
    const claims = await bearerClaims(request, tokens);
    const voicemails = await storage.listVoicemails(claims.sub);
    return { voicemails: voicemails.map(wireVoicemail) };
  });

  app.get(Endpoints.voicemailAudio.path, async (request, reply) => {
    const claims = await bearerClaims(request, tokens);
    const { id } = request.params as { id: string };
    const found = await storage.getVoicemailAudio(claims.sub, id);
    if (!found) throw notFound(id);
    reply.header('content-type', found.voicemail.contentType);
    reply.header('cache-control', 'private, no-store');
    reply.header('x-content-type-options', 'nosniff');
    return reply.send(found.audio);
  });

  app.post(Endpoints.voicemailHeard.path, async (request): Promise<VoicemailResponse> => {
    const claims = await bearerClaims(request, tokens);
    const { id } = request.params as { id: string };
    const before = await storage.markVoicemailHeard(claims.sub, id, clock.now());
    if (!before) throw notFound(id);
    void ws
      .push([claims.sub], 'voicemail:heard', { id, heardAt: before.heardAt! })
      .catch(pushed('voicemail:heard'));
    return { voicemail: wireVoicemail(before) };
  });

  app.delete(Endpoints.voicemailRemove.path, async (request, reply) => {
    const claims = await bearerClaims(request, tokens);
    const { id } = request.params as { id: string };
    if (!(await storage.deleteVoicemail(claims.sub, id))) throw notFound(id);
    void ws.push([claims.sub], 'voicemail:removed', { id }).catch(pushed('voicemail:removed'));
    return reply.code(Endpoints.voicemailRemove.status).send();
  });
}
