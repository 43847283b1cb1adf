import { expect } from '@open-wc/testing';
import { parse, write } from 'sdp-transform';
import { sdpHandlers, type SdpHandlerInfo } from '../../core/index.js';

const info: SdpHandlerInfo = { callId: 'c1', type: 'offer', step: 'set', endpoint: 'local' };

async function realOffer(): Promise<{ pc: RTCPeerConnection; sdp: string }> {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('audio');
  pc.addTransceiver('video');
  const offer = await pc.createOffer();
  return { pc, sdp: offer.sdp ?? '' };
}

describe('sdpHandlers.createCodecRemover', () => {
  it('removes a codec and its RTX payload from a real Chromium offer, which stays valid', async () => {
    const { pc, sdp } = await realOffer();
    const original = parse(sdp);
    const video = original.media.find((m) => m.type === 'video');
    expect(video?.rtp.some((r) => r.codec === 'VP8')).to.equal(true);

    const result = sdpHandlers.createCodecRemover(['VP8'])(original, info, original);
    const after = result.media.find((m) => m.type === 'video');
    const vp8 = video?.rtp.find((r) => r.codec === 'VP8')?.payload;
    expect(after?.rtp.some((r) => r.codec === 'VP8')).to.equal(false);
    expect(after?.fmtp.some((f) => f.config.includes(`apt=${vp8}`))).to.equal(false);
    expect(String(after?.payloads).split(' ')).not.to.include(String(vp8));
    expect(after?.rtp.some((r) => r.codec === 'VP9' || r.codec === 'H264')).to.equal(true);
    // The original is untouched and the result is an SDP Chromium accepts.
    expect(video?.rtp.some((r) => r.codec === 'VP8')).to.equal(true);
    await pc.setLocalDescription({ type: 'offer', sdp: write(result) });
    expect(pc.localDescription?.sdp).not.to.contain('VP8/90000');
    pc.close();
  });

  it('removes only the H264 variants carrying the given FMTP parameters', async () => {
    const { pc, sdp } = await realOffer();
    pc.close();
    const original = parse(sdp);
    const h264 = (s: typeof original) =>
      s.media
        .find((m) => m.type === 'video')!
        .rtp.filter((r) => r.codec === 'H264')
        .map((r) => r.payload);
    const before = h264(original);
    const result = sdpHandlers.createCodecRemover([
      { name: 'h264', fmtpParams: ['packetization-mode=0'] },
    ])(original, info, original);
    const remaining = h264(result);
    expect(remaining.length).to.be.greaterThan(0);
    expect(remaining.length).to.be.lessThan(before.length);
    const fmtp = result.media.find((m) => m.type === 'video')!.fmtp;
    for (const payload of remaining) {
      expect(fmtp.find((f) => f.payload === payload)?.config).not.to.contain(
        'packetization-mode=0',
      );
    }
  });

  it('refuses a selector that names no codec', () => {
    expect(() => sdpHandlers.createCodecRemover([{ name: '' }])).to.throw(/codecs\[0\]/);
    expect(() => sdpHandlers.createCodecRemover('VP8' as never)).to.throw(/must be an array/);
  });
});
