/**
 * The directory over the WebSocket: `directory.search` and `user.fetch`. Every signed-in user
 * may look up every user of this gateway by name. Who sees a user's email address and phone
 * number is the gateway's {@link DirectoryDetails}: everyone (one organisation, one directory),
 * or only the user's mutual contacts and the user themselves; then a phone-number filter
 * matches whole numbers only, so numbers cannot be found digit by digit. A user's first and
 * last name are derived from the display name (the gateway keeps no separate fields): see
 * `splitName` in `./users.ts`.
 */
import type { DirectoryUser, RequestFrame } from '../../core/protocol/schema.js';
import type { Storage, UserRecord, UserSearchCondition } from '../storage/types.js';
import type { Connection } from '../ws/connection.js';
import type { WebSocketGateway } from '../ws/gateway.js';
import { directoryUser, resolveUser } from './users.js';

/**
 * Who sees a user's email address and phone number in the directory: `'all'` (every signed-in
 * user), or `'contacts'` (the user's mutual contacts and the user; a phone-number filter then
 * matches whole numbers only).
 */
export type DirectoryDetails = 'all' | 'contacts';

/** The values of {@link DirectoryDetails}. */
export const DIRECTORY_DETAILS: readonly DirectoryDetails[] = ['all', 'contacts'];

/** Default number of results of `directory.search`. */
const DEFAULT_LIMIT = 50;

/**
 * The search conditions of each filter (all given filters must match; substring,
 * case-insensitive): `userId` the wire id (username or id), `name` the display name or
 * username, `firstName`/`lastName` the derived names, `userName` the username, `phoneNumber`
 * the number (ignoring spaces, dashes, dots and parentheses in the filter).
 */
function conditions(
  filters: RequestFrame<'directory.search'>['filters'],
  details: DirectoryDetails,
): UserSearchCondition[] {
  const list: UserSearchCondition[] = [];
  const add = (text: string | undefined, fields: UserSearchCondition['fields']) => {
    const trimmed = text?.trim();
    if (trimmed) list.push({ fields, text: trimmed });
  };
  add(filters.userId, ['username', 'id']);
  add(filters.name, ['displayName', 'username']);
  add(filters.firstName, ['firstName']);
  add(filters.lastName, ['lastName']);
  add(filters.userName, ['username']);
  const number = filters.phoneNumber?.replace(/[\s().-]/g, '');
  if (details === 'all') add(number, ['number']);
  else if (number?.trim()) {
    // Whole E.164 numbers only: `+` and the digits.
    const whole = number.trim().replace(/^(tel:)?\+?/i, '+');
    list.push({ fields: ['number'], text: whole, whole: true });
  }
  return list;
}

/** Registers the directory handlers on the gateway. */
export function registerDirectory(options: {
  gateway: WebSocketGateway;
  storage: Storage;
  /** Default `'all'`. */
  details?: DirectoryDetails;
}): void {
  const { gateway, storage } = options;
  const details = options.details ?? 'all';

  /** The users as `conn`'s user may see them. */
  const shown = async (conn: Connection, users: UserRecord[]): Promise<DirectoryUser[]> => {
    if (details === 'all') return users.map((u) => directoryUser(u));
    const others = users.filter((u) => u.id !== conn.userId).map((u) => u.id);
    const mutual = new Set(others.length ? await storage.mutualContacts(conn.userId, others) : []);
    return users.map((u) =>
      directoryUser(u, { details: u.id === conn.userId || mutual.has(u.id) }),
    );
  };

  gateway.register({
    'directory.search': async (conn, frame) => ({
      users: await shown(
        conn,
        await storage.searchUsers(conditions(frame.filters, details), frame.limit ?? DEFAULT_LIMIT),
      ),
    }),
    'user.fetch': async (conn, frame) => {
      const user = await resolveUser(storage, frame.userId);
      return { user: user ? (await shown(conn, [user]))[0]! : null };
    },
  });
}
