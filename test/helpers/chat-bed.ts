/**
 * What the `<comms-chat>` browser tests share: a real gateway for the file (started before its
 * tests, stopped after, rate limits out of the way), users signed up on it, connected clients
 * (destroyed after the file), and the element in a box of a given width.
 */
import { fixture, html } from '@open-wc/testing';
import '../../components/chat/comms-chat.js';
import type { CommsChat } from '../../components/chat/chat.js';
import { createClient, type CommsClient } from '../../core/index.js';
import { settled } from './elements.js';
import { startGateway, uniqueName, type TestGateway } from './gateway.browser.js';

export const PASSWORD = 'correct horse battery staple';

/** Registers the file's gateway (Mocha `before`/`after`); call it inside a `describe`. */
export function chatTestBed(prefix: string) {
  let gateway: TestGateway;
  const clients: CommsClient[] = [];

  before(async () => {
    gateway = await startGateway(['--frame-rate-limit', '10000', '--message-rate-limit', '0']);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.destroy()));
    await gateway.stop();
  });

  /** Signs up a user (display name `Name <username>`); resolves with the username. */
  async function user(name = uniqueName(prefix)): Promise<string> {
    const c = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    await c.auth.signup({ username: name, password: PASSWORD, displayName: `Name ${name}` });
    await c.destroy();
    return name;
  }

  /** A connected client of `username` (it does not reconnect by itself). */
  async function device(username: string): Promise<CommsClient> {
    const c = createClient({
      server: gateway.url,
      logs: { logLevel: 'silent' },
      connectivity: { reconnectDelay: 100, reconnectLimit: 0 },
    });
    clients.push(c);
    await c.connect({ username, password: PASSWORD }, { clientCorrelator: uniqueName('dev') });
    return c;
  }

  /** A `<comms-chat>` for `client` in a box `width` px wide, rendered. */
  async function chat(client: CommsClient, attrs = '', width = 800): Promise<CommsChat> {
    const host = await fixture<HTMLDivElement>(html`<div style="width: ${width}px"></div>`);
    host.innerHTML = `<comms-chat ${attrs}></comms-chat>`;
    const el = host.firstElementChild as CommsChat;
    el.client = client;
    await el.updateComplete;
    await settled(el, () => true, 'rendered');
    return el;
  }

  return {
    user,
    device,
    chat,
    /** The file's gateway (once `before` has run). */
    get gateway() {
      return gateway;
    },
  };
}
