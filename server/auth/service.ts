/**
 * Accounts and sessions: signup, password and ticket login, refresh-token rotation with reuse
 * detection, logout. REST routes call this; it knows nothing of HTTP.
 */
import { randomUUID } from 'node:crypto';
import { WireErrorCodes } from '../../core/protocol/constants.js';
import type { SignupRequest, TokenResponse, UserInfo } from '../../core/protocol/schema.js';
import { userChannel, type Bus } from '../bus/types.js';
import type { Clock } from '../clock.js';
import { WireError } from '../errors.js';
import {
  IdentityConflictError,
  type Storage,
  type UserLookup,
  type UserRecord,
} from '../storage/types.js';
import { hashPassword, passwordWeakness, verifyPassword } from './passwords.js';
import { verifyUserTicket } from './tickets.js';
import { hashRefreshToken, newRefreshToken, type TokenService } from './tokens.js';

/** Options of {@link AuthService}. */
export interface AuthServiceOptions {
  storage: Storage;
  tokens: TokenService;
  bus: Bus;
  clock: Clock;
  /** Refresh-token lifetime in seconds. */
  refreshTokenTtl: number;
  /** App key and secret for tickets; undefined: tickets are refused. */
  app?: { appKey: string; appSecret: string };
  /** Told about what happened (never with a secret). */
  log?: (event: string, details: Record<string, unknown>) => void;
}

/** The public view of a user. */
export function userInfo(user: UserRecord): UserInfo {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    number: user.number,
    displayName: user.displayName,
  };
}

/** Which lookup a login `identity` names: `+…` a number, `…@…` an email, else a username. */
export function identityLookup(identity: string): UserLookup {
  const trimmed = identity.trim();
  if (trimmed.startsWith('+')) return { number: trimmed };
  if (trimmed.includes('@')) return { email: trimmed.toLowerCase() };
  return { username: trimmed.toLowerCase() };
}

const invalidCredentials = () =>
  new WireError(
    WireErrorCodes.AUTH_INVALID_CREDENTIALS,
    'the identity or the password is wrong',
    401,
  );

export class AuthService {
  private readonly o: AuthServiceOptions;

  constructor(options: AuthServiceOptions) {
    this.o = options;
  }

  /** Creates an account (Sinch `newUser`). */
  async signup(request: SignupRequest): Promise<UserInfo> {
    const username = request.username?.toLowerCase() ?? null;
    const email = request.email?.trim().toLowerCase() ?? null;
    const number = request.number ?? null;
    if (!username && !email && !number)
      throw new WireError(
        WireErrorCodes.IDENTITY_INVALID,
        'give at least one identity: username, email or number',
        400,
      );
    const inputs = [username, email, email?.split('@')[0], number, request.displayName].filter(
      (x): x is string => !!x,
    );
    const weakness = await passwordWeakness(request.password, inputs);
    if (weakness) throw new WireError(WireErrorCodes.PASSWORD_WEAK, weakness, 400);
    const now = this.o.clock.now();
    try {
      const user = await this.o.storage.createUser({
        id: randomUUID(),
        username,
        email,
        number,
        displayName: request.displayName ?? username ?? email?.split('@')[0] ?? number!,
        passwordHash: await hashPassword(request.password),
        createdAt: now,
      });
      this.o.log?.('signup', { userId: user.id });
      return userInfo(user);
    } catch (error) {
      if (error instanceof IdentityConflictError)
        throw new WireError(
          WireErrorCodes.IDENTITY_TAKEN,
          `${error.field} is already taken: choose another, or log in`,
          409,
        );
      throw error;
    }
  }

  /**
   * Password login. An unknown identity and a wrong password get the same answer after the
   * same work (a hash verification either way).
   */
  async loginWithPassword(identity: string, password: string): Promise<TokenResponse> {
    const user = await this.o.storage.findUser(identityLookup(identity));
    const ok = await verifyPassword(user?.passwordHash, password);
    if (!user || !ok) {
      this.o.log?.('login failed', { method: 'password' });
      throw invalidCredentials();
    }
    return this.startSession(user, 'password');
  }

  /** Ticket login: the user named by the ticket, created on first login. */
  async loginWithTicket(ticket: string): Promise<TokenResponse> {
    if (!this.o.app)
      throw new WireError(
        WireErrorCodes.AUTH_TICKETS_DISABLED,
        'this server accepts no app tickets: it was started without --app-key and --app-secret',
        400,
      );
    const payload = verifyUserTicket(ticket, this.o.app, this.o.clock.now());
    const now = this.o.clock.now();
    let user = await this.o.storage.findUser({ username: payload.userId });
    if (!user) {
      try {
        user = await this.o.storage.createUser({
          id: randomUUID(),
          username: payload.userId,
          email: null,
          number: null,
          displayName: payload.displayName ?? payload.userId,
          passwordHash: null,
          createdAt: now,
        });
        this.o.log?.('user provisioned', { userId: user.id, method: 'ticket' });
      } catch (error) {
        // Two first logins at once: the other one created it.
        if (!(error instanceof IdentityConflictError)) throw error;
        user = await this.o.storage.findUser({ username: payload.userId });
        if (!user) throw error;
      }
    } else if (payload.displayName && payload.displayName !== user.displayName) {
      user = (await this.o.storage.updateDisplayName(user.id, payload.displayName, now)) ?? user;
    }
    return this.startSession(user, 'ticket');
  }

  /**
   * Trades a refresh token for a new pair. The old one is spent; presenting a spent one again
   * revokes its whole family (someone holds a copy) and closes that family's sockets.
   */
  async refresh(refreshToken: string): Promise<TokenResponse> {
    const now = this.o.clock.now();
    const result = await this.o.storage.consumeRefreshToken(hashRefreshToken(refreshToken), now);
    switch (result.status) {
      case 'unknown':
        throw new WireError(
          WireErrorCodes.AUTH_REFRESH_INVALID,
          'the refresh token is not known: log in again',
          401,
        );
      case 'expired':
        throw new WireError(
          WireErrorCodes.AUTH_REFRESH_INVALID,
          'the refresh token has expired: log in again',
          401,
        );
      case 'revoked':
        throw new WireError(
          WireErrorCodes.AUTH_REFRESH_INVALID,
          'the refresh token’s session has ended: log in again',
          401,
        );
      case 'reused':
        await this.revoke(result.token.userId, result.token.familyId, 'reuse');
        throw new WireError(
          WireErrorCodes.AUTH_REFRESH_REUSED,
          'the refresh token was already used: the session is revoked everywhere; log in again',
          401,
        );
    }
    const { token } = result;
    const user = await this.o.storage.findUser({ id: token.userId });
    if (!user)
      throw new WireError(WireErrorCodes.AUTH_REFRESH_INVALID, 'the user no longer exists', 401);
    return this.issue(user, token.familyId, token.id);
  }

  /** Ends the session the refresh token belongs to, and closes its sockets. */
  async logout(refreshToken: string): Promise<void> {
    const token = await this.o.storage.findRefreshToken(hashRefreshToken(refreshToken));
    if (!token)
      throw new WireError(
        WireErrorCodes.AUTH_REFRESH_INVALID,
        'the refresh token is not known (already logged out, or expired)',
        401,
      );
    await this.revoke(token.userId, token.familyId, 'logout');
  }

  /** The user behind a verified access token. */
  async me(userId: string): Promise<UserInfo> {
    const user = await this.o.storage.findUser({ id: userId });
    if (!user)
      throw new WireError(WireErrorCodes.AUTH_TOKEN_INVALID, 'the user no longer exists', 401);
    return userInfo(user);
  }

  private async startSession(user: UserRecord, method: string): Promise<TokenResponse> {
    const familyId = randomUUID();
    await this.o.storage.createRefreshFamily({
      id: familyId,
      userId: user.id,
      createdAt: this.o.clock.now(),
    });
    this.o.log?.('login', { userId: user.id, familyId, method });
    return this.issue(user, familyId, null);
  }

  private async issue(
    user: UserRecord,
    familyId: string,
    parentId: string | null,
  ): Promise<TokenResponse> {
    const now = this.o.clock.now();
    const refreshToken = newRefreshToken();
    await this.o.storage.createRefreshToken({
      id: randomUUID(),
      tokenHash: hashRefreshToken(refreshToken),
      familyId,
      parentId,
      userId: user.id,
      createdAt: now,
      expiresAt: now + this.o.refreshTokenTtl * 1000,
    });
    const { token, claims } = await this.o.tokens.sign(user.id, familyId);
    return {
      tokenType: 'Bearer',
      accessToken: token,
      expiresIn: claims.exp - claims.iat,
      refreshToken,
      refreshExpiresIn: this.o.refreshTokenTtl,
      user: userInfo(user),
    };
  }

  private async revoke(userId: string, familyId: string, reason: string): Promise<void> {
    const revoked = await this.o.storage.revokeRefreshFamily(familyId, reason, this.o.clock.now());
    if (revoked) this.o.log?.('session revoked', { userId, familyId, reason });
    // Published even when already revoked: a socket that slipped in must still close.
    await this.o.bus.publish(userChannel(userId), {
      type: 'session.revoked',
      userId,
      familyId,
      reason,
    });
  }
}
