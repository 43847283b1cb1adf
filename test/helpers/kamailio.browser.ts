/**
 * Browser-side handle on a real Kamailio started by the test runner (see kamailio-plugin.mjs).
 */
import { executeServerCommand } from '@web/test-runner-commands';
import { UserAgent, type UserAgentOptions } from 'sip.js';
import type { SipSettings } from '../../core/sip.js';

export interface TestKamailio {
  /** Its SIP-over-WebSocket URL: the gateway's `--sip-ws-url`. */
  wsUrl: string;
  /** Its SIP domain: the gateway's `--sip-domain`. */
  domain: string;
  /** Its `auth_ephemeral` secret: the gateway's `--sip-secret`. */
  secret: string;
  /** Where it serves its call events (`host:port`): the gateway's `--sip-events`. */
  events: string;
  stop(): Promise<void>;
}

/** Starts a Kamailio on loopback (secret: random unless given). */
export async function startKamailio(options: { secret?: string } = {}): Promise<TestKamailio> {
  const { id, ...server } = await executeServerCommand<
    Omit<TestKamailio, 'stop'> & { id: string },
    { secret?: string }
  >('kamailio:start', options);
  return {
    ...server,
    stop: () =>
      executeServerCommand<boolean, { id: string }>('kamailio:stop', { id }).then(() => undefined),
  };
}

/** The flags of a gateway that hands out credentials for `kamailio` and keeps its call records. */
export const sipGatewayArgs = (kamailio: TestKamailio): string[] => [
  '--sip-secret',
  kamailio.secret,
  '--sip-ws-url',
  kamailio.wsUrl,
  '--sip-domain',
  kamailio.domain,
  '--sip-events',
  kamailio.events,
];

/**
 * A bare SIP.js user agent with a user's SIP credentials (not comms-kit's backend): a stranger
 * or a device that behaves as a test needs. Not started.
 */
export const bareUserAgent = (
  settings: SipSettings,
  options: Partial<UserAgentOptions> = {},
): UserAgent =>
  new UserAgent({
    uri: UserAgent.makeURI(settings.uri)!,
    transportOptions: { server: settings.wsUrl },
    authorizationUsername: settings.username,
    authorizationPassword: settings.password,
    logBuiltinEnabled: false,
    ...options,
  });
