/**
 * The benchmark harness's own parts: the benchmarks registered, statistics, how targets are
 * judged, the baseline's import list and the element subpaths, and the bare `ws` server with
 * the load generator and the memory stats (the machinery the gateway memory figure stands on).
 * Fast: no browser, a few dozen sockets.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { quantile, summarize } from '../../bench/lib/stats.js';
import { Recorder } from '../../bench/lib/report.js';
import {
  baselineImports,
  baselineSource,
  elementSubpaths,
  measure,
  root,
} from '../../bench/lib/size.js';
import { bearerProtocols, openAndPing, webSocketUrl } from '../../bench/lib/gateway.js';
import { openIdleSockets } from '../../bench/lib/load.js';
import { startMeasuredServer, type MeasuredServer } from '../../bench/lib/processes.js';
import { settle, type Machine } from '../../bench/lib/machine.js';
import { formatTable } from '../../bench/lib/table.js';

describe('bench registry', () => {
  it('npm run bench -- --list names every benchmark, in the order they run', () => {
    const listed = execFileSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--list'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.deepEqual(
      listed
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ')[0]),
      [
        'cdn-size',
        'core-size',
        'element-size',
        'cdn-load',
        'gateway-memory',
        'call-setup',
        'message-latency',
        'message-throughput',
        'chat-render',
      ],
    );
  });
});

describe('bench statistics', () => {
  it('interpolates quantiles between order statistics', () => {
    assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
    assert.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
    assert.equal(quantile([10], 0.99), 10);
    assert.throws(() => quantile([], 0.5), /no samples/);
  });

  it('summarises median and spread', () => {
    assert.deepEqual(summarize([5, 1, 3]), {
      n: 3,
      median: 3,
      min: 1,
      max: 5,
      q1: 2,
      q3: 4,
      p99: 4.96,
    });
  });
});

describe('bench targets', () => {
  it('judges a target on the median, and a ratio on per-run ratios', () => {
    const record = new Recorder();
    record.figure('a', 'a', 'ms', [10, 30, 20]);
    record.baseline('b', 'b', 'ms', [10, 10, 10]);
    record.ratio('a/b', 'a ÷ b', 'a', 'b');
    record.target('a', '<=', 20, 'ms', 'a ≤ 20 ms');
    record.target('a', '<=', 19, 'ms', 'a ≤ 19 ms');
    record.target('a/b', '>=', 2.5, '×', 'a ≥ 2.5× b');
    const result = record.result('t', 'test', 1);
    assert.equal(result.status, 'measured');
    assert.deepEqual(
      result.targets.map((t) => [t.label, t.actual, t.pass]),
      [
        ['a ≤ 20 ms', 20, true],
        ['a ≤ 19 ms', 20, false],
        ['a ≥ 2.5× b', 2, false],
      ],
    );
  });

  it('leaves a target unjudged when its subject is not built, or the run cannot judge it', () => {
    const record = new Recorder();
    record.figure('held', 'held', 'sockets', [2000]);
    record.target('held', '>=', 20000, 'sockets', '≥ 20,000', { unjudged: 'ran 2000' });
    record.target('missing', '<=', 1.5, '×', '≤ 1.5×');
    record.notBuilt('no gateway yet');
    const result = record.result('t', 'test', 1);
    assert.equal(result.status, 'not built');
    assert.equal(result.reason, 'no gateway yet');
    assert.deepEqual(
      result.targets.map((t) => [t.pass, t.note]),
      [
        [null, 'ran 2000'],
        [null, 'not built'],
      ],
    );
  });
});

describe('bench settling: each benchmark starts on quiet CPUs', () => {
  it('waits for a whole window, and says how idle the CPUs were', async () => {
    const settled = await settle({ idle: 0, windowMs: 200 });
    assert.ok(settled.waitedMs >= 190, `waited ${settled.waitedMs} ms`);
    assert.ok(settled.idle >= 0 && settled.idle <= 1, `idle ${settled.idle}`);
  });

  it('on CPUs kept busy, waits no longer than it may, and reports them busy', async () => {
    // One busy loop a CPU, for a little longer than the wait allowed.
    const hogs = cpus().map(() =>
      spawn(process.execPath, ['-e', 'const end = Date.now() + 3000; while (Date.now() < end);'], {
        stdio: 'ignore',
      }),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const settled = await settle({ idle: 0.9, windowMs: 300, maxMs: 900 });
      assert.ok(settled.idle < 0.9, `idle ${settled.idle} with every CPU busy`);
      assert.ok(settled.waitedMs >= 900 && settled.waitedMs < 2000, `waited ${settled.waitedMs}`);
    } finally {
      for (const hog of hogs) hog.kill('SIGKILL');
    }
  });

  it('the table says how idle each benchmark started', () => {
    const result = {
      ...new Recorder().result('quiet', 'a benchmark', 1),
      settled: { idle: 0.97, waitedMs: 1200 },
    };
    const machine: Machine = {
      date: '2026-11-24T00:00:00.000Z',
      cpus: 2,
      cpuModel: 'cpu',
      node: 'v20',
      chromium: null,
      os: 'linux',
      memory: 1,
      openFiles: null,
      loadAverage: [0, 0, 0],
    };
    assert.match(
      formatTable([result], machine),
      /CPU idle before each \(waited\): quiet 97% \(1\.2 s\)/,
    );
  });
});

describe('bench sizes', () => {
  it('lists what the CDN bundle imports from the baseline packages, values only', () => {
    const imports = baselineImports();
    assert.ok(imports.get('lit')?.has('LitElement'));
    assert.ok(imports.get('@lit/context')?.has('createContext'));
    assert.ok(imports.get('nanoevents')?.has('createNanoEvents'));
    assert.ok([...imports.keys()].some((s) => s.startsWith('webrtc-adapter')));
    // store-controller.ts imports only types from lit.
    assert.ok(!imports.get('lit')?.has('ReactiveController'));
    assert.ok(!imports.has('sdp-transform'), 'sdp-transform is not part of the baseline');
    assert.match(baselineSource(imports), /import \{ .*LitElement as _\d+.* \} from "lit";/);
  });

  it("lists the elements exported one by one (element-size's pages), from package.json", () => {
    assert.deepEqual(elementSubpaths(), [
      'client',
      'login',
      'dialer',
      'call-view',
      'device-picker',
      'presence',
      'chat',
      'voicemail',
    ]);
  });

  it('compresses: gzip and brotli are smaller than the raw code', () => {
    const sizes = measure('export const x = "comms-kit";\n'.repeat(200));
    assert.ok(sizes.gzip < sizes.raw && sizes.brotli < sizes.raw);
  });
});

describe('bench machinery: bare ws server, load generator, memory stats', () => {
  let server: MeasuredServer;
  before(async () => {
    server = await startMeasuredServer('bare');
  });
  after(async () => {
    await server.stop();
  });

  it('answers a ping on the gateway subprotocol', async () => {
    const socket = await openAndPing(webSocketUrl(server.url), bearerProtocols('x'));
    assert.equal(socket.protocol, 'comms-kit.v1');
    socket.close();
  });

  it('holds the sockets the generators open, and reports memory', async () => {
    const before = await server.memory();
    assert.ok(before.rss > 0 && before.heapUsed > 0);
    const load = await openIdleSockets(webSocketUrl(server.url), [bearerProtocols('x')], 40);
    try {
      assert.equal(load.held, 40, load.errors.join('; '));
      assert.equal(load.failed, 0);
    } finally {
      await load.close();
    }
    assert.ok((await server.memory()).rss > 0);
  });
});
