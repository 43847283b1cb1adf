/**
 * Contacts (the seeds' `contacts` namespace): the user's personal address book, stored by the
 * gateway and kept in step across the user's devices.
 */
import type { Contact, EventFrame } from '../protocol/schema.js';
import { CommsError, ErrorCodes, asCommsError } from '../errors.js';
import type { FeatureContext } from '../feature.js';
import type { ConnectionManager } from '../transport/connection.js';

export type { ContactInput, ContactsState } from './state.js';
import type { ContactInput } from './state.js';

export class ContactsManager {
  readonly #ctx: FeatureContext;
  readonly #connection: ConnectionManager;

  constructor(ctx: FeatureContext, connection: ConnectionManager) {
    this.#ctx = ctx;
    this.#connection = connection;
  }

  get(contactId: string): Contact | undefined {
    return this.#ctx.store.getState().contacts.byId[contactId];
  }

  getAll(): Contact[] {
    return Object.values(this.#ctx.store.getState().contacts.byId);
  }

  /** Adds a contact; emits `contacts:new`. */
  async add(contact: ContactInput): Promise<Contact> {
    this.#check(contact, 'add');
    try {
      const { contact: stored } = await this.#connection.request({ type: 'contacts.add', contact });
      this.#set({ ...this.#ctx.store.getState().contacts.byId, [stored.contactId]: stored });
      this.#ctx.emit('contacts:new', { contact: stored });
      this.#ctx.emit('contacts:change', {});
      return stored;
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Replaces a contact's fields; emits `contacts:change`. */
  async update(contact: Contact): Promise<Contact> {
    this.#check(contact, 'update');
    if (typeof contact.contactId !== 'string' || !contact.contactId) {
      throw this.#fail(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          'contacts.update(contact): contact.contactId is required',
        ),
      );
    }
    try {
      const { contact: stored } = await this.#connection.request({
        type: 'contacts.update',
        contact,
      });
      this.#set({ ...this.#ctx.store.getState().contacts.byId, [stored.contactId]: stored });
      this.#ctx.emit('contacts:change', {});
      return stored;
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Removes a contact; emits `contacts:change`. */
  async remove(contactId: string): Promise<void> {
    if (typeof contactId !== 'string' || !contactId) {
      throw this.#fail(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          'contacts.remove(contactId): contactId must be a string',
        ),
      );
    }
    try {
      await this.#connection.request({ type: 'contacts.remove', contactId });
      const { [contactId]: _gone, ...rest } = this.#ctx.store.getState().contacts.byId;
      this.#set(rest);
      this.#ctx.emit('contacts:change', {});
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Loads the address book from the server (the seeds' `refresh`/`fetch`). */
  async refresh(): Promise<Contact[]> {
    try {
      const { contacts } = await this.#connection.request({ type: 'contacts.list' });
      this.#set(Object.fromEntries(contacts.map((c) => [c.contactId, c])));
      this.#ctx.emit('contacts:change', {});
      return contacts;
    } catch (error) {
      throw this.#fail(error);
    }
  }

  handleEvent(frame: EventFrame): boolean {
    if (frame.event !== 'contacts:change') return false;
    const { contacts } = frame as EventFrame<'contacts:change'>;
    this.#set(Object.fromEntries(contacts.map((c) => [c.contactId, c])));
    this.#ctx.emit('contacts:change', {});
    return true;
  }

  #check(contact: ContactInput, method: string): void {
    if (
      !contact ||
      typeof contact !== 'object' ||
      typeof contact.primaryContact !== 'string' ||
      !contact.primaryContact
    ) {
      throw this.#fail(
        new CommsError(
          ErrorCodes.INVALID_ARGUMENT,
          `contacts.${method}(contact): contact.primaryContact (a user id) is required`,
        ),
      );
    }
  }

  #set(byId: Record<string, Contact>): void {
    this.#ctx.store.update((s) => ({ ...s, contacts: { byId } }));
  }

  #fail(error: unknown): CommsError {
    const e = asCommsError(error);
    this.#ctx.emit('contacts:error', { error: e.toJSON() });
    return e;
  }
}
