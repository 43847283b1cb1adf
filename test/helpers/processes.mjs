/**
 * What the helpers that run a server program for the tests share (coturn, Kamailio): stopping
 * its process, and the test runner's plugin that starts and stops such servers for browser
 * tests through server commands. Plain JavaScript, for the Node tests and the runner alike.
 */
import { once } from 'node:events';

/** Stops `child` (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. */
export async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * A @web/test-runner plugin whose server commands start servers for browser tests:
 *
 *   <prefix>:start  {…options} → {id, …describe(server)}   start one with `start(options)`
 *   <prefix>:output {id}       → what it logged so far      (for a failing test's message)
 *   <prefix>:stop   {id}                                    stop it
 *
 * Every server still running when the runner stops is stopped.
 */
export function serversPlugin({ name, prefix, start, describe }) {
  const servers = new Map();
  let nextId = 0;

  async function stop(id) {
    const server = servers.get(String(id));
    if (!server) throw new Error(`no ${prefix} ${id}`);
    servers.delete(String(id));
    await server.stop();
  }

  return {
    name,
    async executeCommand({ command, payload }) {
      switch (command) {
        case `${prefix}:start`: {
          const server = await start(payload ?? {});
          const id = String(++nextId);
          servers.set(id, server);
          return { id, ...describe(server) };
        }
        case `${prefix}:output`:
          return servers.get(String(payload.id))?.output() ?? '';
        case `${prefix}:stop`:
          await stop(payload.id);
          return true;
        default:
          return undefined;
      }
    },
    async serverStop() {
      await Promise.all([...servers.keys()].map((id) => stop(id)));
    },
  };
}
