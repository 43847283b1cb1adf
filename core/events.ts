/**
 * The one map of every event a client emits, keyed by the seeds' event names. Features add
 * their events here as they are built, so `client.on(name, listener)` is typed end to end.
 */
import type { BasicError } from './errors.js';
import type { ClientConfig } from './config.js';
import type { SocketStatus, WSConnectionObject } from './transport/types.js';
import type { CallState, MediaConnectionState } from './call/states.js';
import type { CallTransition, CustomParameter } from './call/signalling.js';
import type { DevicesObject, TrackObject } from './media/types.js';
import type { Contact, DirectoryUser, Presence } from './protocol/schema.js';
import type { VoicemailIndicators } from './voicemail/types.js';

/** Event name → the single parameter object its listeners receive. */
export interface CommsEventMap {
  /** The configuration changed through `updateConfig` (comms-kit addition). */
  'config:change': { config: ClientConfig; previous: ClientConfig };
  /** A REST request to the server failed (seed event). */
  'request:error': { error: BasicError };

  /** The credentials or the authenticated user changed (seed event). */
  'auth:change': Record<string, never>;
  /** The credentials are not usable: wrong, expired, revoked (seed event). */
  'auth:error': { error: BasicError };

  /** The WebSocket connected or lost its connection (seed event), with the previous status. */
  'ws:change': WSConnectionObject & { previous: SocketStatus };
  /** Connected and able to work (Notify's `ONLINE`). */
  'connection:online': Record<string, never>;
  /** No longer connected (Notify's `OFFLINE`); reconnecting may be under way. */
  'connection:offline': Record<string, never>;
  /** Reconnecting gave up (Notify's `ERROR`). */
  'connection:error': { error: BasicError };

  /**
   * Subscriptions changed (seed event). `reason` is set when the change was not asked for:
   * one of `services.changeReasons`.
   */
  'subscription:change': { reason?: string };
  /** A subscribe or unsubscribe failed (seed event). */
  'subscription:error': { error: BasicError };
  /** An attempt to extend the subscription was made (seed event). */
  'subscription:resub': { attemptNum: number; isFailure: boolean; error?: BasicError };

  /** A call operation started or finished (seed event). */
  'call:operation': {
    callId: string;
    operation: string;
    operationId: string;
    transition: 'START' | 'UPDATE' | 'FINISH';
    isLocal: boolean;
    previous?: { operation: string; status: string };
    error?: BasicError;
  };
  /** An outgoing call was started, or failed to start (seed event). */
  'call:start': { callId: string; error?: BasicError };
  /** An incoming call arrived (seed event). */
  'call:receive': { callId: string; error?: BasicError };
  /**
   * `call.join` made a call of two (Kandy's `call:join`): `callId` is the new call; on failure,
   * `error` is set and `callId` is the first of the two calls asked for.
   */
  'call:join': { callId: string; error?: BasicError };
  /**
   * The callee forwarded this user's outgoing call (`call.forward` on their side): it rings at
   * `to` now, with the same call id and connection (comms-kit; also in `CallObject.forwarded`).
   */
  'call:forwarded': {
    callId: string;
    by: { id: string; displayName: string };
    to: { id: string; displayName: string };
  };
  /** A call's state changed (seed event). */
  'call:stateChange': {
    callId: string;
    previous: { state: CallState; localHold?: boolean; remoteHold?: boolean };
    transition?: CallTransition;
    error?: BasicError;
  };
  /** Tracks became available to the call, local or remote (seed event). */
  'call:tracksAdded': { callId: string; trackIds: string[] };
  /** Tracks stopped being available to the call (seed event). */
  'call:tracksRemoved': { callId: string; trackIds: string[] };
  /** Same as `call:tracksAdded` (Kandy's name). */
  'call:newMedia': { callId: string; trackIds: string[] };
  /** Same as `call:tracksRemoved` (Kandy's name). */
  'call:removedMedia': { callId: string; trackIds: string[] };
  /** A local track was replaced (seed event). */
  'call:trackReplaced': {
    callId: string;
    newTrackId?: string;
    oldTrack?: TrackObject;
    error?: BasicError;
  };
  /** The media connection state changed (seed event). */
  'call:mediaConnectionChange': { callId: string; previous: { state: MediaConnectionState } };
  /** A media restart was attempted (seed event). */
  'call:mediaRestart': { callId: string; error?: BasicError };
  /** A stats report arrived (seed event). */
  'call:statsReceived': {
    callId: string;
    trackId?: string;
    result?: RTCStatsReport;
    error?: BasicError;
  };
  /** The codecs available for a kind (seed event). */
  'call:availableCodecs': { kind: string; codecs: RTCRtpCodec[] };
  /** Custom parameters came from the other side (seed event). */
  'call:customParameters': { callId: string; customParameters: CustomParameter[] };
  /** A DTMF tone was played on the call (comms-kit). */
  'call:dtmf': { callId: string; tone: string };

  /** A conversation was added to the state (seed event). */
  'conversations:new': { destination: string; type: string };
  /** The conversation list changed: new messages, unread counts, members (seed event). */
  'conversations:change': Record<string, never>;
  /** A conversation's messages changed (seed event); `messageId` when one message did. */
  'messages:change': {
    destination: string;
    type: string;
    conversationId: string | null;
    messageId?: string;
    sender?: string;
  };
  /** A message could not be sent (seed event). */
  'messages:error': { error: BasicError; messageId?: string };
  /** Who is typing in a conversation changed (comms-kit). */
  'typing:change': { destination: string; conversationId: string; users: string[] };

  /** A watched user's presence changed (seed event). */
  'presence:change': Presence;
  /** This user's presence changed (seed event). */
  'presence:selfChange': Presence;
  /** Users were added to the watched list (seed event). */
  'presence:subscribe': { users: string[] };
  /** Users were removed from the watched list (seed event). */
  'presence:unsubscribe': { users: string[] };
  /** A presence operation failed (seed event). */
  'presence:error': { error: BasicError };
  /** A contact was added (seed event). */
  'contacts:new': { contact: Contact };
  /** The address book changed (seed event). */
  'contacts:change': Record<string, never>;
  /** A contacts operation failed (seed event). */
  'contacts:error': { error: BasicError };
  /** A user's information was fetched (seed event). */
  'users:change': { userId: string };
  /** A user operation failed (comms-kit). */
  'users:error': { error: BasicError };
  /** A directory search finished (seed event). */
  'directory:change': { results: DirectoryUser[] };
  /** A directory search failed (seed event). */
  'directory:error': { error: BasicError };

  /** The cached call history changed (seed event). */
  'callHistory:change': Record<string, never>;
  /** A call history operation failed (seed event). */
  'callHistory:error': { error: BasicError };
  /** The call history cache was replaced with `setCache` (seed event). */
  'callHistoryCache:change': Record<string, never>;

  /**
   * The voicemail indicators changed (seed event): after `voicemail.fetch()`, a voicemail left
   * for this user, one marked heard or deleted (on any of their devices).
   */
  'voicemail:change': VoicemailIndicators;
  /** A voicemail operation failed (seed event). */
  'voicemail:error': { error: BasicError };

  /** The application muted a track (seed event). */
  'media:muted': { trackId: string };
  /** The application unmuted a track (seed event). */
  'media:unmuted': { trackId: string };
  /** A track's source stopped delivering media (seed event). */
  'media:sourceMuted': { trackId: string };
  /** A track's source delivers media again (seed event). */
  'media:sourceUnmuted': { trackId: string };
  /** A track ended (device unplugged, permission revoked, remote stop) (seed event). */
  'media:trackEnded': { trackId: string; callId: string | null };
  /** The device lists changed (seed event). */
  'devices:change': { devices: DevicesObject };
  /** Devices or media could not be obtained (seed event). */
  'devices:error': { error: BasicError };
}

/** Any event name of {@link CommsEventMap}. */
export type CommsEventName = keyof CommsEventMap;

/** A listener for one event. */
export type EventListener<K extends CommsEventName> = (params: CommsEventMap[K]) => void;

/** A listener for every event (`client.subscribe`): the event's name, then its parameters. */
export type AnyEventListener = <K extends CommsEventName>(
  type: K,
  params: CommsEventMap[K],
) => void;
