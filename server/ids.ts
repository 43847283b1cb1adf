/**
 * Ids the gateway makes for records that are written often (messages).
 *
 * A UUIDv7 (`uuid`'s `v7`): time-ordered, so a store that indexes it appends to the index's
 * end instead of writing a random page, and each id sorts after the one made before it in this
 * process. `uuid` asks `crypto.getRandomValues` for 16 bytes per id, which costs about 2.4 µs
 * in Node 20 (a tenth of the gateway's CPU per message); here the random bits come from a pool
 * refilled 256 ids at a time (one 4 KB `randomFillSync` costs about as much as two of those
 * calls; Node's own `randomUUID` pools the same way, for v4).
 *
 * Given its random bytes, `v7` keeps no state between calls, so the order within one
 * millisecond is kept here, as `uuid` keeps it (RFC 9562, 6.2, method 1): a new millisecond
 * starts the 31-bit counter at a random value, and each id within it adds one (on overflow,
 * the millisecond moves on by one).
 */
import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

const IDS_PER_FILL = 256;
const pool = new Uint8Array(16 * IDS_PER_FILL);
let next = pool.length;

let msecs = -Infinity;
let seq = 0;

/** A new UUIDv7, after every one made before it in this process. */
export function newRecordId(): string {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const random = pool.subarray(next, (next += 16));
  const now = Date.now();
  if (now > msecs) {
    msecs = now;
    seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
  } else {
    seq = (seq + 1) | 0;
    if (seq === 0) msecs += 1;
  }
  // `v7` has read the random bytes when it returns; they are used once.
  v7({ random, msecs, seq }, bytes);
  return format(bytes);
}

const bytes = new Uint8Array(16);
const text = Buffer.alloc(36);
/** The ASCII codes of the hex digits. */
const HEX = Buffer.from('0123456789abcdef', 'latin1');

/**
 * A UUID's canonical text, as `uuid` writes it (lower-case hex, dashes after bytes 4, 6, 8 and
 * 10), made in one buffer and read out as one flat string. `uuid` concatenates twenty short
 * strings: ~1 µs an id, and a tree of strings that serialising and binding flatten again.
 */
function format(id: Uint8Array): string {
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = 0x2d; // '-'
    const byte = id[i]!;
    text[at++] = HEX[byte >>> 4]!;
    text[at++] = HEX[byte & 0x0f]!;
  }
  return text.toString('latin1', 0, 36);
}
