import { z } from 'zod';
import {
  CLOSED_DISPUTE_STATUSES,
  Order,
  OrderStatus,
  type OrderMode,
  type OrderPromise,
  type PaymentMethod,
} from '../contract/index.js';
import {
  prepared,
  sql,
  type DatabaseTransactionConnection,
  type FragmentSqlToken,
  type Queryable,
} from '../adapters/postgres.js';

/** An order row as the hub reads it back, shaped like the contract's `Order` plus private fields. */
export const OrderRow = Order.extend({
  /** Why the order reached its current status (a failed delivery's reason), for its customer. */
  statusReason: z.string().nullable(),
  codeLetter: z.string(),
  shopName: z.string(),
  shopPhone: z.string(),
});
export type OrderRow = z.infer<typeof OrderRow>;

/** A timestamptz as the JSON the hub sends: ISO 8601, UTC, milliseconds (as `Date#toISOString`). */
const isoMs = (column: ReturnType<typeof sql.identifier>) =>
  sql.fragment`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The order's refund and latest dispute (contract `OrderRefund`, `OrderDispute`), as jsonb, for
 * both builders below: one index lookup each.
 */
const refundJsonb = sql.fragment`(select jsonb_build_object(
      'status', rf.status, 'amountCents', rf.amount_cents, 'failure', rf.failure,
      'updatedAt', ${isoMs(sql.identifier(['rf', 'updated_at']))})
    from refunds rf where rf.order_id = o.id)`;
const disputeJsonb = sql.fragment`(select jsonb_build_object(
      'id', dp.id, 'status', dp.status, 'reason', dp.reason, 'amountCents', dp.amount_cents,
      'evidenceDueBy', ${isoMs(sql.identifier(['dp', 'evidence_due_by']))},
      'updatedAt', ${isoMs(sql.identifier(['dp', 'updated_at']))})
    from disputes dp where dp.order_id = o.id order by dp.created_at desc, dp.id limit 1)`;

// Result schemas built once, not per query (a per-call zod schema is measurable at 800 orders/s).
const CommandClaim = z.object({ name: z.string(), orderId: z.string().nullable() });
const VersionResult = z.object({ version: z.number() });

const orderSelect = sql.fragment`
  select o.id, o.shop_id as "shopId", o.short_code as "shortCode", o.channel, o.mode, o.status, o.version,
    json_build_object('name', o.customer_name, 'phone', o.customer_phone, 'email', o.customer_email) as customer,
    case when o.delivery_line1 is null then null else json_build_object(
      'line1', o.delivery_line1, 'postcode', o.delivery_postcode, 'city', o.delivery_city,
      'instructions', o.delivery_instructions,
      'position', case when o.delivery_lat is null then null
                  else json_build_object('lat', o.delivery_lat, 'lng', o.delivery_lng) end) end as "deliveryAddress",
    coalesce((select json_agg(json_build_object(
        'productId', l.product_id, 'productName', l.product_name, 'quantity', l.quantity,
        'unitPriceCents', l.unit_price_cents, 'vatRateBp', l.vat_rate_bp, 'notes', l.notes) order by l.line_no)
      from order_lines l where l.order_id = o.id), '[]'::json) as lines,
    json_build_object('totalCents', o.total_cents, 'vatCents', o.vat_cents,
                      'netCents', o.total_cents - o.vat_cents) as totals,
    o.payment_method as "paymentMethod", o.payment_status as "paymentStatus",
    o.promised_at as "promisedAt", o.courier_id as "courierId",
    json_build_object('at', ${isoMs(sql.identifier(['o', 'promise_at']))},
      'readyBy', ${isoMs(sql.identifier(['o', 'promise_ready_by']))},
      'routeMinutes', o.promise_route_minutes, 'routeSource', o.promise_route_source) as promise,
    case when o.offered_courier_id is null then null else json_build_object(
      'courierId', o.offered_courier_id,
      'expiresAt', to_char(o.offer_expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) end as offer,
    o.notes, o.cancel_reason as "cancelReason", o.payment_failure as "paymentFailure",
    ${refundJsonb} as refund, ${disputeJsonb} as dispute,
    o.created_at as "createdAt", o.updated_at as "updatedAt",
    (select h.reason from order_status_history h where h.order_id = o.id and h.to_status = o.status
      order by h.id desc limit 1) as "statusReason",
    s.code_letter as "codeLetter", s.name as "shopName", s.phone as "shopPhone"
  from orders o join shops s on s.id = o.shop_id`;

/**
 * The same `OrderRow` as `orderSelect`, built by PostgreSQL as one jsonb value over `o` (orders)
 * and `s` (its shop): what events carry and writes answer, without a read and a parse in Node.
 * tests/integration/order-json.test.ts holds it equal to `orderSelect` read through zod.
 */
export const orderRowJsonb = orderRowJsonbOf(sql.fragment`order_lines l where l.order_id = o.id`);

/**
 * `orderRowJsonb` with the lines read from `lines` (a FROM source aliased `l`): a statement that
 * inserts the order reads its lines from the insert's RETURNING, since its own snapshot cannot
 * see them in the table.
 */
export function orderRowJsonbOf(lines: FragmentSqlToken) {
  return sql.fragment`jsonb_build_object(
    'id', o.id, 'shopId', o.shop_id, 'shortCode', o.short_code, 'channel', o.channel, 'mode', o.mode,
    'status', o.status, 'version', o.version,
    'customer', jsonb_build_object('name', o.customer_name, 'phone', o.customer_phone, 'email', o.customer_email),
    'deliveryAddress', case when o.delivery_line1 is null then null else jsonb_build_object(
      'line1', o.delivery_line1, 'postcode', o.delivery_postcode, 'city', o.delivery_city,
      'instructions', o.delivery_instructions,
      'position', case when o.delivery_lat is null then null
                  else jsonb_build_object('lat', o.delivery_lat, 'lng', o.delivery_lng) end) end,
    'lines', coalesce((select jsonb_agg(jsonb_build_object(
        'productId', l.product_id, 'productName', l.product_name, 'quantity', l.quantity,
        'unitPriceCents', l.unit_price_cents, 'vatRateBp', l.vat_rate_bp, 'notes', l.notes) order by l.line_no)
      from ${lines}), '[]'::jsonb),
    'totals', jsonb_build_object('totalCents', o.total_cents, 'vatCents', o.vat_cents,
                                 'netCents', o.total_cents - o.vat_cents),
    'paymentMethod', o.payment_method, 'paymentStatus', o.payment_status,
    'promisedAt', ${isoMs(sql.identifier(['o', 'promised_at']))}, 'courierId', o.courier_id,
    'promise', jsonb_build_object('at', ${isoMs(sql.identifier(['o', 'promise_at']))},
      'readyBy', ${isoMs(sql.identifier(['o', 'promise_ready_by']))},
      'routeMinutes', o.promise_route_minutes, 'routeSource', o.promise_route_source),
    'offer', case when o.offered_courier_id is null then null else jsonb_build_object(
      'courierId', o.offered_courier_id, 'expiresAt', ${isoMs(sql.identifier(['o', 'offer_expires_at']))}) end,
    'notes', o.notes, 'cancelReason', o.cancel_reason, 'paymentFailure', o.payment_failure,
    'refund', ${refundJsonb}, 'dispute', ${disputeJsonb},
    'createdAt', ${isoMs(sql.identifier(['o', 'created_at']))}, 'updatedAt', ${isoMs(sql.identifier(['o', 'updated_at']))},
    'statusReason', (select h.reason from order_status_history h where h.order_id = o.id and h.to_status = o.status
      order by h.id desc limit 1),
    'codeLetter', s.code_letter, 'shopName', s.name, 'shopPhone', s.phone)`;
}

export async function findOrder(db: Queryable, id: string): Promise<OrderRow | null> {
  return db.maybeOne(prepared(sql.type(OrderRow)`${orderSelect} where o.id = ${id}`));
}

/** Orders of a shop in these statuses, oldest first (kitchen and manager boards). */
export async function findShopOrders(
  db: Queryable,
  shopId: number,
  statuses: readonly OrderStatus[],
  alsoFinishedSince?: Date,
  /** Also the orders whose money needs the manager: an open dispute, a refund not made. */
  alsoPaymentIssues = false,
): Promise<OrderRow[]> {
  const finished = alsoFinishedSince
    ? sql.fragment`or o.updated_at >= ${sql.timestamp(alsoFinishedSince)}`
    : sql.fragment``;
  const issues = alsoPaymentIssues
    ? sql.fragment`or exists (select 1 from disputes dp where dp.order_id = o.id
          and not dp.status = any(${sql.array([...CLOSED_DISPUTE_STATUSES], 'text')}))
        or exists (select 1 from refunds rf where rf.order_id = o.id and rf.status <> 'succeeded')`
    : sql.fragment``;
  return [
    ...(await db.any(sql.type(OrderRow)`${orderSelect}
      where o.shop_id = ${shopId} and (o.status = any(${sql.array([...statuses], 'text')}) ${finished} ${issues})
      order by o.created_at, o.short_code`)),
  ];
}

/** A courier's orders still to deliver (assigned, not finished). */
export async function findCourierOrders(db: Queryable, courierId: string): Promise<OrderRow[]> {
  return [
    ...(await db.any(sql.type(OrderRow)`${orderSelect}
      where (o.courier_id = ${courierId} or o.offered_courier_id = ${courierId})
        and o.status in ('received', 'preparing', 'baking', 'ready', 'out_for_delivery')
      order by o.created_at`)),
  ];
}

/**
 * Claims an idempotency key for a command in the caller's transaction. A second claim of the same
 * key waits on the first one's transaction (unique index), then sees it: the command is a replay.
 */
export async function claimCommand(
  tx: DatabaseTransactionConnection,
  claim: { principal: string; key: string; name: string; orderId: string },
): Promise<'fresh' | 'replayed' | 'reused'> {
  const fresh = await tx.maybeOne(
    prepared(sql.unsafe`
    insert into command_log (principal, idempotency_key, name, order_id)
    values (${claim.principal}, ${claim.key}, ${claim.name}, ${claim.orderId})
    on conflict do nothing
    returning 1`),
  );
  if (fresh) return 'fresh';
  const prior = await tx.one(
    prepared(sql.type(CommandClaim)`
    select name, order_id as "orderId" from command_log
    where principal = ${claim.principal} and idempotency_key = ${claim.key}`),
  );
  return prior.name === claim.name && prior.orderId === claim.orderId ? 'replayed' : 'reused';
}

export async function findCustomerOrders(
  db: Queryable,
  customerId: string,
  limit: number,
): Promise<OrderRow[]> {
  return [
    ...(await db.any(
      sql.type(
        OrderRow,
      )`${orderSelect} where o.customer_id = ${customerId} order by o.created_at desc limit ${limit}`,
    )),
  ];
}

export async function findOrderByTokenHash(db: Queryable, hash: Buffer): Promise<OrderRow | null> {
  return db.maybeOne(
    prepared(sql.type(OrderRow)`${orderSelect} where o.tracking_token_hash = ${sql.binary(hash)}`),
  );
}

const OrderOfToken = z.object({ id: z.string(), shopId: z.number() });

/**
 * Which order a tracking link opens, and nothing more: what a socket's handshake needs. A node's
 * death sends thousands of handshakes to the others at once, each of which read the whole order
 * (lines, history, JSON) for these two fields (issue 11).
 */
export async function findOrderOfTokenHash(
  db: Queryable,
  hash: Buffer,
): Promise<z.infer<typeof OrderOfToken> | null> {
  return db.maybeOne(
    prepared(
      sql.type(
        OrderOfToken,
      )`select id, shop_id as "shopId" from orders where tracking_token_hash = ${sql.binary(hash)}`,
    ),
  );
}

const LockedOrder = z.object({
  id: z.string(),
  offeredCourierId: z.string().nullable(),
  offerExpired: z.boolean(),
  shopId: z.number(),
  mode: z.enum(['delivery', 'pickup']),
  status: OrderStatus,
  version: z.number(),
  courierId: z.string().nullable(),
  paymentStatus: z.enum(['unpaid', 'paid', 'refunded']),
  paymentMethod: z.enum(['card_online', 'cash_at_door', 'card_at_door', 'at_counter']),
  paymentIntentId: z.string().nullable(),
  totalCents: z.number(),
  shortCode: z.string(),
  createdAt: z.string(),
});
export type LockedOrder = z.infer<typeof LockedOrder>;

const lockedSelect = sql.fragment`
  select id, shop_id as "shopId", mode, status, version, courier_id as "courierId",
         offered_courier_id as "offeredCourierId", coalesce(offer_expires_at <= now(), false) as "offerExpired",
         payment_status as "paymentStatus", payment_method as "paymentMethod",
         payment_intent_id as "paymentIntentId", total_cents as "totalCents", short_code as "shortCode",
         created_at as "createdAt"
  from orders`;

/** Row lock on the order: concurrent moves of one order queue here and see each other's result. */
export async function lockOrder(tx: DatabaseTransactionConnection, id: string): Promise<LockedOrder | null> {
  return tx.maybeOne(prepared(sql.type(LockedOrder)`${lockedSelect} where id = ${id} for update`));
}

export async function lockOrderByTokenHash(
  tx: DatabaseTransactionConnection,
  hash: Buffer,
): Promise<LockedOrder | null> {
  return tx.maybeOne(
    prepared(
      sql.type(LockedOrder)`${lockedSelect} where tracking_token_hash = ${sql.binary(hash)} for update`,
    ),
  );
}

/** Unpaid online orders past their deadline; SKIP LOCKED so two hub nodes never expire the same one. */
export async function lockExpiredUnpaid(
  tx: DatabaseTransactionConnection,
  createdBefore: Date,
  limit: number,
): Promise<LockedOrder[]> {
  return [
    ...(await tx.any(sql.type(LockedOrder)`${lockedSelect}
      where status = 'pending_payment' and created_at <= ${sql.timestamp(createdBefore)}
      order by created_at limit ${limit} for update skip locked`)),
  ];
}

export type NewOrder = {
  shopId: number;
  channel: string;
  mode: OrderMode;
  status: OrderStatus;
  customerId: string | null;
  customerName: string;
  customerPhone: string;
  customerEmail: string | null;
  delivery: {
    line1: string;
    postcode: string;
    city: string;
    instructions: string | null;
    lat: number | null;
    lng: number | null;
  } | null;
  totalCents: number;
  vatCents: number;
  paymentMethod: PaymentMethod;
  promisedAt: string | null;
  promise: OrderPromise;
  notes: string | null;
  trackingTokenHash: Buffer;
};

/**
 * `shortCode` of domain/short-code.ts, in SQL, so that the order number is drawn inside the
 * insert (tests/integration/order-json.test.ts holds the two equal).
 */
export const shortCodeSql = (letter: ReturnType<typeof sql.fragment>, n: ReturnType<typeof sql.fragment>) =>
  sql.fragment`(${letter} || '-' || lpad((${n} % 1000)::text, 3, '0'))`;

export type NewLine = {
  productId: number;
  productName: string;
  quantity: number;
  unitPriceCents: number;
  vatRateBp: number;
  notes: string | null;
};

const linesOf = (lines: readonly NewLine[]) =>
  sql.unnest(
    lines.map((l, i) => [
      i + 1,
      l.productId,
      l.productName,
      l.quantity,
      l.unitPriceCents,
      l.vatRateBp,
      l.notes,
    ]),
    ['int4', 'int4', 'text', 'int4', 'int4', 'int4', 'text'],
  );

/**
 * The CTEs that insert a new order (`inserted`, the whole row), its lines (`new_lines`, the whole
 * rows) and its first status (`history`), for a statement that goes on with them: the order
 * number is drawn from its sequence inside it, and the short code made from it.
 */
export function newOrderCtes(
  o: NewOrder & { codeLetter: string; lines: readonly NewLine[]; actor: { kind: string; id: string | null } },
) {
  const d = o.delivery;
  return sql.fragment`
    inserted as (
      insert into orders (shop_id, short_code, channel, mode, status, customer_id, customer_name, customer_phone, customer_email,
        delivery_line1, delivery_postcode, delivery_city, delivery_instructions, delivery_lat, delivery_lng,
        total_cents, vat_cents, payment_method, promised_at, notes, tracking_token_hash,
        promise_at, promise_ready_by, promise_route_minutes, promise_route_source)
      values (${o.shopId}, ${shortCodeSql(sql.fragment`${o.codeLetter}::text`, sql.fragment`nextval('order_number_seq')`)},
        ${o.channel}, ${o.mode}, ${o.status}, ${o.customerId}, ${o.customerName}, ${o.customerPhone},
        ${o.customerEmail}, ${d?.line1 ?? null}, ${d?.postcode ?? null}, ${d?.city ?? null}, ${d?.instructions ?? null},
        ${d?.lat ?? null}, ${d?.lng ?? null}, ${o.totalCents}, ${o.vatCents}, ${o.paymentMethod},
        ${o.promisedAt}, ${o.notes}, ${sql.binary(o.trackingTokenHash)},
        ${o.promise.at}, ${o.promise.readyBy}, ${o.promise.routeMinutes}, ${o.promise.routeSource})
      returning *
    ), new_lines as (
      insert into order_lines (order_id, line_no, product_id, product_name, quantity, unit_price_cents, vat_rate_bp, notes)
      select inserted.id, l.line_no, l.product_id, l.product_name, l.quantity, l.unit_price_cents, l.vat_rate_bp, l.notes
      from inserted, ${linesOf(o.lines)} as l(line_no, product_id, product_name, quantity, unit_price_cents, vat_rate_bp, notes)
      returning *
    ), history as (
      insert into order_status_history (order_id, from_status, to_status, actor_kind, actor_id, reason)
      select id, null, ${o.status}, ${o.actor.kind}, ${o.actor.id}, null from inserted
    )`;
}

export async function replaceLines(
  tx: DatabaseTransactionConnection,
  orderId: string,
  lines: readonly NewLine[],
) {
  // Two statements: in one, the delete and the insert would race on the (order_id, line_no) key.
  await tx.query(sql.unsafe`delete from order_lines where order_id = ${orderId}`);
  await tx.query(sql.unsafe`
    insert into order_lines (order_id, line_no, product_id, product_name, quantity, unit_price_cents, vat_rate_bp, notes)
    select ${orderId}, l.line_no, l.product_id, l.product_name, l.quantity, l.unit_price_cents, l.vat_rate_bp, l.notes
    from ${linesOf(lines)} as l(line_no, product_id, product_name, quantity, unit_price_cents, vat_rate_bp, notes)`);
}

export async function recordStatus(
  tx: DatabaseTransactionConnection,
  entry: {
    orderId: string;
    from: OrderStatus | null;
    to: OrderStatus;
    actor: { kind: string; id: string | null };
    reason: string | null;
  },
): Promise<void> {
  await tx.query(
    prepared(sql.unsafe`
    insert into order_status_history (order_id, from_status, to_status, actor_kind, actor_id, reason)
    values (${entry.orderId}, ${entry.from}, ${entry.to}, ${entry.actor.kind}, ${entry.actor.id}, ${entry.reason})`),
  );
}

/** Every change of an order goes through here: it bumps `version`, which screens never see go back. */
export async function updateOrder(
  tx: DatabaseTransactionConnection,
  id: string,
  changes: {
    status?: OrderStatus;
    courierId?: string | null;
    cancelReason?: string | null;
    totals?: { totalCents: number; vatCents: number };
    delivery?: NewOrder['delivery'];
    promisedAt?: string | null;
    paymentStatus?: 'unpaid' | 'paid' | 'refunded';
    paymentIntentId?: string;
    /** The last online payment attempt's failure; null clears it. */
    paymentFailure?: string | null;
    /** The standing dispatch offer; null withdraws it. */
    offer?: { courierId: string; seconds: number } | null;
  },
): Promise<number> {
  const sets = [sql.fragment`version = version + 1`, sql.fragment`updated_at = now()`];
  if (changes.status !== undefined) sets.push(sql.fragment`status = ${changes.status}`);
  if (changes.courierId !== undefined) sets.push(sql.fragment`courier_id = ${changes.courierId}`);
  if (changes.cancelReason !== undefined) sets.push(sql.fragment`cancel_reason = ${changes.cancelReason}`);
  if (changes.totals) {
    sets.push(
      sql.fragment`total_cents = ${changes.totals.totalCents}`,
      sql.fragment`vat_cents = ${changes.totals.vatCents}`,
    );
  }
  if (changes.delivery) {
    const d = changes.delivery;
    sets.push(
      sql.fragment`delivery_line1 = ${d.line1}`,
      sql.fragment`delivery_postcode = ${d.postcode}`,
      sql.fragment`delivery_city = ${d.city}`,
      sql.fragment`delivery_instructions = ${d.instructions}`,
      sql.fragment`delivery_lat = ${d.lat}`,
      sql.fragment`delivery_lng = ${d.lng}`,
    );
  }
  if (changes.paymentStatus !== undefined) sets.push(sql.fragment`payment_status = ${changes.paymentStatus}`);
  if (changes.paymentIntentId !== undefined)
    sets.push(sql.fragment`payment_intent_id = ${changes.paymentIntentId}`);
  if (changes.paymentFailure !== undefined)
    sets.push(sql.fragment`payment_failure = ${changes.paymentFailure}`);
  if (changes.promisedAt !== undefined) sets.push(sql.fragment`promised_at = ${changes.promisedAt}`);
  // A new requested time is the new promise; the route leg measured at placing still holds.
  if (changes.promisedAt)
    sets.push(
      sql.fragment`promise_at = ${changes.promisedAt}`,
      sql.fragment`promise_ready_by = ${changes.promisedAt}::timestamptz - coalesce(promise_route_minutes, 0) * interval '1 minute'`,
    );
  if (changes.status === 'ready') sets.push(sql.fragment`ready_at = now()`);
  if (changes.offer === null) {
    sets.push(sql.fragment`offered_courier_id = null`, sql.fragment`offer_expires_at = null`);
  } else if (changes.offer) {
    sets.push(
      sql.fragment`offered_courier_id = ${changes.offer.courierId}`,
      sql.fragment`offer_expires_at = now() + make_interval(secs => ${changes.offer.seconds})`,
    );
  }
  return tx.oneFirst(
    prepared(sql.type(VersionResult)`
    update orders set ${sql.join(sets, sql.fragment`, `)} where id = ${id} returning version`),
  );
}

/** Cash or card taken at the counter or the door: a payment row, and the order marked paid. */
export async function recordCollectedPayment(
  tx: DatabaseTransactionConnection,
  orderId: string,
  collected: 'cash' | 'card',
): Promise<void> {
  await tx.query(sql.unsafe`
    insert into payments (order_id, provider, amount_cents, status)
    select id, ${collected === 'cash' ? 'cash' : 'card_terminal'}, total_cents, 'succeeded' from orders where id = ${orderId}`);
  await tx.query(sql.unsafe`update orders set payment_status = 'paid' where id = ${orderId}`);
}

const QueuedOrderRow = z.object({
  id: z.string(),
  status: OrderStatus,
  version: z.number().int(),
  readyBy: z.string(),
  createdAt: z.string(),
  lines: z.array(z.object({ productId: z.number(), quantity: z.number() })),
});

/**
 * Tickets of one kind the kitchen queue read returns at most. A kitchen is never this far behind
 * (200 tickets are hours of work for two makers): the bound only keeps a stalled shop, or a
 * benchmark where nobody bumps tickets, from making every new order read thousands of rows.
 * Beyond it a promise counts the first 200 waiting tickets: it is already hours out.
 */
export const KITCHEN_QUEUE_LIMIT = 200;

/**
 * The shop's orders in the kitchen with their lines and ready-by: what the promise of a new order
 * waits behind. The started ones (preparing, baking), then the received ones in the board's order
 * (due first, then placed first: `queueAhead` walks them so), each at most KITCHEN_QUEUE_LIMIT,
 * both found by `orders_shop_status_idx`. The received ones are sorted, not read in order from an
 * index: no index holds `promise_ready_by`, so a customer's new time stays a HOT update (migration
 * 019), and each node reads this once per shop every few seconds (kitchen-queue-cache.ts).
 * Only the columns the estimate needs.
 */
export async function findKitchenQueue(
  db: Queryable,
  shopId: number,
): Promise<z.infer<typeof QueuedOrderRow>[]> {
  return [
    ...(await db.any(
      prepared(sql.type(QueuedOrderRow)`
      select o.id, o.status, o.version, ${isoMs(sql.identifier(['o', 'promise_ready_by']))} as "readyBy",
        ${isoMs(sql.identifier(['o', 'created_at']))} as "createdAt",
        coalesce((select json_agg(json_build_object('productId', l.product_id, 'quantity', l.quantity))
          from order_lines l where l.order_id = o.id), '[]'::json) as lines
      from (
        (select id, status, version, promise_ready_by, created_at from orders
          where shop_id = ${shopId} and status in ('preparing', 'baking')
          order by created_at limit ${KITCHEN_QUEUE_LIMIT})
        union all
        (select id, status, version, promise_ready_by, created_at from orders
          where shop_id = ${shopId} and status = 'received'
          order by promise_ready_by, created_at limit ${KITCHEN_QUEUE_LIMIT})
      ) o`),
    )),
  ];
}
