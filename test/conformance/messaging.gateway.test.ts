/**
 * The messaging conformance suite over the real gateway: real server, fresh database, real
 * WebSockets in Chromium. Gateway-only behaviour (rate limits, restarts, storage across them)
 * is tested in test/server/ and test/core/conversation.test.ts.
 */
import { createClient, type CommsClient } from '../../core/index.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import { messagingConformance } from './messaging.js';

const PASSWORD = 'correct horse battery staple';

messagingConformance('gateway', async () => {
  const gateway: TestGateway = await startGateway([
    '--presence-grace',
    '1',
    // The 1,000-message test sends as fast as replies come back; at the default 20 frames/s
    // it would spend most of a minute throttled.
    '--frame-rate-limit',
    '10000',
    '--message-rate-limit',
    '0',
  ]);
  const clients: CommsClient[] = [];
  return {
    async user() {
      const name = uniqueName('chat');
      const c = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
      await c.auth.signup({ username: name, password: PASSWORD, displayName: `Name ${name}` });
      await c.destroy();
      return name;
    },
    async device(username) {
      const c = createClient({
        server: gateway.url,
        logs: { logLevel: 'silent' },
        // No attempt limit: 5 attempts 100 ms apart give up before a killed gateway is back.
        connectivity: { reconnectDelay: 100, reconnectLimit: 0 },
      });
      clients.push(c);
      await c.connect({ username, password: PASSWORD }, { clientCorrelator: uniqueName('dev') });
      return c;
    },
    kill: () => gateway.kill(),
    revive: () => gateway.revive(),
    async drop() {
      await gateway.drop();
    },
    async teardown() {
      await Promise.all(clients.map((c) => c.destroy()));
      await gateway.stop();
    },
  };
});
