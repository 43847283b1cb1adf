import { ContextRoot } from '@lit/context';

let attached = false;

/**
 * Attaches one `ContextRoot` to the document, so an element that asks for the client before
 * its `<comms-client>` is defined (or upgraded) still receives it once the provider arrives.
 * Called at connect time, never at import time.
 */
export function ensureContextRoot(): void {
  if (attached || typeof document === 'undefined') return;
  new ContextRoot().attach(document.documentElement);
  attached = true;
}
