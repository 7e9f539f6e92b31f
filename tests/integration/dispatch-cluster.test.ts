import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, Order } from '../../hub/src/contract/index.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { deliveryOrderBody } from '../helpers/orders.js';
import { openSocket } from '../helpers/sockets.js';

/**
 * Dispatch as production runs it: two hub PROCESSES (main.ts, with its jobs) on one PostgreSQL
 * and Redis, each courier's phone on a different node. Presence lives in PostgreSQL, so the node
 * that dispatches knows a courier connected to the other; and nobody calls the sweep here: the
 * node's own job moves an unanswered offer on.
 */
let cluster: Cluster;
let db: pg.Client;
let shopA: number;
let reine: number;
let kitchen: string;
const couriers = { near: { cookie: '', id: '' }, far: { cookie: '', id: '' } };

beforeAll(async () => {
  cluster = await startCluster({ size: 2 });
  db = new pg.Client({ connectionString: cluster.database.url });
  await db.connect();
  shopA = await cluster.shopId('A');
  reine = await cluster.productId('reine');
  kitchen = await cluster.login('kitchen.a@demo.ocpizza.fr');
  for (const [who, email] of [
    ['near', 'courier.a@demo.ocpizza.fr'],
    ['far', 'courier2.a@demo.ocpizza.fr'],
  ] as const) {
    couriers[who].cookie = await cluster.login(email);
    const { rows } = await db.query<{ id: string }>('select id from staff where email = $1', [email]);
    couriers[who].id = rows[0]!.id;
  }
  await db.query('update couriers set last_lat = 48.8657, last_lng = 2.3782 where staff_id = $1', [
    couriers.near.id,
  ]);
  await db.query('update couriers set last_lat = 48.8700, last_lng = 2.3900 where staff_id = $1', [
    couriers.far.id,
  ]);
});
afterAll(async () => {
  await db?.end();
  await cluster?.close();
});

describe('dispatch across two hub processes', () => {
  it('offers to a courier connected to the other node, and the node itself moves an unanswered offer on', async () => {
    const [one, two] = cluster.nodes();
    if (!one || !two) throw new Error('the cluster has fewer than two nodes');
    const nearPhone = await openSocket(one.baseUrl, { cookie: couriers.near.cookie });
    const farPhone = await openSocket(two.baseUrl, { cookie: couriers.far.cookie });
    for (const p of [nearPhone, farPhone]) await p.subscribe(0);

    const created = await one.request<CreatedOrder>(
      'POST',
      '/api/orders',
      deliveryOrderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
    );
    expect(created.status).toBe(201);
    const id = created.body.order.id;
    for (const to of ['preparing', 'baking', 'ready']) {
      expect(
        (await two.request<Order>('POST', `/api/orders/${id}/transitions`, { to }, kitchen)).status,
      ).toBe(200);
    }
    await nearPhone.until((events) =>
      events.some((e) => e.orderId === id && e.type === 'order.offer_changed'),
    );

    // "near" lets it run out (the clock moved on, as far as PostgreSQL knows); no test code sweeps.
    await db.query(`update orders set offer_expires_at = now() - interval '1 second' where id = $1`, [id]);
    await farPhone.until((events) =>
      events.some(
        (e) => e.orderId === id && e.type === 'order.offer_changed' && e.courierId === couriers.far.id,
      ),
    );
    const { rows } = await db.query<{ status: string; courier: string }>(
      'select status, courier_id as courier from dispatch_offers where order_id = $1 order by id',
      [id],
    );
    expect(rows).toEqual([
      { status: 'expired', courier: couriers.near.id },
      { status: 'pending', courier: couriers.far.id },
    ]);
    nearPhone.close();
    farPhone.close();
  });
});
