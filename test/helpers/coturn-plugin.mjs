/**
 * A @web/test-runner plugin that lets browser tests relay calls through a real coturn
 * (`coturn.mjs`: `turnserver` on a free loopback port, shared-secret mode). Browser code calls
 * these with `executeServerCommand` (see test/helpers/coturn.browser.ts):
 *
 *   coturn:start {secret?} → {id, port, secret, urls, relayPorts}   start one
 *   coturn:stop  {id}                                               stop it, remove its files
 *
 * Each test gives the gateway it starts `--turn-secret <secret> --turn-urls <urls>`.
 */
import { startCoturn } from './coturn.mjs';

export function coturnPlugin() {
  const servers = new Map();
  let nextId = 0;

  async function stop(id) {
    const server = servers.get(String(id));
    if (!server) throw new Error(`no coturn ${id}`);
    servers.delete(String(id));
    await server.stop();
  }

  return {
    name: 'comms-kit-coturn',
    async executeCommand({ command, payload }) {
      switch (command) {
        case 'coturn:start': {
          const server = await startCoturn({ secret: payload?.secret });
          const id = String(++nextId);
          servers.set(id, server);
          const { port, secret, urls, relayPorts } = server;
          return { id, port, secret, urls, relayPorts };
        }
        case 'coturn:stop':
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
