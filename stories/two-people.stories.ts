/**
 * A scene rather than one element: what Alice sees with `<comms-presence>`, `<comms-chat>` and
 * `<comms-call-view>` side by side inside one `<comms-client>` (which carries out their
 * intents: Chat in the roster opens the conversation, Call calls), while Bob, on the same
 * in-page hub, is scripted through his own client (`scripted`: `comms-kit/local`'s `scriptUser`).
 */
import { html } from 'lit';
import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import '../components/all.js';
import type { CommsClient } from '../core/client.js';
import { answerEveryCall } from './support/script.js';
import { scene, sceneOf } from './support/story.js';
import { cast, scripted, until } from './support/users.js';

type Args = {
  /** Seconds after the story opens before Bob calls (the message comes first). */
  callAfter: number;
};

const meta: Meta<Args> = {
  title: 'Scenes/Two people',
  component: 'comms-client',
  args: { callAfter: 8 },
  render: (_args: Args, context: StoryContext) =>
    html`<comms-client .client=${sceneOf<{ client: CommsClient }>(context).client}>
      <div
        style="display: grid; gap: 1rem; align-items: start; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr));"
      >
        <comms-presence no-video></comms-presence>
        <comms-chat style="--comms-chat-height: 24rem;"></comms-chat>
        <comms-call-view silent stats-interval="1000"></comms-call-view>
      </div>
    </comms-client>`,
};
export default meta;

type Story = StoryObj<Args>;

/**
 * Bob (a mutual contact, so each sees the other's presence) types, then writes a second after
 * the story opens; after `callAfter` seconds he calls. Answer, or decline; he hangs up 20 s
 * after you answer. He answers your calls after a second, and replies once to your first
 * message.
 */
export const BobWritesThenCalls: Story = {
  loaders: [
    scene(async (scope, context) => {
      const users = cast(scope);
      const bob = await scripted(scope, users.hub, 'bob', 'Bob Builder');
      await bob.addContacts('alice');
      await bob.setPresence('available', 'Building a shed');
      const me = users.join('alice', 'Alice Liddell');
      await me.client.connect();
      await me.client.contacts.add({
        primaryContact: 'bob',
        firstName: 'Bob',
        lastName: 'Builder',
      });
      await until(me.client, (s) => s.presence.users.bob?.status === 'open');

      // Bob answers what Alice starts: her calls after a second, her first message once.
      answerEveryCall(scope, { id: bob.id, name: 'Bob Builder', client: bob.client });
      let replied = false;
      const stopReplying = bob.client.on('messages:change', () => {
        const last = bob.client.conversation.get('alice').getMessages().at(-1);
        if (replied || !last || last.sender !== 'alice') return;
        replied = true;
        scope.after(1500, () => bob.say('alice', 'Got it 👍').catch(() => {}));
      });
      scope.add(stopReplying);

      const chat = () => bob.client.conversation.get('alice');
      scope.after(200, () => chat().sendTyping(true));
      // As a composer does on send: typing withdrawn, then the message.
      scope.after(1200, async () => {
        await chat().sendTyping(false);
        await bob.say('alice', 'Hi Alice! Have you got a minute? I will call you.');
      });
      scope.after(Number(context.args.callAfter) * 1000, async () => {
        const id = bob.call('alice');
        // Answered (or declined, or the story went away first).
        await until(bob.client, (s) =>
          ['Connected', 'Ended', undefined].includes(s.call.calls[id]?.state),
        );
        if (bob.client.call.getById(id)?.state === 'Connected')
          scope.after(20_000, () => bob.client.call.end(id).catch(() => {}));
      });
      return { client: me.client };
    }),
  ],
};
