import type { ClientState } from '../../core/client.js';
import type { Contact, DirectoryUser, Presence } from '../../core/protocol/schema.js';
import type { LocalizeController, MessageKey } from '../shared/i18n.js';

/** The statuses a user picks from (Notify-style), each a presence status and activity. */
export const CHOICES = {
  available: { status: 'open', activity: 'available' },
  busy: { status: 'open', activity: 'busy' },
  away: { status: 'open', activity: 'away' },
  lunch: { status: 'open', activity: 'lunch' },
  vacation: { status: 'open', activity: 'vacation' },
  offline: { status: 'closed', activity: 'unknown' },
} as const;

/** One of {@link CHOICES}. */
export type Choice = keyof typeof CHOICES;

/** The choice a presence stands for (`undefined` for one no choice sets, such as on the phone). */
export function choiceOf(presence: Presence | null | undefined): Choice | undefined {
  if (!presence) return undefined;
  if (presence.status === 'closed') return 'offline';
  return presence.activity in CHOICES ? (presence.activity as Choice) : undefined;
}

/** What the roster element reads from the state: one object, compared slice by slice. */
export interface RosterSlice {
  contacts: Record<string, Contact>;
  presence: Record<string, Presence>;
  self: Presence | null;
  users: Record<string, DirectoryUser>;
  /** This user's id on the wire (username, else id), once signed in. */
  me: string | null;
  authenticated: boolean;
}

/** The state selector of the roster. */
export function rosterSlice(s: ClientState): RosterSlice {
  return {
    contacts: s.contacts.byId,
    presence: s.presence.users,
    self: s.presence.self,
    users: s.users.byId,
    me: s.users.self,
    authenticated: s.auth.status === 'authenticated',
  };
}

/** True when two slices hold the same objects (the store replaces what changes). */
export function sameRosterSlice(a: RosterSlice, b: RosterSlice): boolean {
  return (
    a.contacts === b.contacts &&
    a.presence === b.presence &&
    a.self === b.self &&
    a.users === b.users &&
    a.me === b.me &&
    a.authenticated === b.authenticated
  );
}

/** One contact as the roster shows it. */
export interface RosterEntry {
  contact: Contact;
  /** The contact's user id (`primaryContact`). */
  userId: string;
  name: string;
  /** Their presence, when this user may see it. */
  presence: Presence | undefined;
  online: boolean;
}

/** A contact's name: first and last name, else the directory's display name, else the id. */
export function contactName(contact: Contact, users: Record<string, DirectoryUser>): string {
  const own = [contact.firstName, contact.lastName].filter(Boolean).join(' ').trim();
  return own || users[contact.primaryContact]?.displayName || contact.primaryContact;
}

/**
 * The roster: every contact with their presence, online first, then by name. The presence of
 * `hidden` users (who do not share it, or no longer) is left out even when an old one is known.
 */
export function rosterEntries(
  slice: RosterSlice | undefined,
  lang: string,
  hidden: ReadonlySet<string> = new Set(),
): RosterEntry[] {
  if (!slice) return [];
  const collator = new Intl.Collator(lang, { sensitivity: 'base', numeric: true });
  return Object.values(slice.contacts)
    .map((contact) => {
      const userId = contact.primaryContact;
      const presence = hidden.has(userId)
        ? undefined
        : (slice.presence[userId] ?? slice.presence[userId.toLowerCase()]);
      return {
        contact,
        userId,
        name: contactName(contact, slice.users),
        presence,
        online: presence?.status === 'open',
      };
    })
    .sort(
      (a, b) =>
        Number(b.online) - Number(a.online) ||
        collator.compare(a.name, b.name) ||
        collator.compare(a.userId, b.userId),
    );
}

/** How a presence looks: the dot's state and the words. */
export function presenceState(presence: Presence | undefined): string {
  if (!presence) return 'hidden';
  if (presence.status !== 'open') return 'offline';
  return presence.activity;
}

/** A presence in words ("Available", "On the phone", "Offline", "Presence not shared"). */
export function presenceText(presence: Presence | undefined, l10n: LocalizeController): string {
  if (!presence) return l10n.t('presence.hidden');
  if (presence.status !== 'open') return l10n.t('presence.offline');
  return l10n.t(`presence.activity.${presence.activity}` as MessageKey);
}
