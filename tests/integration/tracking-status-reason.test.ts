import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, TrackedOrder, TrackingSnapshot } from '../../hub/src/contract/index.js';
import { facts } from '../helpers/facts.js';
import { deliveryOrderBody } from '../helpers/orders.js';
import { openSocket } from '../helpers/sockets.js';
import { sql, startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
  const f = facts(hub.db);
  // Courier A is the only one on shift: the ready delivery is offered to them.
  await hub.db.query(
    sql.unsafe`update couriers set on_shift = false where staff_id = ${await f.staffId('courier2.a@demo.ocpizza.fr')}`,
  );
});
afterAll(async () => {
  await hub?.close();
});

describe('a failed delivery, seen by its customer after a reload', () => {
  it('carries the courier’s reason on the tracked order and its snapshot', async () => {
    const f = facts(hub.db);
    const created = await hub.client().post<CreatedOrder>(
      '/api/orders',
      deliveryOrderBody({
        shopId: await f.shopId('A'),
        lines: [{ productId: await f.productId('reine'), quantity: 1 }],
      }),
    );
    const { order, trackingToken } = created.body;
    const before = await hub.client().get<TrackedOrder>(`/api/orders/track/${trackingToken}`);
    expect(before.body.statusReason).toBeNull();

    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const courier = await hub.staff('courier.a@demo.ocpizza.fr');
    // The courier view is open: offers go to connected couriers only.
    const phone = await openSocket(hub.baseUrl, { cookie: courier.cookieHeader });
    for (const to of ['preparing', 'baking', 'ready'])
      expect((await kitchen.post(`/api/orders/${order.id}/transitions`, { to })).status).toBe(200);
    phone.close();
    expect((await courier.post(`/api/orders/${order.id}/offer/accept`, {})).status).toBe(200);
    expect(
      (await courier.post(`/api/orders/${order.id}/transitions`, { to: 'out_for_delivery' })).status,
    ).toBe(200);
    const failed = await courier.post(`/api/orders/${order.id}/transitions`, {
      to: 'delivery_failed',
      reason: 'Personne à l’adresse, téléphone sur répondeur',
    });
    expect(failed.status).toBe(200);

    const tracked = await hub.client().get<TrackedOrder>(`/api/orders/track/${trackingToken}`);
    expect(tracked.body).toMatchObject({
      status: 'delivery_failed',
      statusReason: 'Personne à l’adresse, téléphone sur répondeur',
    });
    const snapshot = await hub.client().get<TrackingSnapshot>(`/api/orders/track/${trackingToken}/snapshot`);
    expect(snapshot.body.order.statusReason).toBe('Personne à l’adresse, téléphone sur répondeur');
    // Staff views keep their own shape: the reason is in the status history, not on Order.
    const staffView = await kitchen.get<Record<string, unknown>>(`/api/orders/${order.id}`);
    expect(staffView.body).not.toHaveProperty('statusReason');
  });
});
