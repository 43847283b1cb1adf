import type { SessionDescription } from 'sdp-transform';

/** A parsed session description, in sdp-transform's object form. */
export type SdpObject = SessionDescription;

/** Additional information given to an SDP handler (the seeds' `call.SdpHandlerInfo`). */
export interface SdpHandlerInfo {
  /** The call the handler runs for. */
  callId: string;
  /** The session description's type. */
  type: RTCSdpType;
  /** What happens after the handlers ran: set locally, or sent to the remote endpoint. */
  step: 'set' | 'send';
  /** Which end of the connection created the SDP. */
  endpoint: 'local' | 'remote';
}

/** The form of an SDP handler (the seeds' `call.SdpHandlerFunction`). */
export type SdpHandlerFunction = (
  newSdp: SdpObject,
  info: SdpHandlerInfo,
  originalSdp: SdpObject,
) => SdpObject;

/** A codec to remove: its name (`'VP8'`), or its name and the FMTP parameters it must carry. */
export type CodecSelector = string | { name: string; fmtpParams?: string[] };
