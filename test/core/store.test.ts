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
});
