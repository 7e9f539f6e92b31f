import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type {
  Ack,
  CourierSnapshot,
  CreatedOrder,
  ErrorBody,
  ManagerSnapshot,
  Order,
} from '../../hub/src/contract/index.js';
import { sql } from '../../hub/src/adapters/postgres.js';
import type { ApiClient } from '../helpers/api-client.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody } from '../helpers/orders.js';
import { openSocket } from '../helpers/sockets.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;
let f: Facts;
let shopA: number;
let reine: number;
let kitchen: ApiClient;
let manager: ApiClient;
let courierA: ApiClient;
let courierB: ApiClient;
let idA: string;
let idB: string;
let screens: Array<Awaited<ReturnType<typeof openSocket>>> = [];

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
  shopA = await f.shopId('A');
  reine = await f.productId('reine');
  kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
  manager = await hub.staff('manager.a@demo.ocpizza.fr');
  courierA = await hub.staff('courier.a@demo.ocpizza.fr');
  courierB = await hub.staff('courier2.a@demo.ocpizza.fr');
  idA = await f.staffId('courier.a@demo.ocpizza.fr');
  idB = await f.staffId('courier2.a@demo.ocpizza.fr');
  // Courier A waits at the shop's door, courier B a few streets away.
  await hub.db.query(
    sql.unsafe`update couriers set last_lat = 48.8657, last_lng = 2.3782 where staff_id = ${idA}`,
  );
  await hub.db.query(
    sql.unsafe`update couriers set last_lat = 48.8700, last_lng = 2.3900 where staff_id = ${idB}`,
  );
  // Both have the courier view open all along: offers go to connected couriers only
  // (dispatch-presence.test.ts tests who is left out).
  screens = [
    await openSocket(hub.baseUrl, { cookie: courierA.cookieHeader }),
    await openSocket(hub.baseUrl, { cookie: courierB.cookieHeader }),
  ];
});
afterAll(async () => {
  for (const s of screens) s.close();
  await hub?.close();
});

// Each test starts with no delivery in progress: the manager cancels what the last one left.
beforeEach(async () => {
  const board = await manager.get<ManagerSnapshot>(`/api/shops/${shopA}/manager`);
  for (const o of board.body.orders) {
    if (
      ['pending_payment', 'received', 'preparing', 'baking', 'ready', 'out_for_delivery'].includes(o.status)
    ) {
      await manager.post(`/api/orders/${o.id}/transitions`, {
        to: 'cancelled',
        reason: 'remise à zéro du test',
      });
    }
  }
});

async function readyOrder(position = { lat: 48.8549, lng: 2.3736 }): Promise<string> {
  const created = await hub.client().post<CreatedOrder>(
    '/api/orders',
    deliveryOrderBody({
      shopId: shopA,
      lines: [{ productId: reine, quantity: 1 }],
      deliveryAddress: { line1: '24 rue de la Roquette', postcode: '75011', city: 'Paris', position },
    }),
  );
  const id = created.body.order.id;
  for (const to of ['preparing', 'baking', 'ready']) {
    expect((await kitchen.post(`/api/orders/${id}/transitions`, { to })).status).toBe(200);
  }
  return id;
}

const offerOf = async (id: string) => (await manager.get<Order>(`/api/orders/${id}`)).body.offer;

describe('dispatch', () => {
  it('offers a ready delivery to the nearest available courier, live on their phone only', async () => {
    const phoneA = await openSocket(hub.baseUrl, { cookie: courierA.cookieHeader });
    const phoneB = await openSocket(hub.baseUrl, { cookie: courierB.cookieHeader });
    const otherShop = await openSocket(hub.baseUrl, {
      cookie: (await hub.staff('courier.b@demo.ocpizza.fr')).cookieHeader,
    });
    for (const p of [phoneA, phoneB, otherShop]) await p.subscribe(0);

    const id = await readyOrder();
    expect((await offerOf(id))?.courierId).toBe(idA);
    await phoneA.until((events) => events.some((e) => e.orderId === id && e.type === 'order.offer_changed'));
    // The offer reached A's phone, so it was emitted; round trips on the other sockets come back
    // after anything emitted to them before: absence is final.
    for (const p of [phoneB, otherShop]) await p.subscribe(0);
    expect(phoneB.events.filter((e) => e.orderId === id)).toEqual([]);
    expect(otherShop.events.filter((e) => e.orderId === id)).toEqual([]);

    const snapshot = await courierA.get<CourierSnapshot>('/api/couriers/me/orders');
    expect(snapshot.body.orders.map((o) => o.id)).toContain(id);
    for (const p of [phoneA, phoneB, otherShop]) p.close();
  });

  it('a declined offer goes to the next courier; an offer left to expire goes on; with nobody left it waits', async () => {
    const id = await readyOrder();
    expect((await offerOf(id))?.courierId).toBe(idA);
    // B cannot take what is offered to A.
    const stolen = await courierB.post<ErrorBody>(`/api/orders/${id}/offer/accept`);
    expect(stolen.status).toBe(409);
    const declined = await courierA.post<Order>(`/api/orders/${id}/offer/decline`);
    expect(declined.status).toBe(200);
    expect(declined.body.offer?.courierId).toBe(idB);

    // B does not answer in time.
    await hub.db.query(
      sql.unsafe`update orders set offer_expires_at = now() - interval '1 second' where id = ${id}`,
    );
    expect(await hub.services.dispatch.tick()).toBeGreaterThan(0);
    expect(await offerOf(id)).toBeNull();
    const late = await courierB.post<ErrorBody>(`/api/orders/${id}/offer/accept`);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('order/offer_expired');

    // Nobody takes it by themselves any more: a manager assigns it by hand.
    const assigned = await manager.post<Order>(`/api/orders/${id}/courier`, { courierId: idB });
    expect(assigned.body.courierId).toBe(idB);
  });

  it('accept, pick up, deliver with cash: each step once, and another courier can do none of it', async () => {
    const id = await readyOrder();
    expect((await offerOf(id))?.courierId).toBe(idA);
    const accepted = await courierA.post<Order>(`/api/orders/${id}/offer/accept`);
    expect(accepted.body).toMatchObject({ courierId: idA, offer: null });

    const phoneB = await openSocket(hub.baseUrl, { cookie: courierB.cookieHeader });
    const viaSocket = (await phoneB.socket.timeout(10_000).emitWithAck('command', {
      name: 'order:transition',
      idempotencyKey: `steal-${id}`,
      payload: { orderId: id, to: 'out_for_delivery' },
    })) as Ack<Order>;
    expect(viaSocket.ok).toBe(false);
    const viaRest = await courierB.post<ErrorBody>(`/api/orders/${id}/transitions`, {
      to: 'out_for_delivery',
    });
    expect(viaRest.status).toBe(403);
    phoneB.close();

    expect((await courierA.post(`/api/orders/${id}/transitions`, { to: 'out_for_delivery' })).status).toBe(
      200,
    );
    const delivered = await courierA.post<Order>(`/api/orders/${id}/transitions`, {
      to: 'delivered',
      collected: 'cash',
    });
    expect(delivered.body).toMatchObject({ status: 'delivered', paymentStatus: 'paid' });
    const types = (await f.orderEvents(id)).map((e) => e.type);
    expect(types.filter((t) => t === 'order.courier_assigned')).toHaveLength(1);
  });

  it('batches a second ready order close to one a courier is about to take', async () => {
    await hub.db.query(sql.unsafe`update couriers set capacity = 2 where staff_id = ${idB}`);
    const first = await readyOrder({ lat: 48.8549, lng: 2.3736 });
    expect((await courierA.post<Order>(`/api/orders/${first}/offer/accept`)).status).toBe(200);
    // A second order two streets from the first: A is busy with one, B is free, but A passes by.
    const second = await readyOrder({ lat: 48.8552, lng: 2.3742 });
    expect((await offerOf(second))?.courierId).toBe(idA);
  });
});
