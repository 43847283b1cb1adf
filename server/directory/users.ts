/**
 * How users are named on the wire. Internally a user is their id (a UUID, the JWT's `sub`);
 * on the wire a user id is the **username**, or the internal id for a user who has none (signed
 * up with only an email or a number). That is what the core calls the user (`#selfId`), what
 * conversations, presence and the directory show, and what a client may send back.
 */
import type { DirectoryUser } from '../../core/protocol/schema.js';
import type { Storage, UserRecord } from '../storage/types.js';

/** The id a user goes by on the wire: the username, else the internal id. */
export const publicId = (user: { id: string; username: string | null }): string =>
  user.username ?? user.id;

/**
 * The user a reference names: a username (any case), an internal id, an email (contains `@`)
 * or an E.164 number (`+…`, also as `tel:+…`). Undefined when there is none.
 */
export async function resolveUser(storage: Storage, ref: string): Promise<UserRecord | undefined> {
  let text = ref.trim();
  if (/^tel:/i.test(text)) text = text.slice(4);
  if (!text) return undefined;
  if (text.startsWith('+')) return storage.findUser({ number: text });
  if (text.includes('@')) return storage.findUser({ email: text.toLowerCase() });
  return (
    (await storage.findUser({ username: text.toLowerCase() })) ?? storage.findUser({ id: text })
  );
}

/**
 * First and last name, derived from the display name (the gateway keeps no separate fields):
 * the first word, and the rest. "Ada King Lovelace" → "Ada", "King Lovelace".
 */
export function splitName(displayName: string): { firstName: string; lastName: string } {
  const name = displayName.trim();
  const space = name.search(/\s/);
  if (space === -1) return { firstName: name, lastName: '' };
  return { firstName: name.slice(0, space), lastName: name.slice(space).trim() };
}

/**
 * A user as the directory shows them; without `details`, with no email address or phone
 * number (null, as for a user who has none).
 */
export function directoryUser(user: UserRecord, { details = true } = {}): DirectoryUser {
  return {
    userId: publicId(user),
    userName: user.username,
    displayName: user.displayName,
    ...splitName(user.displayName),
    emailAddress: details ? user.email : null,
    phoneNumber: details ? user.number : null,
    photoUrl: null,
  };
}
