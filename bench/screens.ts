/**
 * The simulated screens: a separate process (forked by bench/realtime.ts) that opens thousands of
 * Socket.IO connections, as customers' tracking pages would, and records every event each one
 * receives with its arrival time. It only receives; the writes come from another process.
 *
 * Once armed for the reconnect storm (`arm-reconnect`), a socket that loses its hub does what
 * the tracking page's realtime client does (hub/src/contract/realtime-client.ts): after a
 * backoff delay, a new socket to the next URL, `subscribe` from the last seq it saw, the replay
 * applied with what arrived live meanwhile (sorted by seq), and from then on events at or below
 * the last seq dropped (the replay and the live stream may overlap, never leave a gap).
 */
import { io, type Socket } from 'socket.io-client';
import { defaultReconnectDelay } from '../hub/src/contract/realtime-client.js';
import { nowMs } from './lib/clock.js';
import { jsonClient, type JsonClient } from './lib/http.js';
import { RECEIPT_WIDTH, reply, type ScreensRequest, type StormStatus } from './lib/messages.js';
import { RecordBuffer } from './lib/stats.js';

type EventLike = { seq?: unknown; orderId?: unknown; version?: unknown; at?: unknown };
type SubscribeAck = {
  ok: boolean;
  data?: { reload: boolean; events?: EventLike[]; upTo?: number };
  error?: { code: string };
};

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

/** What the sockets were opened with (the reconnects reuse it). */
let urls: string[] = [];
let tokens: string[] = [];
let perOrder = 1;
/** Per socket: the highest seq seen (what a resubscribe starts from). */
let lastSeq = new Float64Array(0);
/** Per socket: the URL it is on (index in `urls`). */
let urlOf = new Uint8Array(0);
/** Per socket: 0 = first connection (every event recorded), 1 = resubscribing (live events wait), 2 = resubscribed (seq-deduped). */
let mode = new Uint8Array(0);
const waiting = new Map<number, Array<{ event: EventLike; at: number }>>();

let armed = false;
const storm: StormStatus = {
  lostHub: 0,
  back: 0,
  pending: 0,
  failedAttempts: 0,
  reloads: 0,
  overlapDroppedBySeq: 0,
  replayed: 0,
  firstLostAtMs: null,
  lastBackAtMs: null,
  errors: [],
};
const lostOnce = new Set<number>();

function record(socketIdx: number, event: EventLike, receivedAt: number): void {
  const orderIdx = typeof event.orderId === 'string' ? (orderIndex.get(event.orderId) ?? -1) : -1;
  const seq = typeof event.seq === 'number' ? event.seq : -1;
  if (seq > lastSeq[socketIdx]!) lastSeq[socketIdx] = seq;
  receipts.push(
    socketIdx,
    orderIdx,
    typeof event.version === 'number' ? event.version : -1,
    seq,
    receivedAt,
    typeof event.at === 'string' ? Date.parse(event.at) : Number.NaN,
  );
  if (sampled < 200) {
    sampled++;
    sampledBytes += JSON.stringify(event).length;
    sample ??= event as Record<string, unknown>;
  }
}

function onEvent(socketIdx: number, event: EventLike): void {
  const receivedAt = nowMs();
  const m = mode[socketIdx];
  if (m === 1) {
    waiting.get(socketIdx)?.push({ event, at: receivedAt });
    return;
  }
  if (m === 2 && typeof event.seq === 'number' && event.seq <= lastSeq[socketIdx]!) {
    storm.overlapDroppedBySeq++;
    return;
  }
  record(socketIdx, event, receivedAt);
}

function onDisconnect(socketIdx: number, socket: Socket, reason: string): void {
  if (!connectedOnce || sockets[socketIdx] !== socket) return;
  disconnects++;
  if (reasons.size < 10) reasons.add(reason);
  // Resubscribing: the reconnect in progress fails (subscribe timeout) and retries by itself.
  if (!armed || mode[socketIdx] === 1) return;
  mode[socketIdx] = 1;
  if (!lostOnce.has(socketIdx)) {
    lostOnce.add(socketIdx);
    storm.lostHub++;
    storm.firstLostAtMs ??= nowMs();
  }
  storm.pending++;
  scheduleReconnect(socketIdx, 0);
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
      socket.on('disconnect', (reason: string) => onDisconnect(socketIdx, socket, reason));
      resolve(socket);
    });
    socket.once('connect_error', (error: Error) => {
      socket.close();
      reject(error);
    });
  });
}

function subscribe(socket: Socket, since: number, timeoutMs: number): Promise<SubscribeAck> {
  return socket.timeout(timeoutMs).emitWithAck('subscribe', { since }) as Promise<SubscribeAck>;
}

/** As the realtime client's `fail` + `connect`: the next URL after the backoff delay of `attempt`. */
function scheduleReconnect(socketIdx: number, attempt: number): void {
  setTimeout(() => void reconnect(socketIdx, attempt), defaultReconnectDelay(attempt));
}

async function reconnect(socketIdx: number, attempt: number): Promise<void> {
  if (!armed) return;
  urlOf[socketIdx] = (urlOf[socketIdx]! + 1) % urls.length;
  const url = urls[urlOf[socketIdx]!]!;
  const token = tokens[Math.floor(socketIdx / perOrder)]!;
  let socket: Socket | undefined;
  try {
    waiting.set(socketIdx, []);
    socket = await openSocket(url, { trackingToken: token }, socketIdx);
    sockets[socketIdx] = socket;
    // The realtime client's ackTimeoutMs (5 s): a subscribe not answered by then is a failure.
    const ack = await subscribe(socket, lastSeq[socketIdx]!, 5000);
    const answeredAt = nowMs();
    if (!ack.ok) throw new Error(`subscribe refused: ${ack.error?.code}`);
    if (ack.data?.reload) storm.reloads++;
    const replay = (ack.data?.events ?? []).map((event) => ({ event, at: answeredAt }));
    storm.replayed += replay.length;
    const seqOf = (e: EventLike) => (typeof e.seq === 'number' ? e.seq : -1);
    const batch = [...replay, ...(waiting.get(socketIdx) ?? [])].sort(
      (a, b) => seqOf(a.event) - seqOf(b.event),
    );
    waiting.delete(socketIdx);
    for (const { event, at } of batch) {
      if (seqOf(event) <= lastSeq[socketIdx]!) storm.overlapDroppedBySeq++;
      else record(socketIdx, event, at);
    }
    const upTo = ack.data?.upTo ?? 0;
    if (upTo > lastSeq[socketIdx]!) lastSeq[socketIdx] = upTo;
    mode[socketIdx] = 2;
    storm.pending--;
    storm.back++;
    storm.lastBackAtMs = Math.max(storm.lastBackAtMs ?? 0, nowMs());
  } catch (error) {
    storm.failedAttempts++;
    if (storm.errors.length < 10)
      storm.errors.push(`socket ${socketIdx} on ${url}: ${(error as Error).message}`);
    waiting.delete(socketIdx);
    if (socket) {
      socket.off();
      socket.disconnect();
    }
    if (armed) scheduleReconnect(socketIdx, attempt + 1);
  }
}

async function connectAll(request: Extract<ScreensRequest, { type: 'connect' }>): Promise<void> {
  const started = Date.now();
  orderIndex = new Map(request.orderIds.map((id, i) => [id, i]));
  urls = request.urls;
  tokens = request.tokens ?? [];
  perOrder = request.perOrder;
  lastSeq = new Float64Array(request.count);
  urlOf = new Uint8Array(request.count);
  mode = new Uint8Array(request.count);
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
    urlOf[i] = i % request.urls.length;
    const url = request.urls[urlOf[i]!]!;
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
    const ack = await subscribe(socket, snapshot.body.seq, 60_000);
    if (!ack.ok) throw new Error(`subscribe refused: ${ack.error?.code}`);
    if (ack.data?.reload) throw new Error('subscribe answered "reload the snapshot"');
    // Where a resubscribe would start from (the replay of the first subscribe is not recorded:
    // it holds events from before the benchmark's writes).
    let seq = Math.max(lastSeq[i]!, snapshot.body.seq, ack.data?.upTo ?? 0);
    for (const e of ack.data?.events ?? []) if (typeof e.seq === 'number') seq = Math.max(seq, e.seq);
    lastSeq[i] = seq;
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
    case 'arm-reconnect':
      armed = true;
      reply({ type: 'armed', id: request.id });
      break;
    case 'storm-status':
      reply({ type: 'storm-status', id: request.id, ...storm, errors: [...storm.errors] });
      break;
    case 'close':
      connectedOnce = false;
      armed = false;
      for (const s of sockets) s?.disconnect();
      sockets.length = 0;
      reply({ type: 'closed', id: request.id });
      break;
  }
});

// The benchmark gone (even killed): nothing of ours stays behind.
process.on('disconnect', () => process.exit(0));
