/** Storage records for the storage engines' own tests (no gateway in between). */
import type { NewUser } from '../../server/storage/types.js';

/** A new user's record: `id`, shown as itself, no identities unless `fields` give them. */
export const userRecord = (id: string, fields: Partial<NewUser> = {}): NewUser => ({
  id,
  username: null,
  email: null,
  number: null,
  displayName: id,
  passwordHash: null,
  createdAt: 1,
  ...fields,
});
