/**
 * Preloaded (`node --expose-gc --import …/stats-preload.mjs`) into every server process a
 * benchmark measures, the gateway and the bare `ws` baseline alike, so both are measured the
 * same way without changing either: on `{type: 'bench:stats', id}` over the IPC channel it
 * collects garbage twice (when `gc` is exposed) and answers `{rss, heapUsed, heapTotal,
 * external}` in bytes. Does nothing when the process has no IPC channel.
 *
 * A server holding as many sockets as its open-files limit allows cannot open a file, and
 * `process.memoryUsage()` opens `/proc/self/stat` to read the RSS. So on Linux the RSS comes
 * from `/proc/self/statm` opened once at start, and the heap from `v8.getHeapStatistics()`.
 */
import { openSync, readSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

function statmReader() {
  let fd;
  try {
    fd = openSync('/proc/self/statm', 'r');
  } catch {
    return null;
  }
  const buffer = Buffer.alloc(256);
  const pages = () => {
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return Number(buffer.toString('latin1', 0, length).split(' ')[1]);
  };
  // The page size: the RSS Node reports over resident pages, rounded to a power of two.
  const ratio = process.memoryUsage.rss() / pages();
  const pageSize = 2 ** Math.round(Math.log2(ratio));
  return () => pages() * pageSize;
}

function memory(rss) {
  const heap = getHeapStatistics();
  return {
    rss: rss ? rss() : process.memoryUsage.rss(),
    heapUsed: heap.used_heap_size,
    heapTotal: heap.total_heap_size,
    external: heap.external_memory,
  };
}

if (process.send) {
  const rss = statmReader();
  process.on('message', (message) => {
    if (message?.type !== 'bench:stats') return;
    const answer = () =>
      process.send?.({ type: 'bench:stats', id: message.id, memory: memory(rss) });
    if (typeof globalThis.gc !== 'function') return answer();
    globalThis.gc();
    setImmediate(() => {
      globalThis.gc?.();
      answer();
    });
  });
  // The channel must not keep a server alive that was told to stop.
  process.channel?.unref();
}
