/**
 * The people features' managers, one chunk of their own in the ES builds (`lazy.ts` loads it):
 * presence, contacts, the user directory and call history. Each is small and talks to the
 * gateway only when asked (or when the gateway pushes a presence or contacts change), so one
 * chunk serves them all; their namespaces answer from the state without it.
 */
export { PresenceManager } from '../presence/manager.js';
export { ContactsManager } from '../contacts/manager.js';
export { UserManager } from '../user/manager.js';
export { HistoryManager } from '../call/history.js';
