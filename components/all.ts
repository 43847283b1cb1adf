/**
 * Registers every comms-kit element (`comms-kit/elements`). Importing it defines the tags.
 */
import './client/comms-client.js';
import './dialer/comms-dialer.js';
import './call-view/comms-call-view.js';
import './device-picker/comms-device-picker.js';
import './presence/comms-presence.js';
import './login/comms-login.js';
import './chat/comms-chat.js';
import './voicemail/comms-voicemail.js';

export * from './index.js';
