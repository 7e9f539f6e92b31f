import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OrderStatus as OrderStatusEnum,
  type CreatedOrder,
  type ErrorBody,
  type Menu,
  type Order,
  type OrderStatus,
} from '../../hub/src/contract/index.js';
import type { ApiClient } from '../helpers/api-client.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody, orderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

/**
 * The lifecycle table of DESIGN.md section 3, written out here independently of the domain code:
 * [from, to, who]. "customer" is the order's own customer (through the tracking link).
 * Manager moves from `preparing` on carry a reason in this test (the table requires one).
 */
type Who =
  | 'kitchenA'
  | 'kitchenB'
  | 'counterA'
  | 'managerA'
  | 'managerB'
  | 'admin'
  | 'courierAssigned'
  | 'courierOther'
  | 'customer'
  | 'otherCustomer';
const TABLE: ReadonlyArray<[OrderStatus, OrderStatus, readonly Who[], 'delivery' | 'pickup' | 'any']> = [
  ['received', 'preparing', ['kitchenA'], 'any'],
  ['preparing', 'baking', ['kitchenA'], 'any'],
  ['baking', 'ready', ['kitchenA'], 'any'],
  ['ready', 'out_for_delivery', ['courierAssigned'], 'delivery'],
  ['out_for_delivery', 'delivered', ['courierAssigned'], 'delivery'],
  ['out_for_delivery', 'delivery_failed', ['courierAssigned'], 'delivery'],
  ['ready', 'picked_up', ['counterA'], 'pickup'],
  ['pending_payment', 'cancelled', ['customer', 'counterA', 'managerA', 'admin'], 'any'],
  ['received', 'cancelled', ['customer', 'counterA', 'managerA', 'admin'], 'any'],
  ['preparing', 'cancelled', ['managerA', 'admin'], 'any'],
  ['baking', 'cancelled', ['managerA', 'admin'], 'any'],
  ['ready', 'cancelled', ['managerA', 'admin'], 'any'],
  ['out_for_delivery', 'cancelled', ['managerA', 'admin'], 'any'],
];

function allowed(from: OrderStatus, to: OrderStatus, who: Who, mode: 'delivery' | 'pickup'): boolean {
  return TABLE.some(
    ([f, t, whos, m]) => f === from && t === to && whos.includes(who) && (m === 'any' || m === mode),
  );
}

const STATUSES: readonly OrderStatus[] = OrderStatusEnum.options;
const WHO: Who[] = [
  'kitchenA',
  'kitchenB',
  'counterA',
  'managerA',
  'managerB',
  'admin',
  'courierAssigned',
  'courierOther',
  'customer',
  'otherCustomer',
];

const HAPPY: Record<'delivery' | 'pickup', OrderStatus[]> = {
  delivery: ['pending_payment', 'received', 'preparing', 'baking', 'ready', 'out_for_delivery', 'delivered'],
  pickup: ['pending_payment', 'received', 'preparing', 'baking', 'ready', 'picked_up'],
};
function nextStatus(from: OrderStatus, mode: 'delivery' | 'pickup'): OrderStatus {
  const path = HAPPY[mode];
  return path[path.indexOf(from) + 1] ?? 'cancelled';
}
function rightful(from: OrderStatus, to: OrderStatus, mode: 'delivery' | 'pickup'): Who {
  return WHO.find((w) => allowed(from, to, w, mode)) ?? 'managerA';
}

let hub: TestHub;
let f: Facts;
let shopA: number;
let product: number;
let clients: Record<Exclude<Who, 'customer' | 'otherCustomer'>, ApiClient>;
let courierAssignedId: string;

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
  shopA = await f.shopId('A');
  product = await f.productId('reine');
  const login = (email: string) => hub.staff(`${email}@demo.ocpizza.fr`);
  clients = {
    kitchenA: await login('kitchen.a'),
    kitchenB: await login('kitchen.b'),
    counterA: await login('counter.a'),
    managerA: await login('manager.a'),
    managerB: await login('manager.b'),
    admin: await login('admin'),
    courierAssigned: await login('courier.a'),
    courierOther: await login('courier2.a'),
  };
  courierAssignedId = await f.staffId('courier.a@demo.ocpizza.fr');
  // Every run may consume a pizza's ingredients: restock well beyond what 60 runs can use, so a
  // refusal can only come from the lifecycle, never from an empty shelf.
  const menu = await hub.client().get<Menu>(`/api/shops/${shopA}/menu`);
  for (const item of menu.body.products.find((p) => p.id === product)!.recipe) {
    const restock = await clients.managerA.post(`/api/shops/${shopA}/stock/movements`, {
      kind: 'restock',
      ingredientId: item.ingredientId,
      quantity: item.quantity * 500,
    });
    expect(restock.status).toBe(201);
  }
});
afterAll(() => hub?.close());

async function attempt(who: Who, order: CreatedOrder, to: OrderStatus) {
  const reason = 'test: client injoignable';
  if (who === 'customer' || who === 'otherCustomer') {
    // Another customer holds only their own link: the nearest they get is a link that is not this order's.
    const token = who === 'customer' ? order.trackingToken : randomBytes(32).toString('base64url');
    // A customer's only move is cancelling through the link; for any other target we aim the
    // staff endpoint without a session, which must be refused too.
    if (to === 'cancelled')
      return hub.client().post<ErrorBody>(`/api/orders/track/${token}/cancel`, { reason });
    return hub.client().post<ErrorBody>(`/api/orders/${order.order.id}/transitions`, { to });
  }
  // Handing over a pay-later order records the payment; saying "cash" on other moves changes nothing.
  return clients[who].post<Order | ErrorBody>(`/api/orders/${order.order.id}/transitions`, {
    to,
    reason,
    collected: 'cash',
  });
}

describe('order lifecycle through the API', () => {
  it('accepts exactly the moves of the lifecycle table; a refused move changes nothing', async () => {
    // Half the steps aim at the happy path (its next status, by whoever the table allows), so
    // runs reach the late states; the others are anything by anyone.
    const step = fc.record({
      who: fc.oneof(fc.constantFrom(...WHO), fc.constant('rightful' as const)),
      to: fc.oneof(fc.constantFrom(...STATUSES), fc.constant('next' as const)),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<'delivery' | 'pickup'>('delivery', 'pickup'),
        fc.boolean(),
        fc.array(step, { minLength: 1, maxLength: 12 }),
        async (mode, online, steps) => {
          const body =
            mode === 'delivery'
              ? deliveryOrderBody({
                  shopId: shopA,
                  lines: [{ productId: product, quantity: 1 }],
                  paymentMethod: online ? 'card_online' : 'cash_at_door',
                })
              : orderBody({
                  shopId: shopA,
                  lines: [{ productId: product, quantity: 1 }],
                  paymentMethod: online ? 'card_online' : 'at_counter',
                });
          const created = await hub.client().post<CreatedOrder>('/api/orders', body);
          expect(created.status).toBe(201);
          const order = created.body;
          let status: OrderStatus = order.order.status;
          expect(status).toBe(online ? 'pending_payment' : 'received');
          // Couriers are assigned once an order is received (online orders wait for their payment,
          // which arrives through Stripe, not through this API).
          if (mode === 'delivery' && !online) {
            const assigned = await clients.managerA.post(`/api/orders/${order.order.id}/courier`, {
              courierId: courierAssignedId,
            });
            expect(assigned.status).toBe(200);
          }
          for (const aim of steps) {
            const to: OrderStatus = aim.to === 'next' ? nextStatus(status, mode) : aim.to;
            const who: Who = aim.who === 'rightful' ? rightful(status, to, mode) : aim.who;
            const before = await f.snapshot();
            const res = await attempt(who, order, to);
            const expected = allowed(status, to, who, mode);
            if (expected) {
              expect(res.status, `${who}: ${status} -> ${to}`).toBe(200);
              const after = await f.snapshot();
              expect(after.versions).toBe(before.versions + 1);
              expect(after.events).toBeGreaterThan(before.events);
              status = to;
              expect((await f.order(order.order.id)).status).toBe(to);
            } else {
              expect(res.status, `${who}: ${status} -> ${to} must be refused`).toBeGreaterThanOrEqual(400);
              expect(res.status).toBeLessThan(500);
              expect((res.body as ErrorBody).error.code).toMatch(/^(auth|order)\//);
              expect(await f.snapshot()).toEqual(before);
            }
          }
          expect(await f.ledgerMismatches()).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
