/**
 * Access tokens and refresh tokens.
 *
 * Access token: a JWT signed with HS256 (the only algorithm accepted on verify, so `alg:
 * none` and algorithm swaps are refused), `iss` and `aud` set and checked, `sub` the user id,
 * `fam` the refresh-token family (the session), a `jti`, and `exp` at most 15 minutes after
 * `iat`. The signing key is 32 random bytes kept in storage's settings, so tokens survive a
 * restart with a file database.
 *
 * Refresh token: 32 random bytes, base64url; storage keeps only its SHA-256.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { WireErrorCodes } from '../../core/protocol/constants.js';
import type { Clock } from '../clock.js';
import { WireError } from '../errors.js';
import type { Storage } from '../storage/types.js';

/** The longest an access token may live, in seconds (15 minutes). */
export const MAX_ACCESS_TOKEN_TTL = 900;
/** The settings key of the JWT signing key. */
export const SIGNING_KEY_SETTING = 'auth.jwt.hs256.key';

/** The verified claims of an access token. */
export interface AccessClaims {
  /** User id. */
  sub: string;
  /** Refresh-token family (session) id. */
  fam: string;
  jti: string;
  /** Seconds since the epoch. */
  iat: number;
  /** Seconds since the epoch. */
  exp: number;
}

/** Options of {@link TokenService}. */
export interface TokenOptions {
  storage: Storage;
  clock: Clock;
  /** Access-token lifetime in seconds, 1 to 900. */
  accessTokenTtl: number;
  /** `iss` of the tokens this gateway signs. */
  issuer: string;
  /** `aud` of the tokens this gateway signs and accepts. */
  audience: string;
}

/** SHA-256 of a refresh token, base64url: what storage keeps. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A new opaque refresh token: 32 random bytes, base64url. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Signs and verifies access tokens. */
export class TokenService {
  private readonly options: TokenOptions;
  private readonly key: Uint8Array;

  private constructor(options: TokenOptions, key: Uint8Array) {
    this.options = options;
    this.key = key;
  }

  /** Loads the signing key from storage, creating it the first time. */
  static async create(options: TokenOptions): Promise<TokenService> {
    const ttl = options.accessTokenTtl;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_ACCESS_TOKEN_TTL)
      throw new RangeError(
        `accessTokenTtl must be a whole number of seconds from 1 to ${MAX_ACCESS_TOKEN_TTL}; got ${ttl}`,
      );
    const stored = await options.storage.setSettingIfAbsent(
      SIGNING_KEY_SETTING,
      randomBytes(32).toString('base64url'),
    );
    return new TokenService(options, new Uint8Array(Buffer.from(stored, 'base64url')));
  }

  /** Access-token lifetime in seconds. */
  get accessTokenTtl(): number {
    return this.options.accessTokenTtl;
  }

  /** Signs an access token for `userId` in session `familyId`. */
  async sign(userId: string, familyId: string): Promise<{ token: string; claims: AccessClaims }> {
    const iat = Math.floor(this.options.clock.now() / 1000);
    const claims: AccessClaims = {
      sub: userId,
      fam: familyId,
      jti: randomUUID(),
      iat,
      exp: iat + this.options.accessTokenTtl,
    };
    const token = await new SignJWT({ fam: claims.fam })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setJti(claims.jti)
      .setIssuedAt(claims.iat)
      .setExpirationTime(claims.exp)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .sign(this.key);
    return { token, claims };
  }

  /**
   * Verifies an access token's signature (HS256 only), `iss`, `aud` and `exp`, and that its
   * session has not been revoked. Rejects with `auth:tokenExpired` or `auth:tokenInvalid`.
   */
  async verify(token: string): Promise<AccessClaims> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: this.options.issuer,
        audience: this.options.audience,
        currentDate: new Date(this.options.clock.now()),
        requiredClaims: ['sub', 'exp', 'iat', 'jti', 'fam'],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        throw new WireError(
          WireErrorCodes.AUTH_TOKEN_EXPIRED,
          'the access token has expired: refresh it',
          401,
        );
      throw new WireError(
        WireErrorCodes.AUTH_TOKEN_INVALID,
        `the access token is not valid: ${describeJoseError(error)}`,
        401,
      );
    }
    const { sub, fam, jti, iat, exp } = payload;
    if (
      typeof sub !== 'string' ||
      typeof fam !== 'string' ||
      typeof jti !== 'string' ||
      typeof iat !== 'number' ||
      typeof exp !== 'number'
    )
      throw new WireError(
        WireErrorCodes.AUTH_TOKEN_INVALID,
        'the access token is not valid: its claims have the wrong types',
        401,
      );
    if (exp - iat > MAX_ACCESS_TOKEN_TTL)
      throw new WireError(
        WireErrorCodes.AUTH_TOKEN_INVALID,
        'the access token is not valid: it lives longer than 15 minutes',
        401,
      );
    const family = await this.options.storage.getRefreshFamily(fam);
    if (!family || family.revokedAt !== null || family.userId !== sub)
      throw new WireError(
        WireErrorCodes.AUTH_TOKEN_INVALID,
        'the access token is not valid: its session has ended (logout, or a refresh token was reused)',
        401,
      );
    return { sub, fam, jti, iat, exp };
  }
}

/** What was wrong with a token, without echoing any of it. */
function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTClaimValidationFailed)
    return `claim '${error.claim}' failed (${error.reason})`;
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'its algorithm is not accepted (HS256 only)';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'its signature does not match';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid)
    return 'it is not a well-formed JWT';
  return 'it could not be verified';
}
