/**
 * Contacts over the WebSocket (`contacts.list`, `contacts.add`, `contacts.update`,
 * `contacts.remove`): each user's own address book, stored by the gateway. Every change is
 * pushed as `contacts:change` (the whole book) to the user's other sockets, so all devices
 * show the same book. A contact is also what presence visibility is decided by (see
 * `server/presence/service.ts`).
 */
import { randomUUID } from 'node:crypto';
import { WireErrorCodes } from '../../core/protocol/constants.js';
import type { Contact, RequestFrame } from '../../core/protocol/schema.js';
import { userChannel, type Bus } from '../bus/types.js';
import type { Clock } from '../clock.js';
import { resolveUser } from '../directory/users.js';
import { WireError } from '../errors.js';
import type { ContactRecord, Storage } from '../storage/types.js';
import type { Connection } from '../ws/connection.js';
import type { WebSocketGateway } from '../ws/gateway.js';

/** The most contacts one user keeps. */
export const MAX_CONTACTS = 2000;

export interface ContactsOptions {
  gateway: WebSocketGateway;
  storage: Storage;
  bus: Bus;
  clock: Clock;
}

/** A stored contact as the wire shows it. */
const wireContact = (c: ContactRecord): Contact =>
  ({ ...c.fields, contactId: c.contactId, primaryContact: c.primaryContact }) as Contact;

/** The fields stored besides contactId and primaryContact. */
function otherFields(contact: Omit<Contact, 'contactId'>): Record<string, unknown> {
  const { primaryContact: _p, contactId: _c, ...rest } = contact as Contact;
  return rest;
}

const exists = (what: string) =>
  new WireError(WireErrorCodes.CONTACT_EXISTS, `you already have a contact with this ${what}`);

const notFound = (contactId: string) =>
  new WireError(WireErrorCodes.CONTACT_NOT_FOUND, `you have no contact '${contactId}'`);

/** Registers the contacts handlers on the gateway. */
export function registerContacts(options: ContactsOptions): void {
  const { gateway, storage, bus, clock } = options;

  /**
   * When adding `primaryContact` made the two users contacts of each other, tells both (bus
   * message `presence.shared`), so each one's presence reaches the other at once.
   */
  const shareIfMutual = async (conn: Connection, primaryContact: string) => {
    const other = await resolveUser(storage, primaryContact);
    if (!other || other.id === conn.userId) return;
    const mutual = await storage.mutualContacts(conn.userId, [other.id]);
    if (!mutual.includes(other.id)) return;
    await Promise.all([
      bus.publish(userChannel(conn.userId), {
        type: 'presence.shared',
        userId: conn.userId,
        otherId: other.id,
      }),
      bus.publish(userChannel(other.id), {
        type: 'presence.shared',
        userId: other.id,
        otherId: conn.userId,
      }),
    ]);
  };

  /** The whole book, pushed to the user's other sockets. */
  const changed = (conn: Connection) =>
    storage.listContacts(conn.userId).then((all) =>
      gateway.push(
        [conn.userId],
        'contacts:change',
        { contacts: all.map(wireContact) },
        {
          except: conn,
        },
      ),
    );

  /** Which of contactId or primaryContact another contact of the user already has. */
  const conflict = async (ownerId: string, contactId: string, primaryContact: string) => {
    const all = await storage.listContacts(ownerId);
    const sameId = all.some((c) => c.contactId === contactId);
    return sameId ? 'contactId' : `primaryContact '${primaryContact}'`;
  };

  const add = async (conn: Connection, frame: RequestFrame<'contacts.add'>) => {
    if ((await storage.countContacts(conn.userId)) >= MAX_CONTACTS)
      throw new WireError(
        WireErrorCodes.REQUEST_INVALID,
        `an address book holds at most ${MAX_CONTACTS} contacts: remove some first`,
      );
    const now = clock.now();
    const record: ContactRecord = {
      ownerId: conn.userId,
      contactId: frame.contact.contactId ?? randomUUID(),
      primaryContact: frame.contact.primaryContact.trim(),
      fields: otherFields(frame.contact),
      createdAt: now,
      updatedAt: now,
    };
    if ((await storage.addContact(record)) === 'exists')
      throw exists(await conflict(conn.userId, record.contactId, record.primaryContact));
    await changed(conn);
    await shareIfMutual(conn, record.primaryContact);
    return { contact: wireContact(record) };
  };

  const update = async (conn: Connection, frame: RequestFrame<'contacts.update'>) => {
    const record = {
      ownerId: conn.userId,
      contactId: frame.contact.contactId,
      primaryContact: frame.contact.primaryContact.trim(),
      fields: otherFields(frame.contact),
      updatedAt: clock.now(),
    };
    const result = await storage.updateContact(record);
    if (result === 'notFound') throw notFound(record.contactId);
    if (result === 'exists') throw exists(`primaryContact '${record.primaryContact}'`);
    await changed(conn);
    await shareIfMutual(conn, record.primaryContact);
    return { contact: wireContact({ ...record, createdAt: record.updatedAt }) };
  };

  const remove = async (conn: Connection, frame: RequestFrame<'contacts.remove'>) => {
    if (!(await storage.removeContact(conn.userId, frame.contactId)))
      throw notFound(frame.contactId);
    await changed(conn);
    return {};
  };

  gateway.register({
    'contacts.list': async (conn) => ({
      contacts: (await storage.listContacts(conn.userId)).map(wireContact),
    }),
    'contacts.add': add,
    'contacts.update': update,
    'contacts.remove': remove,
  });
}
