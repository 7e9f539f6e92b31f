import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventEnvelope } from './events.js';
import type {
  Ack,
  ClientToServerEvents,
  Command,
  CourierPosition,
  ServerToClientEvents,
  SubscribeResult,
} from './realtime.js';
import {
  createRealtimeClient,
  defaultReconnectDelay,
  type LinkState,
  type RealtimeClient,
  type RealtimeClientOptions,
} from './realtime-client.js';

/*
 * Every wait below is on something that happens (a callback, a hub seeing a request), never on
 * elapsed time: `Signal.until` re-checks its predicate whenever the client or a hub reports.
 */

class Signal {
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  notify(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }
}

const ORDER_X = '4a1f7a52-9a5e-4c1e-8f7a-000000000001';
const ORDER_Y = '4a1f7a52-9a5e-4c1e-8f7a-000000000002';
const COURIER = '4a1f7a52-9a5e-4c1e-8f7a-0000000000c1';

/**
 * By default an event of no order (no version), so that only the seq can tell a duplicate: the
 * version guard is tested on its own with `orderEv`.
 */
function ev(seq: number, patch: Partial<EventEnvelope> = {}): EventEnvelope {
  return { seq, type: 'stock.changed', shopId: 1, at: '2026-11-25T18:00:00.000Z', data: {}, ...patch };
}

function orderEv(seq: number, orderId: string, version: number): EventEnvelope {
  return ev(seq, { type: 'order.status_changed', orderId, version });
}

type SubscribeHandler = (
  since: number,
  socket: ServerSocket<ClientToServerEvents, ServerToClientEvents>,
) => Ack<SubscribeResult> | undefined;

/**
 * A scripted hub node. By default it replays from `log` (which hub nodes may share, like the
 * PostgreSQL outbox) every event after `since`; tests replace `onSubscribe` to script answers.
 */
class FakeHub {
  readonly subscribes: number[] = [];
  readonly commands: unknown[] = [];
  readonly handshakes: { auth: Record<string, unknown>; cookie: string | undefined }[] = [];
  connections = 0;
  disconnections = 0;
  accepting = true;
  onSubscribe: SubscribeHandler = (since) => this.replayAfter(since);
  onCommand: ((command: unknown) => Ack<unknown> | undefined) | undefined = () => ({
    ok: true,
    data: { done: true },
  });

  private constructor(
    readonly io: Server<ClientToServerEvents, ServerToClientEvents>,
    readonly url: string,
    readonly log: EventEnvelope[],
    private readonly signal: Signal,
  ) {
    io.use((_socket, next) => (this.accepting ? next() : next(new Error('hub not accepting'))));
    io.on('connection', (socket) => {
      this.connections += 1;
      this.handshakes.push({ auth: socket.handshake.auth, cookie: socket.handshake.headers.cookie });
      signal.notify();
      socket.on('disconnect', () => {
        this.disconnections += 1;
        signal.notify();
      });
      socket.on('subscribe', (request, ack) => {
        const since = (request as { since: number }).since;
        this.subscribes.push(since);
        const answer = this.onSubscribe(since, socket);
        signal.notify();
        if (answer) ack(answer);
      });
      socket.on('command', (command, ack) => {
        this.commands.push(command);
        signal.notify();
        const answer = this.onCommand?.(command);
        if (answer) ack(answer);
      });
      socket.on('courier:position', (_position, ack) => ack({ ok: true, data: { accepted: true } }));
    });
  }

  static async start(signal: Signal, log: EventEnvelope[] = [], path = '/socket.io'): Promise<FakeHub> {
    const http = createServer();
    const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, {
      transports: ['websocket'],
      path,
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    const hub = new FakeHub(io, `http://127.0.0.1:${port}`, log, signal);
    hubs.push(hub);
    return hub;
  }

  replayAfter(since: number): Ack<SubscribeResult> {
    const events = this.log.filter((e) => e.seq > since);
    const upTo = Math.max(since, ...this.log.map((e) => e.seq));
    return { ok: true, data: { reload: false, rooms: ['shop:1:kitchen'], events, upTo } };
  }

  /** Commits an event to the shared log and emits it live from this node. */
  publish(event: EventEnvelope): void {
    this.log.push(event);
    this.io.emit('event', event);
  }

  close(): Promise<void> {
    return this.io.close();
  }
}

type LogState = { snapshot: number; applied: number[] };

let hubs: FakeHub[] = [];
let clients: RealtimeClient<LogState>[] = [];

afterEach(async () => {
  for (const client of clients) client.stop();
  await Promise.all(hubs.map((hub) => hub.close().catch(() => {})));
  hubs = [];
  clients = [];
});

/**
 * A client whose reducer just records seqs, without any guard of its own, so what it records is
 * exactly what the library let through.
 */
function makeClient(
  signal: Signal,
  urls: string[],
  overrides: Partial<RealtimeClientOptions<LogState>> & { snapshotSeqs?: number[] } = {},
) {
  const changes: (number | null)[] = [];
  const links: LinkState[] = [];
  const snapshotSeqs = overrides.snapshotSeqs ?? [0];
  let loads = 0;
  const client = createRealtimeClient<LogState>({
    urls,
    loadSnapshot: async () => {
      const seq = snapshotSeqs[Math.min(loads, snapshotSeqs.length - 1)]!;
      loads += 1;
      return { state: { snapshot: loads, applied: [] }, seq };
    },
    apply: (state, event) => ({ ...state, applied: [...state.applied, event.seq] }),
    onChange: (_state, event) => {
      changes.push(event ? event.seq : null);
      signal.notify();
    },
    onLink: (link) => {
      links.push(link);
      signal.notify();
    },
    reconnectDelayMs: () => 5,
    ...overrides,
  });
  clients.push(client);
  return {
    client,
    changes,
    links,
    loads: () => loads,
    applied: () => client.state()?.applied ?? [],
  };
}

const command: Command = {
  name: 'order:transition',
  idempotencyKey: 'bump-0001-abcdef',
  payload: { orderId: ORDER_X, to: 'preparing' },
};

describe('createRealtimeClient', { timeout: 15_000 }, () => {
  it('loads the snapshot, subscribes from its seq, applies the replay, then live events', async () => {
    const signal = new Signal();
    const hub = await FakeHub.start(signal, [ev(1), ev(2), ev(3)]);
    const c = makeClient(signal, [hub.url], { snapshotSeqs: [1] });

    await c.client.start();
    expect(hub.subscribes).toEqual([1]);
    expect(c.changes).toEqual([null, 2, 3]);
    expect(c.client.link().status).toBe('live');
    expect(c.client.lastSeq()).toBe(3);

    hub.publish(ev(4));
    await signal.until(() => c.client.lastSeq() === 4);
    expect(c.applied()).toEqual([2, 3, 4]);
    expect(c.loads()).toBe(1);
  });

  it('drops a live event sent twice, and invalid live events', async () => {
    const signal = new Signal();
    const hub = await FakeHub.start(signal);
    const c = makeClient(signal, [hub.url]);
    await c.client.start();

    hub.io.emit('event', ev(1));
    hub.io.emit('event', ev(1));
    hub.io.emit('event', { seq: 'two', type: 'order.status_changed' } as unknown as EventEnvelope);
    hub.io.emit('event', ev(2, { type: 'stock.exploded' as EventEnvelope['type'] }));
    // Seq gaps are normal (other rooms' events): 3 and 5 are simply not this screen's.
    hub.io.emit('event', ev(4));
    hub.io.emit('event', ev(6));
    await signal.until(() => c.client.lastSeq() === 6);
    expect(c.applied()).toEqual([1, 4, 6]);
    expect(c.changes).toEqual([null, 1, 4, 6]);
  });

  it('buffers live events that arrive during the subscribe and applies them after the replay', async () => {
    const signal = new Signal();
    const hub = await FakeHub.start(signal, [ev(1), ev(2), ev(3)]);
    hub.onSubscribe = (since, socket) => {
      // Socket.IO keeps packet order on one connection: the client gets these before the ack.
      socket.emit('event', ev(4));
      socket.emit('event', ev(3));
      socket.emit('event', ev(5));
      return hub.replayAfter(since);
    };
    const c = makeClient(signal, [hub.url], { snapshotSeqs: [1] });

    await c.client.start();
    expect(c.applied()).toEqual([2, 3, 4, 5]);
    expect(c.client.lastSeq()).toBe(5);

    hub.io.emit('event', ev(6));
    await signal.until(() => c.client.lastSeq() === 6);
    expect(c.applied()).toEqual([2, 3, 4, 5, 6]);
  });

  it('loads the snapshot again when the hub answers reload', async () => {
    const signal = new Signal();
    const hub = await FakeHub.start(
      signal,
      [1, 2, 3, 4, 5, 6, 7].map((seq) => ev(seq)),
    );
    hub.onSubscribe = (since) =>
      hub.subscribes.length === 1
        ? { ok: true, data: { reload: true, reason: 'too far behind' } }
        : hub.replayAfter(since);
    const c = makeClient(signal, [hub.url], { snapshotSeqs: [1, 5] });

    await c.client.start();
    expect(c.loads()).toBe(2);
    expect(hub.subscribes).toEqual([1, 5]);
    expect(c.client.state()).toEqual({ snapshot: 2, applied: [6, 7] });
    expect(c.changes).toEqual([null, null, 6, 7]);
  });

  it('never lets an order version go back, even with a reducer that does not guard', async () => {
    const signal = new Signal();
    const hub = await FakeHub.start(signal, [
      orderEv(2, ORDER_X, 2),
      orderEv(3, ORDER_X, 1),
      orderEv(4, ORDER_Y, 1),
      orderEv(5, ORDER_X, 2),
      ev(6),
    ]);
    const c = makeClient(signal, [hub.url]);

    await c.client.start();
    expect(c.applied()).toEqual([2, 4, 6]);
    expect(c.client.lastSeq()).toBe(6);

    hub.io.emit('event', orderEv(7, ORDER_X, 2));
    hub.io.emit('event', orderEv(8, ORDER_X, 3));
    await signal.until(() => c.client.lastSeq() === 8);
    expect(c.applied()).toEqual([2, 4, 6, 8]);
  });

  it('starts the version guard afresh from a reloaded snapshot, which replaces the state', async () => {
    const signal = new Signal();
    const hub = await FakeHub.start(signal, [orderEv(4, ORDER_X, 4), orderEv(5, ORDER_X, 5)]);
    const c = makeClient(signal, [hub.url], { snapshotSeqs: [3] });
    await c.client.start();
    expect(c.applied()).toEqual([4, 5]);

    // The reloaded snapshot is older than what was applied (the hub decides; the client obeys):
    // its state does not hold v4 and v5, so they must be applied to it again.
    hub.onSubscribe = (since) =>
      hub.subscribes.length === 2
        ? { ok: true, data: { reload: true, reason: 'test' } }
        : hub.replayAfter(since);
    hub.io.emit('resync', { reason: 'test' });
    await signal.until(() => c.loads() === 2 && c.applied().length === 2);
    expect(hub.subscribes).toEqual([3, 5, 3]);
    expect(c.client.state()).toEqual({ snapshot: 2, applied: [4, 5] });
  });

  it('drops a snapshot that arrives after its socket died, keeping the newer state', async () => {
    const signal = new Signal();
    const hub = await FakeHub.start(signal, [ev(6)]);
    const pending: ((snapshot: { state: LogState; seq: number }) => void)[] = [];
    const c = makeClient(signal, [hub.url], {
      loadSnapshot: () =>
        new Promise((resolve) => {
          pending.push(resolve);
          signal.notify();
        }),
    });
    const started = c.client.start();

    await signal.until(() => pending.length === 1);
    hub.io.disconnectSockets(true);
    await signal.until(() => pending.length === 2);
    pending[1]!({ state: { snapshot: 2, applied: [] }, seq: 5 });
    await started;
    expect(c.client.state()).toEqual({ snapshot: 2, applied: [6] });

    // The first attempt's snapshot (older) resolves late; a live event sent afterwards is applied
    // after that continuation has run, so checking the state then is enough.
    pending[0]!({ state: { snapshot: 1, applied: [] }, seq: 1 });
    hub.publish(ev(7));
    await signal.until(() => c.client.lastSeq() === 7);
    expect(c.client.state()).toEqual({ snapshot: 2, applied: [6, 7] });
    expect(hub.subscribes).toEqual([5]);
  });

  it('presents auth and extra headers at the handshake, on the configured path', async () => {
    const signal = new Signal();
    const hub = await FakeHub.start(signal, [], '/rt');
    const c = makeClient(signal, [hub.url], {
      path: '/rt',
      auth: { shopId: 3 },
      extraHeaders: { cookie: 'ocp.sid=abc' },
    });
    await c.client.start();
    expect(hub.handshakes).toEqual([{ auth: { shopId: 3 }, cookie: 'ocp.sid=abc' }]);
  });

  it('resubscribes from its last seq on resync, without reloading the snapshot', async () => {
    const signal = new Signal();
    const hub = await FakeHub.start(signal, [ev(1), ev(2)]);
    const c = makeClient(signal, [hub.url]);
    await c.client.start();
    expect(c.applied()).toEqual([1, 2]);

    // Committed while the node's bus was down: never emitted live, only the replay has them.
    hub.log.push(ev(3), ev(4));
    hub.io.emit('resync', { reason: 'bus reconnected' });
    await signal.until(() => c.client.lastSeq() === 4);

    expect(hub.subscribes).toEqual([0, 2]);
    expect(c.applied()).toEqual([1, 2, 3, 4]);
    expect(c.loads()).toBe(1);
    expect(c.links.map((l) => l.status)).toEqual(['reconnecting', 'live']);
  });

  it('fails over to the next URL and resumes from its last seq, losing and repeating nothing', async () => {
    const signal = new Signal();
    const outbox: EventEnvelope[] = [];
    const a = await FakeHub.start(signal, outbox);
    const b = await FakeHub.start(signal, outbox);
    // Node B replays with an overlap, as a hub may: the client must still apply each seq once.
    b.onSubscribe = (since) => b.replayAfter(Math.max(0, since - 2));
    const c = makeClient(signal, [a.url, b.url]);

    await c.client.start();
    a.publish(ev(1));
    a.publish(ev(2));
    a.publish(ev(3));
    await signal.until(() => c.client.lastSeq() === 3);

    // Committed, but node A dies before emitting them.
    outbox.push(ev(4), ev(5));
    await a.close();
    await signal.until(() => b.subscribes.length === 1 && c.client.link().status === 'live');
    expect(b.subscribes).toEqual([3]);

    b.publish(ev(6));
    await signal.until(() => c.client.lastSeq() === 6);
    expect(c.applied()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(c.changes).toEqual([null, 1, 2, 3, 4, 5, 6]);
    expect(c.loads()).toBe(1);
  });

  it('tries the next URL when a subscribe is refused or unanswered', async () => {
    const signal = new Signal();
    const refusing = await FakeHub.start(signal);
    refusing.onSubscribe = () => ({ ok: false, error: { code: 'auth/forbidden', message: 'no' } });
    const silent = await FakeHub.start(signal);
    silent.onSubscribe = () => undefined;
    const good = await FakeHub.start(signal, [ev(1)]);
    const c = makeClient(signal, [refusing.url, silent.url, good.url], { ackTimeoutMs: 200 });

    await c.client.start();
    expect([refusing.subscribes, silent.subscribes, good.subscribes]).toEqual([[0], [0], [0]]);
    await signal.until(() => refusing.disconnections === 1 && silent.disconnections === 1);
    expect(c.applied()).toEqual([1]);
    expect(c.client.link().status).toBe('live');
  });

  it('goes live → reconnecting → stale → live, stale keeping the time the link was lost', async () => {
    const signal = new Signal();
    const hub = await FakeHub.start(signal, [ev(1)]);
    let clock = Date.parse('2026-11-25T18:00:00.000Z');
    const c = makeClient(signal, [hub.url], { staleAfterMs: 50, now: () => new Date(clock) });
    await c.client.start();

    clock = Date.parse('2026-11-25T18:05:00.000Z');
    hub.accepting = false;
    hub.io.disconnectSockets(true);
    await signal.until(() => c.client.link().status === 'reconnecting');
    // The stale timer runs for 50 ms from the disconnect; this continuation runs right after it
    // (same task), so the clock has moved on before `stale` is set: `since` must not follow it.
    clock = Date.parse('2026-11-25T18:05:30.000Z');
    await signal.until(() => c.client.link().status === 'stale');
    expect(await c.client.command(command)).toMatchObject({
      ok: false,
      error: { code: 'service/unavailable' },
    });

    clock = Date.parse('2026-11-25T18:06:00.000Z');
    hub.log.push(ev(2));
    hub.accepting = true;
    await signal.until(() => c.client.link().status === 'live');

    expect(c.links).toEqual([
      { status: 'reconnecting', since: '2026-11-25T18:00:00.000Z' },
      { status: 'live', since: '2026-11-25T18:00:00.000Z' },
      { status: 'reconnecting', since: '2026-11-25T18:05:00.000Z' },
      { status: 'stale', since: '2026-11-25T18:05:00.000Z' },
      { status: 'live', since: '2026-11-25T18:06:00.000Z' },
    ]);
    expect(hub.subscribes).toEqual([0, 1]);
    expect(c.applied()).toEqual([1, 2]);
    expect(c.loads()).toBe(1);
  });

  it('answers service/unavailable to a command when not connected, and relays it when connected', async () => {
    const signal = new Signal();
    const hub = await FakeHub.start(signal);
    const c = makeClient(signal, [hub.url]);

    expect(await c.client.command(command)).toMatchObject({
      ok: false,
      error: { code: 'service/unavailable' },
    });
    expect(await c.client.sendPosition({ lat: 48.85, lng: 2.35 })).toMatchObject({
      ok: false,
      error: { code: 'service/unavailable' },
    });
    await c.client.start();
    expect(await c.client.command(command)).toEqual({ ok: true, data: { done: true } });
    expect(hub.commands).toEqual([command]);
    expect(await c.client.sendPosition({ lat: 48.85, lng: 2.35 })).toEqual({
      ok: true,
      data: { accepted: true },
    });

    hub.onCommand = () => ({ ok: false, error: { code: 'order/version_conflict', message: 'moved on' } });
    expect(await c.client.command(command)).toEqual({
      ok: false,
      error: { code: 'order/version_conflict', message: 'moved on' },
    });
  });

  it('gives service/unavailable when a command is not acknowledged in time, without retrying', async () => {
    const signal = new Signal();
    const hub = await FakeHub.start(signal);
    hub.onCommand = () => undefined;
    const c = makeClient(signal, [hub.url], { ackTimeoutMs: 100 });
    await c.client.start();

    expect(await c.client.command(command)).toMatchObject({
      ok: false,
      error: { code: 'service/unavailable' },
    });
    expect(hub.commands).toHaveLength(1);
  });

  it('passes courier positions to listeners until they unsubscribe, ignoring invalid ones', async () => {
    const signal = new Signal();
    const hub = await FakeHub.start(signal);
    const c = makeClient(signal, [hub.url]);
    const seen: CourierPosition[] = [];
    const off = c.client.on('courier:position', (p) => {
      seen.push(p);
      signal.notify();
    });
    await c.client.start();

    const position: CourierPosition = {
      courierId: COURIER,
      shopId: 1,
      position: { lat: 48.85, lng: 2.35 },
      accuracyM: 12,
      at: '2026-11-25T18:00:00.000Z',
    };
    hub.io.emit('courier:position', { ...position, courierId: 'not-a-uuid' });
    hub.io.emit('courier:position', position);
    await signal.until(() => seen.length === 1);
    expect(seen).toEqual([position]);

    off();
    hub.io.emit('courier:position', { ...position, accuracyM: 5 });
    // An event emitted after it travels behind it on the same connection: once it is applied,
    // the position has been delivered (or not) already.
    hub.io.emit('event', ev(1));
    await signal.until(() => c.client.lastSeq() === 1);
    expect(seen).toHaveLength(1);
  });

  it('stop() closes the socket, settles pending commands and never reconnects', async () => {
    const signal = new Signal();
    const hub = await FakeHub.start(signal);
    hub.onCommand = () => undefined;
    const reconnectDelayMs = vi.fn(() => 5);
    const c = makeClient(signal, [hub.url], { reconnectDelayMs, ackTimeoutMs: 60_000 });
    await c.client.start();

    const pending = c.client.command(command);
    await signal.until(() => hub.commands.length === 1);
    const linksBefore = c.links.length;
    c.client.stop();

    expect(await pending).toMatchObject({ ok: false, error: { code: 'service/unavailable' } });
    await signal.until(() => hub.disconnections === 1);
    expect(reconnectDelayMs).not.toHaveBeenCalled();
    expect(c.links).toHaveLength(linksBefore);
    expect(hub.connections).toBe(1);
    expect(await c.client.command(command)).toMatchObject({
      ok: false,
      error: { code: 'service/unavailable' },
    });
    await expect(c.client.start()).rejects.toThrow(/stopped/);
  });
});

describe('defaultReconnectDelay', () => {
  it('doubles from 200 ms up to 5 s, jittered between half and all of it', () => {
    expect(defaultReconnectDelay(0, () => 0)).toBe(100);
    expect(defaultReconnectDelay(0, () => 1)).toBe(200);
    expect(defaultReconnectDelay(3, () => 1)).toBe(1600);
    expect(defaultReconnectDelay(10, () => 0)).toBe(2500);
    expect(defaultReconnectDelay(10, () => 1)).toBe(5000);
  });
});
