/**
 * UUIDv7s (RFC 9562, 5.7), made from the Web Crypto API (`getRandomValues`, which insecure
 * origins have too, unlike `randomUUID`): the Unix time in milliseconds (48 bits), the version,
 * a 12-bit counter, the variant and 62 random bits. Time-ordered: the gateway indexes a
 * sender's message ids, and ordered keys go to the end of that index instead of to a random
 * page. Each id sorts after the one made before it on this page (RFC 9562, 6.2, method 1): a
 * new millisecond starts the counter at a random value below 2,048, each id within it adds
 * one, and past 4,095 the millisecond moves on by one; a clock that goes back keeps the last
 * millisecond. `uuid`'s `v7`, which does the same, took 0.46 KB of the core's initial load.
 */
let ms = -Infinity;
let counter = 0;

/** A new UUIDv7, after every one made before it. `now` is for tests. */
export function uuidv7(now: number = Date.now()): string {
  const random = crypto.getRandomValues(new Uint8Array(10));
  if (now > ms) {
    ms = now;
    counter = ((random[0]! << 8) | random[1]!) & 0x7ff;
  } else if (++counter > 0xfff) {
    ms += 1;
    counter = 0;
  }
  const hex = Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('');
  const time = ms.toString(16).padStart(12, '0');
  const variant = ((random[2]! & 0x3f) | 0x80).toString(16);
  // xxxxxxxx-xxxx-7ccc-[89ab]xxx-xxxxxxxxxxxx
  return `${time.slice(0, 8)}-${time.slice(8)}-7${counter.toString(16).padStart(3, '0')}-${variant}${hex.slice(6, 8)}-${hex.slice(8)}`;
}
