import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, CreatedOrder, Order } from '../../hub/src/contract/index.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody } from '../helpers/orders.js';
import { openSocket } from '../helpers/sockets.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;
let f: Facts;

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
});
afterAll(() => hub?.close());

async function newOrder(): Promise<CreatedOrder> {
  const shopA = await f.shopId('A');
  const res = await hub
    .client()
    .post<CreatedOrder>(
      '/api/orders',
      deliveryOrderBody({ shopId: shopA, lines: [{ productId: await f.productId('reine'), quantity: 1 }] }),
    );
  return res.body;
}

describe('socket commands', () => {
  it('answers malformed payloads with request/invalid and changes nothing', async () => {
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const s = await openSocket(hub.baseUrl, { cookie: kitchen.cookieHeader });
    const order = await newOrder();
    const before = await f.snapshot();
    const bad: unknown[] = [
      null,
      'order:transition',
      42,
      { name: 'order:transition' },
      {
        name: 'order:transition',
        idempotencyKey: 'key-12345',
        payload: { orderId: 'not-a-uuid', to: 'preparing' },
      },
      {
        name: 'order:transition',
        idempotencyKey: 'key-12345',
        payload: { orderId: order.order.id, to: 'eaten' },
      },
      {
        name: 'order:transition',
        idempotencyKey: 'short',
        payload: { orderId: order.order.id, to: 'preparing' },
      },
      {
        name: 'order:transition',
        idempotencyKey: "'; drop table orders; --",
        payload: { orderId: order.order.id, to: 'preparing' },
      },
      {
        name: 'order:transition',
        idempotencyKey: 'key-12345',
        payload: { orderId: order.order.id, to: 'preparing', extra: 1 },
      },
      { name: 'order:delete_everything', idempotencyKey: 'key-12345', payload: {} },
    ];
    for (const payload of bad) {
      const ack = (await s.socket.timeout(10_000).emitWithAck('command', payload)) as Ack<unknown>;
      expect(ack.ok, JSON.stringify(payload)).toBe(false);
      if (!ack.ok) expect(ack.error.code).toBe('request/invalid');
    }
    for (const since of [-1, 'zero', null, { since: 1.5 }, { since: 0, rooms: ['shop:2:manager'] }]) {
      const ack = (await s.socket.timeout(10_000).emitWithAck('subscribe', since as never)) as Ack<unknown>;
      expect(ack.ok, JSON.stringify(since)).toBe(false);
    }
    // Without an ack callback the server has no one to answer; it must not fall over.
    s.socket.emit('command', { name: 'order:transition' } as never, undefined as never);
    const position = (await s.socket
      .timeout(10_000)
      .emitWithAck('courier:position', { lat: 48.8, lng: 2.3 })) as Ack<unknown>;
    expect(position.ok).toBe(false);
    expect(await f.snapshot()).toEqual(before);
    // Still connected and serving.
    const ok = await s.subscribe(0);
    expect(ok.ok).toBe(true);
    s.close();
  });

  it('a payload over the size limit closes the socket and changes nothing', async () => {
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const s = await openSocket(hub.baseUrl, { cookie: kitchen.cookieHeader });
    const before = await f.snapshot();
    const closed = new Promise<string>((resolve) => s.socket.once('disconnect', (reason) => resolve(reason)));
    const oversized = { name: 'order:transition', idempotencyKey: 'x'.repeat(100_000), payload: {} };
    s.socket.emit('command', oversized, () => {});
    expect(await closed).toMatch(/transport (close|error)/);
    expect(await f.snapshot()).toEqual(before);
  });

  it('a command replayed with the same idempotency key is applied once, also when both race', async () => {
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const s = await openSocket(hub.baseUrl, { cookie: kitchen.cookieHeader });
    const order = await newOrder();
    const command = {
      name: 'order:transition',
      idempotencyKey: `bump-${order.order.id}`,
      payload: { orderId: order.order.id, to: 'preparing' },
    };
    const first = (await s.socket.timeout(10_000).emitWithAck('command', command)) as Ack<Order>;
    const again = (await s.socket.timeout(10_000).emitWithAck('command', command)) as Ack<Order>;
    expect(first.ok && first.data.version).toBe(2);
    expect(again.ok && again.data.version).toBe(2);
    expect((await f.orderEvents(order.order.id)).map((e) => e.type)).toEqual([
      'order.created',
      'order.status_changed',
    ]);

    // Two retries of one tap, sent at once (a phone that lost its ack): one applies, both get ok.
    const raced = await newOrder();
    const tap = {
      ...command,
      idempotencyKey: `bump-${raced.order.id}`,
      payload: { orderId: raced.order.id, to: 'preparing' },
    };
    const [a, b] = (await Promise.all([
      s.socket.timeout(10_000).emitWithAck('command', tap),
      s.socket.timeout(10_000).emitWithAck('command', tap),
    ])) as Array<Ack<Order>>;
    expect(a!.ok && b!.ok).toBe(true);
    expect(await f.order(raced.order.id)).toEqual({ status: 'preparing', version: 2 });
    expect(
      (await f.orderEvents(raced.order.id)).filter((e) => e.type === 'order.status_changed'),
    ).toHaveLength(1);

    // The same key for a different command is refused, changing nothing.
    const other = await newOrder();
    const reused = (await s.socket.timeout(10_000).emitWithAck('command', {
      ...command,
      payload: { orderId: other.order.id, to: 'preparing' },
    })) as Ack<Order>;
    expect(reused.ok).toBe(false);
    if (!reused.ok) expect(reused.error.code).toBe('request/invalid');
    expect((await f.order(other.order.id)).status).toBe('received');
    s.close();
  });

  it('the REST Idempotency-Key header gives the same guarantee', async () => {
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const order = await newOrder();
    const headers = { 'idempotency-key': `rest-${order.order.id}` };
    const one = await kitchen.post<Order>(
      `/api/orders/${order.order.id}/transitions`,
      { to: 'preparing' },
      headers,
    );
    const two = await kitchen.post<Order>(
      `/api/orders/${order.order.id}/transitions`,
      { to: 'preparing' },
      headers,
    );
    expect(one.status).toBe(200);
    expect(two.status).toBe(200);
    expect(two.body.version).toBe(2);
    const bad = await kitchen.post(
      `/api/orders/${order.order.id}/transitions`,
      { to: 'baking' },
      { 'idempotency-key': 'no' },
    );
    expect(bad.status).toBe(400);
  });
});
