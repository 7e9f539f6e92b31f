import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CreatedOrder, ErrorBody, Order, TrackedOrder } from '../../hub/src/contract/index.js';
import { modifyPromisedAtByToken } from '../../hub/src/orders/order-events.js';
import { hashTrackingToken } from '../../hub/src/orders/tracking-token.js';
import type { ApiClient } from '../helpers/api-client.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody, orderBody } from '../helpers/orders.js';
import { sql, startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;
let f: Facts;
let shopA: number;
let reine: number;
let margherita: number;
let dough: number;
let kitchen: ApiClient;
let manager: ApiClient;

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
  shopA = await f.shopId('A');
  reine = await f.productId('reine');
  margherita = await f.productId('margherita');
  dough = await f.ingredientId('Pâton de pâte à pizza');
  kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
  manager = await hub.staff('manager.a@demo.ocpizza.fr');
});
afterAll(() => hub?.close());

async function place(quantity = 2): Promise<CreatedOrder> {
  const res = await hub
    .client()
    .post<CreatedOrder>(
      '/api/orders',
      deliveryOrderBody({ shopId: shopA, lines: [{ productId: reine, quantity }] }),
    );
  expect(res.status).toBe(201);
  return res.body;
}

describe('customer changes through the tracking link', () => {
  it('shows the order to whoever holds the link, and to nobody else', async () => {
    const order = await place();
    const seen = await hub.client().get<TrackedOrder>(`/api/orders/track/${order.trackingToken}`);
    expect(seen.status).toBe(200);
    expect(seen.body.shortCode).toMatch(/^A-\d{3}$/);
    expect(seen.body.modifiable).toBe(true);
    expect(seen.body).not.toHaveProperty('courierId');
    expect(order.trackingToken).toHaveLength(43);
    const wrong = await hub.client().get<ErrorBody>(`/api/orders/track/${'x'.repeat(43)}`);
    expect(wrong.status).toBe(404);
    expect(wrong.body.error.code).toBe('order/not_found');
  });

  it('modifies lines while received: totals and reservation follow, version and event too', async () => {
    const order = await place(1);
    const before = await f.stock(shopA, dough);
    const res = await hub.client().patch<TrackedOrder>(`/api/orders/track/${order.trackingToken}`, {
      lines: [
        { productId: reine, quantity: 2 },
        { productId: margherita, quantity: 1, notes: 'bien cuite' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.lines).toHaveLength(2);
    expect(res.body.version).toBe(2);
    expect(res.body.totals.totalCents).toBeGreaterThan(order.order.totals.totalCents);
    // One more dough ball per extra pizza is now set aside for this order.
    expect((await f.stock(shopA, dough)).reserved).toBe(before.reserved + 2);
    expect((await f.orderEvents(order.order.id)).map((e) => e.type)).toEqual([
      'order.created',
      'order.modified',
    ]);
    expect(await f.ledgerMismatches()).toEqual([]);
  });

  it('cancelling before the kitchen starts gives the ingredients back', async () => {
    const before = await f.stock(shopA, dough);
    const order = await place(3);
    expect((await f.stock(shopA, dough)).reserved).toBe(before.reserved + 3);
    const res = await hub
      .client()
      .post<TrackedOrder>(`/api/orders/track/${order.trackingToken}/cancel`, { reason: 'plus faim' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    expect(await f.stock(shopA, dough)).toEqual(before);
    const kinds = (await f.ledgerFor(order.order.id)).map((l) => l.kind);
    expect(kinds.filter((k) => k === 'release').length).toBeGreaterThan(0);
    expect(kinds).not.toContain('waste');
  });

  it('refuses modification and cancellation once the kitchen has started, changing nothing', async () => {
    const order = await place();
    const bump = await kitchen.post<Order>(`/api/orders/${order.order.id}/transitions`, { to: 'preparing' });
    expect(bump.status).toBe(200);
    const before = await f.snapshot();

    const modify = await hub.client().patch<ErrorBody>(`/api/orders/track/${order.trackingToken}`, {
      lines: [{ productId: reine, quantity: 1 }],
    });
    expect(modify.status).toBe(409);
    expect(modify.body.error.code).toBe('order/locked');
    expect(modify.body.error.message).toMatch(/kitchen has started/);

    const cancel = await hub.client().post<ErrorBody>(`/api/orders/track/${order.trackingToken}/cancel`, {});
    expect(cancel.status).toBe(409);
    expect(cancel.body.error.code).toBe('order/locked');
    expect(await f.snapshot()).toEqual(before);

    const seen = await hub.client().get<TrackedOrder>(`/api/orders/track/${order.trackingToken}`);
    expect(seen.body.modifiable).toBe(false);
  });

  it('a new time: taken while received, refused once the kitchen started, 404 for an unknown link', async () => {
    const order = await place(1);
    const path = `/api/orders/track/${order.trackingToken}`;
    const later = new Date(Date.now() + 2 * 3600_000).toISOString();
    const moved = await hub.client().patch<TrackedOrder>(path, { promisedAt: later });
    expect(moved.status).toBe(200);
    expect(Date.parse(moved.body.promise.at)).toBe(Date.parse(later));

    const bump = await kitchen.post<Order>(`/api/orders/${order.order.id}/transitions`, { to: 'preparing' });
    expect(bump.status).toBe(200);
    const before = await f.snapshot();
    const locked = await hub
      .client()
      .patch<ErrorBody>(path, { promisedAt: new Date(Date.now() + 3 * 3600_000).toISOString() });
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe('order/locked');
    const unknown = await hub
      .client()
      .patch<ErrorBody>(`/api/orders/track/${'x'.repeat(43)}`, { promisedAt: later });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('order/not_found');
    expect(await f.snapshot()).toEqual(before);
  });

  it('a new time for an order of a shop opened after the hub listed its shops is taken all the same', async () => {
    const order = await place(1);
    const path = `/api/orders/track/${order.trackingToken}`;
    // The hub lists its shops for the first new time it is asked: then a shop comes in behind
    // its back (SQL, as a migration or an operator would) and the order is moved to it.
    const first = await hub
      .client()
      .patch(path, { promisedAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(first.status).toBe(200);
    const added = Number(
      await hub.db.oneFirst(sql.unsafe`
      insert into shops (slug, name, address, postcode, city, phone, lat, lng, opening_hours,
                         delivery_radius_m, status, opens_on, code_letter, last_order_minutes)
      select 'added-later', 'Ajoutée après', address, postcode, city, phone, lat, lng, opening_hours,
             delivery_radius_m, status, opens_on, 'Q', last_order_minutes
      from shops where id = ${shopA}
      returning id`),
    );
    await hub.db.query(sql.unsafe`update orders set shop_id = ${added} where id = ${order.order.id}`);
    const later = new Date(Date.now() + 2 * 3600_000).toISOString();
    const moved = await hub.client().patch<TrackedOrder>(path, { promisedAt: later });
    expect(moved.status).toBe(200);
    expect(Date.parse(moved.body.promise.at)).toBe(Date.parse(later));
    await hub.db.query(sql.unsafe`update orders set shop_id = ${shopA} where id = ${order.order.id}`);
    await hub.db.query(sql.unsafe`delete from shops where id = ${added}`);
  });

  it('a new time changes the order in place (a HOT update, no index touched); a plain SQL new time still moves the promise', async () => {
    const order = await place(1);
    const later = new Date(Date.now() + 2 * 3600_000).toISOString();
    const counts = await hub.db.transaction(async (tx) => {
      // This backend's counts not yet sent to the statistics (the last transactions' too): the
      // difference across the statement is its own, and no other writer can blur it.
      const count = () =>
        tx.one(sql.type(z.object({ updated: z.number(), hot: z.number() }))`
          select pg_stat_get_xact_tuples_updated('orders'::regclass)::int as updated,
                 pg_stat_get_xact_tuples_hot_updated('orders'::regclass)::int as hot`);
      const before = await count();
      const row = await modifyPromisedAtByToken(
        tx,
        hashTrackingToken(order.trackingToken),
        later,
        ['received'],
        [shopA],
      );
      expect(row?.version).toBe(order.order.version + 1);
      const after = await count();
      return { updated: after.updated - before.updated, hot: after.hot - before.hot };
    });
    expect(counts).toEqual({ updated: 1, hot: 1 });

    // Another writer (a back-office SQL session) setting only the requested time: the trigger's
    // condition holds, and the promise and the kitchen's ready-by follow.
    const sooner = new Date(Date.now() + 3600_000);
    const promise = await hub.db.one(sql.type(
      z.object({
        promise_at: z.string(),
        promise_ready_by: z.string(),
        promise_route_minutes: z.number().nullable(),
      }),
    )`
      update orders set promised_at = ${sooner.toISOString()} where id = ${order.order.id}
      returning promise_at, promise_ready_by, promise_route_minutes`);
    expect(Date.parse(promise.promise_at)).toBe(sooner.getTime());
    expect(Date.parse(promise.promise_ready_by)).toBe(
      sooner.getTime() - (promise.promise_route_minutes ?? 0) * 60_000,
    );
  });

  it('a manager cancelling after the kitchen started records the consumed ingredients as waste', async () => {
    const order = await place(2);
    await kitchen.post(`/api/orders/${order.order.id}/transitions`, { to: 'preparing' });
    const afterConsumption = await f.stock(shopA, dough);

    const noReason = await manager.post<ErrorBody>(`/api/orders/${order.order.id}/transitions`, {
      to: 'cancelled',
    });
    expect(noReason.status).toBe(422);
    expect(noReason.body.error.code).toBe('order/invalid');

    const res = await manager.post<Order>(`/api/orders/${order.order.id}/transitions`, {
      to: 'cancelled',
      reason: 'client parti',
    });
    expect(res.status).toBe(200);
    expect(res.body.cancelReason).toBe('client parti');
    // Made food does not return to the shelf.
    expect(await f.stock(shopA, dough)).toEqual(afterConsumption);
    const ledger = await f.ledgerFor(order.order.id);
    expect(ledger.map((l) => l.kind)).toContain('consumption');
    const doughWaste = ledger.find((l) => l.kind === 'waste' && l.ingredientId === dough);
    expect(doughWaste?.quantity).toBe(2);
    expect(await f.ledgerMismatches()).toEqual([]);
  });

  it('refuses changing the lines of an order paid online, and the address of a pick-up order', async () => {
    const paid = await place(1);
    await hub.db.query(
      (await import('../../hub/src/adapters/postgres.js')).sql
        .unsafe`update orders set payment_status = 'paid' where id = ${paid.order.id}`,
    );
    const lines = await hub.client().patch<ErrorBody>(`/api/orders/track/${paid.trackingToken}`, {
      lines: [{ productId: reine, quantity: 5 }],
    });
    expect(lines.status).toBe(409);
    expect(lines.body.error.code).toBe('order/locked');

    const pickup = await hub
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
      );
    const address = await hub.client().patch<ErrorBody>(`/api/orders/track/${pickup.body.trackingToken}`, {
      deliveryAddress: { line1: '3 rue Oberkampf', postcode: '75011', city: 'Paris' },
    });
    expect(address.status).toBe(422);
    expect(address.body.error.code).toBe('order/invalid');
  });
});
