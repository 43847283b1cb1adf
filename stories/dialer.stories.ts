/**
 * `<comms-dialer>` in the states a user meets: empty, typing a name or a number, a destination
 * that cannot be called, offline, and during a call (the keypad sends DTMF). Bob, on the same
 * in-page hub, answers any call after a second, so dialing `bob` really calls him.
 */
import { html } from 'lit';
import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import { expect, waitFor } from 'storybook/test';
import '../components/dialer/comms-dialer.js';
import type { CommsDialer } from '../components/dialer/dialer.js';
import type { CommsClient } from '../core/client.js';
import { answerEveryCall, connect } from './support/script.js';
import { frame, scene, sceneOf } from './support/story.js';
import { CLOSED_SERVER, pair, storyClient } from './support/users.js';

type Args = {
  value: string;
  noVideo: boolean;
  noKeypad: boolean;
};

const render = (args: Args, context: StoryContext) =>
  frame(
    html`<comms-dialer
      .client=${sceneOf<{ client: CommsClient }>(context).client}
      .value=${args.value}
      ?no-video=${args.noVideo}
      ?no-keypad=${args.noKeypad}
    ></comms-dialer>`,
  );

/** Alice, with Bob on the same hub answering every call after a second. */
const alice = scene((scope) => {
  const users = pair(scope);
  answerEveryCall(scope, users.them);
  return { client: users.me.client };
});

const meta: Meta<Args> = {
  title: 'Elements/Dialer',
  component: 'comms-dialer',
  tags: ['autodocs'],
  args: { value: '', noVideo: false, noKeypad: false },
  render,
};
export default meta;

type Story = StoryObj<Args>;

/** Nothing typed yet. Type `bob` and call: Bob answers after a second. */
export const Empty: Story = { loaders: [alice] };

/** A user name typed: the hint says what will be called. */
export const TypingAName: Story = { loaders: [alice], args: { value: 'bob' } };

/** A phone number typed, with the formatting people paste. */
export const TypingANumber: Story = { loaders: [alice], args: { value: '+1 (555) 123-4567' } };

/** A number too short to be one: the hint says why, and the call buttons are disabled. */
export const InvalidDestination: Story = { loaders: [alice], args: { value: '+12' } };

/** Without the keypad and the video button. */
export const Compact: Story = {
  loaders: [alice],
  args: { value: 'bob', noVideo: true, noKeypad: true },
};

/**
 * The client tried to reach a gateway on a closed port (`CLOSED_SERVER`) and failed: the dialer
 * says so and disables calling.
 */
export const Offline: Story = {
  args: { value: 'bob' },
  loaders: [
    scene(async (scope) => {
      const client = storyClient(scope, { server: CLOSED_SERVER });
      await client.connect({ bearerAccessToken: 'story' }, { services: [] }).catch(() => undefined);
      return { client };
    }),
  ],
};

/**
 * During a connected call with Bob the keypad sends DTMF tones to the call; the story presses
 * 1, 2 and # and the dialer shows the tones sent.
 */
export const DuringACall: Story = {
  loaders: [
    scene(async (scope) => {
      const { me, them } = pair(scope);
      await connect(me, them);
      return { client: me.client };
    }),
  ],
  play: async ({ canvasElement }) => {
    const dialer = canvasElement.querySelector<CommsDialer>('comms-dialer')!;
    await dialer.updateComplete;
    for (const key of ['1', '2', '#']) {
      dialer.shadowRoot!.querySelector<HTMLButtonElement>(`[data-key="${key}"]`)!.click();
      await dialer.updateComplete;
    }
    await waitFor(() =>
      expect(dialer.shadowRoot!.querySelector('[part="dtmf"]')?.textContent).toContain('12#'),
    );
  },
};
