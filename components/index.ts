/** Element classes and shared building blocks, with no registration side effects. */
export { CommsClientElement } from './client/client.js';
export { CommsElement } from './shared/comms-element.js';
export { clientContext } from './shared/context.js';
export { StoreController, type ClientHost } from './shared/store-controller.js';
export {
  CommsEvent,
  CommsRequestEvent,
  CommsClientChangeEvent,
  CommsErrorEvent,
  CommsDialEvent,
  CommsCallRequestEvent,
  CommsChatRequestEvent,
  CommsGroupCreateEvent,
  CommsMessageSendEvent,
  CommsMessageRetryEvent,
  CommsAnswerEvent,
  CommsRejectEvent,
  CommsIgnoreEvent,
  CommsHangupEvent,
  CommsHoldEvent,
  CommsMuteEvent,
  CommsVideoEvent,
  CommsScreenShareEvent,
  CommsDtmfEvent,
  CommsCallSwitchEvent,
  CommsMediaRestartEvent,
  CommsDeviceSelectEvent,
  CommsPresenceSetEvent,
  CommsContactAddEvent,
  CommsContactRemoveEvent,
  CommsTransferEvent,
  CommsCallJoinEvent,
  CommsVoicemailHeardEvent,
  CommsVoicemailRemoveEvent,
  CommsCallReceivedEvent,
  CommsCallEndedEvent,
  CommsSignedInEvent,
  CommsSignedOutEvent,
  NO_CLIENT,
  requestEventTypes,
  type RequestOutcome,
  type DialDetail,
  type ChatRequestDetail,
  type GroupCreateDetail,
  type MessageSendDetail,
  type MessageDetail,
  type CallDetail,
  type DeviceKind,
  type DeviceSelectDetail,
  type PresenceSetDetail,
  type ContactDetail,
  type TransferDetail,
  type CallJoinDetail,
  type VoicemailDetail,
} from './shared/events.js';
export {
  LocalizeController,
  registerCatalog,
  availableLanguages,
  loadLanguage,
  resolveLang,
  translate,
  type Catalog,
  type MessageKey,
  type MessageParams,
} from './shared/i18n.js';
export { Announcer } from './shared/announcer.js';
export { connectionView, type ConnectionView } from './shared/connection.js';
export { tokens } from './shared/tokens.js';
export {
  DEVICE_STORAGE_KEY,
  readDevicePreferences,
  writeDevicePreference,
  type DevicePreferences,
} from './shared/device-preferences.js';
export { CommsDialer } from './dialer/dialer.js';
export { CommsCallView } from './call-view/call-view.js';
export { CommsDevicePicker } from './device-picker/device-picker.js';
export { CommsPresence } from './presence/presence.js';
export { CommsLogin } from './login/login.js';
export { CommsChat } from './chat/chat.js';
export { CommsVoicemail } from './voicemail/voicemail.js';
