/**
 * A @web/test-runner plugin that lets browser tests call through a real Kamailio
 * (`kamailio.mjs`: SIP over WebSocket on a free loopback port, the project's configuration).
 * Browser code calls these with `executeServerCommand` (see test/helpers/kamailio.browser.ts):
 *
 *   kamailio:start  {secret?} → {id, wsUrl, domain, secret, events}   start one
 *   kamailio:output {id}      → what it logged so far (for a failing test's message)
 *   kamailio:stop   {id}                                      stop it, remove its files
 *
 * Each test gives the gateway it starts `--sip-secret <secret> --sip-ws-url <wsUrl>
 * --sip-domain <domain> --sip-events <events>`.
 */
import { startKamailio } from './kamailio.mjs';
import { serversPlugin } from './processes.mjs';

export const kamailioPlugin = () =>
  serversPlugin({
    name: 'comms-kit-kamailio',
    prefix: 'kamailio',
    start: ({ secret }) => startKamailio({ secret }),
    describe: ({ wsUrl, domain, secret, events }) => ({ wsUrl, domain, secret, events }),
  });
