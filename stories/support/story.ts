/**
 * Small pieces shared by the story files: a loader that builds a story's scene in its scope,
 * and the note a story shows when part of it is stubbed.
 */
import { html } from 'lit';
import type { Loader, StoryContext } from '@storybook/web-components-vite';
import { disposeScope, scopeOf, type StoryScope } from './scope.js';

/**
 * A loader that builds the scene (users, calls, stubs) before the story renders, in the
 * story's scope. The story reads it as `context.loaded.scene`. Storybook runs the loaders
 * again when an arg changes: the previous scene is disposed first, so its calls end.
 * One `scene` loader per story.
 */
export function scene<T>(
  build: (scope: StoryScope, context: StoryContext) => Promise<T> | T,
): Loader {
  return async (context) => {
    await disposeScope(context.id);
    return { scene: await build(scopeOf(context), context as StoryContext) };
  };
}

/** The scene built by {@link scene}. */
export function sceneOf<T>(context: StoryContext): T {
  return context.loaded.scene as T;
}

/** A visible note above a story, headed by `label`. */
const noteBox = (label: string, text: string) =>
  html`<p
    role="note"
    style="margin: 0 0 1rem; padding: 0.5rem 0.75rem; border: 1px dashed currentColor; border-radius: 0.5rem; font-size: 0.875rem; max-width: 26rem; overflow-wrap: anywhere;"
  >
    <strong>${label}</strong> ${text}
  </p>`;

/** A visible note above a story whose environment is partly stubbed (so no one mistakes it). */
export const stubNote = (text: string) => noteBox('Stubbed:', text);

/** A note above a story that needs something the page lacks (a gateway), saying what. */
export const needsNote = (text: string) => noteBox('Needs a gateway:', text);

/** The width most stories give their element (and the 320 px phone viewport's fit). */
export const frame = (content: unknown) =>
  html`<div style="max-width: 28rem; width: 100%;">${content}</div>`;

/**
 * Resolves with what `find` returns once it returns something (checked at each animation
 * frame), for play functions that act on an element's shadow DOM; rejects after `ms`.
 */
export function waitFor<T>(find: () => T | null | undefined, ms = 10_000): Promise<T> {
  const deadline = performance.now() + ms;
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = find();
      if (found) resolve(found);
      else if (performance.now() > deadline)
        reject(new Error(`waitFor: not found within ${ms} ms`));
      else requestAnimationFrame(check);
    };
    check();
  });
}
