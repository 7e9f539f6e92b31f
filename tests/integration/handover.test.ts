import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, ErrorBody, Order } from '../../hub/src/contract/index.js';
import { sql } from '../../hub/src/adapters/postgres.js';
import { facts, type Facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;
let f: Facts;

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
});
afterAll(() => hub?.close());

describe('handing over an order paid at the counter', () => {
  it('needs the payment to be collected, and records it with the move', async () => {
    const shopA = await f.shopId('A');
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const counter = await hub.staff('counter.a@demo.ocpizza.fr');
    const created = await hub
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: await f.productId('reine'), quantity: 2 }] }),
      );
    const id = created.body.order.id;
    for (const to of ['preparing', 'baking', 'ready'])
      await kitchen.post(`/api/orders/${id}/transitions`, { to });

    const before = await f.snapshot();
    const unpaid = await counter.post<ErrorBody>(`/api/orders/${id}/transitions`, { to: 'picked_up' });
    expect(unpaid.status).toBe(422);
    expect(unpaid.body.error.code).toBe('order/invalid');
    expect(unpaid.body.error.message).toMatch(/cash or card/);
    expect(await f.snapshot()).toEqual(before);

    const handed = await counter.post<Order>(`/api/orders/${id}/transitions`, {
      to: 'picked_up',
      collected: 'card',
    });
    expect(handed.status).toBe(200);
    expect(handed.body.paymentStatus).toBe('paid');
    const payments = await hub.db.any(
      sql.type(z.object({ provider: z.string(), amountCents: z.number() }))`
        select provider, amount_cents as "amountCents" from payments where order_id = ${id}`,
    );
    expect(payments).toEqual([
      { provider: 'card_terminal', amountCents: created.body.order.totals.totalCents },
    ]);
  });
});
