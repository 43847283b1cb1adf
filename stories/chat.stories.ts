/**
 * `<comms-chat>` in the states a user meets, without a server: Alice (whose chat the story
 * shows) and the others are clients on one in-page hub, which stores and delivers messages by
 * the gateway's rules. History written "before the page opened" (other days, long threads,
 * unread counts) is stored with `hub.seedConversation`; what happens while the story shows
 * (Bob typing, writing) goes through the other users' own clients (`scripted`: `comms-kit/local`'s
 * `scriptUser`).
 */
import { html, nothing } from 'lit';
import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import '../components/chat/comms-chat.js';
import type { CommsChat } from '../components/chat/chat.js';
import type { CommsClient } from '../core/client.js';
import type { StoryScope } from './support/scope.js';
import type { Cast } from './support/users.js';
import { scene, sceneOf, waitFor } from './support/story.js';
import { cast, scripted, until, type StoryUser } from './support/users.js';

type Args = {
  /** The other user whose conversation opens (the element's `destination` attribute). */
  destination: string;
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A time `ms` before the story opened. */
const ago = (ms: number) => Date.now() - ms;

/** The people of the chat stories (id → display name). */
const NAMES = {
  alice: 'Alice Liddell',
  bob: 'Bob Builder',
  carol: 'Carol Danvers',
  dave: 'Dave Lister',
  erin: 'Erin Brockovich',
} as const;
type Id = keyof typeof NAMES;

/** Wide enough for the list and the thread side by side (from 640 px); narrower they switch. */
const render = (args: Args, context: StoryContext) =>
  html`<div style="max-width: 60rem; width: 100%;">
    <comms-chat
      .client=${sceneOf<{ client: CommsClient }>(context).client}
      destination=${args.destination || nothing}
    ></comms-chat>
  </div>`;

const meta: Meta<Args> = {
  title: 'Elements/Chat',
  component: 'comms-chat',
  tags: ['autodocs'],
  args: { destination: '' },
  render,
};
export default meta;

type Story = StoryObj<Args>;

/** Puts Alice and `ids` in the hub's directory (accounts that exist before anyone signs in). */
function accounts(users: Cast, ...ids: Id[]): void {
  for (const id of ['alice', ...ids] as Id[]) users.hub.addUser({ id, displayName: NAMES[id] });
}

/** `from` and `to` wrote these, oldest first: `[who, text, minutes before now]`. */
function history(
  users: Cast,
  pair: [Id, Id],
  lines: Array<[Id, string, number]>,
  read: Partial<Record<Id, number>> = {},
): string {
  return users.hub.seedConversation({
    members: pair,
    messages: lines.map(([from, text, minutes]) => ({ from, text, at: ago(minutes * MINUTE) })),
    read,
  });
}

/**
 * Alice joins (after the history is seeded: a client learns it when it connects), adds
 * `contacts` to her address book, and waits until her client holds the messages of
 * `conversations` conversations.
 */
async function aliceJoins(
  users: Cast,
  { contacts = [], conversations = 0 }: { contacts?: Id[]; conversations?: number } = {},
): Promise<StoryUser> {
  const me = users.join('alice', NAMES.alice);
  await me.client.connect();
  for (const id of contacts) {
    const [firstName, lastName] = NAMES[id].split(' ');
    await me.client.contacts.add({ primaryContact: id, firstName, lastName });
  }
  await until(
    me.client,
    (s) =>
      Object.values(s.conversations.byKey).filter((e) => e.id && e.messages.length).length >=
      conversations,
  );
  return me;
}

/**
 * Bob and Alice over three days: links, text that looks like markup, two questions today. Bob
 * has read Alice's messages; then he comes online (a mutual contact: Alice sees his presence).
 */
async function threeDays(scope: StoryScope, users: Cast) {
  accounts(users, 'bob');
  history(
    users,
    ['alice', 'bob'],
    [
      ['bob', 'Hi Alice! Did you get the plans for the shed?', 2 * 24 * 60 + 30],
      ['alice', 'Not yet: could you send them again?', 2 * 24 * 60 + 20],
      ['bob', 'Here: https://example.com/plans/shed-v2.pdf (the roof is on page 3)', 2 * 24 * 60],
      ['alice', 'Got them, thanks. <b>Markup</b> stays text, by the way.', 25 * 60],
      ['bob', 'Good. The timber arrives Thursday, see https://example.com/orders/1234', 24 * 60],
      ['alice', 'Perfect.', 23 * 60],
      ['bob', 'Can we start at 9 tomorrow?', 40],
      ['bob', 'Or 10 if that suits you better.', 38],
    ],
    { bob: 6 },
  );
  const bob = await scripted(scope, users.hub, 'bob', NAMES.bob);
  await bob.addContacts('alice');
  const me = await aliceJoins(users, { contacts: ['bob'], conversations: 1 });
  await until(me.client, (s) => s.presence.users.bob?.status === 'open');
  return { me, bob };
}

/** No conversation yet: "New conversation" starts one. */
export const NoConversations: Story = {
  loaders: [
    scene(async (scope) => {
      const users = cast(scope);
      accounts(users, 'bob', 'carol');
      return { client: (await aliceJoins(users)).client };
    }),
  ],
};

/**
 * Several people, newest first: Bob and Carol online (green dot), Dave offline, Erin's
 * presence unknown (she is not a mutual contact), a group; unread counts, "You: …" for Alice's
 * own last message.
 */
async function severalConversations(scope: Parameters<typeof cast>[0]) {
  const users = cast(scope);
  accounts(users, 'bob', 'carol', 'dave', 'erin');
  history(
    users,
    ['alice', 'dave'],
    [
      ['dave', 'Are we still on for the quiz on Friday?', 3 * 24 * 60],
      ['alice', 'Yes! I will bring the snacks.', 3 * 24 * 60 - 5],
    ],
    { alice: 1 },
  );
  history(users, ['alice', 'erin'], [['erin', 'I sent the report to the whole team.', 26 * 60]], {
    alice: 0,
  });
  history(
    users,
    ['alice', 'carol'],
    [
      ['alice', 'How was the flight?', 5 * 60],
      ['carol', 'Long!', 4 * 60],
      ['carol', 'But the view over the Alps was worth it.', 4 * 60 - 1],
      ['carol', 'Photos: https://example.com/albums/alps', 4 * 60 - 2],
      ['carol', 'Lunch next week?', 90],
    ],
    { alice: 1 },
  );
  users.hub.seedConversation({
    members: ['alice', 'bob', 'carol'],
    name: 'Book club',
    messages: [
      { from: 'alice', text: 'Next book: The Left Hand of Darkness?', at: ago(2 * HOUR) },
      { from: 'carol', text: 'Yes please.', at: ago(80 * MINUTE) },
    ],
    read: { alice: 1 },
  });
  history(
    users,
    ['alice', 'bob'],
    [
      ['bob', 'The timber arrives Thursday.', 30],
      ['bob', 'Can we start at 9?', 12],
    ],
  );
  // Mutual contacts see each other's presence: Bob and Carol online, Dave signed out.
  for (const id of ['bob', 'carol', 'dave'] as const) {
    const user = await scripted(scope, users.hub, id, NAMES[id]);
    await user.addContacts('alice');
    if (id === 'dave') await user.goAway();
  }
  const me = await aliceJoins(users, { contacts: ['bob', 'carol', 'dave'], conversations: 5 });
  return { client: me.client };
}

/** The list: several people, unread counts, last messages and presence dots. */
export const Conversations: Story = {
  loaders: [scene(severalConversations)],
};

/** The `destination` attribute opens one conversation (Carol's) among several. */
export const Destination: Story = {
  args: { destination: 'carol' },
  loaders: [scene(severalConversations)],
};

/**
 * A thread over three days (day separators: the date, Yesterday, Today), with links made
 * clickable and markup kept as text; Alice's messages say "Read" (Bob read them), and Bob's
 * are marked read as the thread shows.
 */
export const Thread: Story = {
  args: { destination: 'bob' },
  loaders: [scene(async (scope) => ({ client: (await threeDays(scope, cast(scope))).me.client }))],
};

/**
 * 10,000 messages over about two days (seeded at once), all held by Alice's client: the
 * thread is virtualised, only the rows near the view are in the DOM.
 */
export const TenThousandMessages: Story = {
  args: { destination: 'bob' },
  loaders: [
    scene(async (scope) => {
      const users = cast(scope);
      accounts(users, 'bob');
      const count = 10_000;
      const start = ago(2 * DAY);
      users.hub.seedConversation({
        members: ['alice', 'bob'],
        messages: Array.from({ length: count }, (_, i) => ({
          from: i % 3 ? 'bob' : 'alice',
          text: `Message ${(i + 1).toLocaleString('en')}`,
          at: start + i * 15_000,
        })),
      });
      const me = await aliceJoins(users);
      await until(me.client, (s) => Object.values(s.conversations.byKey)[0]?.lastSeq === count);
      return { client: me.client };
    }),
  ],
};

/**
 * A message to "carol" before she has an account: not sent, with the reason and Retry. Her
 * account is created just after, so Retry sends it.
 */
export const FailedMessage: Story = {
  args: { destination: 'carol' },
  loaders: [
    scene(async (scope) => {
      const users = cast(scope);
      const me = await aliceJoins(users);
      const sent = me.client.conversation
        .get('carol')
        .createMessage({ type: 'text', text: 'Welcome aboard, Carol!' })
        .send();
      await until(
        me.client,
        (s) =>
          Object.values(s.conversations.byKey)
            .flatMap((e) => e.messages)
            .find((m) => m.clientId === sent.clientId)?.status === 'failed',
      );
      users.hub.addUser({ id: 'carol', displayName: NAMES.carol });
      return { client: me.client };
    }),
  ],
};

/** Bob is typing (he tells the hub every few seconds, as a composer does while keys go down). */
export const BobTyping: Story = {
  args: { destination: 'bob' },
  loaders: [
    scene(async (scope) => {
      const { me, bob } = await threeDays(scope, cast(scope));
      const typing = () => bob.client.conversation.get('alice').sendTyping(true);
      await typing();
      await until(me.client, (s) =>
        Object.values(s.conversations.byKey).some((e) => e.typing.includes('bob')),
      );
      scope.every(4000, typing);
      return { client: me.client };
    }),
  ],
};

/**
 * The hub is unreachable (an outage: `hub.setReachable(false)`): the element says so, and the
 * two messages Alice wrote since wait in the outbox ("Waiting for the connection").
 */
export const Offline: Story = {
  args: { destination: 'bob' },
  loaders: [
    scene(async (scope) => {
      const users = cast(scope);
      const { me } = await threeDays(scope, users);
      users.hub.setReachable(false);
      await until(me.client, (s) => s.connection.status !== 'connected');
      const bob = me.client.conversation.get('bob');
      bob.createMessage({ type: 'text', text: '9 works for me.' }).send();
      bob.createMessage({ type: 'text', text: 'See you there!' }).send();
      return { client: me.client };
    }),
  ],
};

/**
 * "New conversation": Alice's contacts, and the directory searched for "er" (the play function
 * opens the panel, types and searches).
 */
export const NewConversation: Story = {
  loaders: [
    scene(async (scope) => {
      const users = cast(scope);
      accounts(users, 'bob', 'carol', 'dave', 'erin');
      const me = await aliceJoins(users, { contacts: ['bob', 'carol'] });
      return { client: me.client };
    }),
  ],
  play: async ({ canvasElement }) => {
    const chat = canvasElement.querySelector<CommsChat>('comms-chat')!;
    const root = chat.shadowRoot!;
    root.querySelector<HTMLButtonElement>('[part~="new-button"]')!.click();
    const search = await waitFor(() => root.querySelector<HTMLInputElement>('[part~="search"]'));
    search.value = 'er';
    search.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    search.form!.requestSubmit();
    // Two headings once the directory answered: Contacts, Directory.
    await waitFor(() => root.querySelectorAll('[part~="new"] h3').length === 2);
  },
};

/**
 * "New group": a name, two people chosen from Alice's contacts (shown as chips, the count
 * under the name), and the directory searched for "er" to choose from too (the play function
 * types, ticks and searches).
 */
export const NewGroup: Story = {
  loaders: [
    scene(async (scope) => {
      const users = cast(scope);
      accounts(users, 'bob', 'carol', 'dave', 'erin');
      const me = await aliceJoins(users, { contacts: ['bob', 'carol', 'dave'] });
      return { client: me.client };
    }),
  ],
  play: async ({ canvasElement }) => {
    const chat = canvasElement.querySelector<CommsChat>('comms-chat')!;
    const root = chat.shadowRoot!;
    root.querySelector<HTMLButtonElement>('[part~="new-group-button"]')!.click();
    const name = await waitFor(() => root.querySelector<HTMLInputElement>('[part~="group-name"]'));
    name.value = 'Quiz team';
    name.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    const boxes = await waitFor(() => {
      const found = root.querySelectorAll<HTMLInputElement>('[part~="group-person"] input');
      return found.length === 3 ? found : null;
    });
    boxes[0]!.click();
    boxes[1]!.click();
    const search = root.querySelector<HTMLInputElement>('[part~="group"] [part~="search"]')!;
    search.value = 'er';
    search.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    search.form!.requestSubmit();
    // Two chips, and two headings once the directory answered: Contacts, Directory.
    await waitFor(
      () =>
        root.querySelectorAll('[part~="chip"]').length === 2 &&
        root.querySelectorAll('[part~="group"] h3').length === 3,
    );
  },
};

/**
 * A group's thread: "Book club" with Bob, Carol and Dave; others' messages carry their
 * sender's name, and the members list (opened by the play function) shows each one's
 * presence: Bob and Carol online, Dave offline.
 */
export const GroupThread: Story = {
  render: (args, context) =>
    render({ ...args, destination: sceneOf<{ group: string }>(context).group }, context),
  loaders: [
    scene(async (scope) => {
      const users = cast(scope);
      accounts(users, 'bob', 'carol', 'dave');
      const group = users.hub.seedConversation({
        members: ['alice', 'bob', 'carol', 'dave'],
        name: 'Book club',
        messages: [
          { from: 'alice', text: 'Next book: The Left Hand of Darkness?', at: ago(3 * HOUR) },
          { from: 'carol', text: 'Yes please.', at: ago(2 * HOUR) },
          { from: 'dave', text: 'I have a copy to lend.', at: ago(90 * MINUTE) },
          {
            from: 'bob',
            text: 'Same time as usual? https://example.com/club',
            at: ago(20 * MINUTE),
          },
        ],
        read: { alice: 1 },
      });
      for (const id of ['bob', 'carol', 'dave'] as const) {
        const user = await scripted(scope, users.hub, id, NAMES[id]);
        await user.addContacts('alice');
        if (id === 'dave') await user.goAway();
      }
      const me = await aliceJoins(users, { contacts: ['bob', 'carol', 'dave'], conversations: 1 });
      await until(me.client, (s) => s.presence.users.bob?.status === 'open');
      return { client: me.client, group };
    }),
  ],
  play: async ({ canvasElement }) => {
    const chat = canvasElement.querySelector<CommsChat>('comms-chat')!;
    const root = chat.shadowRoot!;
    const members = await waitFor(() =>
      root.querySelector<HTMLButtonElement>('[part~="members-button"]'),
    );
    members.click();
    await waitFor(() => root.querySelectorAll('[part~="member"]').length === 4);
  },
};
