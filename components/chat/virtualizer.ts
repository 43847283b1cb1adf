/**
 * The virtualizer behind `<comms-chat>`'s thread (`@lit-labs/virtualizer`). `chat.ts` loads
 * this module by `import()` when the element first shows a thread, so it is a chunk of its own
 * and a page that never opens a thread never fetches it. Import it only that way.
 */
export { virtualize, virtualizerRef } from '@lit-labs/virtualizer/virtualize.js';
export { flow } from '@lit-labs/virtualizer/layouts/flow.js';
