import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder } from '../../hub/src/contract/index.js';
import { facts, type Facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;
let f: Facts;
// The hub's clock, moved by the test: the expiry rule is about time, the test must not wait for it.
let offsetMs = 0;

beforeAll(async () => {
  hub = await startTestHub({ clock: { now: () => new Date(Date.now() + offsetMs) } });
  f = facts(hub.db);
});
afterAll(() => hub?.close());

describe('unpaid online orders', () => {
  it('are cancelled by the system after 15 minutes, giving their ingredients back; paid-later orders are not', async () => {
    const shopA = await f.shopId('A');
    const reine = await f.productId('reine');
    const dough = await f.ingredientId('Pâton de pâte à pizza');
    const before = await f.stock(shopA, dough);
    const online = await hub.client().post<CreatedOrder>(
      '/api/orders',
      orderBody({
        shopId: shopA,
        lines: [{ productId: reine, quantity: 2 }],
        paymentMethod: 'card_online',
      }),
    );
    const counter = await hub
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
      );
    expect(online.body.order.status).toBe('pending_payment');
    expect((await f.stock(shopA, dough)).reserved).toBe(before.reserved + 3);

    offsetMs = 14 * 60 * 1000;
    expect(await hub.services.orders.expireUnpaid()).toBe(0);
    expect((await f.order(online.body.order.id)).status).toBe('pending_payment');

    offsetMs = 15 * 60 * 1000 + 1000;
    expect(await hub.services.orders.expireUnpaid()).toBe(1);
    expect(await f.order(online.body.order.id)).toEqual({ status: 'cancelled', version: 2 });
    expect((await f.order(counter.body.order.id)).status).toBe('received');
    expect((await f.stock(shopA, dough)).reserved).toBe(before.reserved + 1);
    const last = (await f.orderEvents(online.body.order.id)).at(-1);
    expect(last?.data).toMatchObject({ to: 'cancelled', by: { kind: 'system' } });

    // Running again finds nothing more to do.
    expect(await hub.services.orders.expireUnpaid()).toBe(0);
  });
});
