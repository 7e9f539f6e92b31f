import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CreatedOrder, ErrorBody, ManagerSnapshot, Order } from '../../hub/src/contract/index.js';
import { sql } from '../../hub/src/adapters/postgres.js';
import type { ApiClient } from '../helpers/api-client.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody } from '../helpers/orders.js';
import { openSocket } from '../helpers/sockets.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

/**
 * Issue 14: a ready delivery sat "attend le livreur" while a logged-in, free courier saw
 * "aucune livraison": the offer had gone to a courier whose phone was not connected. Offers go
 * only to couriers whose screen is connected (or was, within the grace), and an unanswered one
 * moves on.
 */
const GRACE_MS = 9_000;
let hub: TestHub;
let f: Facts;
let shopA: number;
let reine: number;
let kitchen: ApiClient;
let manager: ApiClient;
let near: ApiClient;
let far: ApiClient;
let nearId: string;
let farId: string;

beforeAll(async () => {
  hub = await startTestHub({ env: { COURIER_PRESENCE_GRACE_MS: String(GRACE_MS) } });
  f = facts(hub.db);
  shopA = await f.shopId('A');
  reine = await f.productId('reine');
  kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
  manager = await hub.staff('manager.a@demo.ocpizza.fr');
  // Both logged in and on shift; "near" waits at the shop's door, "far" a few streets away.
  near = await hub.staff('courier.a@demo.ocpizza.fr');
  far = await hub.staff('courier2.a@demo.ocpizza.fr');
  nearId = await f.staffId('courier.a@demo.ocpizza.fr');
  farId = await f.staffId('courier2.a@demo.ocpizza.fr');
  await hub.db.query(
    sql.unsafe`update couriers set last_lat = 48.8657, last_lng = 2.3782 where staff_id = ${nearId}`,
  );
  await hub.db.query(
    sql.unsafe`update couriers set last_lat = 48.8700, last_lng = 2.3900 where staff_id = ${farId}`,
  );
});
afterAll(() => hub?.close());

// Each test starts with no delivery in progress and nobody seen.
beforeEach(async () => {
  const board = await manager.get<ManagerSnapshot>(`/api/shops/${shopA}/manager`);
  for (const o of board.body.orders) {
    if (['received', 'preparing', 'baking', 'ready', 'out_for_delivery'].includes(o.status)) {
      await manager.post(`/api/orders/${o.id}/transitions`, { to: 'cancelled', reason: 'remise à zéro' });
    }
  }
  await hub.db.query(sql.unsafe`update couriers set last_seen_at = null where shop_id = ${shopA}`);
});

async function readyOrder(): Promise<string> {
  const created = await hub
    .client()
    .post<CreatedOrder>(
      '/api/orders',
      deliveryOrderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
    );
  const id = created.body.order.id;
  for (const to of ['preparing', 'baking', 'ready']) {
    expect((await kitchen.post(`/api/orders/${id}/transitions`, { to })).status).toBe(200);
  }
  return id;
}

/** Closes a courier's only screen and waits for the hub to stamp when they left. */
async function hangUp(phone: Awaited<ReturnType<typeof openSocket>>, courierId: string): Promise<void> {
  const before = await lastSeen(courierId);
  phone.close();
  await expect.poll(() => lastSeen(courierId), { timeout: 10_000 }).toBeGreaterThan(before);
}

const offerOf = async (id: string) => (await manager.get<Order>(`/api/orders/${id}`)).body.offer;
const lastSeen = async (courierId: string) =>
  hub.db.oneFirst(
    sql.unsafe`select coalesce(extract(epoch from last_seen_at) * 1000, 0)::float8 from couriers where staff_id = ${courierId}`,
  ) as Promise<number>;

describe('dispatch offers only to couriers who are connected', () => {
  it('one connected, one absent: the connected one gets it; unanswered it moves on; the absent one gets it on connecting', async () => {
    const farPhone = await openSocket(hub.baseUrl, { cookie: far.cookieHeader });
    await farPhone.subscribe(0);

    // "near" is logged in, on shift and at the door, but has no screen open: not them.
    const id = await readyOrder();
    expect(await offerOf(id)).toMatchObject({ courierId: farId });
    await farPhone.until((events) =>
      events.some((e) => e.orderId === id && e.type === 'order.offer_changed'),
    );

    // The connected courier does not answer; the sweep moves the offer on. Nobody else is
    // connected, so the order waits rather than going to a phone that cannot see it.
    await hub.db.query(
      sql.unsafe`update orders set offer_expires_at = now() - interval '1 second' where id = ${id}`,
    );
    expect(await hub.services.dispatch.expireOffers()).toBe(1);
    expect(await offerOf(id)).toBeNull();
    const late = await far.post<ErrorBody>(`/api/orders/${id}/offer/accept`);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('order/offer_expired');

    // "near" opens the courier view: the waiting order is offered at once, not at the next sweep.
    const nearPhone = await openSocket(hub.baseUrl, { cookie: near.cookieHeader });
    await nearPhone.subscribe(0);
    await nearPhone.until((events) =>
      events.some((e) => e.orderId === id && e.type === 'order.offer_changed' && e.courierId === nearId),
    );
    expect(await offerOf(id)).toMatchObject({ courierId: nearId });
    const accepted = await near.post<Order>(`/api/orders/${id}/offer/accept`);
    expect(accepted.body).toMatchObject({ courierId: nearId, offer: null });
    await hangUp(farPhone, farId);
    await hangUp(nearPhone, nearId);
  });

  it('a phone that drops keeps its place for the grace, counted from when it left; past it, it is out', async () => {
    const phone = await openSocket(hub.baseUrl, { cookie: near.cookieHeader });
    expect(await lastSeen(nearId)).toBeGreaterThan(0);
    // Pretend the last stamp is old, then drop the connection: the disconnect stamps it anew.
    await hub.db.query(
      sql.unsafe`update couriers set last_seen_at = now() - interval '1 hour' where staff_id = ${nearId}`,
    );
    await hangUp(phone, nearId);

    const first = await readyOrder();
    expect(await offerOf(first)).toMatchObject({ courierId: nearId });

    // The grace has run out since (made so in the database): the next ready order waits.
    await hub.db.query(
      sql.unsafe`update couriers set last_seen_at = now() - make_interval(secs => ${GRACE_MS / 1000 + 1}) where staff_id = ${nearId}`,
    );
    const second = await readyOrder();
    expect(await offerOf(second)).toBeNull();
    expect(await hub.services.dispatch.offerWaiting()).toBe(0);
  });

  it('a courier connected all evening stays present: the node stamps them again within the grace', async () => {
    const phone = await openSocket(hub.baseUrl, { cookie: far.cookieHeader });
    await hub.db.query(
      sql.unsafe`update couriers set last_seen_at = now() - interval '1 hour' where staff_id = ${farId}`,
    );
    const old = await lastSeen(farId);
    // A third of the grace apart: well within the poll's bound.
    await expect.poll(() => lastSeen(farId), { timeout: GRACE_MS }).toBeGreaterThan(old);
    const id = await readyOrder();
    expect(await offerOf(id)).toMatchObject({ courierId: farId });
    await hangUp(phone, farId);
  });
});
