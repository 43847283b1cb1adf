/**
 * The virtualizer behind `<comms-chat>`'s thread (`@lit-labs/virtualizer`), and the thread's
 * layout. `chat.ts` loads this module by `import()` when the element first shows a thread, so
 * it is a chunk of its own and a page that never opens a thread never fetches it. Import it
 * only that way.
 */
import { FlowLayout } from '@lit-labs/virtualizer/layouts/flow.js';

export { virtualize, virtualizerRef } from '@lit-labs/virtualizer/virtualize.js';

/** A thread row's height (px) before it is measured (flow's own guess is 100). */
const ROW_ESTIMATE = 64;
/** How far (px) past each edge of the view the thread keeps rows (flow's default is 1000). */
const OVERHANG = 600;

/**
 * The thread's layout: `@lit-labs/virtualizer`'s flow layout with two of its settings changed
 * (fields its type declarations expose; the type check catches a rename):
 * - the first guess of a row's height, about a one-line message's row: from flow's 100 px, the
 *   first render at the end of a long thread (most rows 60–90 px) put the window past where the
 *   measured rows end, so the layout emptied it and rendered every row again; from a guess a
 *   little short, the measured window keeps most of the rows it has;
 * - the rows kept past each edge of the view, 600 px instead of 1000: ~13 rows instead of ~18
 *   to render, position and measure on every move, still a 600 px margin (80 ms of a fast
 *   fling) for the compositor to scroll into before the main thread catches up.
 */
export class ThreadLayout extends FlowLayout {
  constructor(...args: ConstructorParameters<typeof FlowLayout>) {
    super(...args);
    this._itemSize = { width: ROW_ESTIMATE, height: ROW_ESTIMATE };
    this._overhang = OVERHANG;
  }
}
