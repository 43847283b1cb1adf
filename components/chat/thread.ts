/**
 * What the thread shows, as one flat list the virtualizer can window: day separators between
 * messages of different calendar days (in the user's time zone), and the messages.
 */
import type { MessageView } from '../../core/conversation/types.js';
import type { ConversationEntry } from '../../core/conversation/types.js';
import type { ClientState } from '../../core/client.js';

/** A row of the thread. */
export type ThreadItem =
  | { kind: 'day'; key: string; day: number }
  | { kind: 'message'; key: string; message: MessageView };

/** Midnight (local time) of the day of `timestamp`, as ms since the epoch. */
export function dayOf(timestamp: number): number {
  const date = new Date(timestamp);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

/** Midnight (local time) of the day after `day` (a `dayOf` value). */
function nextDayOf(day: number): number {
  const date = new Date(day);
  date.setDate(date.getDate() + 1);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

/**
 * The rows of `messages`: each message, preceded by a separator where a new day starts. A
 * message's day is worked out only when its time leaves the previous message's day, so a
 * thread of 10,000 messages over 50 days builds ~100 `Date`s, not 10,000.
 */
export function threadItems(messages: readonly MessageView[]): ThreadItem[] {
  const items: ThreadItem[] = [];
  let day = Number.NaN;
  let next = Number.NaN;
  for (const message of messages) {
    const time = message.timestamp;
    if (!(time >= day && time < next)) {
      day = dayOf(time);
      next = nextDayOf(day);
      items.push({ kind: 'day', key: `day:${day}`, day });
    }
    items.push({ kind: 'message', key: `m:${message.clientId}`, message });
  }
  return items;
}

/** The conversation that `ref` names: a server id, a local key, or the other user's id. */
export function findConversation(
  byKey: Record<string, ConversationEntry> | undefined,
  ref: string | undefined,
): ConversationEntry | undefined {
  if (!byKey || !ref) return undefined;
  const entries = Object.values(byKey);
  return (
    byKey[ref] ??
    entries.find((e) => e.id === ref) ??
    entries.find((e) => e.destination === ref && e.type !== 'chat')
  );
}

/** The conversation's reference that stays valid: its server id, else the other user's id. */
export function conversationRef(entry: ConversationEntry): string {
  return entry.id ?? entry.destination ?? entry.key;
}

/** The newest message's time (or when the conversation was created), for sorting the list. */
export function lastActivity(entry: ConversationEntry): number {
  return entry.messages[entry.messages.length - 1]?.timestamp ?? entry.createdAt;
}

/** What the element needs of the people around it: names, presence, contacts. */
export interface People {
  self: string | null;
  presence: ClientState['presence']['users'];
  contacts: ClientState['contacts']['byId'];
  users: ClientState['users']['byId'];
}

/** The people slice (for a `StoreController`). */
export function selectPeople(s: ClientState): People {
  return {
    self: s.users.self,
    presence: s.presence.users,
    contacts: s.contacts.byId,
    users: s.users.byId,
  };
}

/** Compares two people slices by their parts. */
export function samePeople(a: People, b: People): boolean {
  return (
    a.self === b.self &&
    a.presence === b.presence &&
    a.contacts === b.contacts &&
    a.users === b.users
  );
}

/** A user's name: from the contacts, the directory, the conversation's members, else the id. */
export function nameOf(
  people: People | undefined,
  entry: ConversationEntry | undefined,
  userId: string,
): string {
  const contact = Object.values(people?.contacts ?? {}).find((c) => c.primaryContact === userId);
  const contactName = [contact?.firstName, contact?.lastName].filter(Boolean).join(' ');
  return (
    contactName ||
    people?.users[userId]?.displayName ||
    entry?.members.find((m) => m.userId === userId)?.displayName ||
    userId
  );
}
