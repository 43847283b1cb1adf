/**
 * `<comms-presence>` in the states a user meets, without a server: Alice (whose roster the
 * story shows) and her contacts are clients on one in-page hub, which shares presence between
 * mutual contacts as the gateway does. Each contact sets their own status through their own
 * client (`scripted`: `comms-kit/local`'s `scriptUser`); "on the phone" is a real call on the hub.
 */
import { html } from 'lit';
import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import '../components/presence/comms-presence.js';
import type { CommsPresence } from '../components/presence/presence.js';
import type { CommsClient } from '../core/client.js';
import type { PresenceActivity } from '../core/presence/manager.js';
import { frame, scene, sceneOf, waitFor } from './support/story.js';
import { cast, scripted, until, type Cast, type StoryUser } from './support/users.js';

type Args = {
  noSearch: boolean;
  noVideo: boolean;
};

const render = (args: Args, context: StoryContext) =>
  frame(
    html`<comms-presence
      .client=${sceneOf<{ client: CommsClient }>(context).client}
      ?no-search=${args.noSearch}
      ?no-video=${args.noVideo}
    ></comms-presence>`,
  );

const meta: Meta<Args> = {
  title: 'Elements/Presence',
  component: 'comms-presence',
  tags: ['autodocs'],
  args: { noSearch: false, noVideo: false },
  render,
};
export default meta;

type Story = StoryObj<Args>;

/** Alice joins the hub and adds `contacts` (`[id, first name, last name]`) to her address book. */
async function aliceJoins(
  users: Cast,
  contacts: Array<[string, string, string]> = [],
): Promise<StoryUser> {
  const me = users.join('alice', 'Alice Liddell');
  await me.client.connect();
  for (const [primaryContact, firstName, lastName] of contacts)
    await me.client.contacts.add({ primaryContact, firstName, lastName });
  return me;
}

/** Everyone in the roster story: id, name, and what they do. */
const ROSTER: Array<{
  id: string;
  name: string;
  status?: [PresenceActivity, string?];
  does?: 'call' | 'leave' | 'not share';
}> = [
  { id: 'bob', name: 'Bob Builder', status: ['available'] },
  { id: 'carol', name: 'Carol Danvers', status: ['busy', 'In a meeting until 3'] },
  { id: 'dave', name: 'Dave Lister', status: ['away'] },
  { id: 'erin', name: 'Erin Brockovich', status: ['lunch', 'Back at 2'] },
  { id: 'frank', name: 'Frank Castle', status: ['vacation', 'Hiking until Monday'] },
  { id: 'grace', name: 'Grace Hopper', does: 'call' },
  { id: 'heidi', name: 'Heidi Klum', does: 'leave' },
  { id: 'ivan', name: 'Ivan Petrov', does: 'not share' },
];

/**
 * Every status a contact can have: available, busy (with a note), away, out to lunch, on
 * vacation, on the phone (Grace is in a call with Judy on the hub), offline (Heidi signed out),
 * and presence not shared (Ivan has not added Alice back).
 */
export const Roster: Story = {
  loaders: [
    scene(async (scope) => {
      const users = cast(scope);
      const judy = await scripted(scope, users.hub, 'judy', 'Judy Hopps');
      judy.answerCalls();
      for (const person of ROSTER) {
        if (person.does === 'not share') {
          users.hub.addUser({ id: person.id, displayName: person.name });
          continue;
        }
        const user = await scripted(scope, users.hub, person.id, person.name);
        await user.addContacts('alice');
        if (person.status) await user.setPresence(...person.status);
        if (person.does === 'leave') await user.goAway();
        if (person.does === 'call') {
          const id = user.call('judy');
          await until(user.client, (s) => s.call.calls[id]?.state === 'Connected');
        }
      }
      const me = await aliceJoins(
        users,
        ROSTER.map(({ id, name }) => [id, ...name.split(' ')] as [string, string, string]),
      );
      // Everyone who shares is seen with their status before the story shows.
      await until(me.client, (s) => s.presence.users.grace?.activity === 'on-the-phone');
      return { client: me.client };
    }),
  ],
};

/** No contacts yet: the roster invites a directory search. */
export const Empty: Story = {
  loaders: [scene(async (scope) => ({ client: (await aliceJoins(cast(scope))).client }))],
};

/**
 * The directory searched for "e" (the play function searches): Add for new people, "In your
 * contacts" for Bob, "You" for Alice herself.
 */
export const DirectorySearch: Story = {
  loaders: [
    scene(async (scope) => {
      const users = cast(scope);
      for (const [id, name] of [
        ['bob', 'Bob Builder'],
        ['erin', 'Erin Brockovich'],
        ['peter', 'Peter Parker'],
        ['terry', 'Terry Pratchett'],
      ] as const)
        users.hub.addUser({ id, displayName: name });
      const me = await aliceJoins(users, [['bob', 'Bob', 'Builder']]);
      return { client: me.client };
    }),
  ],
  play: async ({ canvasElement }) => {
    const presence = canvasElement.querySelector<CommsPresence>('comms-presence')!;
    await waitFor(() => presence.shadowRoot!.querySelector('[part~="search-input"]'));
    await presence.search('e');
  },
};

/** Alice's own status (Busy) and note, set through her client before the story shows. */
export const OwnStatusAndNote: Story = {
  loaders: [
    scene(async (scope) => {
      const users = cast(scope);
      const bob = await scripted(scope, users.hub, 'bob', 'Bob Builder');
      await bob.addContacts('alice');
      const me = await aliceJoins(users, [['bob', 'Bob', 'Builder']]);
      await me.client.presence.update('open', 'busy', 'Writing the quarterly report');
      return { client: me.client };
    }),
  ],
};

/**
 * The hub is unreachable (`hub.setReachable(false)`): the notice shows, and every action that
 * needs the server is disabled and points at it.
 */
export const Offline: Story = {
  loaders: [
    scene(async (scope) => {
      const users = cast(scope);
      const bob = await scripted(scope, users.hub, 'bob', 'Bob Builder');
      await bob.addContacts('alice');
      const me = await aliceJoins(users, [['bob', 'Bob', 'Builder']]);
      await until(me.client, (s) => s.presence.users.bob?.status === 'open');
      return { client: me.client, hub: users.hub };
    }),
  ],
  play: async ({ canvasElement, loaded }) => {
    // Once the element has loaded the roster and watches Bob over the hub, the outage starts.
    const { client, hub } = loaded.scene as { client: CommsClient; hub: Cast['hub'] };
    const presence = canvasElement.querySelector<CommsPresence>('comms-presence')!;
    await waitFor(() => presence.shadowRoot!.querySelector('[part~="contact"]'));
    await until(client, (s) => s.presence.subscribed.includes('bob'));
    hub.setReachable(false);
    await waitFor(() => presence.shadowRoot!.querySelector('[part~="connection"]'));
  },
};
