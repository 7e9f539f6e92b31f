import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, CourierPosition, CreatedOrder, ManagerSnapshot } from '../../hub/src/contract/index.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody } from '../helpers/orders.js';
import { openSocket } from '../helpers/sockets.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;
let f: Facts;

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
});
afterAll(() => hub?.close());

describe('courier positions', () => {
  it('go to the tracking page of the order being delivered and to managers, nowhere else; the last one is kept', async () => {
    const shopA = await f.shopId('A');
    const courierId = await f.staffId('courier.a@demo.ocpizza.fr');
    const manager = await hub.staff('manager.a@demo.ocpizza.fr');
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const courier = await hub.staff('courier.a@demo.ocpizza.fr');
    const reine = await f.productId('reine');

    const place = async () =>
      (
        await hub
          .client()
          .post<CreatedOrder>(
            '/api/orders',
            deliveryOrderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
          )
      ).body;
    const carried = await place();
    const waiting = await place();
    for (const o of [carried, waiting])
      await manager.post(`/api/orders/${o.order.id}/courier`, { courierId });
    for (const to of ['preparing', 'baking', 'ready'])
      await kitchen.post(`/api/orders/${carried.order.id}/transitions`, { to });
    expect(
      (await courier.post(`/api/orders/${carried.order.id}/transitions`, { to: 'out_for_delivery' })).status,
    ).toBe(200);

    const positionsOf = (s: Awaited<ReturnType<typeof openSocket>>) => {
      const got: CourierPosition[] = [];
      s.socket.on('courier:position', (p) => got.push(p));
      return got;
    };
    const carriedPage = await openSocket(hub.baseUrl, {
      auth: { trackingToken: carried.trackingToken },
      origin: null,
    });
    const waitingPage = await openSocket(hub.baseUrl, {
      auth: { trackingToken: waiting.trackingToken },
      origin: null,
    });
    const managerBoard = await openSocket(hub.baseUrl, { cookie: manager.cookieHeader });
    const kitchenBoard = await openSocket(hub.baseUrl, { cookie: kitchen.cookieHeader });
    for (const s of [carriedPage, waitingPage, managerBoard, kitchenBoard]) await s.subscribe(0);
    const got = {
      carried: positionsOf(carriedPage),
      waiting: positionsOf(waitingPage),
      manager: positionsOf(managerBoard),
      kitchen: positionsOf(kitchenBoard),
    };
    const arrived = new Promise<void>((resolve) =>
      carriedPage.socket.once('courier:position', () => resolve()),
    );

    const phone = await openSocket(hub.baseUrl, { cookie: courier.cookieHeader });
    const first = (await phone.socket
      .timeout(10_000)
      .emitWithAck('courier:position', { lat: 48.8601, lng: 2.3712, accuracyM: 8 })) as Ack<{
      accepted: boolean;
    }>;
    expect(first).toEqual({ ok: true, data: { accepted: true } });
    // A second fix right after is throttled: acknowledged, not broadcast.
    const second = (await phone.socket
      .timeout(10_000)
      .emitWithAck('courier:position', { lat: 48.8602, lng: 2.3713 })) as Ack<{ accepted: boolean }>;
    expect(second).toEqual({ ok: true, data: { accepted: false } });
    await arrived;
    // Round trips on each socket: the broadcast was written before them, so absence is final.
    for (const s of [carriedPage, waitingPage, managerBoard, kitchenBoard]) await s.subscribe(0);

    expect(got.carried.map((p) => p.position)).toEqual([{ lat: 48.8601, lng: 2.3712 }]);
    expect(got.manager.map((p) => p.courierId)).toEqual([courierId]);
    expect(got.waiting).toEqual([]);
    expect(got.kitchen).toEqual([]);

    const snapshot = await manager.get<ManagerSnapshot>(`/api/shops/${shopA}/manager`);
    const me = snapshot.body.couriers.find((c) => c.courierId === courierId);
    expect(me?.position).toEqual({ lat: 48.8601, lng: 2.3712 });

    // Only a courier's own socket may send positions.
    const fromKitchen = (await kitchenBoard.socket
      .timeout(10_000)
      .emitWithAck('courier:position', { lat: 1, lng: 1 })) as Ack<unknown>;
    expect(fromKitchen.ok).toBe(false);
    const invalid = (await phone.socket
      .timeout(10_000)
      .emitWithAck('courier:position', { lat: 123, lng: 2 })) as Ack<unknown>;
    expect(invalid.ok).toBe(false);
    for (const s of [carriedPage, waitingPage, managerBoard, kitchenBoard, phone]) s.close();
  });
});
