import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, KitchenSnapshot, Order, TrackingSnapshot } from '../../hub/src/contract/index.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody } from '../helpers/orders.js';
import { openSocket } from '../helpers/sockets.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789';

let hub: TestHub;
let f: Facts;

beforeAll(async () => {
  hub = await startTestHub({ env: { METRICS_TOKEN } });
  f = facts(hub.db);
});
afterAll(() => hub?.close());

describe('one hub: snapshot, subscribe, live events, resume', () => {
  it('a kitchen board gets its snapshot, then every change of its shop live, in seq order', async () => {
    const shopA = await f.shopId('A');
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const snapshot = await kitchen.get<KitchenSnapshot>(`/api/shops/${shopA}/kitchen`);
    expect(snapshot.status).toBe(200);
    expect(snapshot.body.products.find((p) => p.slug === 'margherita')?.steps.length).toBeGreaterThan(2);

    const board = await openSocket(hub.baseUrl, { cookie: kitchen.cookieHeader });
    const sub = await board.subscribe(snapshot.body.seq);
    expect(sub.ok).toBe(true);
    if (!sub.ok || sub.data.reload) throw new Error('unexpected subscribe answer');
    expect(sub.data.rooms).toEqual([`shop:${shopA}:kitchen`, `shop:${shopA}:menu`]);

    const created = await hub
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        deliveryOrderBody({ shopId: shopA, lines: [{ productId: await f.productId('reine'), quantity: 1 }] }),
      );
    const id = created.body.order.id;
    await kitchen.post<Order>(`/api/orders/${id}/transitions`, { to: 'preparing' });
    await board.until((events) => events.some((e) => e.orderId === id && e.version === 2));

    const mine = board.events.filter((e) => e.orderId === id);
    expect(mine.map((e) => e.type)).toEqual(['order.created', 'order.status_changed']);
    expect((mine[1]!.data as { order: Order }).order.status).toBe('preparing');
    const seqs = board.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    board.close();
  });

  it('a customer resuming from an old seq gets exactly the events it missed, then live ones', async () => {
    const shopA = await f.shopId('A');
    const created = await hub
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        deliveryOrderBody({ shopId: shopA, lines: [{ productId: await f.productId('reine'), quantity: 1 }] }),
      );
    const token = created.body.trackingToken;
    const snap = await hub.client().get<TrackingSnapshot>(`/api/orders/track/${token}/snapshot`);
    expect(snap.body.order.id).toBe(created.body.order.id);

    // Changes happen while the customer's phone is offline; the relay publishes them.
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const baked = hub.published((e) => e.orderId === created.body.order.id && e.version === 3);
    await kitchen.post(`/api/orders/${created.body.order.id}/transitions`, { to: 'preparing' });
    await kitchen.post(`/api/orders/${created.body.order.id}/transitions`, { to: 'baking' });
    await baked;

    const phone = await openSocket(hub.baseUrl, { auth: { trackingToken: token }, origin: null });
    const sub = await phone.subscribe(snap.body.seq);
    if (!sub.ok || sub.data.reload) throw new Error('unexpected subscribe answer');
    const replay = sub.data;
    expect(replay.rooms).toEqual([`order:${created.body.order.id}`]);
    // The snapshot may already include the order's creation before that event had its seq: a
    // replayed event at or below the snapshot's version is the same change, which screens skip.
    expect(replay.events.every((e) => e.seq > snap.body.seq)).toBe(true);
    const newer = replay.events.filter((e) => (e.version ?? 0) > snap.body.order.version);
    expect(newer.map((e) => (e.data as { order: Order }).order.status)).toEqual(['preparing', 'baking']);
    expect(replay.events.every((e) => e.orderId === created.body.order.id)).toBe(true);

    const offeredPublished = hub.published((e) => e.orderId === created.body.order.id && e.version === 5);
    // A courier has the courier view open (offers go to connected couriers only).
    const courier = await hub.staff('courier.a@demo.ocpizza.fr');
    const courierPhone = await openSocket(hub.baseUrl, { cookie: courier.cookieHeader });
    await kitchen.post(`/api/orders/${created.body.order.id}/transitions`, { to: 'ready' });
    // Ready: the status change, then (same transaction) the delivery offered to a courier.
    await phone.until((events) => events.some((e) => e.version === 5));
    expect(phone.events.map((e) => [e.version, e.type])).toEqual([
      [4, 'order.status_changed'],
      [5, 'order.offer_changed'],
    ]);
    // Staff see to whom the delivery is offered; the customer's page never gets staff ids, live
    // or replayed.
    const offered = await offeredPublished;
    expect(offered.courierId).toEqual(expect.any(String));
    expect((offered.data.order as Order).offer?.courierId).toBe(offered.courierId);
    for (const e of [...replay.events, ...phone.events]) {
      expect(e.courierId).toBeUndefined();
      expect(Object.keys(e.data.order as object)).not.toContain('offer');
      expect(Object.keys(e.data.order as object)).not.toContain('courierId');
      expect(e.data.previousCourierId).toBeUndefined();
    }
    phone.close();
    courierPhone.close();
  });

  it('exposes Prometheus metrics: sockets by kind, events relayed, relay lag and leadership', async () => {
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const board = await openSocket(hub.baseUrl, { cookie: kitchen.cookieHeader });
    await board.subscribe(0);
    // Closed without the bearer token: route names and volumes are not public.
    const bare = await fetch(`${hub.baseUrl}/metrics`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toContain('Bearer');
    expect(await bare.text()).not.toContain('ocp_');
    const wrong = await fetch(`${hub.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${'x'.repeat(32)}` },
    });
    expect(wrong.status).toBe(401);
    const res = await fetch(`${hub.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/ocp_sockets_connected\{kind="kitchen"\} 1/);
    expect(text).toMatch(/ocp_relay_leader 1/);
    expect(text).toMatch(/ocp_relay_events_published_total [1-9]/);
    expect(text).toContain('ocp_relay_lag_seconds_bucket');
    board.close();
  });

  it('counts HTTP requests by route pattern, never by URL: a tracking token never reaches a label', async () => {
    const order = await hub.client().post<CreatedOrder>(
      '/api/orders',
      deliveryOrderBody({
        shopId: await f.shopId('A'),
        lines: [{ productId: await f.productId('margherita'), quantity: 1 }],
      }),
    );
    expect(order.status).toBe(201);
    const token = order.body.trackingToken;
    const seen = await hub.client().get(`/api/orders/track/${token}`);
    expect(seen.status).toBe(200);
    const missing = await fetch(`${hub.baseUrl}/api/no-such-route-${token}`);
    expect(missing.status).toBe(404);
    const res = await fetch(`${hub.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const text = await res.text();
    expect(text).toMatch(
      /ocp_http_requests_total\{method="GET",route="\/api\/orders\/track\/:token",status="200"\} [1-9]/,
    );
    expect(text).toMatch(/ocp_http_requests_total\{method="POST",route="\/api\/orders",status="201"\} [1-9]/);
    expect(text).toMatch(/ocp_http_requests_total\{method="GET",route="\(unmatched\)",status="404"\} [1-9]/);
    expect(text).toMatch(
      /ocp_http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/api\/orders\/track\/:token"/,
    );
    expect(text).not.toContain(token);
  });
});
