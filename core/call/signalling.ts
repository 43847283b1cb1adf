/**
 * What the call engine needs from a backend: a channel that carries session descriptions,
 * candidates and call control between the two parties. The backend never touches media; the
 * engine owns every RTCPeerConnection (DESIGN: backends carry signalling, the engine owns media).
 */

/** The remote party as the backend identifies them. */
export interface RemoteParty {
  /** The user id (or URI) that calls reach. */
  id: string;
  /** A name to show. */
  displayName: string;
}

/** A custom parameter (the seeds' SIP-header-like `{name, value}`). */
export interface CustomParameter {
  name: string;
  value: string;
}

/** Media a call offers. */
export interface MediaOffered {
  audio: boolean;
  video: boolean;
}

/** Why a call ended or changed, with a SIP-like status code. */
export interface CallTransition {
  statusCode: number;
  reasonText: string;
}

/** Well-known transitions (SIP status codes, as the seeds' examples use). */
export const Transitions = {
  ENDED: { statusCode: 200, reasonText: 'Call ended' },
  ENDED_REMOTELY: { statusCode: 200, reasonText: 'Ended by the other party' },
  ANSWERED_ELSEWHERE: { statusCode: 200, reasonText: 'Answered on another device' },
  REJECTED: { statusCode: 603, reasonText: 'Rejected' },
  IGNORED: { statusCode: 480, reasonText: 'Ignored' },
  BUSY: { statusCode: 486, reasonText: 'Busy' },
  NO_ANSWER: { statusCode: 408, reasonText: 'No answer' },
  CANCELLED: { statusCode: 487, reasonText: 'Cancelled by the caller' },
  UNAVAILABLE: { statusCode: 480, reasonText: 'Not available' },
  NOT_FOUND: { statusCode: 404, reasonText: 'No such user' },
  MEDIA_FAILED: { statusCode: 488, reasonText: 'Media could not be negotiated' },
  CONNECTION_LOST: { statusCode: 408, reasonText: 'Connection to the server lost' },
} as const satisfies Record<string, CallTransition>;

/** An ICE candidate as it travels (the RTCIceCandidateInit fields). */
export interface CandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** Events a backend delivers to the engine. */
export interface SignallingHandlers {
  /** Someone calls this user. */
  incoming(call: {
    callId: string;
    from: RemoteParty;
    sdp: string;
    media: MediaOffered;
    customParameters: CustomParameter[];
  }): void;
  /** The callee's device is ringing. */
  ringing(callId: string): void;
  /** The callee answered (`sdp` is the answer). */
  answered(callId: string, sdp: string, customParameters: CustomParameter[]): void;
  /** The call ended for the given reason (rejected, busy, no answer, hung up, elsewhere…). */
  ended(callId: string, transition: CallTransition): void;
  /** A renegotiation offer (hold, unhold, media added or removed). */
  offer(callId: string, sdp: string, hold: boolean): void;
  /** The answer to our renegotiation offer. */
  answer(callId: string, sdp: string): void;
  /** A trickled ICE candidate (null: end of candidates). */
  candidate(callId: string, candidate: CandidateInit | null): void;
}

/** The calls a backend carries. Each rejects with a `CommsError` the engine reports. */
export interface CallSignalling {
  /** Installs the engine's handlers (once). */
  setHandlers(handlers: SignallingHandlers): void;
  invite(call: {
    callId: string;
    to: string;
    sdp: string;
    media: MediaOffered;
    displayName?: string;
    customParameters: CustomParameter[];
  }): Promise<{ to: RemoteParty }>;
  ringing(callId: string): Promise<void>;
  answer(callId: string, sdp: string, customParameters: CustomParameter[]): Promise<void>;
  reject(callId: string): Promise<void>;
  end(callId: string): Promise<void>;
  offer(callId: string, sdp: string, hold: boolean): Promise<void>;
  answerOffer(callId: string, sdp: string): Promise<void>;
  candidate(callId: string, candidate: CandidateInit | null): Promise<void>;
}
