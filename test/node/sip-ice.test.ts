/**
 * The ICE collection check over SIP (`sipIceCollectionCheck`): a complete description may go as
 * soon as its transport has what counts, instead of when gathering ends. A unit test of that one
 * rule, with candidates as the browser describes them; the calls over SIP that use it are
 * test/core/calls-sip.test.ts and the conformance suite over SIP.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sipIceCollectionCheck } from '../../core/backends/sip/call-signalling.js';
import type { IceCollectionInfo } from '../../core/call/ice.js';

const timeouts = { iceCollectionIdealTimeout: 1000, iceCollectionMaxTimeout: 3000 };
const SDP =
  'v=0\r\na=group:BUNDLE 0 1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:now\r\na=mid:0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=ice-ufrag:now\r\na=mid:1\r\n';

type Candidate = Partial<RTCIceCandidate>;
const host = (protocol: 'udp' | 'tcp', extra: Candidate = {}): Candidate => ({
  type: 'host',
  protocol,
  sdpMid: '0',
  usernameFragment: 'now',
  ...extra,
});

function info(
  candidates: Candidate[],
  config: RTCConfiguration = {},
  sdp = SDP,
): IceCollectionInfo {
  return {
    callId: 'c',
    callOperation: 'MAKE',
    reason: 'NewCandidate',
    iceCandidates: candidates as RTCIceCandidate[],
    iceCollectionDuration: 5,
    iceGatheringState: 'gathering',
    rtcPeerConnectionConfig: config,
    rtcLocalSessionDescription: sdp,
  };
}

const check = (...args: Parameters<typeof info>) =>
  sipIceCollectionCheck(info(...args), timeouts).type;

describe('the ICE collection check over SIP', () => {
  it('starts with a UDP host candidate on the BUNDLE transport, without waiting for TCP ones', () => {
    assert.equal(check([host('udp')]), 'StartCall');
    assert.equal(check([host('tcp')]), 'Wait');
    assert.equal(check([]), 'Wait');
    // Without BUNDLE every m-line's transport needs its own.
    const unbundled = SDP.replace('a=group:BUNDLE 0 1\r\n', '');
    assert.equal(check([host('udp')], {}, unbundled), 'Wait');
    assert.equal(check([host('udp'), host('udp', { sdpMid: '1' })], {}, unbundled), 'StartCall');
  });

  it('waits for what each configured server gives: server reflexive for STUN, relayed per TURN URL', () => {
    const config = {
      iceServers: [
        { urls: 'stun:stun.example.com' },
        { urls: ['turn:t.example.com?transport=udp', 'turn:t.example.com?transport=tcp'] },
      ],
    };
    const srflx = host('udp', { type: 'srflx' });
    const relay = host('udp', { type: 'relay' });
    assert.equal(check([host('udp'), srflx, relay], config), 'Wait');
    assert.equal(check([host('udp'), srflx, relay, relay], config), 'StartCall');
    assert.equal(check([host('udp'), relay, relay], config), 'Wait');
    // Relay only: no host or server-reflexive candidate is expected.
    assert.equal(check([relay, relay], { ...config, iceTransportPolicy: 'relay' }), 'StartCall');
  });

  it('counts only this gathering’s candidates (an ICE restart has a new ufrag)', () => {
    assert.equal(check([host('udp', { usernameFragment: 'before' })]), 'Wait');
  });

  it('falls back to the default check: gathering complete, or the timeouts', () => {
    const done = { ...info([host('tcp')]), iceGatheringState: 'complete' as const };
    assert.equal(sipIceCollectionCheck(done, timeouts).type, 'StartCall');
    const late = { ...info([host('tcp')]), iceCollectionDuration: 3000 };
    assert.equal(sipIceCollectionCheck(late, timeouts).type, 'StartCall');
  });
});
