/**
 * Authentication: the credentials in every form the seeds know (password, bearer token,
 * app-signed ticket) plus saved sessions; login, token refresh before expiry, signup and
 * logout against the gateway's REST API. Tokens never enter the state tree (it may be logged).
 */
import { Routes } from '../protocol/constants.js';
import type { SignupResponse, TokenResponse, UserInfo } from '../protocol/schema.js';
import type { MeResponse } from '../protocol/endpoints.js';
import { restBaseUrl, restRequest } from '../backends/gateway/rest.js';
import { CommsError, ErrorCodes, type BasicError, asCommsError } from '../errors.js';
import type { FeatureContext } from '../feature.js';
import type { TimerHandle } from '../platform/runtime.js';
import type {
  AuthState,
  Credentials,
  CredentialsType,
  SavedSession,
  SignupOptions,
  UserInfoResult,
} from './types.js';

/** The initial `auth` slice. */
export const initialAuthState: AuthState = {
  status: 'none',
  credentialsType: null,
  user: null,
  expiresAt: null,
  error: null,
};

interface Token {
  value: string;
  expiresAt: number;
}

/** Codes after which retrying with the same credentials cannot help. */
const FINAL_AUTH_CODES = new Set([
  'auth:invalidCredentials',
  'auth:refreshInvalid',
  'auth:refreshReused',
  'auth:ticketInvalid',
  'auth:ticketExpired',
  'auth:ticketsDisabled',
  'auth:tokenExpired',
  'auth:tokenInvalid',
  ErrorCodes.AUTH_NO_CREDENTIALS,
]);

/** True when an error means the credentials themselves are no good. */
export function isFinalAuthError(error: unknown): boolean {
  return error instanceof CommsError && FINAL_AUTH_CODES.has(error.code);
}

/** Seconds until expiry, read from a JWT's payload; undefined when it is not a JWT. */
function jwtExpiry(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const { exp } = JSON.parse(json) as { exp?: unknown };
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function credentialsType(credentials: Credentials): CredentialsType | undefined {
  if ('session' in credentials && credentials.session) return 'session';
  if ('bearerAccessToken' in credentials && credentials.bearerAccessToken) return 'bearer';
  if (
    ('hmacToken' in credentials && credentials.hmacToken) ||
    ('userTicket' in credentials && credentials.userTicket)
  ) {
    return 'ticket';
  }
  if ('password' in credentials && typeof credentials.password === 'string') return 'password';
  return undefined;
}

export class AuthManager {
  readonly #ctx: FeatureContext;
  #credentials: Credentials | undefined;
  #access: Token | undefined;
  #refresh: Token | undefined;
  #user: UserInfo | null = null;
  #inflight: Promise<string> | undefined;
  #timer: TimerHandle | undefined;
  readonly #tokenListeners = new Set<(token: string) => void>();

  constructor(ctx: FeatureContext) {
    this.#ctx = ctx;
  }

  /** Called with every new access token (the connection sends it over the open socket). */
  onToken(listener: (token: string) => void): () => void {
    this.#tokenListeners.add(listener);
    return () => this.#tokenListeners.delete(listener);
  }

  /** True when credentials (or a saved session) are set. */
  get hasCredentials(): boolean {
    return this.#credentials !== undefined;
  }

  /**
   * Sets the credentials used to authenticate. Emits `auth:change`; a wrong shape throws
   * `argument:invalid` and emits `auth:error`. Refused with `auth:subscribed` while
   * `subscribed` (as in the seeds).
   */
  setCredentials(credentials: Credentials, subscribed: boolean): void {
    const type =
      credentials && typeof credentials === 'object' ? credentialsType(credentials) : undefined;
    if (!type) {
      throw this.#error(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          'setCredentials(credentials): give {username, password}, {bearerAccessToken}, {hmacToken} (or {userTicket}), or {session}',
        ),
      );
    }
    if (subscribed) {
      throw this.#error(
        new CommsError(
          ErrorCodes.AUTH_SUBSCRIBED,
          'setCredentials(): credentials cannot change while subscribed; disconnect() first, or use updateToken() for a new bearer token',
        ),
      );
    }
    this.#reset();
    this.#credentials = credentials;
    if (type === 'bearer')
      this.#setBearer((credentials as { bearerAccessToken: string }).bearerAccessToken);
    if (type === 'session') {
      const { session } = credentials as { session: SavedSession };
      this.#refresh = { value: session.refreshToken, expiresAt: session.refreshExpiresAt };
      this.#user = session.user;
    }
    this.#update({ status: 'set', credentialsType: type, user: this.#user, error: null });
    this.#ctx.log.info(`credentials set (${type})`);
    this.#ctx.emit('auth:change', {});
  }

  /** Resumes the session saved in `config.authentication.storage`, if one is there. */
  restoreSavedSession(): boolean {
    const { storage, storageKey = 'comms-kit:session' } = this.#ctx.config().authentication ?? {};
    const raw = storage?.getItem(storageKey);
    if (!raw) return false;
    try {
      const session = JSON.parse(raw) as SavedSession;
      const server = restBaseUrl(this.#ctx.config());
      if (session.server !== server || session.refreshExpiresAt <= this.#ctx.runtime.now()) {
        storage?.removeItem(storageKey);
        return false;
      }
      this.setCredentials({ session }, false);
      return true;
    } catch {
      storage?.removeItem(storageKey);
      return false;
    }
  }

  /**
   * A valid access token: logs in, or refreshes one about to expire, as needed. Concurrent
   * callers share one request.
   */
  accessToken(): Promise<string> {
    const now = this.#ctx.runtime.now();
    if (this.#access && this.#access.expiresAt - now > 30_000)
      return Promise.resolve(this.#access.value);
    this.#inflight ??= this.#obtain().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /**
   * Authenticates now (login or refresh) and returns the user. With a bearer token obtained
   * elsewhere, the user is learnt from the gateway (`GET /v1/users/me`).
   */
  async authenticate(): Promise<UserInfo | null> {
    const token = await this.accessToken();
    if (!this.#user) {
      try {
        const { user } = await restRequest<MeResponse>(
          this.#ctx.runtime,
          this.#ctx.config(),
          Routes.ME,
          { token },
        );
        this.#user = user;
        this.#update({ status: 'authenticated', user, error: null });
      } catch (error) {
        // Credentials the server refuses stop here; an unreachable server is the connection's
        // to report (it tries next, and records why it failed).
        if (isFinalAuthError(error)) throw this.#error(error);
        this.#ctx.log.warn('could not learn the user from the gateway yet', error);
      }
    }
    return this.#user;
  }

  /** Trades the refresh token for a new pair now. */
  refresh(): Promise<string> {
    this.#inflight ??= this.#refreshNow().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /** Replaces a bearer token (the seeds' `updateToken`). Sent over the open socket at once. */
  updateToken(credentials: { bearerAccessToken: string; username?: string }): void {
    if (
      !credentials ||
      typeof credentials.bearerAccessToken !== 'string' ||
      !credentials.bearerAccessToken
    ) {
      throw this.#error(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          'updateToken(credentials): credentials.bearerAccessToken must be a non-empty string',
        ),
      );
    }
    if (this.#credentials && credentialsType(this.#credentials) !== 'bearer') {
      throw this.#error(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          'updateToken() is for bearer credentials; these credentials renew themselves',
        ),
      );
    }
    this.#credentials = { ...credentials };
    this.#setBearer(credentials.bearerAccessToken);
    this.#update({ status: 'set', credentialsType: 'bearer', error: null });
    this.#ctx.emit('auth:change', {});
    for (const listener of this.#tokenListeners) listener(credentials.bearerAccessToken);
  }

  /** Creates an account (Sinch `newUser`). Resolves with the new user; does not log in. */
  async signup(options: SignupOptions): Promise<UserInfo> {
    if (!options || typeof options !== 'object' || typeof options.password !== 'string') {
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        'auth.signup(options): options.password must be a string',
      );
    }
    if (!options.username && !options.email && !options.number) {
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        'auth.signup(options): give at least one of username, email or number',
      );
    }
    const { user } = await this.#rest<SignupResponse>(Routes.SIGNUP, options);
    return user;
  }

  /** Revokes the session on the server, forgets the credentials and the saved session. */
  async logout(): Promise<void> {
    const refreshToken = this.#refresh?.value;
    this.#reset();
    this.#credentials = undefined;
    this.#forgetSession();
    this.#update({ ...initialAuthState });
    this.#ctx.emit('auth:change', {});
    if (refreshToken) {
      try {
        await this.#rest(Routes.LOGOUT, { refreshToken });
      } catch (error) {
        this.#ctx.log.warn(
          'logout could not reach the gateway; the session lapses on its own',
          error,
        );
      }
    }
  }

  /** The seeds' `getUserInfo()`. */
  getUserInfo(): UserInfoResult {
    const given = this.#credentials as
      { username?: string; email?: string; number?: string } | undefined;
    return {
      username: this.#user?.username ?? given?.username ?? given?.email ?? given?.number,
      token: this.#access?.value,
      user: this.#user,
    };
  }

  /** The session to save for a later page (Sinch `getSession`), or null before login. */
  getSession(): SavedSession | null {
    if (!this.#refresh || !this.#user) return null;
    return {
      server: restBaseUrl(this.#ctx.config()),
      user: this.#user,
      refreshToken: this.#refresh.value,
      refreshExpiresAt: this.#refresh.expiresAt,
    };
  }

  /** Stops timers (destroy). */
  dispose(): void {
    this.#ctx.runtime.clearTimeout(this.#timer);
    this.#tokenListeners.clear();
  }

  async #obtain(): Promise<string> {
    const credentials = this.#credentials;
    if (!credentials) {
      throw this.#error(
        new CommsError(
          ErrorCodes.AUTH_NO_CREDENTIALS,
          'no credentials: call setCredentials() or connect(credentials) first',
        ),
      );
    }
    const type = credentialsType(credentials);
    if (type === 'bearer') {
      if (this.#access && this.#access.expiresAt > this.#ctx.runtime.now())
        return this.#access.value;
      throw this.#error(
        new CommsError(
          'auth:tokenExpired',
          'the bearer access token has expired: give a new one with updateToken()',
        ),
      );
    }
    if (this.#refresh && this.#refresh.expiresAt > this.#ctx.runtime.now())
      return this.#refreshNow();
    if (type === 'session') {
      throw this.#error(
        new CommsError('auth:refreshInvalid', 'the saved session has expired: log in again'),
      );
    }
    this.#update({ status: 'authenticating', error: null });
    const body =
      type === 'ticket'
        ? {
            ticket:
              (credentials as { hmacToken?: string; userTicket?: string }).hmacToken ??
              (credentials as { userTicket?: string }).userTicket,
          }
        : {
            identity:
              (credentials as { username?: string }).username ??
              (credentials as { email?: string }).email ??
              (credentials as { number?: string }).number ??
              '',
            password: (credentials as { password: string }).password,
          };
    try {
      const tokens = await this.#rest<TokenResponse>(Routes.LOGIN, body);
      return this.#accept(tokens);
    } catch (error) {
      throw this.#error(error);
    }
  }

  async #refreshNow(): Promise<string> {
    const refreshToken = this.#refresh?.value;
    if (!refreshToken) return this.#obtain();
    try {
      const tokens = await this.#rest<TokenResponse>(Routes.REFRESH, { refreshToken });
      const token = this.#accept(tokens);
      for (const listener of this.#tokenListeners) listener(token);
      return token;
    } catch (error) {
      if (isFinalAuthError(error)) {
        this.#refresh = undefined;
        this.#forgetSession();
      }
      throw this.#error(error);
    }
  }

  #accept(tokens: TokenResponse): string {
    const now = this.#ctx.runtime.now();
    // The token's own `exp` is the truth (whole seconds, so up to 1 s earlier than expiresIn says).
    const expiresAt = Math.min(
      jwtExpiry(tokens.accessToken) ?? Infinity,
      now + tokens.expiresIn * 1000,
    );
    this.#access = { value: tokens.accessToken, expiresAt };
    this.#refresh = { value: tokens.refreshToken, expiresAt: now + tokens.refreshExpiresIn * 1000 };
    this.#user = tokens.user;
    this.#update({
      status: 'authenticated',
      user: tokens.user,
      expiresAt: this.#access.expiresAt,
      error: null,
    });
    this.#saveSession();
    this.#schedule(expiresAt - now);
    this.#ctx.log.debug(`access token valid for ${tokens.expiresIn} s`);
    return tokens.accessToken;
  }

  #schedule(lifetimeMs: number): void {
    this.#ctx.runtime.clearTimeout(this.#timer);
    if (this.#ctx.config().authentication?.autoRefresh === false || !this.#refresh) return;
    // Renew a fifth of the lifetime early (at least 2 s, at most a minute, at most half of it).
    const lead = Math.min(60_000, Math.max(lifetimeMs * 0.2, 2000), lifetimeMs / 2);
    this.#timer = this.#ctx.runtime.setTimeout(
      () => this.#autoRefresh(),
      Math.max(0, lifetimeMs - lead),
    );
  }

  async #autoRefresh(): Promise<void> {
    try {
      await this.refresh();
    } catch (error) {
      if (isFinalAuthError(error)) return;
      // The gateway is unreachable: try again shortly while the token is still valid.
      const left = (this.#access?.expiresAt ?? 0) - this.#ctx.runtime.now();
      if (left > 0)
        this.#timer = this.#ctx.runtime.setTimeout(
          () => this.#autoRefresh(),
          Math.min(5000, left / 2),
        );
    }
  }

  #setBearer(token: string): void {
    const expiresAt = jwtExpiry(token) ?? Number.MAX_SAFE_INTEGER;
    this.#access = { value: token, expiresAt };
    this.#update({ expiresAt: expiresAt === Number.MAX_SAFE_INTEGER ? null : expiresAt });
  }

  #saveSession(): void {
    const { storage, storageKey = 'comms-kit:session' } = this.#ctx.config().authentication ?? {};
    const session = this.getSession();
    if (storage && session) storage.setItem(storageKey, JSON.stringify(session));
  }

  #forgetSession(): void {
    const { storage, storageKey = 'comms-kit:session' } = this.#ctx.config().authentication ?? {};
    storage?.removeItem(storageKey);
  }

  #reset(): void {
    this.#ctx.runtime.clearTimeout(this.#timer);
    this.#access = undefined;
    this.#refresh = undefined;
    this.#user = null;
  }

  #rest<T>(path: string, body: unknown): Promise<T> {
    return restRequest<T>(this.#ctx.runtime, this.#ctx.config(), path, { body });
  }

  #update(patch: Partial<AuthState>): void {
    this.#ctx.store.update((s) => ({ ...s, auth: { ...s.auth, ...patch } }));
  }

  /** Records an auth failure (state + `auth:error`) and returns it for throwing. */
  #error(error: unknown): CommsError {
    const commsError = asCommsError(error);
    const basic: BasicError = { code: commsError.code, message: commsError.message };
    if (isFinalAuthError(commsError) || commsError.code === ErrorCodes.INVALID_ARGUMENT) {
      this.#update({ status: this.#credentials ? 'error' : 'none', error: basic });
    }
    this.#ctx.log.warn(`authentication failed: ${commsError.message}`);
    // Credentials that are no good are an auth error; an unreachable server is a request error.
    if (
      isFinalAuthError(commsError) ||
      commsError.code === ErrorCodes.INVALID_ARGUMENT ||
      commsError.code === ErrorCodes.AUTH_SUBSCRIBED
    ) {
      this.#ctx.emit('auth:error', { error: basic });
    } else {
      this.#ctx.emit('request:error', { error: basic });
    }
    return commsError;
  }
}
