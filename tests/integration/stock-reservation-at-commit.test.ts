import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgErrorCode, sql } from '../../hub/src/adapters/postgres.js';
import type { CreatedOrder } from '../../hub/src/contract/index.js';
import {
  levelsShortAtCommit,
  reserveStock,
  reserveStockAtCommit,
} from '../../hub/src/stock/stock-repository.js';
import { facts, type Facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

// Every order of a shop locks the same stock rows. A new order's reservation is made by its
// COMMIT, so no other order of the shop waits for this one's round trips to the hub.
let hub: TestHub;
let f: Facts;
let shopId: number;
let dough: number;
let orderId: string;

/** Whether another connection can lock the shop's dough row right now (without waiting). */
async function doughLockable(): Promise<boolean> {
  try {
    await hub.db.transaction((tx) =>
      tx.query(sql.unsafe`select 1 from stock where shop_id = ${shopId} and ingredient_id = ${dough}
        for update nowait`),
    );
    return true;
  } catch (error) {
    if (pgErrorCode(error) === '55P03') return false;
    throw error;
  }
}

// The hub's relay moves events from the outbox to the event log while the test runs: both are
// counted, in one statement (one snapshot: a batch's move is one transaction).
const stockChangedEvents = () =>
  hub.db.oneFirst(sql.unsafe`select ((select count(*) from outbox where type = 'stock.changed')
    + (select count(*) from event_log where type = 'stock.changed'))::int as n`);

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
  shopId = await f.shopId('A');
  dough = await f.ingredientId('Pâton de pâte à pizza');
  const margherita = await f.productId('margherita');
  // An order to hang the test's extra reservations on (the ledger names an order).
  const placed = await hub
    .client()
    .post<CreatedOrder>(
      '/api/orders',
      orderBody({ shopId, lines: [{ productId: margherita, quantity: 1 }] }),
    );
  expect(placed.status).toBe(201);
  orderId = placed.body.order.id;
});
afterAll(() => hub?.close());

describe('a stock reservation made by the commit', () => {
  it('leaves the stock rows free until the COMMIT, then reserves, writes the ledger and announces', async () => {
    const before = await f.stock(shopId, dough);
    const eventsBefore = await stockChangedEvents();
    const lockableInside = await hub.db.transaction(async (tx) => {
      await reserveStockAtCommit(tx, shopId, orderId, [{ ingredientId: dough, quantity: 2 }], true);
      return doughLockable();
    });
    expect(lockableInside).toBe(true);
    expect(await f.stock(shopId, dough)).toEqual({ onHand: before.onHand, reserved: before.reserved + 2 });
    expect(await stockChangedEvents()).toBe(Number(eventsBefore) + 1);
    expect(await f.ledgerMismatches()).toEqual([]);
    // The request is carried out, not kept.
    expect(await hub.db.oneFirst(sql.unsafe`select count(*)::int from stock_reservations_at_commit`)).toBe(0);
  });

  it('where the immediate reservation holds them to the end of the transaction', async () => {
    const lockableInside = await hub.db.transaction(async (tx) => {
      const reserved = await reserveStock(tx, shopId, orderId, [{ ingredientId: dough, quantity: 1 }], true);
      expect(reserved.ok).toBe(true);
      return doughLockable();
    });
    expect(lockableInside).toBe(false);
  });

  it('short of an ingredient, fails the commit with the levels and changes nothing', async () => {
    const before = await f.snapshot();
    const stock = await f.stock(shopId, dough);
    const tooMany = stock.onHand - stock.reserved + 1;
    const failure = await hub.db
      .transaction(async (tx) => {
        await tx.query(sql.unsafe`update orders set notes = 'touched' where id = ${orderId}`);
        await reserveStockAtCommit(tx, shopId, orderId, [{ ingredientId: dough, quantity: tooMany }], true);
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(levelsShortAtCommit(failure)).toEqual([{ ingredientId: dough, ...stock }]);
    expect(await f.snapshot()).toEqual(before);
    expect(await hub.db.oneFirst(sql.unsafe`select notes from orders where id = ${orderId}`)).not.toBe(
      'touched',
    );
    expect(levelsShortAtCommit(new Error('anything else'))).toBeNull();
  });
});
