/**
 * comms-kit/sip: calls over SIP over WebSocket (RFC 7118), through Kamailio or any SIP proxy,
 * instead of the gateway's WebSocket. The client keeps the gateway for sign-in, messaging,
 * presence and the rest; its calls (make, answer, hold, custom parameters, media) go through
 * SIP, so they reach SIP phones and PBXs as well as other comms-kit users registered there.
 * The call engine is the same: it owns the media over every backend.
 *
 * Not part of `comms-kit/core` (SIP.js is larger than the core): a page that wants SIP imports
 * it. No side effects at import.
 */
import type { CommsClient } from './client.js';
import { restRequest } from './backends/gateway/rest.js';
import {
  SipCallSignalling,
  SipErrorCodes,
  sipIceCollectionCheck,
  type SipSettings,
} from './backends/sip/call-signalling.js';
import { CommsError } from './errors.js';
import { SIP_CREDENTIALS_ROUTE } from './protocol/constants.js';

export { SipErrorCodes, sipIceCollectionCheck, type SipSettings };

/** A client's SIP registration (`useSipBackend`). */
export interface SipBackend {
  /** What it is registered with (renewed credentials once renewed). */
  readonly settings: SipSettings;
  /**
   * Unregisters and gives the client's calls back to the gateway. Done by itself when the user
   * signs out (`auth.logout()`) or another user signs in on the client.
   */
  close(): Promise<void>;
}

/**
 * Registers `client`'s user with the SIP proxy and routes its calls there. `settings` default
 * to the gateway's: `GET /v1/sip-credentials` with the client's access token (the gateway started
 * with `--sip-ws-url` and `--sip-secret`), so connect the client first. Connect it without the
 * `call` service: calls to this user then come through SIP only.
 *
 * Credentials from the gateway are renewed at half their lifetime (`ttl`), with a new REGISTER.
 *
 * Rejects with `sip:registrationFailed` when the proxy cannot be reached or refuses the
 * credentials, or with the gateway's error when it hands out none (`sip:notConfigured`).
 */
export async function useSipBackend(
  client: CommsClient,
  settings?: SipSettings,
): Promise<SipBackend> {
  const log = client.logger({ type: 'sip' });
  const fromGateway = async () => {
    const token = client.getUserInfo().token;
    if (!token)
      throw new CommsError(
        SipErrorCodes.REGISTRATION_FAILED,
        'useSipBackend(): connect the client first, or pass the SIP settings',
      );
    return restRequest<SipSettings>(
      { fetch: (...args: Parameters<typeof fetch>) => fetch(...args) } as never,
      client.getConfig(),
      SIP_CREDENTIALS_ROUTE,
      { token },
    );
  };
  let chosen = settings ?? (await fromGateway());
  const signalling = await SipCallSignalling.connect(chosen, log, {
    multiCall: () => client.getConfig().call?.multiCall === true,
    // A comms-kit user's name from the gateway's directory; anyone else (a SIP phone): none.
    nameOf: (id) =>
      /^sips?:|@/.test(id)
        ? Promise.resolve(undefined)
        : client.user.fetch(id).then((u) => u?.displayName),
  });
  client.useCallSignalling(signalling);
  // Signing out, or another user signing in on this client, ends the registration: the next
  // user must not receive the previous one's calls.
  const owner = client.getUserInfo().username;
  // The gateway's credentials expire (`ttl`): new ones at half their life, and a REGISTER with
  // them; a failure is logged and tried again in 30 s.
  let renewal: ReturnType<typeof setTimeout> | undefined;
  const renewIn = (seconds: number) => {
    renewal = setTimeout(() => {
      fromGateway()
        .then(async (next) => {
          await signalling.renew(next);
          chosen = next;
          renewIn(Math.max(30, (next.ttl ?? 86400) / 2));
        })
        .catch((error: unknown) => {
          log.warn('could not renew the SIP credentials; trying again in 30 s', error);
          renewIn(30);
        });
    }, seconds * 1000);
  };
  if (!settings) renewIn(Math.max(30, (chosen.ttl ?? 86400) / 2));
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      unbind();
      clearTimeout(renewal);
      if (!client.destroyed) client.useCallSignalling(undefined);
      await signalling.close();
    })());
  const unbind = client.on('auth:change', () => {
    if (client.getUserInfo().username !== owner) void close().catch(() => undefined);
  });
  return {
    get settings() {
      return chosen;
    },
    close,
  };
}
