import { CommsLogin } from './login.js';

export { CommsLogin };

if (typeof customElements !== 'undefined' && !customElements.get('comms-login')) {
  customElements.define('comms-login', CommsLogin);
}

declare global {
  interface HTMLElementTagNameMap {
    'comms-login': CommsLogin;
  }
}
