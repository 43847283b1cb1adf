/** Element classes and shared building blocks, with no registration side effects. */
export { CommsClientElement } from './client/client.js';
export { CommsElement } from './shared/comms-element.js';
export { clientContext } from './shared/context.js';
export { StoreController, type ClientHost } from './shared/store-controller.js';
export { CommsEvent, CommsClientChangeEvent, CommsErrorEvent } from './shared/events.js';
