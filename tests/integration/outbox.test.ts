import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, ErrorBody } from '../../hub/src/contract/index.js';
import { sql } from '../../hub/src/adapters/postgres.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';
import { allEvents } from '../helpers/all-events.js';

let hub: TestHub;
let f: Facts;
let shopA: number;
let reine: number;

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
  shopA = await f.shopId('A');
  reine = await f.productId('reine');
});
afterAll(() => hub?.close());

/**
 * Whether the order row's current version and the event were written by the same transaction:
 * the row's xmin is the 32-bit id of the transaction that wrote it, the event's xid its xid8.
 */
const sameTransaction = (orderId: string, version: number) =>
  hub.db.oneFirst(sql.type(z.object({ same: z.boolean() }))`
    select (e.xid::text::bigint % 4294967296) = o.xmin::text::bigint as same
    from orders o join ${allEvents} e on e.order_id = o.id and e.version = ${version}
    where o.id = ${orderId}`);

describe('outbox', () => {
  it('appends exactly one event per order change, in the transaction of the change, with increasing versions', async () => {
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const manager = await hub.staff('manager.a@demo.ocpizza.fr');
    const courier = await hub.staff('courier.a@demo.ocpizza.fr');
    const courierId = await f.staffId('courier.a@demo.ocpizza.fr');

    const created = await hub
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        deliveryOrderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
      );
    const id = created.body.order.id;
    expect(await sameTransaction(id, 1)).toBe(true);

    const changes: Array<() => Promise<{ status: number }>> = [
      () =>
        hub.client().patch(`/api/orders/track/${created.body.trackingToken}`, {
          promisedAt: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      () => manager.post(`/api/orders/${id}/courier`, { courierId }),
      () => kitchen.post(`/api/orders/${id}/transitions`, { to: 'preparing' }),
      () => kitchen.post(`/api/orders/${id}/transitions`, { to: 'baking' }),
      () => kitchen.post(`/api/orders/${id}/transitions`, { to: 'ready' }),
      () => courier.post(`/api/orders/${id}/transitions`, { to: 'out_for_delivery' }),
      () => courier.post(`/api/orders/${id}/transitions`, { to: 'delivered', collected: 'cash' }),
    ];
    for (const [i, change] of changes.entries()) {
      expect((await change()).status).toBe(200);
      expect(await sameTransaction(id, i + 2)).toBe(true);
    }

    const events = await f.orderEvents(id);
    expect(events.map((e) => e.type)).toEqual([
      'order.created',
      'order.modified',
      'order.courier_assigned',
      'order.status_changed',
      'order.status_changed',
      'order.status_changed',
      'order.status_changed',
      'order.status_changed',
    ]);
    expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events.at(-1)?.data).toMatchObject({
      from: 'out_for_delivery',
      to: 'delivered',
      by: { kind: 'staff', id: courierId },
    });
    expect((await f.order(id)).version).toBe(8);
  });

  it('a failing write leaves neither the change nor its event', async () => {
    const dough = await f.ingredientId('Pâton de pâte à pizza');
    const level = await f.stock(shopA, dough);
    const before = await f.snapshot();
    // More pizzas than the shop has dough for: the order insert happens, then the reservation
    // fails inside the same transaction.
    const res = await hub.client().post<ErrorBody>(
      '/api/orders',
      deliveryOrderBody({
        shopId: shopA,
        lines: [
          { productId: reine, quantity: 50 },
          { productId: reine, quantity: 50 },
          { productId: reine, quantity: 50 },
        ],
      }),
    );
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('stock/insufficient');
    expect(level.onHand - level.reserved).toBeLessThan(150);
    expect(await f.snapshot()).toEqual(before);
  });

  it('the database itself refuses stock below zero, even from a raw SQL client', async () => {
    const dough = await f.ingredientId('Pâton de pâte à pizza');
    await expect(
      hub.db.query(
        sql.unsafe`update stock set reserved = on_hand + 1 where shop_id = ${shopA} and ingredient_id = ${dough}`,
      ),
    ).rejects.toThrow();
  });
});
