/**
 * The seeds' `sdpHandlers`: ready-made SDP handler functions, exposed on the entry point.
 */
import { CommsError, ErrorCodes } from '../errors.js';
import type { CodecSelector, SdpHandlerFunction, SdpObject } from './types.js';

type Media = SdpObject['media'][number];

function fmtpParamsOf(media: Media, payload: number): string[] {
  const config = media.fmtp.find((f) => f.payload === payload)?.config ?? '';
  return config
    .split(';')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
}

function matches(media: Media, rtp: Media['rtp'][number], selector: CodecSelector): boolean {
  const name = typeof selector === 'string' ? selector : selector.name;
  if (rtp.codec.toLowerCase() !== name.toLowerCase()) return false;
  if (typeof selector === 'string' || !selector.fmtpParams?.length) return true;
  const params = fmtpParamsOf(media, rtp.payload);
  return selector.fmtpParams.every((p) => params.includes(p.trim().toLowerCase()));
}

/**
 * Creates an SDP handler that removes the codecs matching `codecs` from offers and answers,
 * together with their retransmission (RTX) payloads, FMTP and RTCP feedback lines.
 *
 * @example
 * const remover = sdpHandlers.createCodecRemover(['VP8', { name: 'H264', fmtpParams: ['packetization-mode=0'] }]);
 * createClient({ call: { sdpHandlers: [remover] } });
 */
export function createCodecRemover(codecs: CodecSelector[]): SdpHandlerFunction {
  if (!Array.isArray(codecs)) {
    throw new CommsError(
      ErrorCodes.INVALID_ARGUMENT,
      'createCodecRemover(codecs): codecs must be an array',
    );
  }
  codecs.forEach((c, i) => {
    const name = typeof c === 'string' ? c : c?.name;
    if (typeof name !== 'string' || name === '') {
      throw new CommsError(
        ErrorCodes.INVALID_ARGUMENT,
        `createCodecRemover(codecs): codecs[${i}] must be a codec name or {name, fmtpParams}`,
      );
    }
  });
  return (newSdp) => {
    const sdp = structuredClone(newSdp);
    for (const media of sdp.media) {
      const removed = new Set(
        media.rtp.filter((rtp) => codecs.some((c) => matches(media, rtp, c))).map((r) => r.payload),
      );
      if (removed.size === 0) continue;
      // RTX payloads point at their codec through `apt=<payload>`.
      for (const rtp of media.rtp) {
        if (rtp.codec.toLowerCase() !== 'rtx') continue;
        const apt = fmtpParamsOf(media, rtp.payload).find((p) => p.startsWith('apt='));
        if (apt && removed.has(Number(apt.slice(4)))) removed.add(rtp.payload);
      }
      media.rtp = media.rtp.filter((r) => !removed.has(r.payload));
      media.fmtp = media.fmtp.filter((f) => !removed.has(f.payload));
      if (media.rtcpFb) {
        media.rtcpFb = media.rtcpFb.filter((f) => !removed.has(Number(f.payload)));
      }
      media.payloads = String(media.payloads ?? '')
        .split(' ')
        .filter((p) => p !== '' && !removed.has(Number(p)))
        .join(' ');
    }
    return sdp;
  };
}
