import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder } from '../../hub/src/contract/index.js';
import { toOrder } from '../../hub/src/orders/order-views.js';
import { shortCode } from '../../hub/src/domain/short-code.js';
import { findOrder, OrderRow, orderRowJsonb, shortCodeSql } from '../../hub/src/orders/orders-repository.js';
import { allEvents } from '../helpers/all-events.js';
import { facts } from '../helpers/facts.js';
import { deliveryOrderBody, orderBody } from '../helpers/orders.js';
import { sql, startTestHub, type TestHub } from '../helpers/test-hub.js';

/**
 * Events and write answers carry the order as PostgreSQL builds it (`orderRowJsonb`, one
 * statement); boards and reads get it from `orderSelect` through zod. Screens apply both, so
 * they must be the same value for every kind of order, field by field.
 */
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.close();
});

const lastEventOrder = (orderId: string) =>
  hub.db.oneFirst(sql.type(z.object({ order: z.record(z.string(), z.unknown()) }))`
    select data->'order' as order from ${allEvents} e where order_id = ${orderId} order by id desc limit 1`);

const builtRow = (orderId: string) =>
  hub.db.oneFirst(sql.type(z.object({ row: z.record(z.string(), z.unknown()) }))`
    select ${orderRowJsonb} as row from orders o join shops s on s.id = o.shop_id where o.id = ${orderId}`);

async function expectSameEverywhere(orderId: string) {
  const read = await findOrder(hub.db, orderId);
  expect(read).not.toBeNull();
  // The full row (private fields too), and the event's order exactly as the TypeScript builder makes it.
  expect(await builtRow(orderId)).toEqual(read);
  expect(OrderRow.parse(await builtRow(orderId))).toEqual(read);
  expect(await lastEventOrder(orderId)).toEqual(toOrder(read!));
}

describe('the order as SQL builds it for events and answers', () => {
  it('equals the order read through zod, for pick-up, delivery, offered, assigned, cancelled and failed orders', async () => {
    const f = facts(hub.db);
    const shopId = await f.shopId('A');
    const margherita = await f.productId('margherita');
    const reine = await f.productId('reine');
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const manager = await hub.staff('manager.a@demo.ocpizza.fr');
    const create = async (body: Parameters<typeof orderBody>[0], delivery = false) => {
      const res = await hub
        .client()
        .post<CreatedOrder>('/api/orders', delivery ? deliveryOrderBody(body) : orderBody(body));
      expect(res.status).toBe(201);
      return res.body;
    };

    // Pick-up, two lines, notes everywhere, a promised time, no email.
    const pickup = await create({
      shopId,
      lines: [
        { productId: margherita, quantity: 2, notes: 'bien cuite' },
        { productId: reine, quantity: 1 },
      ],
      notes: 'Sonner deux fois',
      promisedAt: new Date(Date.now() + 3 * 3600_000).toISOString(),
      customer: { name: 'Zoé Ünal', phone: '06 00 00 00 01' },
    });
    // The creation's answer is the event's order, not a second read.
    expect(pickup.order).toEqual(toOrder((await findOrder(hub.db, pickup.order.id))!));
    await expectSameEverywhere(pickup.order.id);

    // A delivery moved to ready: offered to a courier (offer with its expiry), then assigned.
    const delivery = await create({ shopId, lines: [{ productId: reine, quantity: 1 }] }, true);
    await expectSameEverywhere(delivery.order.id);
    for (const to of ['preparing', 'baking', 'ready']) {
      const moved = await kitchen.post(`/api/orders/${delivery.order.id}/transitions`, { to });
      expect(moved.status).toBe(200);
      expect(moved.body).toEqual(toOrder((await findOrder(hub.db, delivery.order.id))!));
    }
    await expectSameEverywhere(delivery.order.id);
    const courierId = await f.staffId('courier.a@demo.ocpizza.fr');
    const assigned = await manager.post(`/api/orders/${delivery.order.id}/courier`, { courierId });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ courierId, offer: null });
    await expectSameEverywhere(delivery.order.id);
    const courier = await hub.staff('courier.a@demo.ocpizza.fr');
    for (const [to, reason] of [
      ['out_for_delivery', undefined],
      ['delivery_failed', 'Personne à l’adresse'],
    ] as const) {
      const moved = await courier.post(`/api/orders/${delivery.order.id}/transitions`, { to, reason });
      expect(moved.status).toBe(200);
    }
    await expectSameEverywhere(delivery.order.id);
    expect((await findOrder(hub.db, delivery.order.id))!.statusReason).toBe('Personne à l’adresse');

    // Changed, then cancelled by its customer, with a reason.
    const changed = await hub.client().patch(`/api/orders/track/${pickup.trackingToken}`, {
      promisedAt: new Date(Date.now() + 4 * 3600_000).toISOString(),
    });
    expect(changed.status).toBe(200);
    await expectSameEverywhere(pickup.order.id);
    const cancelled = await hub
      .client()
      .post(`/api/orders/track/${pickup.trackingToken}/cancel`, { reason: 'Plus faim' });
    expect(cancelled.status).toBe(200);
    await expectSameEverywhere(pickup.order.id);
  });

  it('draws the short code in SQL exactly as the domain names it', async () => {
    const numbers = [0, 1, 7, 42, 999, 1000, 1042, 12345, 2 ** 40 + 7];
    const made = await hub.db.anyFirst(sql.type(z.object({ code: z.string() }))`
      select ${shortCodeSql(sql.fragment`'B'::text`, sql.fragment`n`)} as code
      from unnest(${sql.array(numbers, 'int8')}) with ordinality as t(n, i) order by i`);
    expect(made).toEqual(numbers.map((n) => shortCode('B', n)));
  });
});
