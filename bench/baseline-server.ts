/**
 * The baseline: a bare Socket.IO server in a process of its own (no hub, no database, no Redis).
 * Each client joins the room of the order it watches; on request the server emits the same
 * messages as the hub's `order.modified` events, at a fixed rate, to rooms of 3 sockets, and
 * reports when it emitted each one (the reference time of the baseline's latency).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { nowMs } from './lib/clock.js';
import { EMIT_WIDTH, reply, type BaselineRequest } from './lib/messages.js';
import { runAtRate } from './lib/rate.js';
import { RecordBuffer } from './lib/stats.js';

const httpServer = createServer();
// The hub's Socket.IO options, so the two differ only by what the hub does around them.
const io = new Server(httpServer, {
  transports: ['websocket'],
  serveClient: false,
  maxHttpBufferSize: 32 * 1024,
  pingInterval: 10_000,
  pingTimeout: 5_000,
});

io.on('connection', (socket) => {
  const orderIdx = Number((socket.handshake.auth as { orderIdx?: unknown }).orderIdx);
  if (Number.isInteger(orderIdx) && orderIdx >= 0) void socket.join(`order:${orderIdx}`);
  else socket.disconnect(true);
});

let seq = 0;
const versions = new Map<number, number>();

async function run(request: Extract<BaselineRequest, { type: 'run' }>): Promise<void> {
  const log = new RecordBuffer(EMIT_WIDTH, 1 << 15);
  const orders = request.orderIds.length;
  let messageBytes = 0;
  const result = await runAtRate({
    rate: request.rate,
    durationMs: request.durationMs,
    maxInFlight: Number.MAX_SAFE_INTEGER,
    op: (i) => {
      const orderIdx = i % orders;
      const version = (versions.get(orderIdx) ?? 1) + 1;
      versions.set(orderIdx, version);
      seq += 1;
      const sentAt = nowMs();
      const message = {
        ...request.template,
        seq,
        orderId: request.orderIds[orderIdx],
        version,
        at: new Date(sentAt).toISOString(),
        sentAt,
      };
      if (i === 0) messageBytes = JSON.stringify(message).length;
      io.to(`order:${orderIdx}`).emit('event', message);
      log.push(orderIdx, version, sentAt);
    },
  });
  reply({ type: 'ran', id: request.id, log: log.take(), run: result, messageBytes });
}

process.on('message', (raw) => {
  const request = raw as BaselineRequest;
  if (request.type === 'run') void run(request);
  else if (request.type === 'sockets')
    reply({ type: 'sockets', id: request.id, count: io.engine.clientsCount });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});

httpServer.listen(0, '127.0.0.1', () => {
  reply({ type: 'ready', port: (httpServer.address() as AddressInfo).port });
});
