/**
 * The call conformance suite over SIP: clients of a real gateway register with a real Kamailio
 * (the project's configuration, SIP over WebSocket on loopback) through `comms-kit/sip`, and
 * their calls go through it: the whole suite, forwarding (3xx) and transfers (REFER) included.
 */
import { Inviter, UserAgent, type Core } from 'sip.js';
import { createClient, type CommsClient } from '../../core/index.js';
import { useSipBackend, type SipBackend } from '../../core/sip.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import {
  bareUserAgent,
  sipGatewayArgs,
  startKamailio,
  type TestKamailio,
} from '../helpers/kamailio.browser.js';
import { callConformance, type CallBackend } from './calls.js';

const PASSWORD = 'correct horse battery staple';
const NO_ANSWER_SECONDS = 2;

callConformance('SIP', async () => {
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
    trickle: false,
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
    async intrude(callId, transferTo) {
      // A registered stranger sends the callee a new INVITE carrying the call's Call-ID, or
      // (a transfer or forward) a REFER naming the call from outside its dialog (RFC 4538's
      // Target-Dialog): the callee's device refuses it, and the call goes on.
      const callee = [...users].find(
        ([client]) => client.call.getById(callId)?.direction === 'incoming',
      );
      if (!callee) throw new Error(`no callee of ${callId} here`);
      await backend.user();
      const { settings } = registrations.at(-1)!;
      const ua = bareUserAgent(settings, {
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
      const refusal = ({ statusCode, reasonPhrase }: Core.IncomingResponseMessage) => ({
        code:
          statusCode === 403
            ? 'call:forbidden'
            : statusCode === 481
              ? 'call:unknown'
              : `sip:${statusCode}`,
        message: `${statusCode} ${reasonPhrase}`,
      });
      try {
        const target = UserAgent.makeURI(`sip:${callee[1]}@${kamailio.domain}`)!;
        if (transferTo) {
          const core = ua.userAgentCore;
          const refer = core.makeOutgoingRequestMessage(
            'REFER',
            target,
            ua.configuration.uri,
            target,
            {},
            [`Refer-To: <sip:${transferTo}@${kamailio.domain}>`, `Target-Dialog: ${callId}`],
          );
          return await new Promise((resolve, reject) => {
            core.request(refer, {
              onAccept: () => reject(new Error('the stranger’s REFER was accepted')),
              onReject: ({ message }) => resolve(refusal(message)),
            });
          });
        }
        // SIP.js passes Call-ID on to the request, though its type omits it.
        const params = { callId, fromDisplayName: 'Intruder' };
        const inviter = new Inviter(ua, target, { params });
        return await new Promise((resolve, reject) => {
          void inviter
            .invite({
              requestDelegate: {
                onReject: ({ message }) => resolve(refusal(message)),
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
});
