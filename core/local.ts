/**
 * comms-kit/local: the in-page backend, for Storybook stories, offline demos and tests of one
 * page. Clients of one page reach each other through a hub (`createLocalHub`, joined with
 * `client.useLocalBackend(hub, party)`), and `scriptUser` drives "someone else" on it. Not part
 * of `comms-kit/core`, so a production page never carries it. No side effects at import.
 */
export {
  createLocalHub,
  type ConversationSeed,
  type LocalHub,
  type LocalHubOptions,
} from './backends/local/hub.js';
export { scriptUser, type ScriptedUser } from './backends/local/script.js';
