/**
 * `<comms-voicemail>`, the inbox. The gateway keeps voicemails, the in-page hub does not, so
 * the stories with voicemails use a real gateway on 127.0.0.1 at `gatewayPort` (run
 * `npm start`, port 8080, or open the story with `&args=gatewayPort:<port>`): Ada signs up and
 * leaves Bob voicemails (tones made in the page, as `voicemail.leave` takes a recording), and
 * the inbox is Bob's. Without a gateway they say so. "Not available" is the in-page hub's.
 */
import { html, nothing } from 'lit';
import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import '../components/voicemail/comms-voicemail.js';
import type { CommsClient } from '../core/client.js';
import { frame, needsNote, scene, sceneOf } from './support/story.js';
import { toneWav } from './support/tone.js';
import { cast, storyClient } from './support/users.js';

type Args = {
  /** The loopback port of the gateway the story's users are made on. */
  gatewayPort: number;
};

interface Scene {
  client?: CommsClient;
  /** Set when the story needs a gateway and none answered. */
  note?: string;
}

const render = (_args: Args, context: StoryContext) => {
  const { client, note } = sceneOf<Scene>(context);
  return frame(
    html`${note ? needsNote(note) : nothing}<comms-voicemail .client=${client}></comms-voicemail>`,
  );
};

const meta: Meta<Args> = {
  title: 'Elements/Voicemail',
  component: 'comms-voicemail',
  tags: ['autodocs'],
  args: { gatewayPort: 8080 },
  render,
};
export default meta;

type Story = StoryObj<Args>;

/** The voicemails Ada leaves Bob: how long each is, and its tone. */
type Message = { seconds: number; hz: number };

/**
 * Ada and Bob, signed up on the gateway at `gatewayPort` for this story; Ada leaves Bob
 * `messages`, oldest first; the scene is Bob's client. Or a note when no gateway answered.
 */
const mailbox = (messages: Message[]) =>
  scene(async (scope, context): Promise<Scene> => {
    const server = `http://127.0.0.1:${Number(context.args.gatewayPort)}`;
    const run = crypto.randomUUID().slice(0, 8);
    const password = crypto.randomUUID();
    const signedIn = async (name: string) => {
      const client = storyClient(scope, { server });
      const username = `${name.toLowerCase()}-${run}`;
      await client.auth.signup({ username, password, displayName: name });
      await client.connect({ username, password });
      return { client, username };
    };
    let ada, bob;
    try {
      ada = await signedIn('Ada');
      bob = await signedIn('Bob');
    } catch (error) {
      return {
        note: `this story makes its users on a gateway at ${server} (run \`npm start\`), and could not reach it: ${(error as Error).message}.`,
      };
    }
    for (const { seconds, hz } of messages)
      await ada.client.voicemail.leave(bob.username, toneWav(seconds, hz), {
        durationMs: seconds * 1000,
      });
    return { client: bob.client };
  });

/**
 * Bob's inbox with three voicemails from Ada, newest first, all new: the heading counts them.
 * Playing one marks it heard; call back and delete (after a question) are beside it. Needs a
 * gateway (see above).
 */
export const Inbox: Story = {
  loaders: [
    mailbox([
      { seconds: 2, hz: 440 },
      { seconds: 4, hz: 523 },
      { seconds: 3, hz: 659 },
    ]),
  ],
};

/** An empty mailbox. Needs a gateway (see above). */
export const Empty: Story = { loaders: [mailbox([])] };

/** On the in-page hub, which keeps no voicemail: the inbox says it is not available. */
export const NotAvailable: Story = {
  loaders: [
    scene(async (scope) => {
      const bob = cast(scope).join('bob', 'Bob Builder');
      await bob.client.connect();
      return { client: bob.client };
    }),
  ],
};
