/**
 * comms-kit: the headless core plus the element classes. Nothing is registered on import;
 * import `comms-kit/elements` (or a `comms-*.js` define module) to define the tags.
 */
export * from './core/index.js';
export * from './components/index.js';
