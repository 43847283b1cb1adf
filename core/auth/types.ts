import type { UserInfo } from '../protocol/schema.js';

/** Log in with a password. The identity is a username, an email or an E.164 number. */
export interface PasswordCredentials {
  username?: string;
  email?: string;
  number?: string;
  password: string;
}

/** Use an access token obtained elsewhere (the seeds' bearer form). Renew it with `updateToken`. */
export interface BearerCredentials {
  username?: string;
  bearerAccessToken: string;
}

/**
 * Log in with a ticket the application's backend signed with its app secret (Kandy
 * `hmacToken`, Sinch `userTicket`; both names are accepted).
 */
export interface TicketCredentials {
  username?: string;
  hmacToken?: string;
  userTicket?: string;
}

/** Resume a saved session (from `auth.getSession()`), without the password. */
export interface SessionCredentials {
  session: SavedSession;
}

/** Any form `setCredentials` accepts. */
export type Credentials =
  PasswordCredentials | BearerCredentials | TicketCredentials | SessionCredentials;

/** The form of the credentials in use. */
export type CredentialsType = 'password' | 'bearer' | 'ticket' | 'session';

/** What `auth.getSession()` returns and `setCredentials({session})` takes (Sinch `getSession`). */
export interface SavedSession {
  /** The gateway the session belongs to. */
  server: string;
  user: UserInfo;
  refreshToken: string;
  /** When the refresh token lapses (ms since the epoch). */
  refreshExpiresAt: number;
}

/** The `auth` slice of the client state. */
export interface AuthState {
  /** `none` (no credentials), `set`, `authenticating`, `authenticated`, `error`. */
  status: 'none' | 'set' | 'authenticating' | 'authenticated' | 'error';
  credentialsType: CredentialsType | null;
  /** The signed-in user, once authenticated. */
  user: UserInfo | null;
  /** When the access token expires (ms since the epoch). */
  expiresAt: number | null;
  error: { code: string; message: string } | null;
}

/** What `getUserInfo()` returns (the seeds' shape, plus the user record). */
export interface UserInfoResult {
  /** The username in use (or the identity given, before authentication). */
  username: string | undefined;
  /** The current access token. */
  token: string | undefined;
  /** The user record, once authenticated. */
  user: UserInfo | null;
}

/** What `auth.signup()` takes (Sinch `newUser`): at least one of username, email, number. */
export interface SignupOptions {
  username?: string;
  email?: string;
  number?: string;
  password: string;
  displayName?: string;
}
