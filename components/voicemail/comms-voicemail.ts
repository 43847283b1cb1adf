import { CommsVoicemail } from './voicemail.js';

export { CommsVoicemail };

if (typeof customElements !== 'undefined' && !customElements.get('comms-voicemail')) {
  customElements.define('comms-voicemail', CommsVoicemail);
}

declare global {
  interface HTMLElementTagNameMap {
    'comms-voicemail': CommsVoicemail;
  }
}
