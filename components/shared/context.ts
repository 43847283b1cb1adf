import { createContext } from '@lit/context';
import type { CommsClient } from '../../core/client.js';

/**
 * The context through which `<comms-client>` provides its client to every element inside it.
 * A global symbol, so two copies of comms-kit on one page still find each other.
 */
export const clientContext = createContext<CommsClient | undefined>(Symbol.for('comms-kit/client'));
