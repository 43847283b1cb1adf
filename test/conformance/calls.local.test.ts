import { createClient, type CommsClient } from '../../core/index.js';
import { createLocalHub } from '../../core/local.js';
import { callConformance } from './calls.js';

callConformance('local (in-page)', async () => {
  const noAnswerTimeout = 1500;
  const hub = createLocalHub({ noAnswerTimeout });
  const clients: CommsClient[] = [];
  let counter = 0;
  const join = (id: string, multiCall = false) => {
    const client = createClient({ logs: { logLevel: 'silent' }, call: { multiCall } });
    client.useLocalBackend(hub, { id, displayName: `User ${id}` });
    clients.push(client);
    return client;
  };
  return {
    noAnswerTimeout,
    async user(options = {}) {
      const id = `local-user-${++counter}`;
      return { client: join(id, options.multiCall), id };
    },
    async device(id) {
      return join(id);
    },
    async intrude(callId, transferTo, how = 'transfer') {
      const intruder = hub.register({ id: 'intruder', displayName: 'Intruder' });
      try {
        if (transferTo && how === 'forward') await intruder.forward(callId, transferTo);
        else if (transferTo) await intruder.transfer(callId, { destination: transferTo });
        else await intruder.offer(callId, 'v=0', false, []);
        return { code: 'none', message: 'the hub accepted signalling from a stranger' };
      } catch (error) {
        return { code: (error as { code: string }).code, message: (error as Error).message };
      } finally {
        intruder.unregister();
      }
    },
    async teardown() {
      await Promise.all(clients.map((c) => c.destroy()));
    },
  };
});
