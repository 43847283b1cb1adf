import { CommsPresence } from './presence.js';

export { CommsPresence };

if (typeof customElements !== 'undefined' && !customElements.get('comms-presence')) {
  customElements.define('comms-presence', CommsPresence);
}

declare global {
  interface HTMLElementTagNameMap {
    'comms-presence': CommsPresence;
  }
}
