import { CommsDevicePicker } from './device-picker.js';

export { CommsDevicePicker };

if (typeof customElements !== 'undefined' && !customElements.get('comms-device-picker')) {
  customElements.define('comms-device-picker', CommsDevicePicker);
}

declare global {
  interface HTMLElementTagNameMap {
    'comms-device-picker': CommsDevicePicker;
  }
}
