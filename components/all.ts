/**
 * Registers every comms-kit element (`comms-kit/elements`). Importing it defines the tags.
 */
import './client/comms-client.js';

export * from './index.js';
