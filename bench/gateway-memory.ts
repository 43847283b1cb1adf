/**
 * Gateway: memory per idle authenticated socket, and sockets per process.
 *
 * Each run starts a fresh server process (`node --expose-gc` with `bench/servers/
 * stats-preload.mjs`, which answers `process.memoryUsage()` after two collections over IPC),
 * warms it with 100 sockets (opened, then closed), reads its memory, then has load generators
 * (separate processes, `bench/load/idle-sockets.ts`, at most 5,000 sockets each) open
 * `--sockets` WebSockets to it on 127.0.0.1. Every socket sends one `ping` and waits for its
 * reply, so it counts only once the server accepted and answered it; then all sit idle for a
 * second and the memory is read again. Per socket = (after − before) ÷ sockets held, as RSS
 * (what the OS gives the process; the figure judged) and as V8 heap + external.
 *
 * - Gateway: the built gateway (`dist/node/server/bin.js`) in a fresh working folder. Its sockets
 *   authenticate as a client does: one user per 100 sockets signs up and logs in
 *   (`Routes.SIGNUP`, `Routes.LOGIN`), and each socket offers `comms-kit.v1` +
 *   `bearer.<accessToken>` at `Routes.WEBSOCKET`. The users sign up once, through a set-up
 *   gateway process of their own (no auth rate limit), and each measured gateway starts on a
 *   copy of its data folder (`--data`; the signing key is stored, so the tokens hold): the
 *   measured process hashes no password, whose freed Argon2 memory would stay resident and
 *   hide the sockets' RSS growth. Users older than 10 minutes are signed up anew (access tokens
 *   live 15).
 * - Baseline, same load in the same run: `bench/servers/bare-ws.mjs`, a bare `ws` server that
 *   selects the subprotocol and answers `ping`, with no auth and no state.
 * - The two alternate within each run; the ratio is the median of per-run ratios.
 *
 * "Not built" until the gateway accepts authenticated WebSockets (`probeGateway` in
 * `bench/lib/gateway.ts`: sign up, log in, open `/v1/ws`, get a ping answered); the baseline
 * is measured either way.
 *
 * Targets: gateway RSS per socket ≤ 1.5× bare; ≥ 20,000 sockets held by one process (judged
 * only when `--sockets` ≥ 20,000). A process's open-files limit (`ulimit -n`) caps the sockets
 * asked for; where it lies below the target, the target is "not judged" and its note says the
 * limit, not the server, stopped it.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Routes } from '../core/protocol/constants.js';
import { checkAborted, type BenchContext, type Benchmark } from './lib/benchmark.js';
import { bearerProtocols, createUsers, webSocketUrl } from './lib/gateway.js';
import { openIdleSockets } from './lib/load.js';
import { openFilesLimit, startMeasuredServer, type MemoryUsage } from './lib/processes.js';

const DEFAULT_RUNS = 5;
const SOCKETS_PER_USER = 100;
const WARMUP_SOCKETS = 100;
const IDLE_MS = 1000;
const TARGET_SOCKETS = 20_000;
/** File descriptors a server process uses besides its sockets (stdio, IPC, epoll, …), about. */
const FD_RESERVE = 100;

type Kind = 'gateway' | 'bare';

interface Sample {
  held: number;
  failed: number;
  errors: string[];
  openMs: number;
  /** Bytes per socket. */
  rss: number;
  heap: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Access tokens live 15 minutes: users signed up longer ago than this are signed up anew. */
const USERS_FRESH_MS = 10 * 60e3;

/**
 * The gateway's users, signed up by a gateway process of their own (no auth rate limit) in a
 * data folder that each measured gateway starts from a copy of. The measured process never
 * hashes a password: Argon2 leaves tens of MB of freed memory resident in the allocator's
 * arenas, which the sockets' allocations then reuse, so the RSS growth (even negative) would
 * say more about the sign-ups than about the sockets.
 */
interface Users {
  dir: string;
  protocols: string[][];
  at: number;
}

async function signUpUsers(context: BenchContext, count: number): Promise<Users> {
  const dir = mkdtempSync(join(tmpdir(), 'comms-kit-bench-users-'));
  context.defer(() => rmSync(dir, { recursive: true, force: true }));
  const users = Math.ceil(count / SOCKETS_PER_USER);
  context.log(`gateway: signing up ${users} user(s) in a set-up process`);
  const setup = await startMeasuredServer('gateway', ['--data', dir, '--auth-rate-limit', '0']);
  try {
    const protocols = (await createUsers(setup.url, users)).map(bearerProtocols);
    return { dir, protocols, at: Date.now() };
  } finally {
    await setup.stop();
  }
}

async function measureOnce(
  context: BenchContext,
  kind: Kind,
  count: number,
  users: Users | null,
): Promise<Sample> {
  let dataDir: string | undefined;
  if (kind === 'gateway') {
    dataDir = mkdtempSync(join(tmpdir(), 'comms-kit-bench-data-'));
    cpSync(users!.dir, dataDir, { recursive: true });
  }
  const server = await startMeasuredServer(kind, dataDir ? ['--data', dataDir] : []);
  const cleanUp = async () => {
    await server.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  context.defer(cleanUp);
  try {
    // The bare server ignores the token: the same offer as a client's.
    const protocols = users ? users.protocols : [bearerProtocols('bare')];
    const url = webSocketUrl(server.url);
    const warm = await openIdleSockets(url, protocols, WARMUP_SOCKETS);
    await warm.close();
    if (warm.held === 0)
      throw new Error(`${kind}: warm-up sockets failed: ${warm.errors.join('; ')}`);
    const before = await server.memory();
    checkAborted(context.signal);
    const load = await openIdleSockets(url, protocols, count);
    try {
      if (load.held === 0) throw new Error(`${kind}: no socket opened: ${load.errors.join('; ')}`);
      await sleep(IDLE_MS);
      const after = await server.memory();
      const heap = (m: MemoryUsage) => m.heapUsed + m.external;
      return {
        held: load.held,
        failed: load.failed,
        errors: load.errors,
        openMs: load.ms,
        rss: (after.rss - before.rss) / load.held,
        heap: (heap(after) - heap(before)) / load.held,
      };
    } finally {
      await load.close();
    }
  } finally {
    await cleanUp();
  }
}

export const gatewayMemory: Benchmark = {
  name: 'gateway-memory',
  title: 'Gateway memory per idle socket; sockets per process',
  timeoutMs: (options) =>
    60e3 +
    (options.runs ?? DEFAULT_RUNS) *
      2 *
      (15e3 + options.sockets * 3 + (options.sockets / SOCKETS_PER_USER) * 500),
  async run(context, record) {
    const probe = await context.probes.gateway();
    const kinds: Kind[] = probe.built ? ['bare', 'gateway'] : ['bare'];
    if (!probe.built) record.notBuilt(probe.reason);

    // One process holds at most its open-files limit (`ulimit -n`) of sockets, less what else
    // it has open: ask for more and the rest would only time out.
    const limit = openFilesLimit();
    const cap = limit ? limit.soft - FD_RESERVE : Infinity;
    const count = Math.min(context.options.sockets, cap);
    if (count < context.options.sockets) {
      record.notes.push(
        `asked for ${context.options.sockets} sockets; the open-files limit here (${limit!.soft}, hard ${limit!.hard}) lets one server process hold about ${cap}: ran ${count}`,
      );
    }

    const runs = context.runs(DEFAULT_RUNS);
    const samples: Record<Kind, Sample[]> = { bare: [], gateway: [] };
    let users: Users | null = null;
    for (let run = 0; run < runs; run++) {
      // Alternate which goes first, so drift over the run falls on both.
      for (const kind of run % 2 === 0 ? kinds : [...kinds].reverse()) {
        checkAborted(context.signal);
        if (kind === 'gateway' && (!users || Date.now() - users.at > USERS_FRESH_MS))
          users = await signUpUsers(context, count);
        context.log(`run ${run + 1}/${runs}: ${kind}, ${count} sockets`);
        const sample = await measureOnce(context, kind, count, kind === 'gateway' ? users : null);
        samples[kind].push(sample);
        if (sample.failed > 0) {
          record.notes.push(
            `${kind} run ${run + 1}: ${sample.failed} of ${count} sockets failed (${sample.errors.join('; ')})`,
          );
        }
      }
    }

    const put = (kind: Kind, role: 'figure' | 'baseline') => {
      const list = samples[kind];
      const name = kind === 'gateway' ? 'gateway' : 'bare ws';
      const add = role === 'figure' ? record.figure.bind(record) : record.baseline.bind(record);
      add(
        `${kind}.rss`,
        `${name}: RSS per idle socket`,
        'B',
        list.map((s) => s.rss),
      );
      add(
        `${kind}.heap`,
        `${name}: heap+external per idle socket`,
        'B',
        list.map((s) => s.heap),
      );
      add(
        `${kind}.held`,
        `${name}: sockets held by one process`,
        'sockets',
        list.map((s) => s.held),
      );
      const seconds = list.map((s) => (s.openMs / 1000).toFixed(1)).join(', ');
      record.notes.push(`${name}: opened ${count} sockets in ${seconds} s per run`);
    };
    put('bare', 'baseline');
    if (probe.built) {
      put('gateway', 'figure');
      record.ratio('rss.ratio', 'gateway ÷ bare ws, RSS per socket', 'gateway.rss', 'bare.rss');
      record.ratio('heap.ratio', 'gateway ÷ bare ws, heap per socket', 'gateway.heap', 'bare.heap');
    }
    record.target('rss.ratio', '<=', 1.5, '×', 'RSS per socket ≤ 1.5× bare');
    // Judged only on a load that can reach it, on a machine that lets one process hold it.
    const held = Math.min(...samples.gateway.map((s) => s.held));
    let unjudged: string | undefined;
    if (count < TARGET_SOCKETS && cap < TARGET_SOCKETS) {
      // Not the server: this machine's limit stops any process short of the target.
      unjudged =
        count >= cap && held >= count
          ? `held all ${held} sockets asked: the open-files limit here (${limit!.soft}, hard ${limit!.hard}), not the server, stops one process short of ${TARGET_SOCKETS}`
          : `ran ${count} sockets; the open-files limit here (${limit!.soft}, hard ${limit!.hard}) stops one process at about ${cap}, short of ${TARGET_SOCKETS}: this machine cannot judge it`;
    } else if (count < TARGET_SOCKETS) {
      unjudged = `ran ${count} sockets; --sockets ${TARGET_SOCKETS} judges it`;
    }
    record.target('gateway.held', '>=', TARGET_SOCKETS, 'sockets', '≥ 20,000 sockets', {
      ...(unjudged ? { unjudged } : {}),
    });
    record.notes.push(
      `${Routes.WEBSOCKET}, ${count} sockets per server per run, one user per ${SOCKETS_PER_USER} gateway sockets`,
    );
  },
};
