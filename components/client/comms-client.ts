import { CommsClientElement } from './client.js';

export { CommsClientElement };

if (typeof customElements !== 'undefined' && !customElements.get('comms-client')) {
  customElements.define('comms-client', CommsClientElement);
}

declare global {
  interface HTMLElementTagNameMap {
    'comms-client': CommsClientElement;
  }
}
