/**
 * What the call engine needs from a backend: a channel that carries session descriptions,
 * candidates and call control between the two parties. The backend never touches media; the
 * engine owns every RTCPeerConnection (DESIGN: backends carry signalling, the engine owns media).
 */

import type { IceCollectionCheckResult, IceCollectionInfo } from './ice.js';

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
  TRANSFERRED: { statusCode: 200, reasonText: 'Transferred' },
  /** The callee forwarded the ringing call to someone else (`call.forward`; SIP 302). */
  FORWARDED: { statusCode: 302, reasonText: 'Forwarded' },
} as const satisfies Record<string, CallTransition>;

/** An ICE candidate as it travels (the RTCIceCandidateInit fields). */
export interface CandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/**
 * What the transferee is asked to do (a SIP REFER): call `to`, carrying `transferId` in the
 * invite, so the backend links the new call to the transferred one.
 */
export interface TransferRequest {
  /** The backend's id of this transfer. */
  transferId: string;
  /** Whom to call (a user id). */
  to: string;
  /** Who transfers the call. */
  referredBy: RemoteParty;
}

/** How an incoming call came from a transfer (the target's side). */
export interface TransferLink {
  /** Who transferred the caller to this user. */
  referredBy: RemoteParty;
  /** The id of this user's call the new one replaces (a consultative transfer), or null. */
  replaces: string | null;
}

/**
 * One forwarding of a ringing call (`call.forward`): the callee `by` sent it on to `to`, who
 * rings instead. The call keeps its id, the caller's offer and connection.
 */
export interface CallForwarding {
  /** The callee who forwarded the call. */
  by: RemoteParty;
  /** The user who rings now. */
  to: RemoteParty;
}

/** What the transferrer asks for: a destination (direct) or its other call's party (consultative). */
export type TransferTarget = { destination: string } | { otherCallId: string };

/** An error as the backend reports it (`BasicError`). */
export interface SignallingError {
  code: string;
  message: string;
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
    /** Set when the caller was transferred to this user. */
    transfer?: TransferLink;
    /** Set when the call was forwarded to this user: each forwarding, oldest first. */
    forwarded?: CallForwarding[];
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
  /**
   * The other party sent custom parameters: on their own (`parameters`), or with a
   * renegotiation offer or answer (delivered right after that `offer` or `answer`).
   */
  parameters(callId: string, customParameters: CustomParameter[]): void;
  /** A trickled ICE candidate (null: end of candidates). */
  candidate(callId: string, candidate: CandidateInit | null): void;
  /** The other party transfers this call: call `request.to` (the transferee's side). */
  transferRequested(callId: string, request: TransferRequest): void;
  /** The transfer of this call succeeded (null) or failed (the transferrer's side). */
  transferCompleted(callId: string, error: SignallingError | null): void;
  /** The callee forwarded this (outgoing, ringing) call: it rings at `forwarding.to` now. */
  forwarded(callId: string, forwarding: CallForwarding): void;
}

/** The calls a backend carries. Each rejects with a `CommsError` the engine reports. */
export interface CallSignalling {
  /**
   * False when the backend carries only complete descriptions (SIP): the engine then gathers
   * candidates into each description before sending it, as with `trickleIceMode: 'NONE'`.
   */
  readonly trickle?: boolean;
  /**
   * For complete descriptions: the backend's ICE collection check, used when the application
   * set none (`call.iceCollectionCheckFunction`) instead of the default one.
   */
  readonly iceCollectionCheck?: (
    info: IceCollectionInfo,
    timeouts: { iceCollectionIdealTimeout: number; iceCollectionMaxTimeout: number },
  ) => IceCollectionCheckResult;
  /** Installs the engine's handlers (once). */
  setHandlers(handlers: SignallingHandlers): void;
  invite(call: {
    callId: string;
    to: string;
    sdp: string;
    media: MediaOffered;
    displayName?: string;
    customParameters: CustomParameter[];
    /** The transfer this call carries out (from {@link SignallingHandlers.transferRequested}). */
    transfer?: { callId: string; transferId: string };
  }): Promise<{ to: RemoteParty }>;
  ringing(callId: string): Promise<void>;
  answer(callId: string, sdp: string, customParameters: CustomParameter[]): Promise<void>;
  reject(callId: string): Promise<void>;
  end(callId: string): Promise<void>;
  /** A renegotiation offer, with the call's custom parameters (none: `[]`). */
  offer(
    callId: string,
    sdp: string,
    hold: boolean,
    customParameters: CustomParameter[],
  ): Promise<void>;
  /** The answer to a renegotiation offer, with the call's custom parameters (none: `[]`). */
  answerOffer(callId: string, sdp: string, customParameters: CustomParameter[]): Promise<void>;
  /** Sends custom parameters to the other party of an answered call. */
  parameters(callId: string, customParameters: CustomParameter[]): Promise<void>;
  candidate(callId: string, candidate: CandidateInit | null): Promise<void>;
  /**
   * Asks the backend to transfer the other party of `callId` (SIP REFER). Resolves once the
   * transferee has been asked; the outcome arrives as `transferCompleted`. Rejects when this
   * user is not a party of the call(s) or the destination is unknown.
   */
  transfer(callId: string, target: TransferTarget): Promise<void>;
  /**
   * Forwards an incoming call that rings on this device to `destination`: the backend stops
   * it ringing for this user and rings the destination with the caller's offer (and the
   * candidates the caller sent so far). Resolves with the forwarding as the caller sees it
   * (this user, the destination); rejects when this device is not ringing for the call or the destination cannot be
   * called (`call:unknownDestination`, `call:invalidDestination`).
   */
  forward(callId: string, destination: string): Promise<CallForwarding>;
}
