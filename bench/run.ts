/**
 * `npm run bench`: runs every benchmark in {@link benchmarks} (or those `--only` names), each
 * within its time limit, writes `bench/results/latest.json` and prints a table. See
 * `docs/benchmarks.md`.
 *
 * Usage: npm run bench -- [--only name[,name…]] [--runs n] [--sockets n] [--postgres]
 *                         [--no-build] [--out file] [--list] [--help]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { callSetup } from './call-setup.js';
import { cdnLoad } from './cdn-load.js';
import { cdnSize } from './cdn-size.js';
import { chatRender } from './chat-render.js';
import { coreSize } from './core-size.js';
import { elementSize } from './element-size.js';
import { gatewayMemory } from './gateway-memory.js';
import type { BenchContext, Benchmark, RunOptions } from './lib/benchmark.js';
import { describeMachine, settle } from './lib/machine.js';
import { createProbes } from './lib/probes.js';
import { Recorder, type BenchmarkResult } from './lib/report.js';
import { root } from './lib/size.js';
import { formatTable } from './lib/table.js';
import { messageLatency } from './message-latency.js';
import { messageThroughput } from './message-throughput.js';

/** Every benchmark, in the order they run. Register a new one here. */
const benchmarks: Benchmark[] = [
  cdnSize,
  coreSize,
  elementSize,
  cdnLoad,
  gatewayMemory,
  callSetup,
  messageLatency,
  messageThroughput,
  chatRender,
];

const usage = `npm run bench -- [options]

Options:
  --only <names>   run only these benchmarks: comma-separated names, or parts of names
                   ("size" runs cdn-size, core-size and element-size)
  --runs <n>       runs of each timed benchmark instead of its default (sizes always build once)
  --sockets <n>    idle sockets per server in gateway-memory (default 10000; 20000 judges the
                   sockets-per-process target)
  --postgres       message-latency and message-throughput also measure the gateway on
                   PostgreSQL (a throwaway local cluster; extra figures, no target)
  --no-build       use dist/ as it is instead of running \`npm run build\` first
  --out <file>     where to write the results (default bench/results/latest.json)
  --list           list the benchmarks and exit
  --help           show this help

Benchmarks: ${benchmarks.map((b) => b.name).join(', ')}
`;

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function positiveInteger(
  name: string,
  text: string | undefined,
  fallback?: number,
): number | undefined {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    fail(`--${name} must be a whole number ≥ 1; got '${text}'`);
  return Number(text);
}

function parse() {
  try {
    return parseArgs({
      options: {
        only: { type: 'string', multiple: true },
        runs: { type: 'string' },
        sockets: { type: 'string' },
        postgres: { type: 'boolean', default: false },
        'no-build': { type: 'boolean', default: false },
        out: { type: 'string' },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail(`${(error as Error).message}\n\n${usage}`);
  }
}

/** The benchmarks `--only` selects (all without it). */
function select(only: string[] | undefined): Benchmark[] {
  if (!only) return benchmarks;
  const names = only
    .flatMap((o) => o.split(','))
    .map((n) => n.trim())
    .filter(Boolean);
  const chosen = benchmarks.filter((b) => names.some((n) => b.name === n || b.name.includes(n)));
  if (chosen.length === 0)
    fail(
      `no benchmark matches ${names.join(', ')}; there are ${benchmarks.map((b) => b.name).join(', ')}`,
    );
  return chosen;
}

async function runOne(
  benchmark: Benchmark,
  options: RunOptions,
  probes: BenchContext['probes'],
): Promise<BenchmarkResult> {
  const record = new Recorder();
  const controller = new AbortController();
  const cleanups: Array<() => unknown> = [];
  let finished = false;
  const context: BenchContext = {
    options,
    runs: (defaultRuns) => options.runs ?? defaultRuns,
    log: (message) => process.stderr.write(`[bench] ${benchmark.name}: ${message}\n`),
    signal: controller.signal,
    defer: (cleanup) => {
      if (!finished) cleanups.push(cleanup);
      // A resource that arrives after the end (after a timeout) is released at once.
      else
        Promise.resolve()
          .then(cleanup)
          .catch(() => undefined);
    },
    probes,
  };
  // What an earlier benchmark left running (a gateway, Chromium) winds down first.
  const settled = await settle();
  const limit = benchmark.timeoutMs(options);
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  process.stderr.write(`[bench] ${benchmark.name}: ${benchmark.title}\n`);
  try {
    const running = benchmark.run(context, record);
    running.catch(() => undefined); // after a timeout it fails on its own; that is expected
    await Promise.race([
      running,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new Error(`timed out after ${Math.round(limit / 1000)} s`);
          controller.abort(error);
          reject(error);
        }, limit);
      }),
    ]);
  } catch (error) {
    record.status = 'error';
    record.reason = (error as Error).message;
    process.stderr.write(`[bench] ${benchmark.name}: error: ${(error as Error).stack ?? error}\n`);
  } finally {
    clearTimeout(timer);
    finished = true;
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // a clean-up that fails must not hide the result
      }
    }
  }
  return { ...record.result(benchmark.name, benchmark.title, performance.now() - start), settled };
}

async function main(): Promise<void> {
  const values = parse();
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  if (values.list) {
    for (const b of benchmarks) process.stdout.write(`${b.name.padEnd(20)} ${b.title}\n`);
    return;
  }
  const selected = select(values.only);
  const runs = positiveInteger('runs', values.runs);
  const options: RunOptions = {
    ...(runs === undefined ? {} : { runs }),
    sockets: positiveInteger('sockets', values.sockets, 10_000)!,
    ...(values.postgres && { postgres: true }),
  };
  const out = resolve(values.out ?? join(root, 'bench', 'results', 'latest.json'));
  const started = new Date();
  const wallStart = performance.now();

  if (!values['no-build']) {
    process.stderr.write('[bench] npm run build\n');
    const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
    if (build.status !== 0) fail(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  }

  const machine = await describeMachine(started);
  const probes = createProbes();
  const results: BenchmarkResult[] = [];
  for (const benchmark of selected) results.push(await runOne(benchmark, options, probes));

  const durationMs = performance.now() - wallStart;
  const report = {
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    options,
    machine,
    durationMs,
    benchmarks: results,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${formatTable(results, machine)}\n`);
  process.stdout.write(
    `\nwall time ${(durationMs / 1000).toFixed(1)} s; results in ${relative(process.cwd(), out)}\n`,
  );
  if (results.some((r) => r.status === 'error')) process.exitCode = 1;
}

await main();
