/**
 * The directory over the WebSocket: `directory.search` and `user.fetch`. Every signed-in user
 * may look up every user of this gateway (one organisation, one directory). A user's first and
 * last name are derived from the display name (the gateway keeps no separate fields): see
 * `splitName` in `./users.ts`.
 */
import type { RequestFrame } from '../../core/protocol/schema.js';
import type { Storage, UserSearchCondition } from '../storage/types.js';
import type { WebSocketGateway } from '../ws/gateway.js';
import { directoryUser, resolveUser } from './users.js';

/** Default number of results of `directory.search`. */
const DEFAULT_LIMIT = 50;

/**
 * The search conditions of each filter (all given filters must match; substring,
 * case-insensitive): `userId` the wire id (username or id), `name` the display name or
 * username, `firstName`/`lastName` the derived names, `userName` the username, `phoneNumber`
 * the number (ignoring spaces, dashes, dots and parentheses in the filter).
 */
function conditions(filters: RequestFrame<'directory.search'>['filters']): UserSearchCondition[] {
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
  add(filters.phoneNumber?.replace(/[\s().-]/g, ''), ['number']);
  return list;
}

/** Registers the directory handlers on the gateway. */
export function registerDirectory(options: { gateway: WebSocketGateway; storage: Storage }): void {
  const { gateway, storage } = options;
  gateway.register({
    'directory.search': async (_conn, frame) => ({
      users: (
        await storage.searchUsers(conditions(frame.filters), frame.limit ?? DEFAULT_LIMIT)
      ).map(directoryUser),
    }),
    'user.fetch': async (_conn, frame) => {
      const user = await resolveUser(storage, frame.userId);
      return { user: user ? directoryUser(user) : null };
    },
  });
}
