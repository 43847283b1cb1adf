/**
 * The bare `ws` baseline server: a `ws` WebSocketServer on 127.0.0.1 with nothing of the
 * gateway (no HTTP framework, no auth, no state per socket). It speaks just enough of the
 * gateway's protocol for the same load to run against both: it selects the gateway's
 * subprotocol and answers `{v, id, type: 'ping'}` with `{v, re, ok: true, time}`.
 * For the call-setup baseline it also relays: a socket opened with `?room=<name>` has every
 * `{type: 'relay', data}` frame it sends forwarded, as is, to the other sockets of its room.
 *
 * Usage: node bench/servers/bare-ws.mjs --subprotocol comms-kit.v1 --max-payload 65536
 * [--port n]. The benchmarks pass the values of `core/protocol/constants.ts` (plain Node runs
 * this file, so it cannot import TypeScript). Prints `listening on http://…` when ready.
 */
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    subprotocol: { type: 'string' },
    'max-payload': { type: 'string' },
  },
});
const subprotocol = values.subprotocol;
if (!subprotocol || !values['max-payload']) {
  process.stderr.write('bare-ws: --subprotocol and --max-payload are required\n');
  process.exit(1);
}

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(values.port),
  maxPayload: Number(values['max-payload']),
  handleProtocols: (protocols) => (protocols.has(subprotocol) ? subprotocol : false),
});

/** Room name → its sockets (relay mode). */
const rooms = new Map();

server.on('connection', (socket, request) => {
  const room = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('room');
  if (room) {
    if (!rooms.has(room)) rooms.set(room, new Set());
    rooms.get(room).add(socket);
    socket.on('close', () => {
      rooms.get(room)?.delete(socket);
      if (rooms.get(room)?.size === 0) rooms.delete(room);
    });
  }
  socket.on('message', (data) => {
    let frame;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return;
    }
    if (frame?.type === 'ping') {
      socket.send(JSON.stringify({ v: 1, re: frame.id, ok: true, time: Date.now() }));
    } else if (frame?.type === 'relay' && room) {
      const text = String(data);
      for (const other of rooms.get(room) ?? []) if (other !== socket) other.send(text);
    }
  });
});

// Out of file descriptors (accept: EMFILE) is an error on the listening socket: report it and
// keep serving the sockets already open, as a server should.
server.on('error', (error) => {
  process.stderr.write(`bare-ws: ${error.message}\n`);
});

server.on('listening', () => {
  const address = server.address();
  process.stdout.write(`bare ws listening on http://127.0.0.1:${address.port}\n`);
});

process.once('SIGTERM', () => {
  for (const socket of server.clients) socket.terminate();
  server.close(() => process.exit(0));
});
