/**
 * Calls relayed through a real coturn (Debian's `turnserver` on loopback, shared-secret mode,
 * started through the runner's `coturn:start`): two clients of a real gateway started with
 * `--turn-secret` and `--turn-urls`, each forcing relayed media (`iceTransportPolicy: 'relay'`
 * in `call.defaultPeerConfig`), so the call connects only through the TURN credentials the
 * gateway handed out. Over UDP and TCP to coturn, both ends' selected candidate pair is relay to
 * relay on that coturn, and each end hears the other. With credentials coturn refuses (the
 * gateway signs them with another secret), no candidate is gathered and no media starts. The
 * Node half (the credentials against coturn's own client) is `test/server/turn.test.ts`.
 */
import { expect } from '@open-wc/testing';
import type { CommsClient, IceCollectionInfo } from '../../core/index.js';
import { createClient, type ClientConfig } from '../../core/index.js';
import { startCoturn, type TestCoturn } from '../helpers/coturn.browser.js';
import { startGateway, uniqueName, type TestGateway } from '../helpers/gateway.browser.js';
import { hearsAudio, liveTrack, remoteAudio } from '../helpers/media.js';
import { nextEvent, until } from '../helpers/waits.js';

const PASSWORD = 'correct horse battery staple';
/** Media only through a TURN relay: host and server-reflexive candidates are not gathered. */
const RELAY_ONLY = { defaultPeerConfig: { iceTransportPolicy: 'relay' } } as const;

/** What `getStats` says of a candidate. */
interface CandidateStats {
  candidateType: string;
  address?: string;
  port: number;
  relayProtocol?: string;
}

describe('calls relayed through a real coturn', function () {
  this.timeout(30000);
  let coturn: TestCoturn;
  const clients: CommsClient[] = [];
  const gateways: TestGateway[] = [];

  before(async () => {
    coturn = await startCoturn();
  });
  after(() => coturn?.stop());

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect().then(() => c.destroy())));
    await Promise.all(gateways.splice(0).map((g) => g.stop()));
  });

  /** A gateway handing out credentials for `urls`, signed with `secret`. */
  async function gatewayWith(urls: string[], secret = coturn.secret): Promise<TestGateway> {
    const gateway = await startGateway(['--turn-secret', secret, '--turn-urls', urls.join(',')]);
    gateways.push(gateway);
    return gateway;
  }

  /** A new user of `gateway`, signed in with calls, its calls relayed only. */
  async function user(gateway: TestGateway, call: ClientConfig['call'] = RELAY_ONLY) {
    const id = uniqueName('turn');
    const signup = createClient({ server: gateway.url, logs: { logLevel: 'silent' } });
    await signup.auth.signup({ username: id, password: PASSWORD, displayName: id });
    await signup.destroy();
    const client = createClient({ server: gateway.url, logs: { logLevel: 'silent' }, call });
    clients.push(client);
    await client.connect({ username: id, password: PASSWORD }, { services: ['call'] });
    return { client, id };
  }

  type User = Awaited<ReturnType<typeof user>>;

  /** A calls B with audio and B answers; resolves once A sees the call Connected. */
  async function answeredCall(a: User, b: User): Promise<string> {
    const received = nextEvent(b.client, 'call:receive');
    const callId = a.client.call.make(b.id, { audio: true });
    await received;
    await until(b.client, (s) => s.call.calls[callId]?.state === 'Ringing');
    await b.client.call.answer(callId, { audio: true });
    await until(a.client, (s) => s.call.calls[callId]?.state === 'Connected');
    return callId;
  }

  const mediaConnected = (client: CommsClient, callId: string) =>
    until(client, (s) =>
      ['connected', 'completed'].includes(s.call.calls[callId]?.mediaConnectionState ?? ''),
    );

  /** The two candidates of the pair the call's ICE transport selected. */
  async function selectedPair(client: CommsClient, callId: string) {
    const report = await client.call.getStats(callId);
    let pairId: string | undefined;
    report.forEach((s: { type: string; selectedCandidatePairId?: string }) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
    });
    expect(pairId, 'a selected candidate pair').to.be.a('string');
    const pair = report.get(pairId!) as { localCandidateId: string; remoteCandidateId: string };
    return {
      local: report.get(pair.localCandidateId) as CandidateStats,
      remote: report.get(pair.remoteCandidateId) as CandidateStats,
    };
  }

  /** Whether `candidate` is a relayed address of the test's coturn. */
  const onCoturn = (candidate: CandidateStats) =>
    candidate.candidateType === 'relay' &&
    candidate.address === '127.0.0.1' &&
    candidate.port >= coturn.relayPorts.min &&
    candidate.port <= coturn.relayPorts.max;

  for (const transport of ['udp', 'tcp'] as const) {
    it(`connects a relay-only call through coturn over ${transport.toUpperCase()}: relay to relay on both ends, audio both ways`, async () => {
      const url = coturn.urls.find((u) => u.endsWith(`transport=${transport}`))!;
      const gateway = await gatewayWith([url]);
      const a = await user(gateway);
      const b = await user(gateway);
      const callId = await answeredCall(a, b);
      await mediaConnected(a.client, callId);
      await mediaConnected(b.client, callId);

      for (const client of [a.client, b.client]) {
        const { local, remote } = await selectedPair(client, callId);
        expect(onCoturn(local), `local ${JSON.stringify(local)}`).to.equal(true);
        expect(local.relayProtocol).to.equal(transport);
        expect(onCoturn(remote), `remote ${JSON.stringify(remote)}`).to.equal(true);
      }
      await until(a.client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
      await until(b.client, (s) => s.call.calls[callId]!.remoteTracks.length === 1);
      expect(
        await hearsAudio(await liveTrack(a.client, remoteAudio(a.client, callId)!)),
      ).to.be.greaterThan(0.01);
      expect(
        await hearsAudio(await liveTrack(b.client, remoteAudio(b.client, callId)!)),
      ).to.be.greaterThan(0.01);
    });
  }

  it('gets no media when coturn refuses the credentials: no candidate is gathered, and each end says its media failed', async () => {
    // The gateway signs with another secret than coturn's: coturn answers 401 to each
    // allocation. Complete candidates (trickleIceMode 'NONE') let the ICE collection check see
    // each end's gathering end.
    const gathered: IceCollectionInfo[] = [];
    const call: ClientConfig['call'] = {
      ...RELAY_ONLY,
      trickleIceMode: 'NONE',
      iceCollectionCheckFunction: (info) => {
        if (info.iceGatheringState !== 'complete') return { type: 'Wait' };
        gathered.push(info);
        return { type: 'StartCall' };
      },
    };
    const gateway = await gatewayWith(coturn.urls, `not-${coturn.secret}`);
    const a = await user(gateway, call);
    const b = await user(gateway, call);
    const changes = new Map<CommsClient, Array<{ callId: string; from: string; to: string }>>();
    for (const { client } of [a, b]) {
      changes.set(client, []);
      client.on('call:mediaConnectionChange', ({ callId, previous }) =>
        changes.get(client)!.push({
          callId,
          from: previous.state,
          to: client.call.getById(callId)!.mediaConnectionState,
        }),
      );
    }
    const callId = await answeredCall(a, b);

    expect(gathered.map((i) => i.callOperation)).to.have.length(2);
    for (const info of gathered) {
      expect(info.iceCandidates, info.callOperation).to.deep.equal([]);
      expect(info.rtcPeerConnectionConfig.iceServers?.flatMap((s) => s.urls)).to.deep.equal(
        coturn.urls,
      );
    }
    const report = await a.client.call.getStats(callId);
    const kinds: string[] = [];
    report.forEach((s: { type: string }) => kinds.push(s.type));
    expect(kinds).not.to.include('local-candidate');
    expect(kinds).not.to.include('candidate-pair');
    // The browser leaves such a connection 'new' for ever; the call says it failed, once each
    // end's gathering ended empty, so the application can tell the user and offer a restart.
    for (const client of [a.client, b.client]) {
      await until(client, (s) => s.call.calls[callId]?.mediaConnectionState === 'failed');
      expect(changes.get(client), 'call:mediaConnectionChange').to.deep.equal([
        { callId, from: 'new', to: 'failed' },
      ]);
    }
  });

  it('says the media failed with trickled candidates too, when coturn refuses every allocation', async () => {
    const gateway = await gatewayWith(coturn.urls, `not-${coturn.secret}`);
    const a = await user(gateway);
    const b = await user(gateway);
    const callId = await answeredCall(a, b);
    for (const client of [a.client, b.client])
      await until(client, (s) => s.call.calls[callId]?.mediaConnectionState === 'failed');
    expect(a.client.call.getById(callId)!.state).to.equal('Connected');
  });
});
