import { CommsDialer } from './dialer.js';

export { CommsDialer };

if (typeof customElements !== 'undefined' && !customElements.get('comms-dialer')) {
  customElements.define('comms-dialer', CommsDialer);
}

declare global {
  interface HTMLElementTagNameMap {
    'comms-dialer': CommsDialer;
  }
}
