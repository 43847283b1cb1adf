/**
 * The client's whole state tree: one immutable object, one slice per feature. Each feature
 * declares its slice's type beside its code; this file only assembles them.
 */
import type { AuthState } from './auth/types.js';
import type { ClientConfig } from './config.js';
import type { ConnectionState } from './transport/types.js';
import type { ServicesState } from './services/types.js';
import type { CallsState } from './call/types.js';
import type { MediaState } from './media/types.js';
import type { HistoryState } from './call/history-state.js';
import type { ConversationsState } from './conversation/types.js';
import type { PresenceState } from './presence/state.js';
import type { ContactsState } from './contacts/state.js';
import type { UsersState } from './user/state.js';
import type { VoicemailState } from './voicemail/state.js';

export interface ClientState {
  /** The resolved configuration (defaults merged with what the application gave). */
  config: ClientConfig;
  /** `'active'` until `destroy()` is called. */
  lifecycle: 'active' | 'destroyed';
  auth: AuthState;
  connection: ConnectionState;
  services: ServicesState;
  call: CallsState;
  media: MediaState;
  history: HistoryState;
  conversations: ConversationsState;
  presence: PresenceState;
  contacts: ContactsState;
  users: UsersState;
  voicemail: VoicemailState;
}
