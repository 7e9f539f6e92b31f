import { z } from 'zod';
import type { EventType, OrderStatus } from '../contract/index.js';
import {
  prepared,
  sql,
  type DatabaseTransactionConnection,
  type FragmentSqlToken,
  type Queryable,
} from '../adapters/postgres.js';
import type { OutboxOptions } from '../outbox/outbox-repository.js';
import { reserveStockAtCommitOf } from '../stock/stock-repository.js';
import {
  newOrderCtes,
  orderRowJsonb,
  orderRowJsonbOf,
  OrderRow,
  type NewLine,
  type NewOrder,
} from './orders-repository.js';

/** What each transaction last wrote of each order: the answer to its write, without a re-read. */
const written = new WeakMap<DatabaseTransactionConnection, Map<string, OrderRow>>();

/** Forgets what an attempt of a transaction wrote (slonik may run the callback again). */
export function forgetWritten(tx: DatabaseTransactionConnection): void {
  written.delete(tx);
}

/** The order as the last event this transaction appended for it carries it (null: none appended). */
export function lastWritten(tx: DatabaseTransactionConnection, orderId: string): OrderRow | null {
  return written.get(tx)?.get(orderId) ?? null;
}

/** Every order this transaction appended an event for, as the last one carried it. */
export function allWritten(tx: DatabaseTransactionConnection): OrderRow[] {
  return [...(written.get(tx)?.values() ?? [])];
}

/**
 * Appends an order event carrying the order as it stands after the change, built by PostgreSQL
 * inside the same transaction, in one statement: a screen can apply any one event without fetching
 * anything. The envelope's courier is the assigned one, else the one it is offered to: their room
 * must hear of it. Returns the order with its private fields (what `findOrder` reads).
 */
// Built once: a zod schema built per call cost ~1 % of a hub's CPU at 800 orders/s (issue 11).
const OrderRowResult = z.object({ row: OrderRow });

/**
 * The outbox insert of an order event, over a CTE `r` holding the order as `orderRowJsonb` builds
 * it: `data` (jsonb) with the order, without its private fields. The envelope's courier is the
 * assigned one, else the one it is offered to: their room must hear of it. Nothing is written when
 * the outbox is disabled (benchmark only).
 */
function orderEventFromRow(
  type: Extract<EventType, `order.${string}`>,
  data: FragmentSqlToken,
  disabled: boolean,
) {
  return sql.fragment`
    insert into outbox (type, shop_id, order_id, courier_id, version, data)
    select ${type}, (r.row->>'shopId')::int, (r.row->>'id')::uuid,
           coalesce(r.row->>'courierId', r.row->'offer'->>'courierId')::uuid, (r.row->>'version')::int,
           ${data} || jsonb_build_object('order', r.row - 'statusReason' - 'codeLetter' - 'shopName' - 'shopPhone')
    from r
    where not ${disabled}`;
}

export async function appendOrderEvent(
  tx: DatabaseTransactionConnection,
  type: Extract<EventType, `order.${string}`>,
  orderId: string,
  data: Record<string, unknown>,
  outbox?: OutboxOptions,
): Promise<OrderRow> {
  // Benchmark only (config.benchDisableOutbox, refused in production): the write without its event.
  const disabled = outbox?.disabled === true;
  const found = await tx.maybeOne(
    prepared(sql.type(OrderRowResult)`
    with r as (
      select ${orderRowJsonb} as row from orders o join shops s on s.id = o.shop_id where o.id = ${orderId}
    ), appended as (${orderEventFromRow(type, sql.fragment`${sql.jsonb(data as never)}`, disabled)})
    select row from r`),
  );
  if (!found) throw new Error(`order ${orderId} vanished inside its own transaction`);
  let orders = written.get(tx);
  if (!orders) written.set(tx, (orders = new Map()));
  orders.set(orderId, found.row);
  return found.row;
}

/**
 * A new order, whole, in one statement and one round trip, committed on its own: the order, its
 * lines, its first status, its `order.created` event (built by PostgreSQL from what the statement
 * inserted) and the request to reserve `needs` while it commits (migration 018). The reservation
 * runs at the statement's commit: short of an ingredient, the statement fails with OCS01
 * (`levelsShortAtCommit`) and nothing of the order remains. Returns the order with its private
 * fields, as `appendOrderEvent` does.
 */
export async function insertOrderWithEvent(
  db: Queryable,
  order: NewOrder & {
    codeLetter: string;
    lines: readonly NewLine[];
    actor: { kind: string; id: string | null };
  },
  needs: ReadonlyArray<{ ingredientId: number; quantity: number }>,
  outbox?: OutboxOptions,
): Promise<OrderRow> {
  const disabled = outbox?.disabled === true;
  const reservation =
    needs.length > 0
      ? sql.fragment`, reservation as (
          ${reserveStockAtCommitOf(sql.fragment`(select id from inserted)`, order.shopId, needs, !disabled)})`
      : sql.fragment``;
  const found = await db.one(
    prepared(sql.type(OrderRowResult)`
    with ${newOrderCtes(order)}${reservation}, r as (
      select ${orderRowJsonbOf(sql.fragment`new_lines l`)} as row
      from inserted o join shops s on s.id = o.shop_id
    ), appended as (${orderEventFromRow('order.created', sql.fragment`'{}'::jsonb`, disabled)})
    select row from r`),
  );
  return found.row;
}

/**
 * A customer's new promised time, in one statement (one round trip, no transaction around it):
 * the order is changed only while its customer may still change it, and its `order.modified`
 * event is appended with it. A concurrent change of the same order is waited for and re-checked
 * by PostgreSQL (READ COMMITTED re-evaluates the WHERE on the new row), as the lock would be.
 * `shopIds`: the shops open at the new time (the caller's check of the hours, so that it needs no
 * read of the order first). Null when no order has this token, it is no longer editable or its
 * shop is not one of those (the caller tells which).
 */
export async function modifyPromisedAtByToken(
  db: Queryable,
  tokenHash: Buffer,
  promisedAt: string,
  editable: readonly OrderStatus[],
  shopIds: readonly number[],
  outbox?: OutboxOptions,
): Promise<OrderRow | null> {
  const disabled = outbox?.disabled === true;
  const found = await db.maybeOne(
    prepared(sql.type(OrderRowResult)`
      with o as (
        update orders set version = version + 1, updated_at = now(), promised_at = ${promisedAt},
          -- The requested time is the promise; the kitchen's ready-by keeps the route leg.
          promise_at = ${promisedAt},
          promise_ready_by = ${promisedAt}::timestamptz - coalesce(promise_route_minutes, 0) * interval '1 minute'
        where tracking_token_hash = ${sql.binary(tokenHash)} and status = any(${sql.array([...editable], 'text')})
          and shop_id = any(${sql.array([...shopIds], 'int4')})
        returning *
      ), r as (
        select ${orderRowJsonb} as row from o join shops s on s.id = o.shop_id
      ), appended as (${orderEventFromRow(
        'order.modified',
        sql.fragment`jsonb_build_object('fields', jsonb_build_array('promisedAt'))`,
        disabled,
      )})
      select row from r`),
  );
  return found?.row ?? null;
}
