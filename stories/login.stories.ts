/**
 * `<comms-login>`. The in-page hub does not model authentication (no accounts, no passwords),
 * so nothing here is faked on it: the forms render with a client pointed at a gateway, and the
 * stories that show the gateway's answers (wrong password, weak password) send the form to a
 * real gateway on 127.0.0.1 at `gatewayPort` (run `npm start`, port 8080, or open the story
 * with `&args=gatewayPort:<port>`). Without one they say so and send nothing. "Offline" needs
 * no gateway: its address is a closed port, so the element shows what an unreachable server
 * looks like.
 */
import { html, nothing } from 'lit';
import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import '../components/login/comms-login.js';
import type { CommsLogin } from '../components/login/login.js';
import type { CommsClient } from '../core/client.js';
import { frame, needsNote, scene, sceneOf, waitFor } from './support/story.js';
import { CLOSED_SERVER, storyClient } from './support/users.js';

type Args = {
  mode: 'signin' | 'signup';
  /** The loopback port of the gateway the form is sent to. */
  gatewayPort: number;
};

interface Scene {
  client: CommsClient;
  /** Set when the story needs a gateway and none answered. */
  note?: string;
  /** The user name of an account made on the gateway for the story. */
  username?: string;
}

const render = (args: Args, context: StoryContext) => {
  const { client, note } = sceneOf<Scene>(context);
  return frame(
    html`${note ? needsNote(note) : nothing}<comms-login
        .client=${client}
        mode=${args.mode}
      ></comms-login>`,
  );
};

const meta: Meta<Args> = {
  title: 'Elements/Login',
  component: 'comms-login',
  tags: ['autodocs'],
  args: { mode: 'signin', gatewayPort: 8080 },
  render,
};
export default meta;

type Story = StoryObj<Args>;

const serverOf = (context: StoryContext) => `http://127.0.0.1:${Number(context.args.gatewayPort)}`;

/** A client for the gateway at `gatewayPort` (it connects only when the form is sent). */
const gatewayClient = scene((scope, context) => ({
  client: storyClient(scope, { server: serverOf(context) }),
}));

/**
 * A client for the gateway at `gatewayPort`, with an account made there for the story (so
 * the play function can sign in to it), or a note saying the gateway could not be reached.
 */
const gatewayAccount = scene(async (scope, context): Promise<Scene> => {
  const server = serverOf(context);
  const client = storyClient(scope, { server });
  const username = `story-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await client.auth.signup({ username, password: crypto.randomUUID(), displayName: 'Story' });
  } catch (error) {
    return {
      client,
      note: `this story sends the form to a gateway at ${server} (run \`npm start\`), and could not reach it: ${(error as Error).message}. Nothing was sent.`,
    };
  }
  return { client, username };
});

/** In the play function: fills the login form's fields and sends it; resolves once it answered. */
async function send(canvas: HTMLElement, fields: Record<string, string>): Promise<void> {
  const login = canvas.querySelector<CommsLogin>('comms-login')!;
  const root = login.shadowRoot!;
  const form = await waitFor(() => root.querySelector<HTMLFormElement>('form'));
  for (const [name, value] of Object.entries(fields))
    (form.elements.namedItem(name) as HTMLInputElement).value = value;
  form.requestSubmit();
  await waitFor(
    () => !login.busy && root.querySelector('[part~="field-error"], [part~="form-error"]'),
  );
}

/** The sign-in form: user name (or email) and password. */
export const SignIn: Story = { loaders: [gatewayClient] };

/** The sign-up form: user name (with its rule), password advice, display name, email. */
export const SignUp: Story = { args: { mode: 'signup' }, loaders: [gatewayClient] };

/**
 * A wrong password, as the gateway answers it: the error under the password field, announced.
 * Needs a gateway (see above).
 */
export const WrongPassword: Story = {
  loaders: [gatewayAccount],
  play: async ({ canvasElement, loaded }) => {
    const { username } = loaded.scene as Scene;
    if (!username) return;
    await send(canvasElement, { username, password: 'not the password at all' });
  },
};

/**
 * A password the gateway finds too weak (zxcvbn), with its reason under the field. Needs a
 * gateway (see above).
 */
export const WeakPassword: Story = {
  args: { mode: 'signup' },
  loaders: [gatewayAccount],
  play: async ({ canvasElement, loaded }) => {
    if (!(loaded.scene as Scene).username) return;
    await send(canvasElement, {
      username: `story-${crypto.randomUUID().slice(0, 8)}`,
      password: 'password1234',
      displayName: 'Weak Password',
    });
  },
};

/** The server cannot be reached (a closed port): the form says so. */
export const Offline: Story = {
  loaders: [scene((scope) => ({ client: storyClient(scope, { server: CLOSED_SERVER }) }))],
  play: async ({ canvasElement }) => {
    await send(canvasElement, { username: 'alice', password: 'correct horse battery staple' });
  },
};
