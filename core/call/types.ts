import type { MediaRequest, TrackObject } from '../media/types.js';
import type { CallState, MediaConnectionState } from './states.js';
import type {
  CallForwarding,
  CallTransition,
  CustomParameter,
  MediaOffered,
  TransferLink,
} from './signalling.js';

/** Received bandwidth limits in kbps (the seeds' BandwidthControls). */
export interface BandwidthControls {
  call?: number;
  audio?: number;
  video?: number;
}

/** Options of `call.make` (as in the seeds). */
export interface MakeOptions {
  displayName?: string;
  customParameters?: CustomParameter[];
  bandwidth?: BandwidthControls;
}

/** Options of `call.answer`. */
export interface AnswerOptions {
  customParameters?: CustomParameter[];
  bandwidth?: BandwidthControls;
}

/** An operation under way on a call (`call:operation`). */
export interface CallOperation {
  id: string;
  type: string;
  isLocal: boolean;
  status: 'ONGOING' | 'PENDING';
}

/** The seeds' CallObject: everything known about one call. */
export interface CallObject {
  id: string;
  direction: 'outgoing' | 'incoming';
  /** The caller (a user id or URI). */
  from: string;
  /** The callee. */
  to: string;
  state: CallState;
  mediaConnectionState: MediaConnectionState;
  localHold: boolean;
  remoteHold: boolean;
  /** Ids of the tracks this side sends. */
  localTracks: string[];
  /** Ids of the tracks this side receives. */
  remoteTracks: string[];
  /** What the caller offered (incoming calls). */
  mediaOffered: MediaOffered | null;
  remoteParticipant: { displayNumber: string; displayName: string };
  bandwidth: BandwidthControls;
  customParameters: CustomParameter[];
  /** When the call started (ms since the epoch). */
  startTime: number;
  /** comms-kit: when it was answered. */
  answerTime: number | null;
  endTime: number | null;
  /** comms-kit: why the call reached its current state. */
  transition: CallTransition | null;
  currentOperations: CallOperation[];
  /**
   * comms-kit: set on a call that a transfer made: who referred it and, on the target's side of
   * a consultative transfer, the call it replaces. On the transferee's side `replaces` is the
   * call that was transferred.
   */
  transfer?: TransferLink;
  /**
   * comms-kit: set on the call that `call.join` made (audio only, mixed in this browser): the
   * previous calls it joined (each still running with its remote party) and those parties,
   * in the same order. A call whose party hangs up leaves both lists.
   */
  joined?: JoinedCalls;
  /**
   * comms-kit: set on a call that was forwarded (`call.forward`), each forwarding oldest
   * first: on the caller's side (whose `remoteParticipant` becomes the last `to`), on the side
   * of the callee who forwarded it (its own forwarding last) and on the new callee's side.
   */
  forwarded?: CallForwarding[];
}

/** The previous calls a joined call is made of (`CallObject.joined`). */
export interface JoinedCalls {
  callIds: string[];
  participants: Array<CallObject['remoteParticipant']>;
}

/** The `call` slice of the client state. */
export interface CallsState {
  calls: Record<string, CallObject>;
}

export type { MediaRequest, TrackObject };
