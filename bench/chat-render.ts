/**
 * `<comms-chat>`: render a 10,000-message thread, and scroll frame times. NOT BUILT YET:
 * reports "not built" until the check below passes.
 *
 * Switches on when: the built manifest (`custom-elements.json`) declares `comms-chat`. Then
 * this module throws until its measurement is written.
 *
 * Plan:
 * - Headless Chromium (playwright-core, project flags), a page loading
 *   `dist/cdn/comms-kit.js` from a loopback static server, a `<comms-chat>` given a client
 *   whose conversation holds 10,000 messages (the core's local backend, or a gateway seeded in
 *   the run), so the figure is the element and not the network.
 * - First render: `performance.now()` from setting the conversation to `updateComplete`
 *   resolved and the next animation frame (painted). 10 runs in fresh pages; median.
 * - Scroll: from the bottom to the top of the thread in fixed steps, one step per animation
 *   frame; frame times from consecutive `requestAnimationFrame` timestamps (and long animation
 *   frames from `PerformanceObserver`). p95 over the scroll, median over 5 runs.
 * - No baseline. Targets: first render ≤ 50 ms; p95 frame ≤ 16 ms.
 */
import { notBuiltYet, type Benchmark } from './lib/benchmark.js';

export const chatRender: Benchmark = {
  name: 'chat-render',
  title: '<comms-chat>: 10,000-message render, scroll frames',
  timeoutMs: () => 180e3,
  async run(context, record) {
    const tags = context.probes.elementTags();
    const missing = tags.includes('comms-chat')
      ? []
      : [`custom-elements.json declares no comms-chat (it declares ${tags.join(', ')})`];
    record.target('render.ms', '<=', 50, 'ms', 'first render ≤ 50 ms');
    record.target('frame.p95', '<=', 16, 'ms', 'p95 frame ≤ 16 ms');
    notBuiltYet(record, missing, 'bench/chat-render.ts');
  },
};
