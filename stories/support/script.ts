/**
 * Scripts for the other users of a story: what "them" does, through their own client on the
 * same hub (call me, answer, hold me, hang up). Each step resolves when the state it produces
 * has reached both sides, so a story's loader can build a scene step by step, and a story can
 * schedule steps with `scope.after(ms, …)`.
 */
import type { MediaRequest } from '../../core/media/types.js';
import type { StoryScope } from './scope.js';
import { until, type StoryUser } from './users.js';

const AUDIO: MediaRequest = { audio: true };

/** The state of call `id` as `user` sees it. */
const stateOf = (user: StoryUser, id: string) => user.client.store.getState().call.calls[id];

/** `from` calls `to`; resolves with the call's id once it rings at `to`. */
export async function ring(from: StoryUser, to: StoryUser, media = AUDIO): Promise<string> {
  const id = from.client.call.make(to.id, media);
  await until(to.client, (s) => s.call.calls[id]?.state === 'Ringing');
  return id;
}

/** `user` answers call `id` (ringing at them); resolves once both sides are connected. */
export async function answer(
  user: StoryUser,
  id: string,
  caller: StoryUser,
  media = AUDIO,
): Promise<void> {
  await user.client.call.answer(id, media);
  await until(caller.client, (s) => s.call.calls[id]?.state === 'Connected');
  await until(user.client, (s) => s.call.calls[id]?.state === 'Connected');
}

/** `from` calls `to` and `to` answers; resolves with the call's id once both are connected. */
export async function connect(from: StoryUser, to: StoryUser, media = AUDIO): Promise<string> {
  const id = await ring(from, to, media);
  await answer(to, id, from, media);
  return id;
}

/** `user` holds call `id`; resolves once `other` sees it held remotely. */
export async function hold(user: StoryUser, id: string, other: StoryUser): Promise<void> {
  await user.client.call.hold(id);
  await until(other.client, (s) => s.call.calls[id]?.remoteHold === true);
}

/** `user` ends call `id` (hang up, cancel or decline). */
export async function hangUp(user: StoryUser, id: string): Promise<void> {
  if (stateOf(user, id)) await user.client.call.end(id);
}

/**
 * `user` answers every call that rings at them, after `delay` ms, for as long as the story
 * shows. Returns nothing: it stops with the story.
 */
export function answerEveryCall(
  scope: StoryScope,
  user: StoryUser,
  { delay = 1000, media = AUDIO }: { delay?: number; media?: MediaRequest } = {},
): void {
  const seen = new Set<string>();
  const stop = user.client.store.subscribe((state) => {
    for (const call of Object.values(state.call.calls)) {
      if (call.direction !== 'incoming' || call.state !== 'Ringing' || seen.has(call.id)) continue;
      seen.add(call.id);
      scope.after(delay, () => user.client.call.answer(call.id, media).catch(() => undefined));
    }
  });
  scope.add(stop);
}
