/**
 * `<comms-client>`, the provider: it has no look of its own beyond an error, so each story
 * shows it around a dialer and a call view, which read its client by context and show its
 * connection. Every connection state here is real: an in-page hub (idle), a gateway address
 * on a closed port (offline), and a real gateway whose socket is dropped (reconnecting).
 */
import { html } from 'lit';
import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import '../components/all.js';
import type { CommsClientChangeEvent } from '../components/shared/events.js';
import type { CommsClient } from '../core/client.js';
import { answerEveryCall } from './support/script.js';
import { frame, needsNote, scene, sceneOf } from './support/story.js';
import { CLOSED_SERVER, pair, storyClient } from './support/users.js';

type Args = {
  server: string;
  logLevel: string;
  /** Reconnecting only: the loopback port of the gateway to connect to. */
  gatewayPort?: number;
};

interface Scene {
  client?: CommsClient;
  note?: string;
}

const children = html`<div style="display: grid; gap: 1rem;">
  <comms-dialer value="bob"></comms-dialer>
  <comms-call-view silent stats-interval="1000"></comms-call-view>
</div>`;

const meta: Meta<Args> = {
  title: 'Elements/Client',
  component: 'comms-client',
  tags: ['autodocs'],
  args: { server: '', logLevel: 'silent' },
  render: (args: Args, context: StoryContext) => {
    const { client, note } = sceneOf<Scene>(context);
    return frame(
      html`${note ? needsNote(note) : ''}<comms-client .client=${client} log-level=${args.logLevel}
          >${children}</comms-client
        >`,
    );
  },
};
export default meta;

type Story = StoryObj<Args>;

/**
 * A client on the in-page hub, never connected to a gateway: nothing is claimed about a
 * connection, and calls work. Call `bob`: he answers after a second.
 */
export const Idle: Story = {
  loaders: [
    scene((scope) => {
      const { me, them } = pair(scope);
      answerEveryCall(scope, them);
      return { client: me.client };
    }),
  ],
};

/**
 * The element makes its own client from `server`, here a closed port, and the page connects
 * it: the attempt fails and the elements inside say so.
 */
export const Offline: Story = {
  args: { server: CLOSED_SERVER },
  render: (args: Args) =>
    frame(
      html`<comms-client
        server=${args.server}
        log-level=${args.logLevel}
        @comms-client-change=${(event: CommsClientChangeEvent) =>
          void event.detail.client
            ?.connect({ bearerAccessToken: 'story' }, { services: [] })
            .catch(() => undefined)}
        >${children}</comms-client
      >`,
    ),
};

/**
 * Signed up and connected to a real gateway, then the socket is dropped: the client waits to
 * reconnect (its reconnect delay is set to ten minutes so the state stays on screen). It needs
 * a gateway on 127.0.0.1 at `gatewayPort`: run `npm start` (port 8080), or open the story with
 * `&args=gatewayPort:<port>`. Without one, the story says so.
 */
export const Reconnecting: Story = {
  args: { gatewayPort: 8080 },
  loaders: [
    scene(async (scope, context) => {
      const server = `http://127.0.0.1:${Number(context.args.gatewayPort)}`;
      const client = storyClient(scope, {
        server,
        connectivity: { reconnectDelay: 600_000, reconnectJitter: 0 },
      });
      const username = `storybook-${crypto.randomUUID().slice(0, 8)}`;
      const password = crypto.randomUUID();
      try {
        await client.auth.signup({ username, password, displayName: 'Storybook' });
        await client.connect({ username, password }, { services: [] });
      } catch (error) {
        return {
          client,
          note: `this story needs a gateway at ${server} (run \`npm start\`), and could not reach it: ${(error as Error).message}`,
        };
      }
      client.connection.resetConnection();
      return { client };
    }),
  ],
};

/** Attributes that cannot make a client: the element shows why (and fires `comms-error`). */
export const BadAttributes: Story = {
  args: { logLevel: 'loud' },
  render: (args: Args) =>
    frame(html`<comms-client log-level=${args.logLevel}>${children}</comms-client>`),
};
