import { CommsChat } from './chat.js';

export { CommsChat };

if (typeof customElements !== 'undefined' && !customElements.get('comms-chat')) {
  customElements.define('comms-chat', CommsChat);
}

declare global {
  interface HTMLElementTagNameMap {
    'comms-chat': CommsChat;
  }
}
