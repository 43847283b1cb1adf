/**
 * comms-kit/core: the headless SDK. No Lit, no rendering, no side effects at import.
 */
export {
  createClient,
  CommsClient,
  DEFAULT_SERVICES,
  type ClientState,
  type ConnectOptions,
  type AuthNamespace,
  type ConnectionNamespace,
  type ServicesNamespace,
  type CallNamespace,
  type PlayingPromise,
  type CallHistoryNamespace,
  type MediaNamespace,
  type ConversationNamespace,
  type ConversationObject,
  type Message,
  type MessageDraft,
  type PresenceNamespace,
  type ContactsNamespace,
  type VoicemailNamespace,
  type UserNamespace,
} from './client.js';
export {
  statuses as presenceStatuses,
  activities as presenceActivities,
} from './presence/state.js';
export type { PresenceState } from './presence/state.js';
export type { ContactInput, ContactsState } from './contacts/state.js';
export type { SearchFilters, UsersState } from './user/state.js';
export type {
  MessageView,
  MessageStatus,
  Part,
  ConversationEntry,
  ConversationsState,
} from './conversation/types.js';
export type {
  CallRecord,
  Conversation as WireConversation,
  MemberState,
  Presence,
  Contact,
  DirectoryUser,
} from './protocol/schema.js';
export {
  states as callStates,
  mediaConnectionStates,
  transitions as callTransitions,
} from './call/states.js';
export type { CallState, MediaConnectionState } from './call/states.js';
export { reportEvents as callReportEvents, metrics as callMetrics } from './call/report.js';
export type { AudioFilePlaying } from './call/operations.js';
export type {
  CallReport,
  ReportEvent,
  ReportEventType,
  ReportMetric,
  MetricType,
} from './call/report.js';
export { CallErrorCodes } from './call/errors.js';
export { VoicemailErrorCodes } from './voicemail/errors.js';
export type {
  Voicemail,
  VoicemailLeaveResponse,
  VoicemailCounts,
  VoicemailIndicators,
  LeaveVoicemailOptions,
  RecordVoicemailOptions,
  RecordedVoicemail,
  VoicemailRecording,
} from './voicemail/types.js';
export type { VoicemailState } from './voicemail/state.js';
export { defaultIceCollectionCheck } from './call/ice.js';
export type { IceCollectionCheckResult, IceCollectionInfo } from './call/ice.js';
export { Transitions } from './call/signalling.js';
export type {
  CallSignalling,
  SignallingHandlers,
  RemoteParty,
  CustomParameter,
  CallTransition,
  CallForwarding,
  MediaOffered,
} from './call/signalling.js';
export type {
  CallObject,
  JoinedCalls,
  MakeOptions,
  AnswerOptions,
  BandwidthControls,
} from './call/types.js';
export { normalizeDestination } from './call/destination.js';
export type {
  MediaRequest,
  TrackObject,
  MediaObject,
  DetachedMedia,
  DevicesObject,
  DeviceInfo,
  DefaultDevices,
  AudioOptions,
  VideoOptions,
  ScreenOptions,
} from './media/types.js';
export type { Transport, SocketLike } from './transport/types.js';
export type {
  Credentials,
  PasswordCredentials,
  BearerCredentials,
  TicketCredentials,
  SessionCredentials,
  SavedSession,
  SignupOptions,
  UserInfoResult,
  AuthState,
} from './auth/types.js';
export {
  DefaultReconnectPolicy,
  type ReconnectPolicy,
  type ReconnectContext,
} from './transport/reconnect-policy.js';
export type { WSConnectionObject, ConnectionState, SocketStatus } from './transport/types.js';
export { changeReasons } from './services/manager.js';
export type {
  ServiceDescriptor,
  SubscribeOptions,
  SubscriptionsInfo,
  ServicesState,
} from './services/types.js';
export {
  CloseCodes,
  WireErrorCodes,
  SERVICES,
  PROTOCOL_VERSION,
  type ServiceName,
} from './protocol/constants.js';
export type { UserInfo, Subscription } from './protocol/schema.js';
export type { Runtime } from './platform/runtime.js';
export {
  defaultConfig,
  type ClientConfig,
  type ConfigUpdate,
  type AuthenticationConfig,
  type SubscriptionConfig,
  type ConnectivityConfig,
  type CallConfig,
  type NotificationsConfig,
  type SessionStorageLike,
} from './config.js';
export { CommsError, ErrorCodes, isBasicError, type BasicError, type ErrorCode } from './errors.js';
export type { AnyEventListener, CommsEventMap, CommsEventName, EventListener } from './events.js';
export {
  levels,
  defaultLogHandler,
  type LogEntry,
  type LogHandler,
  type LogLevel,
  type LogsConfig,
  type LogActionsOptions,
} from './logger.js';
export type { BrowserDetails } from './platform/browser.js';
export type { ReadableStore, StoreListener } from './store.js';
import { createCodecRemover } from './sdp/handlers.js';
export const sdpHandlers = { createCodecRemover };
export type { CodecSelector, SdpHandlerFunction, SdpHandlerInfo, SdpObject } from './sdp/types.js';
export { version } from './version.js';
