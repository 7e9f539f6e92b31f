import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, Eta, Order } from '../../hub/src/contract/index.js';
import { startCluster, type Cluster, type HubNode } from '../helpers/cluster.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';
import { orderBody } from '../helpers/orders.js';
import { openSocket } from '../helpers/sockets.js';

/**
 * Each hub node keeps its own copy of the shops' kitchen queues (eta/kitchen-queue-cache.ts) and
 * reads it from PostgreSQL only every few seconds. A promise must still count what any node
 * committed a moment before: this node's own commits at once, the other node's as soon as its
 * event is relayed. Two hub processes on one PostgreSQL and Redis.
 */
let cluster: Cluster;
let db: pg.Client;
let one: HubNode;
let two: HubNode;
let shopA: number;
let reine: number;
let kitchen: string;
let boardOnTwo: Awaited<ReturnType<typeof openSocket>>;

async function place(node: HubNode): Promise<CreatedOrder> {
  const res = await node.request<CreatedOrder>(
    'POST',
    '/api/orders',
    orderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
  );
  expect(res.status).toBe(201);
  return res.body;
}

async function etaOn(node: HubNode, created: CreatedOrder): Promise<Eta> {
  const res = await node.request<Eta>('GET', `/api/orders/track/${created.trackingToken}/eta`);
  expect(res.status).toBe(200);
  return res.body;
}

/** What PostgreSQL says is ahead of `created` on the board: every started ticket, every one due no later. */
async function aheadInDatabase(created: CreatedOrder): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from orders
      where shop_id = $1 and id <> $2
        and (status in ('preparing', 'baking') or (status = 'received' and promise_ready_by <= $3))`,
    [shopA, created.order.id, created.order.promise.readyBy],
  );
  return rows[0]!.n;
}

async function move(node: HubNode, id: string, to: string): Promise<void> {
  expect((await node.request<Order>('POST', `/api/orders/${id}/transitions`, { to }, kitchen)).status).toBe(
    200,
  );
}

beforeAll(async () => {
  cluster = await startCluster({ size: 2 });
  [one, two] = cluster.nodes() as [HubNode, HubNode];
  db = new pg.Client({ connectionString: cluster.database.url });
  await db.connect();
  shopA = await cluster.shopId('A');
  reine = await cluster.productId('reine');
  kitchen = await cluster.login('kitchen.a@demo.ocpizza.fr');
  // The kitchen board on node two: when it shows an event, node two has applied it.
  boardOnTwo = await openSocket(two.baseUrl, { cookie: kitchen });
  await boardOnTwo.subscribe(0);
});
afterAll(async () => {
  boardOnTwo?.close();
  await db?.end();
  await cluster?.close();
});

describe("each node's copy of the kitchen queue", () => {
  it("counts the other node's new order as soon as its event is relayed", async () => {
    // Node two reads shop A's queue now, and would not read it again for seconds.
    const first = await place(two);
    expect((await etaOn(two, first)).ordersAhead).toBe(await aheadInDatabase(first));

    const elsewhere = await place(one);
    await boardOnTwo.until((events) =>
      events.some((e) => e.type === 'order.created' && e.orderId === elsewhere.order.id),
    );
    const next = await place(two);
    const eta = await etaOn(two, next);
    expect(eta.ordersAhead).toBe(await aheadInDatabase(next));
    expect(eta.ordersAhead).toBeGreaterThanOrEqual(2);
  });

  it('forgets a ticket the other node sent to the pass', async () => {
    const ticket = await place(one);
    const waiting = await place(two);
    const aheadBefore = (await etaOn(two, waiting)).ordersAhead;
    expect(aheadBefore).toBe(await aheadInDatabase(waiting));
    for (const to of ['preparing', 'baking', 'ready']) await move(one, ticket.order.id, to);
    await boardOnTwo.until((events) =>
      events.some(
        (e) =>
          e.type === 'order.status_changed' &&
          e.orderId === ticket.order.id &&
          (e.data as { to?: string }).to === 'ready',
      ),
    );
    const aheadAfter = (await etaOn(two, waiting)).ordersAhead;
    expect(aheadAfter).toBe(aheadBefore - 1);
    expect(aheadAfter).toBe(await aheadInDatabase(waiting));
  });
});

describe("a node's own commits", () => {
  let hub: TestHub;
  beforeAll(async () => {
    // No events are written, so none are relayed: only the node's own commits keep its copy.
    hub = await startTestHub({ env: { BENCH_DISABLE_OUTBOX: 'true' } });
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('are in its next promise at once: a new order counted, a ticket sent to the pass not', async () => {
    const client = hub.client();
    const board = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const placeHere = async () => {
      const res = await client.post<CreatedOrder>(
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
      );
      expect(res.status).toBe(201);
      return res.body;
    };
    const ahead = async (created: CreatedOrder) => {
      const res = await client.get<Eta>(`/api/orders/track/${created.trackingToken}/eta`);
      expect(res.status).toBe(200);
      return res.body.ordersAhead;
    };
    const first = await placeHere();
    const base = await ahead(first);
    const second = await placeHere();
    expect(await ahead(second)).toBe(base + 1);
    for (const to of ['preparing', 'baking', 'ready']) {
      const res = await board.post<Order>(`/api/orders/${first.order.id}/transitions`, { to });
      expect(res.status).toBe(200);
    }
    const third = await placeHere();
    // Ahead of it: what was ahead of the first, and the second; the first is at the pass.
    expect(await ahead(third)).toBe(base + 1);
  });
});
