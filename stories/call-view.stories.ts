/**
 * `<comms-call-view>` in the states a user meets. Every call is real: Alice (whose view the
 * story shows) and Bob, Carol… are clients on one in-page hub, with real RTCPeerConnections
 * carrying the fake camera and microphone when Storybook runs in Chromium with fake devices
 * (or your own camera and microphone, once allowed). The other users are scripted through
 * their own clients (`stories/support/script.ts`).
 */
import { html } from 'lit';
import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import '../components/call-view/comms-call-view.js';
import type { CommsClient } from '../core/client.js';
import { answer, connect, hangUp, hold, ring } from './support/script.js';
import { frame, scene, sceneOf } from './support/story.js';
import { cast, pair, until } from './support/users.js';

type Args = {
  silent: boolean;
  statsInterval: number;
};

const AV = { audio: true, video: true };

const render = (args: Args, context: StoryContext) =>
  frame(
    html`<comms-call-view
      .client=${sceneOf<{ client: CommsClient }>(context).client}
      ?silent=${args.silent}
      stats-interval=${args.statsInterval}
    ></comms-call-view>`,
  );

const meta: Meta<Args> = {
  title: 'Elements/Call view',
  component: 'comms-call-view',
  tags: ['autodocs'],
  args: { silent: true, statsInterval: 1000 },
  render,
};
export default meta;

type Story = StoryObj<Args>;

/** No call: the `empty` slot's default text. */
export const NoCalls: Story = {
  loaders: [scene((scope) => ({ client: pair(scope).me.client }))],
};

/** Bob calls with video: answer with audio or video, decline, or ignore. */
export const Incoming: Story = {
  loaders: [
    scene(async (scope) => {
      const { me, them } = pair(scope);
      await ring(them, me, AV);
      return { client: me.client };
    }),
  ],
};

/**
 * A scripted Bob: he calls you a second after the story opens; once you answer, he puts you
 * on hold after 5 s, resumes 3 s later, and hangs up 4 s after that. Turn `silent` off to hear
 * the ringtone (the browser may ask for a click first).
 */
export const BobCallsInOneSecond: Story = {
  loaders: [
    scene((scope) => {
      const { me, them } = pair(scope);
      scope.after(1000, async () => {
        const id = them.client.call.make(me.id, { audio: true });
        await until(them.client, (s) => s.call.calls[id]?.state === 'Connected');
        scope.after(5000, () => hold(them, id, me));
        scope.after(8000, () => them.client.call.unhold(id));
        scope.after(12000, () => hangUp(them, id));
      });
      return { client: me.client };
    }),
  ],
};

/** You called Bob; it rings at his end. */
export const Calling: Story = {
  loaders: [
    scene(async (scope) => {
      const { me, them } = pair(scope);
      const id = await ring(me, them);
      await until(me.client, (s) => s.call.calls[id]?.state === 'Ringing');
      return { client: me.client };
    }),
  ],
};

/** A connected audio call: avatar, timer, quality bars and the bitrate graph. */
export const ConnectedAudio: Story = {
  loaders: [
    scene(async (scope) => {
      const { me, them } = pair(scope);
      await connect(me, them);
      return { client: me.client };
    }),
  ],
};

/** A connected video call: Bob's (fake) camera large, yours small. */
export const ConnectedVideo: Story = {
  loaders: [
    scene(async (scope) => {
      const { me, them } = pair(scope);
      await connect(me, them, AV);
      return { client: me.client };
    }),
  ],
};

/** You put Bob on hold. */
export const OnHold: Story = {
  loaders: [
    scene(async (scope) => {
      const { me, them } = pair(scope);
      const id = await connect(me, them);
      await hold(me, id, them);
      await until(me.client, (s) => s.call.calls[id]?.localHold === true);
      return { client: me.client };
    }),
  ],
};

/** Bob put you on hold. */
export const HeldRemotely: Story = {
  loaders: [
    scene(async (scope) => {
      const { me, them } = pair(scope);
      const id = await connect(me, them);
      await hold(them, id, me);
      return { client: me.client };
    }),
  ],
};

/** Two calls: Bob on hold, Carol connected; the list switches between them. */
export const TwoCalls: Story = {
  loaders: [
    scene(async (scope) => {
      const users = cast(scope);
      const me = users.join('alice', 'Alice Liddell');
      const bob = users.join('bob', 'Bob Builder');
      const carol = users.join('carol', 'Carol Danvers');
      const first = await connect(bob, me);
      await hold(me, first, bob);
      const second = await ring(carol, me);
      await answer(me, second, carol);
      return { client: me.client };
    }),
  ],
};

/**
 * Alice merged her calls with Bob and Carol ("Merge calls" in the Transfer panel, or
 * `call.join`): one audio call of three, mixed in her browser, shown with both names.
 */
export const MergedCall: Story = {
  loaders: [
    scene(async (scope) => {
      const users = cast(scope);
      const me = users.join('alice', 'Alice Liddell');
      const bob = users.join('bob', 'Bob Builder');
      const carol = users.join('carol', 'Carol Danvers');
      const first = await connect(me, bob);
      await hold(me, first, bob);
      const second = await connect(me, carol);
      await hold(me, second, carol);
      await me.client.call.join(first, second);
      await until(bob.client, (s) => s.call.calls[first]?.remoteHold === false);
      await until(carol.client, (s) => s.call.calls[second]?.remoteHold === false);
      return { client: me.client };
    }),
  ],
};

/** Bob declined your call: the ended panel says why. */
export const Declined: Story = {
  loaders: [
    scene(async (scope) => {
      const { me, them } = pair(scope);
      return { client: me.client, me, them };
    }),
  ],
  play: async ({ loaded }) => {
    const { me, them } = loaded.scene as ReturnType<typeof pair>;
    const id = await ring(me, them);
    await them.client.call.reject(id);
    await until(me.client, (s) => (s.call.calls[id]?.state ?? 'Ended') === 'Ended');
  },
};
