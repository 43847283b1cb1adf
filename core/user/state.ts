/**
 * What the `user` namespace answers without its manager (a lazy chunk, `core/people.ts`): the
 * state slice.
 */
import type { DirectoryUser } from '../protocol/schema.js';

/** The seeds' directory filters (one is used; with none, every user). */
export interface SearchFilters {
  userId?: string;
  name?: string;
  firstName?: string;
  lastName?: string;
  userName?: string;
  phoneNumber?: string;
}

/** The `users` slice. */
export interface UsersState {
  byId: Record<string, DirectoryUser>;
  /**
   * This user's id on the wire, whichever backend: the signed-in user's username (else id) on
   * the gateway, the party's id on an in-page hub; null while nobody is signed in.
   */
  self: string | null;
}

export const initialUsersState: UsersState = { byId: {}, self: null };
