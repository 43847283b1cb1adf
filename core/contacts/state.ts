/**
 * What the `contacts` namespace answers without its manager (a lazy chunk, `core/people.ts`):
 * the state slice.
 */
import type { Contact } from '../protocol/schema.js';

/** What `contacts.add` takes: the seeds' contact fields (`contactId` optional). */
export type ContactInput = Omit<Contact, 'contactId'> & { contactId?: string };

/** The `contacts` slice. */
export interface ContactsState {
  byId: Record<string, Contact>;
}

export const initialContactsState: ContactsState = { byId: {} };
