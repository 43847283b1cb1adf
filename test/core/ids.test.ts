import { expect } from '@open-wc/testing';
import { uuidv7 } from '../../core/platform/ids.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const timeOf = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
const counterOf = (id: string) => parseInt(id.slice(15, 18), 16);

// The module keeps the last millisecond it used: each test moves further on.
describe('uuidv7', () => {
  it('is an RFC 9562 version 7 UUID whose first 48 bits are the time in milliseconds', () => {
    const id = uuidv7();
    expect(id).to.match(V7);
    expect(Math.abs(timeOf(id) - Date.now())).to.be.below(1000);
    const later = Date.now() + 60_000;
    expect(timeOf(uuidv7(later))).to.equal(later);
    expect(uuidv7(0xfffffffffff0).slice(0, 13)).to.equal('ffffffff-fff0');
  });

  it('sorts each id after the one before, within a millisecond and across a clock going back', () => {
    const start = 0xfffffffffff1;
    const ids = [uuidv7(start), ...Array.from({ length: 999 }, () => uuidv7(start)), uuidv7(5)];
    for (const id of ids) expect(id).to.match(V7);
    expect(new Set(ids).size).to.equal(ids.length);
    expect([...ids].sort()).to.deep.equal(ids);
    // A new millisecond starts the counter below 2,048; within it, it counts up by one.
    expect(counterOf(ids[0]!)).to.be.below(0x800);
    expect(counterOf(ids[1]!)).to.equal(counterOf(ids[0]!) + 1);
    expect(timeOf(ids[999]!)).to.equal(start);
    expect(timeOf(ids[1000]!)).to.equal(start); // the clock went back to 5: the last ms stays
  });

  it('moves on by a millisecond when the counter runs out', () => {
    const start = 0xfffffffffff5;
    const ids = Array.from({ length: 4200 }, () => uuidv7(start));
    expect([...ids].sort()).to.deep.equal(ids);
    expect(timeOf(ids[0]!)).to.equal(start);
    expect(timeOf(ids[4199]!)).to.equal(start + 1);
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('has random bits after the counter: no digit is stuck', () => {
    const ids = Array.from({ length: 500 }, () => uuidv7());
    for (const at of [20, 21, 22, 24, 30, 35]) {
      expect(new Set(ids.map((id) => id[at])).size, `digit ${at}`).to.be.greaterThan(4);
    }
  });
});
