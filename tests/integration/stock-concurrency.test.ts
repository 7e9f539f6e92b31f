import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, ErrorBody, ShopStock } from '../../hub/src/contract/index.js';
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

describe('concurrent orders competing for the last ingredients', () => {
  it('accepts exactly the 10 that fit, refuses the other 40 naming the pizza, never goes below zero', async () => {
    const shopId = await f.shopId('A');
    const margherita = await f.productId('margherita');
    const dough = await f.ingredientId('Pâton de pâte à pizza');
    const manager = await hub.staff('manager.a@demo.ocpizza.fr');

    // Leave dough for exactly 10 pizzas, through the manager's own stock correction.
    const before = await f.stock(shopId, dough);
    const adjust = await manager.post<ShopStock>(`/api/shops/${shopId}/stock/movements`, {
      kind: 'adjustment',
      ingredientId: dough,
      quantity: 10 - before.onHand,
      note: 'comptage du soir',
    });
    expect(adjust.status).toBe(201);
    expect(await f.stock(shopId, dough)).toEqual({ onHand: 10, reserved: 0 });

    const customer = hub.client();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        customer.post<CreatedOrder | ErrorBody>(
          '/api/orders',
          orderBody({
            shopId,
            lines: [{ productId: margherita, quantity: 1 }],
            customer: { name: `Client ${i}`, phone: '06 00 00 00 00' },
          }),
        ),
      ),
    );

    const accepted = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(accepted).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const r of refused) {
      expect(r.status).toBe(409);
      const body = r.body as ErrorBody;
      expect(body.error.code).toBe('stock/insufficient');
      expect(body.error.message).toContain('Margherita');
    }

    expect(await f.stock(shopId, dough)).toEqual({ onHand: 10, reserved: 10 });
    expect(await f.negativeStock()).toBe(0);
    expect(await f.ledgerMismatches()).toEqual([]);
    const snapshot = await f.snapshot();
    expect(snapshot.orders).toBe(10);

    // The menu agrees: no margherita can be ordered any more.
    const menu = await customer.get<{ products: Array<{ id: number; available: number }> }>(
      `/api/shops/${shopId}/menu`,
    );
    expect(menu.body.products.find((p) => p.id === margherita)?.available).toBe(0);
  });
});
