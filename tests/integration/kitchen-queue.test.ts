import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../hub/src/adapters/postgres.js';
import type { CreatedOrder, Eta } from '../../hub/src/contract/index.js';
import { findKitchenQueue, KITCHEN_QUEUE_LIMIT } from '../../hub/src/orders/orders-repository.js';
import { facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

// A shop whose kitchen has stopped bumping tickets: more waiting orders than the promise's queue
// read takes. The read must give the started tickets and the first waiting ones in the board's
// order (due first, then placed first), and a new order's promise must still wait behind them.
let hub: TestHub;
let shopB: number;
let reine: number;
const WAITING = KITCHEN_QUEUE_LIMIT + 50;

/** `count` orders of shop B, written straight to the tables (as many placed orders would be). */
async function seedOrders(
  status: 'received' | 'preparing',
  count: number,
  readyBy: (i: number) => string,
): Promise<void> {
  await hub.db.query(sql.unsafe`
    with made as (
      insert into orders (shop_id, short_code, channel, mode, status, customer_name, customer_phone,
        total_cents, vat_cents, payment_method, tracking_token_hash, promise_at, promise_ready_by, created_at)
      select ${shopB}, 'B-' || ${status} || i, 'web', 'pickup', ${status}, 'Client ' || i, '0600000000',
        1200, 109, 'at_counter', sha256(convert_to(gen_random_uuid()::text, 'UTF8')),
        (x.ready_by)::timestamptz, (x.ready_by)::timestamptz, now() - interval '1 hour' + i * interval '1 second'
      from unnest(${sql.array(
        Array.from({ length: count }, (_, i) => readyBy(i)),
        'text',
      )}::text[]) with ordinality as x(ready_by, i)
      returning id
    )
    insert into order_lines (order_id, line_no, product_id, product_name, quantity, unit_price_cents, vat_rate_bp)
    select id, 1, ${reine}, 'Reine', 2, 1200, 1000 from made`);
}

beforeAll(async () => {
  hub = await startTestHub();
  const f = facts(hub.db);
  shopB = await f.shopId('B');
  reine = await f.productId('reine');
  const hour = 60 * 60_000;
  // Waiting tickets due from an hour ago onwards, one minute apart, written in reverse due order
  // so that the placed order and the due order disagree.
  const base = Date.now() - hour;
  await seedOrders('received', WAITING, (i) => new Date(base + (WAITING - 1 - i) * 60_000).toISOString());
  await seedOrders('preparing', 3, () => new Date(Date.now() + 10 * 60_000).toISOString());
});
afterAll(async () => {
  await hub?.close();
});

describe('the kitchen queue a promise waits behind', () => {
  it('gives every started ticket and the first waiting ones by due time, bounded', async () => {
    const queue = await findKitchenQueue(hub.db, shopB);
    const started = queue.filter((o) => o.status === 'preparing');
    const waiting = queue.filter((o) => o.status === 'received');
    expect(started).toHaveLength(3);
    expect(waiting).toHaveLength(KITCHEN_QUEUE_LIMIT);
    const due = waiting.map((o) => Date.parse(o.readyBy)).sort((a, b) => a - b);
    // The earliest due of all WAITING tickets, none of the 50 due last.
    const all = await hub.db.manyFirst(
      sql.unsafe`select promise_ready_by from orders where shop_id = ${shopB} and status = 'received'
        order by promise_ready_by limit ${KITCHEN_QUEUE_LIMIT}`,
    );
    expect(due).toEqual(all.map((d) => Date.parse(String(d))));
    expect(waiting.every((o) => o.lines.length === 1 && o.lines[0]!.quantity === 2)).toBe(true);
  });

  it('a new order there is promised after the tickets the read gave, hours out', async () => {
    const res = await hub
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        orderBody({ shopId: shopB, lines: [{ productId: reine, quantity: 1 }] }),
      );
    expect(res.status).toBe(201);
    const eta = await hub.client().get<Eta>(`/api/orders/track/${res.body.trackingToken}/eta`);
    expect(eta.status).toBe(200);
    // Every waiting ticket read was due before this one could be: all are ahead, and the started ones.
    expect(eta.body.ordersAhead).toBe(KITCHEN_QUEUE_LIMIT + 3);
    const prep = Number(
      await hub.db.oneFirst(sql.unsafe`select prep_minutes from products where id = ${reine}`),
    );
    // Two makers share 200 waiting tickets of two pizzas each.
    const minutesAhead = (Date.parse(res.body.order.promise.readyBy) - Date.now()) / 60_000;
    expect(minutesAhead).toBeGreaterThan((KITCHEN_QUEUE_LIMIT * 2 * prep) / 2);
  });
});
