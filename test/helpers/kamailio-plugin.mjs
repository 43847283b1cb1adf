/**
 * A @web/test-runner plugin that lets browser tests call through a real Kamailio
 * (`kamailio.mjs`: SIP over WebSocket on a free loopback port, the project's configuration).
 * Browser code calls these with `executeServerCommand` (see test/helpers/kamailio.browser.ts):
 *
 *   kamailio:start {secret?} → {id, wsUrl, domain, secret}   start one
 *   kamailio:output {id} → what it logged so far (for a failing test's message)
 *   kamailio:stop  {id}                                     stop it, remove its files
 *
 * Each test gives the gateway it starts `--sip-secret <secret> --sip-ws-url <wsUrl>
 * --sip-domain <domain>`.
 */
import { startKamailio } from './kamailio.mjs';

export function kamailioPlugin() {
  const servers = new Map();
  let nextId = 0;

  async function stop(id) {
    const server = servers.get(String(id));
    if (!server) throw new Error(`no kamailio ${id}`);
    servers.delete(String(id));
    await server.stop();
  }

  return {
    name: 'comms-kit-kamailio',
    async executeCommand({ command, payload }) {
      switch (command) {
        case 'kamailio:start': {
          const server = await startKamailio({ secret: payload?.secret });
          const id = String(++nextId);
          servers.set(id, server);
          const { wsUrl, domain, secret } = server;
          return { id, wsUrl, domain, secret };
        }
        case 'kamailio:output':
          return servers.get(String(payload.id))?.output() ?? '';
        case 'kamailio:stop':
          await stop(payload.id);
          return true;
        default:
          return undefined;
      }
    },
    async serverStop() {
      await Promise.all([...servers.keys()].map((id) => stop(id)));
    },
  };
}
