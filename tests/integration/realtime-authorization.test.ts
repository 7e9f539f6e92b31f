import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Ack,
  CreatedOrder,
  HandshakeAuth,
  Order,
  SubscribeResult,
} from '../../hub/src/contract/index.js';
import type { ApiClient } from '../helpers/api-client.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody } from '../helpers/orders.js';
import { handshakeRefusal, openSocket } from '../helpers/sockets.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

/**
 * Who may see and do what (DESIGN.md section 5), written out here as the oracle: every role ×
 * every room and command. The server chooses rooms; a client can only present credentials.
 */
type Role =
  | 'kitchen1'
  | 'kitchen2'
  | 'courierA'
  | 'courierB'
  | 'customerX'
  | 'customerY'
  | 'manager1'
  | 'admin'
  | 'anonymous';
const ROLES: Role[] = [
  'kitchen1',
  'kitchen2',
  'courierA',
  'courierB',
  'customerX',
  'customerY',
  'manager1',
  'admin',
  'anonymous',
];

let hub: TestHub;
let f: Facts;
let shop1: number;
let shop2: number;
let courierA: string;
let courierB: string;
let staff: Record<'kitchen1' | 'kitchen2' | 'courierA' | 'courierB' | 'manager1' | 'admin', ApiClient>;
let orderX: CreatedOrder;
let orderY: CreatedOrder;

async function newOrder(): Promise<CreatedOrder> {
  const created = await hub
    .client()
    .post<CreatedOrder>(
      '/api/orders',
      deliveryOrderBody({ shopId: shop1, lines: [{ productId: await f.productId('reine'), quantity: 1 }] }),
    );
  // Assigned to courier A: courier A's room sees it, courier B's does not.
  await staff.manager1.post(`/api/orders/${created.body.order.id}/courier`, { courierId: courierA });
  return created.body;
}

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
  shop1 = await f.shopId('A');
  shop2 = await f.shopId('B');
  courierA = await f.staffId('courier.a@demo.ocpizza.fr');
  courierB = await f.staffId('courier2.a@demo.ocpizza.fr');
  staff = {
    kitchen1: await hub.staff('kitchen.a@demo.ocpizza.fr'),
    kitchen2: await hub.staff('kitchen.b@demo.ocpizza.fr'),
    courierA: await hub.staff('courier.a@demo.ocpizza.fr'),
    courierB: await hub.staff('courier2.a@demo.ocpizza.fr'),
    manager1: await hub.staff('manager.a@demo.ocpizza.fr'),
    admin: await hub.staff('admin@demo.ocpizza.fr'),
  };
  orderX = await newOrder();
  orderY = await newOrder();
});
afterAll(() => hub?.close());

function credentials(
  role: Role,
  extra: HandshakeAuth = {},
): { cookie?: string; auth?: HandshakeAuth; origin?: string | null } {
  switch (role) {
    case 'customerX':
      return { auth: { trackingToken: orderX.trackingToken, ...extra }, origin: null };
    case 'customerY':
      return { auth: { trackingToken: orderY.trackingToken, ...extra }, origin: null };
    case 'anonymous':
      return { auth: extra, origin: null };
    default:
      return { cookie: staff[role].cookieHeader, auth: extra };
  }
}

describe('authorization matrix', () => {
  it('puts every role in exactly its rooms, and refuses anonymous sockets', async () => {
    const allShops = (await hub.client().get<{ shops: Array<{ id: number }> }>('/api/shops')).body.shops.map(
      (s) => s.id,
    );
    const expected: Record<Role, string[] | 'refused'> = {
      kitchen1: [`shop:${shop1}:kitchen`, `shop:${shop1}:menu`],
      kitchen2: [`shop:${shop2}:kitchen`, `shop:${shop2}:menu`],
      courierA: [`courier:${courierA}`],
      courierB: [`courier:${courierB}`],
      customerX: [`order:${orderX.order.id}`],
      customerY: [`order:${orderY.order.id}`],
      manager1: [`shop:${shop1}:manager`, `shop:${shop1}:menu`],
      admin: allShops.flatMap((s) => [`shop:${s}:manager`, `shop:${s}:menu`]),
      anonymous: 'refused',
    };
    for (const role of ROLES) {
      const want = expected[role];
      if (want === 'refused') {
        expect(await handshakeRefusal(hub.baseUrl, credentials(role)), role).toBe('auth/unauthenticated');
        continue;
      }
      const s = await openSocket(hub.baseUrl, credentials(role));
      const sub = (await s.subscribe(0)) as Ack<SubscribeResult>;
      s.close();
      if (!sub.ok || sub.data.reload) throw new Error(`${role}: unexpected subscribe answer`);
      expect(sub.data.rooms.sort(), role).toEqual([...want].sort());
    }
    // Anyone may follow a shop's public menu, and only that.
    const visitor = await openSocket(hub.baseUrl, credentials('anonymous', { menuShopId: shop1 }));
    const sub = await visitor.subscribe(0);
    visitor.close();
    expect(sub.ok && !sub.data.reload && sub.data.rooms).toEqual([`shop:${shop1}:menu`]);
    // A customer cannot widen their view by asking for a menu or a shop.
    const widened = await openSocket(
      hub.baseUrl,
      credentials('customerX', { menuShopId: shop1, shopId: shop1 }),
    );
    const wsub = await widened.subscribe(0);
    widened.close();
    expect(wsub.ok && !wsub.data.reload && wsub.data.rooms).toEqual([`order:${orderX.order.id}`]);
    // A tracking link no order has opens nothing.
    expect(
      await handshakeRefusal(hub.baseUrl, { auth: { trackingToken: 'x'.repeat(43) }, origin: null }),
    ).toBe('order/not_found');
  });

  it('delivers each event to exactly the roles whose rooms it targets', async () => {
    const sockets = new Map<Role | 'visitor', Awaited<ReturnType<typeof openSocket>>>();
    const { lastSeq } = (await hub.db.one(
      (await import('../../hub/src/adapters/postgres.js')).sql
        .unsafe`select last_seq as "lastSeq" from relay_state`,
    )) as { lastSeq: number };
    for (const role of ROLES.filter((r) => r !== 'anonymous')) {
      const s = await openSocket(hub.baseUrl, credentials(role));
      await s.subscribe(lastSeq);
      sockets.set(role, s);
    }
    const visitor = await openSocket(hub.baseUrl, credentials('anonymous', { menuShopId: shop1 }));
    await visitor.subscribe(lastSeq);
    sockets.set('visitor', visitor);

    // One event per kind of room: an order change of order X, and a stock change of shop 1.
    const bumped = hub.published((e) => e.orderId === orderX.order.id && e.type === 'order.status_changed');
    await staff.kitchen1.post(`/api/orders/${orderX.order.id}/transitions`, { to: 'preparing' });
    const orderEvent = await bumped;
    const restocked = hub.published(
      (e) => e.type === 'stock.changed' && e.shopId === shop1 && e.seq > orderEvent.seq,
    );
    await staff.manager1.post(`/api/shops/${shop1}/stock/movements`, {
      kind: 'restock',
      ingredientId: 1,
      quantity: 7,
    });
    const stockEvent = await restocked;

    const receivers = {
      order: ['kitchen1', 'courierA', 'customerX', 'manager1', 'admin'],
      stock: ['kitchen1', 'manager1', 'admin', 'visitor'],
    };
    // The relay emitted both before `published` resolved, so their frames are already queued on
    // every socket; a round trip on the same connection is answered after them. Then absence
    // means "not sent", not "still in flight".
    for (const s of sockets.values()) await s.subscribe(stockEvent.seq);
    for (const [who, s] of sockets) {
      const seqs = s.events.map((e) => e.seq);
      expect(seqs.includes(orderEvent.seq), `${who} order event`).toBe(receivers.order.includes(who));
      expect(seqs.includes(stockEvent.seq), `${who} stock event`).toBe(receivers.stock.includes(who));
      s.close();
    }
  });

  it('lets exactly the allowed roles run each command', async () => {
    const expectTransition: Record<Role, boolean> = {
      kitchen1: true,
      kitchen2: false,
      courierA: false,
      courierB: false,
      customerX: false,
      customerY: false,
      manager1: false,
      admin: false,
      anonymous: false,
    };
    const expectAssign: Record<Role, boolean> = {
      ...expectTransition,
      kitchen1: false,
      manager1: true,
      admin: true,
    };
    for (const role of ROLES.filter((r) => r !== 'anonymous')) {
      const order = await newOrder();
      const s = await openSocket(hub.baseUrl, credentials(role));
      const transition = (await s.socket.timeout(10_000).emitWithAck('command', {
        name: 'order:transition',
        idempotencyKey: `t-${role}-${order.order.id}`,
        payload: { orderId: order.order.id, to: 'preparing' },
      })) as Ack<Order>;
      expect(transition.ok, `${role} order:transition`).toBe(expectTransition[role]);
      const assign = (await s.socket.timeout(10_000).emitWithAck('command', {
        name: 'order:assign_courier',
        idempotencyKey: `a-${role}-${order.order.id}`,
        payload: { orderId: order.order.id, courierId: courierB },
      })) as Ack<Order>;
      expect(assign.ok, `${role} order:assign_courier`).toBe(expectAssign[role]);
      if (!assign.ok) expect(assign.error.code).toMatch(/^(auth\/forbidden|order\/not_found)$/);
      s.close();
    }
  });

  it('refuses a handshake from a foreign Origin, with or without a session', async () => {
    expect(
      await handshakeRefusal(hub.baseUrl, { ...credentials('manager1'), origin: 'https://evil.example' }),
    ).not.toBeNull();
    expect(
      await handshakeRefusal(hub.baseUrl, { ...credentials('customerX'), origin: 'https://evil.example' }),
    ).not.toBeNull();
    // A staff cookie with no Origin at all is not a browser of ours either.
    expect(await handshakeRefusal(hub.baseUrl, { ...credentials('manager1'), origin: null })).not.toBeNull();
    expect(await handshakeRefusal(hub.baseUrl, credentials('manager1'))).toBeNull();
  });

  it('serves each snapshot to exactly the roles allowed to see it', async () => {
    const endpoints = {
      kitchen: `/api/shops/${shop1}/kitchen`,
      manager: `/api/shops/${shop1}/manager`,
      courier: '/api/couriers/me/orders',
      trackingX: `/api/orders/track/${orderX.trackingToken}/snapshot`,
      menu: `/api/shops/${shop1}/menu/snapshot`,
    };
    const allowed: Record<Role, Array<keyof typeof endpoints>> = {
      kitchen1: ['kitchen', 'trackingX', 'menu'],
      kitchen2: ['trackingX', 'menu'],
      courierA: ['courier', 'trackingX', 'menu'],
      courierB: ['courier', 'trackingX', 'menu'],
      customerX: ['trackingX', 'menu'],
      customerY: ['trackingX', 'menu'],
      manager1: ['kitchen', 'manager', 'trackingX', 'menu'],
      admin: ['kitchen', 'manager', 'trackingX', 'menu'],
      anonymous: ['trackingX', 'menu'],
    };
    // The tracking link is the credential: whoever holds it sees that order (and only by it).
    for (const role of ROLES) {
      const client = role in staff ? staff[role as keyof typeof staff] : hub.client();
      for (const [name, path] of Object.entries(endpoints) as Array<[keyof typeof endpoints, string]>) {
        const res = await client.get<{ seq?: number }>(path);
        const want = allowed[role].includes(name);
        expect(res.status < 300, `${role} ${name}: ${res.status}`).toBe(want);
        if (want) expect(typeof res.body.seq).toBe('number');
        else expect([401, 403]).toContain(res.status);
      }
    }
  });
});
