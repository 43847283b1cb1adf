/**
 * What one story started: clients, scripted users' timers, stubs. Storybook's `beforeEach`
 * (in `.storybook/preview.ts`) disposes a story's scope when the story goes away, so calls,
 * peer connections and stubs never leak into the next story.
 */
export class StoryScope {
  #cleanups: Array<() => unknown> = [];

  /** Runs `cleanup` when the story goes away (the last added runs first). */
  add(cleanup: () => unknown): void {
    this.#cleanups.push(cleanup);
  }

  /** `setTimeout` that is cancelled when the story goes away. */
  after(ms: number, action: () => unknown): void {
    const timer = setTimeout(() => void action(), ms);
    this.add(() => clearTimeout(timer));
  }

  /** `setInterval` that is cancelled when the story goes away. */
  every(ms: number, action: () => unknown): void {
    const timer = setInterval(() => void action(), ms);
    this.add(() => clearInterval(timer));
  }

  /** Runs every clean-up (errors are logged, and the others still run). */
  async dispose(): Promise<void> {
    const cleanups = this.#cleanups.reverse();
    this.#cleanups = [];
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch (error) {
        console.warn('story clean-up failed', error);
      }
    }
  }
}

const scopes = new Map<string, StoryScope>();

/** The scope of the story `context` belongs to (loaders, render and play share it). */
export function scopeOf(context: { id: string }): StoryScope {
  let scope = scopes.get(context.id);
  if (!scope) {
    scope = new StoryScope();
    scopes.set(context.id, scope);
  }
  return scope;
}

/** Disposes the scope of story `id` (called by the preview's `beforeEach` clean-up). */
export async function disposeScope(id: string): Promise<void> {
  const scope = scopes.get(id);
  scopes.delete(id);
  await scope?.dispose();
}
