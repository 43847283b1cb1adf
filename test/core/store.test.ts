import { expect } from '@open-wc/testing';
import { Store } from '../../core/store.js';

describe('Store', () => {
  it('select gives the current value first, then each change of the slice only', () => {
    const store = new Store({ a: 1, b: 1 });
    const seen: Array<[number, number | undefined]> = [];
    const stop = store.select(
      (s) => s.a,
      (v, prev) => seen.push([v, prev]),
    );
    store.update((s) => ({ ...s, b: 2 }));
    store.update((s) => ({ ...s, a: 2 }));
    stop();
    store.update((s) => ({ ...s, a: 3 }));
    expect(seen).to.deep.equal([
      [1, undefined],
      [2, 1],
    ]);
  });

  it('update returning the same state notifies nobody', () => {
    const store = new Store({ a: 1 });
    let calls = 0;
    store.subscribe(() => calls++);
    store.update((s) => s);
    expect(calls).to.equal(0);
  });

  it('a listener that updates again leaves every listener with the newest state, in order', () => {
    const store = new Store({ user: 'ada' as string | null, self: 'ada' as string | null });
    // The first listener derives `self` from `user` (as the client does), updating again.
    store.select(
      (s) => s.user,
      (user) => store.update((s) => ({ ...s, self: user })),
    );
    const seen: Array<string | null> = [];
    const states: Array<[string | null, string | null]> = [];
    store.select(
      (s) => s.self,
      (self) => seen.push(self),
    );
    store.subscribe((state, previous) => states.push([previous.self, state.self]));
    store.update((s) => ({ ...s, user: null }));
    expect(seen).to.deep.equal(['ada', null]);
    // Each change once, in order: the user's (self unchanged yet), then self's.
    expect(states).to.deep.equal([
      ['ada', 'ada'],
      ['ada', null],
    ]);
    expect(store.getState().self).to.equal(null);
  });
});
