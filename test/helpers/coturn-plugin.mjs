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
import { serversPlugin } from './processes.mjs';

export const coturnPlugin = () =>
  serversPlugin({
    name: 'comms-kit-coturn',
    prefix: 'coturn',
    start: ({ secret }) => startCoturn({ secret }),
    describe: ({ port, secret, urls, relayPorts }) => ({ port, secret, urls, relayPorts }),
  });
