import { z } from 'zod';
import type { StockMovementKind } from '../contract/index.js';
import {
  prepared,
  sql,
  type DatabaseTransactionConnection,
  type FragmentSqlToken,
  type Queryable,
} from '../adapters/postgres.js';

const StockRow = z.object({ ingredientId: z.number(), onHand: z.number(), reserved: z.number() });
export type StockRow = z.infer<typeof StockRow>;

// Built once: a zod schema built per call is measurable at 800 orders/s (issue 11).
const ReserveResult = z.object({ ok: z.boolean(), levels: z.array(StockRow) });

export type Movement = {
  ingredientId: number;
  kind: StockMovementKind;
  quantity: number;
  onHandDelta: number;
  reservedDelta: number;
};

/**
 * Locks the stock rows of these ingredients, always in ingredient order, so two orders touching
 * the same ingredients queue instead of deadlocking. Missing rows (shop never stocked it) are absent.
 */
export async function lockStock(
  tx: DatabaseTransactionConnection,
  shopId: number,
  ingredientIds: readonly number[],
): Promise<StockRow[]> {
  return [
    ...(await tx.any(sql.type(StockRow)`
      select ingredient_id as "ingredientId", on_hand as "onHand", reserved
      from stock
      where shop_id = ${shopId} and ingredient_id = any(${sql.array(ingredientIds as number[], 'int4')})
      order by ingredient_id
      for update`)),
  ];
}

/**
 * Locks, checks and reserves `needs` (sorted by ingredient, one entry each) with their ledger
 * lines and the stock.changed event, in one call (sql/migrations/010_reserve_stock.sql): the
 * shop's hot stock rows stay locked only from here to the COMMIT. Not ok: nothing changed, and
 * `levels` are the rows as locked.
 */
export async function reserveStock(
  tx: DatabaseTransactionConnection,
  shopId: number,
  orderId: string,
  needs: ReadonlyArray<{ ingredientId: number; quantity: number }>,
  announce: boolean,
): Promise<{ ok: boolean; levels: StockRow[] }> {
  return tx.one(
    prepared(sql.type(ReserveResult)`
    select ok, levels from reserve_stock(${shopId}, ${orderId},
      ${sql.array(
        needs.map((n) => n.ingredientId),
        'int4',
      )}, ${sql.array(
        needs.map((n) => n.quantity),
        'int4',
      )}, ${announce})`),
  );
}

/**
 * Asks for `needs` (sorted by ingredient, one entry each) to be reserved, with their ledger lines
 * and the stock.changed event, while the transaction commits (sql/migrations/018): the shop's hot
 * stock rows are locked by the commit only, never across a round trip to the hub. When they are
 * short, the COMMIT fails and `levelsShortAtCommit` reads the levels from its error.
 */
export async function reserveStockAtCommit(
  tx: DatabaseTransactionConnection,
  shopId: number,
  orderId: string,
  needs: ReadonlyArray<{ ingredientId: number; quantity: number }>,
  announce: boolean,
): Promise<void> {
  await tx.query(
    prepared(sql.unsafe`${reserveStockAtCommitOf(sql.fragment`${orderId}::uuid`, shopId, needs, announce)}`),
  );
}

/**
 * `reserveStockAtCommit` as the data-modifying part of a larger statement (the one that inserts
 * the order): `orderId` is SQL (the insert's new id).
 */
export function reserveStockAtCommitOf(
  orderId: FragmentSqlToken,
  shopId: number,
  needs: ReadonlyArray<{ ingredientId: number; quantity: number }>,
  announce: boolean,
) {
  return sql.fragment`
    insert into stock_reservations_at_commit (order_id, shop_id, ingredient_ids, quantities, announce)
    select ${orderId}, ${shopId}, ${sql.array(
      needs.map((n) => n.ingredientId),
      'int4',
    )}, ${sql.array(
      needs.map((n) => n.quantity),
      'int4',
    )}, ${announce}`;
}

/** The SQLSTATE reserve_stock_at_commit raises when an ingredient is short. */
const SHORT_AT_COMMIT = 'OCS01';
const ShortLevels = z.array(StockRow);

/**
 * The stock levels, as locked, that a commit's reservation found short, or null when `error` is
 * anything else.
 */
export function levelsShortAtCommit(error: unknown): StockRow[] | null {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const { code, detail } = e as { code?: unknown; detail?: unknown };
    if (code === SHORT_AT_COMMIT && typeof detail === 'string') return ShortLevels.parse(JSON.parse(detail));
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * Applies movements to locked rows and writes their ledger lines in one statement each.
 * The stock table's check constraint (0 <= reserved <= on_hand) stays the last guard.
 */
export async function applyMovements(
  tx: DatabaseTransactionConnection,
  shopId: number,
  movements: readonly Movement[],
  context: { orderId?: string | null; staffId?: string | null; note?: string | null },
): Promise<StockRow[]> {
  if (movements.length === 0) return [];
  const rows = movements.map((m) => [m.ingredientId, m.kind, m.quantity, m.onHandDelta, m.reservedDelta]);
  await tx.query(sql.unsafe`
    insert into stock_ledger (shop_id, ingredient_id, kind, quantity, on_hand_delta, reserved_delta, order_id, staff_id, note)
    select ${shopId}, m.ingredient_id, m.kind, m.quantity, m.on_hand_delta, m.reserved_delta,
           ${context.orderId ?? null}, ${context.staffId ?? null}, ${context.note ?? null}
    from ${sql.unnest(rows, ['int4', 'text', 'int4', 'int4', 'int4'])}
      as m(ingredient_id, kind, quantity, on_hand_delta, reserved_delta)`);
  return [
    ...(await tx.any(sql.type(StockRow)`
      update stock s
      set on_hand = s.on_hand + d.on_hand_delta, reserved = s.reserved + d.reserved_delta
      from (
        select m.ingredient_id, sum(m.on_hand_delta)::int as on_hand_delta, sum(m.reserved_delta)::int as reserved_delta
        from ${sql.unnest(rows, ['int4', 'text', 'int4', 'int4', 'int4'])}
          as m(ingredient_id, kind, quantity, on_hand_delta, reserved_delta)
        group by m.ingredient_id
      ) d
      where s.shop_id = ${shopId} and s.ingredient_id = d.ingredient_id
      returning s.ingredient_id as "ingredientId", s.on_hand as "onHand", s.reserved`)),
  ];
}

const OrderHolding = z.object({ ingredientId: z.number(), reserved: z.number(), consumed: z.number() });
export type OrderHolding = z.infer<typeof OrderHolding>;

/**
 * What an order holds, read from the ledger rather than recomputed from recipes: a recipe edited
 * after the order was placed must not change what the order gives back.
 */
export async function orderHoldings(tx: Queryable, orderId: string): Promise<OrderHolding[]> {
  return [
    ...(await tx.any(
      prepared(sql.type(OrderHolding)`
      select ingredient_id as "ingredientId",
             coalesce(sum(reserved_delta), 0)::int as reserved,
             coalesce(sum(quantity) filter (where kind = 'consumption'), 0)::int as consumed
      from stock_ledger
      where order_id = ${orderId}
      group by ingredient_id
      order by ingredient_id`),
    )),
  ];
}

const StockLevelRow = z.object({
  ingredientId: z.number(),
  name: z.string(),
  unit: z.enum(['g', 'ml', 'piece']),
  onHand: z.number(),
  reserved: z.number(),
  lowThreshold: z.number(),
});

export async function shopStockLevels(db: Queryable, shopId: number) {
  return db.any(sql.type(StockLevelRow)`
    select s.ingredient_id as "ingredientId", i.name, i.unit, s.on_hand as "onHand", s.reserved,
           s.low_threshold as "lowThreshold"
    from stock s join ingredients i on i.id = s.ingredient_id
    where s.shop_id = ${shopId}
    order by i.name`);
}
