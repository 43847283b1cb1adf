import { createClient, type CommsClient } from '../../core/index.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import { callConformance, type CallBackend } from './calls.js';

const PASSWORD = 'correct horse battery staple';
const NO_ANSWER_SECONDS = 2;

callConformance('gateway', async () => {
  const gateway: TestGateway = await startGateway(['--call-timeout', String(NO_ANSWER_SECONDS)]);
  const clients: CommsClient[] = [];

  async function connect(
    username: string,
    correlator: string,
    multiCall = false,
  ): Promise<CommsClient> {
    const client = createClient({
      server: gateway.url,
      logs: { logLevel: 'silent' },
      call: { multiCall },
    });
    clients.push(client);
    await client.connect(
      { username, password: PASSWORD },
      { services: ['call'], clientCorrelator: correlator },
    );
    return client;
  }

  const backend: CallBackend = {
    noAnswerTimeout: NO_ANSWER_SECONDS * 1000,
    async user(options = {}) {
      const id = uniqueName('caller');
      const signup = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
      await signup.auth.signup({ username: id, password: PASSWORD, displayName: `User ${id}` });
      await signup.destroy();
      return { client: await connect(id, 'first', options.multiCall), id };
    },
    async device(id) {
      return connect(id, `device-${clients.length}`);
    },
    async intrude(callId, transferTo, how = 'transfer') {
      const intruder = await backend.user();
      try {
        // A stranger's raw signalling for someone else's call must be refused by the server.
        return await rawRequest(
          gateway.url,
          intruder.client.getUserInfo().token!,
          transferTo
            ? { type: `call.${how}`, callId, destination: transferTo }
            : { type: 'call.offer', callId, sdp: 'v=0', hold: false },
        );
      } finally {
        await intruder.client.disconnect();
      }
    },
    async teardown() {
      await Promise.all(clients.map((c) => c.disconnect().then(() => c.destroy())));
      await gateway.stop();
    },
  };
  return backend;
});

/** Sends one request frame on a fresh authenticated WebSocket and resolves with its error. */
async function rawRequest(
  url: string,
  token: string,
  frame: Record<string, unknown>,
): Promise<{ code: string; message: string }> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/v1/ws', [
    'comms-kit.v1',
    `bearer.${token}`,
  ]);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  try {
    const reply = new Promise<{ ok: boolean; error?: { code: string; message: string } }>(
      (resolve) => {
        ws.onmessage = (event) => {
          const data = JSON.parse(String(event.data)) as {
            re?: string;
            ok: boolean;
            error?: { code: string; message: string };
          };
          if (data.re === 'intrude') resolve(data);
        };
      },
    );
    ws.send(JSON.stringify({ v: 1, id: 'intrude', ...frame }));
    const result = await reply;
    return result.ok ? { code: 'none', message: 'the server accepted it' } : result.error!;
  } finally {
    ws.close();
  }
}
