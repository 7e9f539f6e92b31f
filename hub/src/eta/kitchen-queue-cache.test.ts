import { describe, expect, it } from 'vitest';
import type { EventEnvelope, OrderStatus } from '../contract/index.js';
import { createKitchenQueueCache, type KitchenTicket, type WrittenOrder } from './kitchen-queue-cache.js';

const SHOP = 1;
const lines = [{ productId: 7, quantity: 1 }];

function order(id: string, version: number, status: OrderStatus, shopId = SHOP): WrittenOrder {
  return {
    id,
    shopId,
    status,
    version,
    lines,
    promise: { readyBy: '2026-12-07T19:30:00.000Z' },
    createdAt: '2026-12-07T19:00:00.000Z',
  };
}

function ticket(id: string, version: number, status: OrderStatus = 'received'): KitchenTicket {
  return {
    id,
    version,
    status,
    lines,
    readyBy: '2026-12-07T19:30:00.000Z',
    createdAt: '2026-12-07T19:00:00.000Z',
  };
}

/** A cache over a database that holds `rows`, whose reads are counted and can be held open. */
function setUp(rows: KitchenTicket[] = [], limit = 100) {
  let now = 0;
  const reads: number[] = [];
  let hold: Promise<void> | null = null;
  const cache = createKitchenQueueCache({
    read: async (shopId) => {
      reads.push(shopId);
      const snapshot = [...rows];
      if (hold) await hold;
      return snapshot;
    },
    now: () => now,
    refreshMs: 5000,
    limit,
  });
  return {
    cache,
    rows,
    reads,
    advance: (ms: number) => (now += ms),
    holdReads: () => {
      let release = () => {};
      hold = new Promise((resolve) => (release = resolve));
      return () => {
        hold = null;
        release();
      };
    },
  };
}

const ids = (tickets: readonly KitchenTicket[]) => tickets.map((t) => `${t.id}:${t.status}`).sort();

describe('createKitchenQueueCache', () => {
  it('reads a shop once, then answers from its copy until the copy is refreshMs old', async () => {
    const t = setUp([ticket('a', 1)]);
    expect(ids(await t.cache.tickets(SHOP))).toEqual(['a:received']);
    t.rows.push(ticket('b', 1));
    t.advance(4999);
    expect(ids(await t.cache.tickets(SHOP))).toEqual(['a:received']);
    t.advance(1);
    expect(ids(await t.cache.tickets(SHOP))).toEqual(['a:received', 'b:received']);
    expect(t.reads).toEqual([SHOP, SHOP]);
  });

  it("applies this node's commits at once: a new order, a ticket started, one gone to the pass", async () => {
    const t = setUp([ticket('a', 1), ticket('b', 3, 'baking')]);
    await t.cache.tickets(SHOP);
    t.cache.applyOrders([order('c', 1, 'received'), order('a', 2, 'preparing'), order('b', 4, 'ready')]);
    expect(ids(await t.cache.tickets(SHOP))).toEqual(['a:preparing', 'c:received']);
    expect(t.reads).toHaveLength(1);
  });

  it('never goes back: a late or repeated change of an order is ignored, a cancelled one stays gone', async () => {
    const t = setUp([ticket('a', 2, 'preparing')]);
    await t.cache.tickets(SHOP);
    t.cache.applyOrders([order('a', 1, 'received'), order('a', 2, 'received')]);
    expect(ids(await t.cache.tickets(SHOP))).toEqual(['a:preparing']);
    t.cache.applyOrders([order('a', 3, 'cancelled'), order('a', 2, 'preparing')]);
    expect(await t.cache.tickets(SHOP)).toEqual([]);
  });

  it('applies relayed order events of every shop it holds, and skips other events', async () => {
    const t = setUp();
    await t.cache.tickets(SHOP);
    const envelope = (
      seq: number,
      type: EventEnvelope['type'],
      data: Record<string, unknown>,
    ): EventEnvelope => ({
      seq,
      type,
      shopId: SHOP,
      at: '2026-12-07T19:00:00.000Z',
      data,
    });
    t.cache.applyEvents([
      envelope(1, 'order.created', { order: order('a', 1, 'received') }),
      envelope(2, 'stock.changed', { items: [] }),
      envelope(3, 'order.created', { order: order('z', 1, 'received', 2) }),
      envelope(4, 'order.modified', {}),
    ]);
    expect(ids(await t.cache.tickets(SHOP))).toEqual(['a:received']);
    // Shop 2 was never asked for: its first promise reads it (and sees z there).
    expect(t.reads).toEqual([SHOP]);
  });

  it('a commit that lands while the read runs is applied over it; concurrent askers share one read', async () => {
    const t = setUp([ticket('a', 1)]);
    const release = t.holdReads();
    const first = t.cache.tickets(SHOP);
    const second = t.cache.tickets(SHOP);
    // Committed after the read's snapshot: the read does not have them.
    t.cache.applyOrders([order('b', 1, 'received'), order('a', 2, 'baking')]);
    release();
    expect(ids(await first)).toEqual(['a:baking', 'b:received']);
    expect(ids(await second)).toEqual(['a:baking', 'b:received']);
    expect(t.reads).toEqual([SHOP]);
  });

  it('keeps the first tickets of each kind on the board, and reads again once one of them leaves', async () => {
    const t = setUp([], 2);
    await t.cache.tickets(SHOP);
    const due = (o: WrittenOrder, at: string) => ({ ...o, promise: { readyBy: at } });
    t.cache.applyOrders([
      due(order('late', 1, 'received'), '2026-12-07T20:30:00.000Z'),
      due(order('first', 1, 'received'), '2026-12-07T19:30:00.000Z'),
      due(order('second', 1, 'received'), '2026-12-07T19:45:00.000Z'),
      order('oven', 1, 'baking'),
    ]);
    expect(ids(await t.cache.tickets(SHOP))).toEqual(['first:received', 'oven:baking', 'second:received']);
    expect(t.reads).toHaveLength(1);
    // "late" was left out: now that a kept one is at the pass, only the database knows what is next.
    t.cache.applyOrders([order('first', 2, 'ready')]);
    t.rows.push(ticket('second', 1), ticket('late', 1));
    expect(ids(await t.cache.tickets(SHOP))).toEqual(['late:received', 'second:received']);
    expect(t.reads).toHaveLength(2);
  });

  it('a failed read is not kept: the next promise reads again', async () => {
    let fail = true;
    const cache = createKitchenQueueCache({
      read: async () => {
        if (fail) throw new Error('database unavailable');
        return [ticket('a', 1)];
      },
      now: () => 0,
      refreshMs: 5000,
      limit: 100,
    });
    await expect(cache.tickets(SHOP)).rejects.toThrow('database unavailable');
    fail = false;
    expect(ids(await cache.tickets(SHOP))).toEqual(['a:received']);
  });
});
