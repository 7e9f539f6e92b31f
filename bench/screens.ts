/**
 * The simulated screens: a separate process (forked by bench/realtime.ts) that opens thousands of
 * Socket.IO connections, as customers' tracking pages would, and records every event each one
 * receives with its arrival time. It only receives; the writes come from another process.
 */
import { io, type Socket } from 'socket.io-client';
import { nowMs } from './lib/clock.js';
import { jsonClient, type JsonClient } from './lib/http.js';
import { RECEIPT_WIDTH, reply, type ScreensRequest } from './lib/messages.js';
import { RecordBuffer } from './lib/stats.js';

type EventLike = { seq?: unknown; orderId?: unknown; version?: unknown; at?: unknown };

const receipts = new RecordBuffer(RECEIPT_WIDTH, 1 << 16);
const sockets: Socket[] = [];
let orderIndex = new Map<string, number>();
let connectedOnce = false;
let disconnects = 0;
let resyncs = 0;
const reasons = new Set<string>();
let sample: Record<string, unknown> | null = null;
let sampledBytes = 0;
let sampled = 0;

function onEvent(socketIdx: number, event: EventLike): void {
  const receivedAt = nowMs();
  const orderIdx = typeof event.orderId === 'string' ? (orderIndex.get(event.orderId) ?? -1) : -1;
  receipts.push(
    socketIdx,
    orderIdx,
    typeof event.version === 'number' ? event.version : -1,
    typeof event.seq === 'number' ? event.seq : -1,
    receivedAt,
    typeof event.at === 'string' ? Date.parse(event.at) : Number.NaN,
  );
  if (sampled < 200) {
    sampled++;
    sampledBytes += JSON.stringify(event).length;
    sample ??= event as Record<string, unknown>;
  }
}

function openSocket(url: string, auth: Record<string, unknown>, socketIdx: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 60_000,
      auth,
    });
    socket.on('event', (e: EventLike) => onEvent(socketIdx, e));
    socket.on('resync', () => resyncs++);
    socket.once('connect', () => {
      socket.off('connect_error');
      socket.on('disconnect', (reason: string) => {
        if (!connectedOnce) return;
        disconnects++;
        if (reasons.size < 10) reasons.add(reason);
      });
      resolve(socket);
    });
    socket.once('connect_error', (error: Error) => {
      socket.close();
      reject(error);
    });
  });
}

async function connectAll(request: Extract<ScreensRequest, { type: 'connect' }>): Promise<void> {
  const started = Date.now();
  orderIndex = new Map(request.orderIds.map((id, i) => [id, i]));
  const http = new Map<string, JsonClient>(
    request.urls.map((u) => [u, jsonClient(u, { maxSockets: request.concurrency })]),
  );
  let next = 0;
  let connected = 0;
  let failed = 0;
  const failedSockets: number[] = [];
  const errors: string[] = [];
  const progress = setInterval(
    () => reply({ type: 'progress', connected, failed, total: request.count }),
    500,
  );

  async function connectOne(i: number): Promise<void> {
    const orderIdx = Math.floor(i / request.perOrder);
    const url = request.urls[i % request.urls.length]!;
    if (request.system === 'baseline') {
      sockets[i] = await openSocket(url, { orderIdx }, i);
      return;
    }
    const token = request.tokens![orderIdx]!;
    // As a tracking page does: the snapshot and its seq, then the socket, then subscribe from it.
    const snapshot = await http
      .get(url)!
      .request<{ seq: number }>('GET', `/api/orders/track/${token}/snapshot`);
    if (snapshot.status !== 200) throw new Error(`snapshot answered ${snapshot.status}`);
    const socket = await openSocket(url, { trackingToken: token }, i);
    sockets[i] = socket;
    const ack = (await socket.timeout(60_000).emitWithAck('subscribe', { since: snapshot.body.seq })) as {
      ok: boolean;
      data?: { reload: boolean };
      error?: { code: string };
    };
    if (!ack.ok) throw new Error(`subscribe refused: ${ack.error?.code}`);
    if (ack.data?.reload) throw new Error('subscribe answered "reload the snapshot"');
  }

  async function worker(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= request.count) return;
      try {
        await connectOne(i);
        connected++;
      } catch (error) {
        failed++;
        failedSockets.push(i);
        sockets[i]?.disconnect();
        if (errors.length < 10) errors.push(`socket ${i}: ${(error as Error).message}`);
      }
    }
  }

  await Promise.all(Array.from({ length: request.concurrency }, () => worker()));
  clearInterval(progress);
  for (const c of http.values()) c.close();
  connectedOnce = true;
  reply({
    type: 'connected',
    id: request.id,
    connected,
    failed,
    failedSockets,
    errors,
    ms: Date.now() - started,
  });
}

process.on('message', (raw) => {
  const request = raw as ScreensRequest;
  switch (request.type) {
    case 'connect':
      void connectAll(request);
      break;
    case 'collect':
      reply({
        type: 'collected',
        id: request.id,
        receipts: receipts.take(),
        disconnects,
        resyncs,
        reasons: [...reasons],
      });
      break;
    case 'sample':
      reply({
        type: 'sample',
        id: request.id,
        event: sample,
        averageBytes: sampled ? sampledBytes / sampled : 0,
      });
      break;
    case 'close':
      connectedOnce = false;
      for (const s of sockets) s?.disconnect();
      sockets.length = 0;
      reply({ type: 'closed', id: request.id });
      break;
  }
});

// The benchmark gone (even killed): nothing of ours stays behind.
process.on('disconnect', () => process.exit(0));
