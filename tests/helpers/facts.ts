import { z } from 'zod';
import { sql, type DatabasePool } from '../../hub/src/adapters/postgres.js';
import { allEvents } from './all-events.js';

/** What the database holds, read directly, to check what the API did (or did not) change. */
export function facts(db: DatabasePool) {
  return {
    shopId: (letter: string) =>
      db.oneFirst(sql.type(z.object({ id: z.number() }))`select id from shops where code_letter = ${letter}`),
    productId: (slug: string) =>
      db.oneFirst(sql.type(z.object({ id: z.number() }))`select id from products where slug = ${slug}`),
    ingredientId: (name: string) =>
      db.oneFirst(sql.type(z.object({ id: z.number() }))`select id from ingredients where name = ${name}`),
    staffId: (email: string) =>
      db.oneFirst(sql.type(z.object({ id: z.string() }))`select id from staff where email = ${email}`),

    /** Everything a rejected request must leave untouched, in one comparable value. */
    snapshot: () =>
      db.one(sql.type(
        z.object({
          orders: z.number(),
          versions: z.number(),
          events: z.number(),
          ledger: z.number(),
          stock: z.string(),
          history: z.number(),
        }),
      )`
        select (select count(*)::int from orders) as orders,
               (select coalesce(sum(version), 0)::int from orders) as versions,
               (select count(*)::int from ${allEvents} e) as events,
               (select count(*)::int from stock_ledger) as ledger,
               (select md5(string_agg(shop_id || ':' || ingredient_id || ':' || on_hand || ':' || reserved, ',' order by shop_id, ingredient_id)) from stock) as stock,
               (select count(*)::int from order_status_history) as history`),

    stock: (shopId: number, ingredientId: number) =>
      db.one(sql.type(z.object({ onHand: z.number(), reserved: z.number() }))`
        select on_hand as "onHand", reserved from stock where shop_id = ${shopId} and ingredient_id = ${ingredientId}`),

    /** Stock rows whose ledger does not sum to them: must always be empty. */
    ledgerMismatches: () =>
      db.any(sql.type(
        z.object({
          shopId: z.number(),
          ingredientId: z.number(),
          onHand: z.number(),
          reserved: z.number(),
          ledgerOnHand: z.number(),
          ledgerReserved: z.number(),
        }),
      )`
        select s.shop_id as "shopId", s.ingredient_id as "ingredientId", s.on_hand as "onHand", s.reserved,
               coalesce(l.on_hand, 0)::int as "ledgerOnHand", coalesce(l.reserved, 0)::int as "ledgerReserved"
        from stock s
        left join (select shop_id, ingredient_id, sum(on_hand_delta) as on_hand, sum(reserved_delta) as reserved
                   from stock_ledger group by shop_id, ingredient_id) l
          on l.shop_id = s.shop_id and l.ingredient_id = s.ingredient_id
        where s.on_hand <> coalesce(l.on_hand, 0) or s.reserved <> coalesce(l.reserved, 0)`),

    negativeStock: () =>
      db.oneFirst(sql.type(z.object({ n: z.number() }))`
        select count(*)::int as n from stock where on_hand - reserved < 0 or reserved < 0`),

    orderEvents: (orderId: string) =>
      db.any(sql.type(
        z.object({
          type: z.string(),
          version: z.number().nullable(),
          data: z.record(z.string(), z.unknown()),
        }),
      )`
        select type, version, data from ${allEvents} e where order_id = ${orderId} order by id`),

    order: (orderId: string) =>
      db.one(sql.type(z.object({ status: z.string(), version: z.number() }))`
        select status, version from orders where id = ${orderId}`),

    ledgerFor: (orderId: string) =>
      db.any(sql.type(
        z.object({
          kind: z.string(),
          ingredientId: z.number(),
          quantity: z.number(),
          onHandDelta: z.number(),
          reservedDelta: z.number(),
        }),
      )`
        select kind, ingredient_id as "ingredientId", quantity, on_hand_delta as "onHandDelta", reserved_delta as "reservedDelta"
        from stock_ledger where order_id = ${orderId} order by id`),
  };
}

export type Facts = ReturnType<typeof facts>;
