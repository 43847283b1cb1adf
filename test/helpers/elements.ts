/**
 * Reading an element's shadow tree in tests, and waiting for it to show something.
 */
import { waitUntil } from '@open-wc/testing';

/** The element's shadow root. */
export const root = (el: Element) => el.shadowRoot!;

/** The first match of `selector` in the element's shadow tree, or null. */
export const $ = <T extends Element = HTMLElement>(el: Element, selector: string) =>
  root(el).querySelector<T>(selector);

/** Every match of `selector` in the element's shadow tree. */
export const $$ = <T extends Element = HTMLElement>(el: Element, selector: string) => [
  ...root(el).querySelectorAll<T>(selector),
];

/** A node's text with its white space collapsed ('' for none). */
export const text = (node: Element | null | undefined) =>
  (node?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** The first match of `selector` in the element's shadow tree; throws when there is none. */
export const must = <T extends Element = HTMLElement>(el: Element, selector: string) => {
  const found = $<T>(el, selector);
  if (!found) throw new Error(`no ${selector} in <${el.localName}>`);
  return found;
};

/** The text of `selector` with its white space collapsed, or '' while it is not there. */
export const shown = (el: Element, selector: string) =>
  ($(el, selector)?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** Resolves once `predicate()` holds after one of the element's updates (fails after 15 s). */
export async function settled(
  el: { updateComplete: Promise<boolean> },
  predicate: () => boolean,
  message: string,
): Promise<void> {
  await waitUntil(
    async () => {
      await el.updateComplete;
      return predicate();
    },
    message,
    { timeout: 15000 },
  );
}
