/**
 * The REST routes of accounts and sessions, registered from the protocol's endpoint table
 * (`core/protocol/endpoints.ts`): bodies validated against its TypeBox schemas, errors as
 * `{error: {code, message}}`, the auth routes rate limited per client IP.
 */
import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { WireErrorCodes } from '../../core/protocol/constants.js';
import { Endpoints, type Endpoint } from '../../core/protocol/endpoints.js';
import type { LoginRequest, RefreshRequest, SignupRequest } from '../../core/protocol/schema.js';
import { WireError } from '../errors.js';
import type { AuthService } from './service.js';
import type { AccessClaims, TokenService } from './tokens.js';

/** Per-IP limit of each auth route. */
export interface AuthRateLimit {
  /** Requests per window. */
  max: number;
  /** Window in milliseconds. */
  timeWindowMs: number;
}

/** A deep copy of a schema without `$id`s, so Fastify's ajv may see one schema on many routes. */
export function routeSchema(schema: TSchema): TSchema {
  return JSON.parse(JSON.stringify(schema), (key, value: unknown) =>
    key === '$id' ? undefined : value,
  ) as TSchema;
}

/** Reads and verifies `Authorization: Bearer <accessToken>`. */
export async function bearerClaims(
  request: FastifyRequest,
  tokens: TokenService,
): Promise<AccessClaims> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1])
    throw new WireError(
      WireErrorCodes.AUTH_REQUIRED,
      'send the access token as `Authorization: Bearer <accessToken>`',
      401,
      { 'www-authenticate': 'Bearer' },
    );
  try {
    return await tokens.verify(match[1]);
  } catch (error) {
    if (error instanceof WireError)
      throw new WireError(error.code, error.message, error.statusCode, {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    throw error;
  }
}

/** Registers signup, login, refresh, logout and me on `app`. */
export function registerAuthRoutes(
  app: FastifyInstance,
  deps: { auth: AuthService; tokens: TokenService; rateLimit: AuthRateLimit | false },
): void {
  const { auth, tokens } = deps;
  const options = (endpoint: Endpoint): RouteShorthandOptions => ({
    ...(endpoint.body && { schema: { body: routeSchema(endpoint.body) } }),
    ...(endpoint.rateLimited &&
      deps.rateLimit && {
        config: {
          rateLimit: { max: deps.rateLimit.max, timeWindow: deps.rateLimit.timeWindowMs },
        },
      }),
  });

  app.post(Endpoints.signup.path, options(Endpoints.signup), async (request, reply) => {
    const user = await auth.signup(request.body as SignupRequest);
    return reply.code(Endpoints.signup.status).send({ user });
  });

  app.post(Endpoints.login.path, options(Endpoints.login), async (request) => {
    const body = request.body as LoginRequest;
    return 'ticket' in body
      ? auth.loginWithTicket(body.ticket)
      : auth.loginWithPassword(body.identity, body.password);
  });

  app.post(Endpoints.refresh.path, options(Endpoints.refresh), async (request) =>
    auth.refresh((request.body as RefreshRequest).refreshToken),
  );

  app.post(Endpoints.logout.path, options(Endpoints.logout), async (request, reply) => {
    await auth.logout((request.body as RefreshRequest).refreshToken);
    return reply.code(Endpoints.logout.status).send();
  });

  app.get(Endpoints.me.path, options(Endpoints.me), async (request) => {
    const claims = await bearerClaims(request, tokens);
    return { user: await auth.me(claims.sub) };
  });
}
