import type { ShopStock, StockMovementBody } from '../contract/index.js';
import type { DatabasePool, DatabaseTransactionConnection, Queryable } from '../adapters/postgres.js';
import { isManagerOf, worksAt, type Actor } from '../domain/actor.js';
import { planManualMovement } from '../domain/stock.js';
import { appError } from '../errors.js';
import { findShop } from '../menu/menu-repository.js';
import { appendEvent, type OutboxOptions } from '../outbox/outbox-repository.js';
import { applyMovements, lockStock, shopStockLevels } from './stock-repository.js';

export type StockService = ReturnType<typeof createStockService>;

export function createStockService(deps: {
  db: DatabasePool;
  onCommitted?: () => void;
  /** Benchmark only (config.benchDisableOutbox): events are not written. */
  outbox?: OutboxOptions;
}) {
  const { db } = deps;
  async function transact<T>(fn: (tx: DatabaseTransactionConnection) => Promise<T>): Promise<T> {
    const result = await db.transaction(fn);
    deps.onCommitted?.();
    return result;
  }

  async function levels(shopId: number, from: Queryable = db): Promise<ShopStock> {
    const rows = await shopStockLevels(from, shopId);
    return {
      shopId,
      items: rows.map((r) => ({
        ...r,
        available: r.onHand - r.reserved,
        low: r.onHand - r.reserved <= r.lowThreshold,
      })),
    };
  }

  return {
    /** Levels read inside the caller's transaction (snapshots). */
    levelsIn: (tx: Queryable, shopId: number) => levels(shopId, tx),

    async stock(shopId: number, actor: Actor): Promise<ShopStock> {
      if (actor.kind !== 'staff' || !worksAt(actor, shopId) || actor.role === 'courier') {
        throw appError('auth/forbidden', 'Only the staff of this shop see its stock.');
      }
      if (!(await findShop(db, shopId))) throw appError('shop/not_found', `There is no shop ${shopId}.`);
      return levels(shopId);
    },

    async recordMovement(shopId: number, body: StockMovementBody, actor: Actor): Promise<ShopStock> {
      if (!isManagerOf(actor, shopId))
        throw appError('auth/forbidden', 'Only a manager of this shop changes its stock.');
      if (!(await findShop(db, shopId))) throw appError('shop/not_found', `There is no shop ${shopId}.`);
      await transact(async (tx) => {
        const [level] = await lockStock(tx, shopId, [body.ingredientId]);
        if (!level)
          throw appError('stock/not_found', `This shop does not stock ingredient ${body.ingredientId}.`);
        const plan = planManualMovement(body, level);
        if (!plan.ok) throw appError('stock/insufficient', plan.message);
        const rows = await applyMovements(tx, shopId, [plan.movement], {
          staffId: actor.kind === 'staff' ? actor.staffId : null,
          note: body.note ?? null,
        });
        await appendEvent(tx, { type: 'stock.changed', shopId, data: { items: rows } }, deps.outbox);
      });
      return levels(shopId);
    },
  };
}
