import { CommsCallView } from './call-view.js';

export { CommsCallView };

if (typeof customElements !== 'undefined' && !customElements.get('comms-call-view')) {
  customElements.define('comms-call-view', CommsCallView);
}

declare global {
  interface HTMLElementTagNameMap {
    'comms-call-view': CommsCallView;
  }
}
