import type { ChildProcess } from 'node:child_process';

/** The SIP domain the throwaway proxies serve. */
export const DOMAIN: string;
/** The configuration the project ships, which the tests run as it is. */
export const CONFIG: string;

export interface TestKamailio {
  port: number;
  /** Its `auth_ephemeral` secret: the gateway's `--sip-secret`. */
  secret: string;
  /** Its SIP domain: the gateway's `--sip-domain`. */
  domain: string;
  /** Its SIP-over-WebSocket URL: the gateway's `--sip-ws-url`. */
  wsUrl: string;
  /** Where it serves its call events (`host:port`): the gateway's `--sip-events`. */
  events: string;
  process: ChildProcess;
  /** What it logged so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Runs Kamailio with the project's configuration on a free loopback port. */
export function startKamailio(options?: { secret?: string }): Promise<TestKamailio>;
