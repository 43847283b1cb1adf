/**
 * The call conformance suite over SIP: clients of a real gateway register with a real Kamailio
 * (the project's configuration, SIP over WebSocket on loopback) through `comms-kit/sip`, and
 * their calls go through it. Transfer and forward are not carried over SIP yet (REFER and 3xx):
 * those parts do not run here.
 */
import { Inviter, UserAgent } from 'sip.js';
import { createClient, type CommsClient } from '../../core/index.js';
import { useSipBackend, type SipBackend } from '../../core/sip.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import { sipGatewayArgs, startKamailio, type TestKamailio } from '../helpers/kamailio.browser.js';
import { callConformance, type CallBackend } from './calls.js';

const PASSWORD = 'correct horse battery staple';
const NO_ANSWER_SECONDS = 2;

callConformance(
  'SIP',
  async () => {
    const kamailio: TestKamailio = await startKamailio();
    const gateway: TestGateway = await startGateway([
      // A call rings this long (the SIP credentials carry it to the caller's side).
      '--call-timeout',
      String(NO_ANSWER_SECONDS),
      ...sipGatewayArgs(kamailio),
    ]);
    const clients: CommsClient[] = [];
    const registrations: SipBackend[] = [];
    /** Who each client is. */
    const users = new Map<CommsClient, string>();

    async function connect(username: string, multiCall = false): Promise<CommsClient> {
      const client = createClient({
        server: gateway.url,
        logs: { logLevel: 'silent' },
        call: { multiCall },
      });
      clients.push(client);
      await client.connect({ username, password: PASSWORD }, { services: ['chat'] });
      registrations.push(await useSipBackend(client));
      users.set(client, username);
      return client;
    }

    const backend: CallBackend = {
      noAnswerTimeout: NO_ANSWER_SECONDS * 1000,
      async user(options = {}) {
        const id = uniqueName('sip');
        const signup = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
        await signup.auth.signup({ username: id, password: PASSWORD, displayName: `User ${id}` });
        await signup.destroy();
        return { client: await connect(id, options.multiCall), id };
      },
      async device(id) {
        return connect(id);
      },
      async intrude(callId) {
        // A registered stranger sends the callee a new INVITE carrying the call's Call-ID:
        // the callee's device refuses it, and the call goes on.
        const callee = [...users].find(
          ([client]) => client.call.getById(callId)?.direction === 'incoming',
        );
        if (!callee) throw new Error(`no callee of ${callId} here`);
        await backend.user();
        const { settings } = registrations.at(-1)!;
        const ua = new UserAgent({
          uri: UserAgent.makeURI(settings.uri)!,
          transportOptions: { server: settings.wsUrl },
          authorizationUsername: settings.username,
          authorizationPassword: settings.password,
          logBuiltinEnabled: false,
          sessionDescriptionHandlerFactory: () => ({
            close: () => undefined,
            hasDescription: () => true,
            sendDtmf: () => false,
            setDescription: async () => undefined,
            getDescription: async () => ({
              body: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n',
              contentType: 'application/sdp',
            }),
          }),
        });
        await ua.start();
        try {
          const target = UserAgent.makeURI(`sip:${callee[1]}@${kamailio.domain}`)!;
          // SIP.js passes Call-ID on to the request, though its type omits it.
          const params = { callId, fromDisplayName: 'Intruder' };
          const inviter = new Inviter(ua, target, { params });
          return await new Promise((resolve, reject) => {
            void inviter
              .invite({
                requestDelegate: {
                  onReject: ({ message }) =>
                    resolve({
                      code:
                        message.statusCode === 403 ? 'call:forbidden' : `sip:${message.statusCode}`,
                      message: `${message.statusCode} ${message.reasonPhrase}`,
                    }),
                  onAccept: () => reject(new Error('the intruding INVITE was answered')),
                },
              })
              .catch(reject);
          });
        } finally {
          await ua.stop();
        }
      },
      async teardown() {
        await Promise.all(registrations.map((r) => r.close().catch(() => undefined)));
        await Promise.all(clients.map((c) => c.disconnect().then(() => c.destroy())));
        await gateway.stop();
        await kamailio.stop();
      },
    };
    return backend;
  },
  ['transfer', 'forward'],
);
