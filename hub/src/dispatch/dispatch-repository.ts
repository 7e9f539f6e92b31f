import { z } from 'zod';
import { sql, type DatabaseTransactionConnection } from '../adapters/postgres.js';

const Position = z.object({ lat: z.number(), lng: z.number() }).nullable();

const Context = z.object({
  orderId: z.string(),
  shopId: z.number(),
  ready: z.boolean(),
  position: Position,
  readyAt: z.string(),
  shopPosition: z.object({ lat: z.number(), lng: z.number() }),
  offerSeconds: z.number(),
  batchRadiusM: z.number(),
  batchWindowMinutes: z.number(),
});

const Candidate = z.object({
  id: z.string(),
  shopId: z.number(),
  onShift: z.boolean(),
  present: z.boolean(),
  position: Position,
  load: z.number(),
  offers: z.number(),
  capacity: z.number(),
});

const Carried = z.object({ courierId: z.string(), position: Position, readyAt: z.string() });

/**
 * Everything dispatch decides from, for one order, read in the caller's transaction.
 * `presenceGraceMs`: a courier seen (screen connected) this recently counts as present.
 */
export async function dispatchContext(
  tx: DatabaseTransactionConnection,
  orderId: string,
  presenceGraceMs: number,
) {
  const order = await tx.maybeOne(sql.type(Context)`
    select o.id as "orderId", o.shop_id as "shopId",
           (o.status = 'ready' and o.mode = 'delivery' and o.courier_id is null) as ready,
           case when o.delivery_lat is null then null else json_build_object('lat', o.delivery_lat, 'lng', o.delivery_lng) end as position,
           coalesce(o.ready_at, now()) as "readyAt",
           json_build_object('lat', s.lat, 'lng', s.lng) as "shopPosition",
           s.dispatch_offer_seconds as "offerSeconds", s.batch_radius_m as "batchRadiusM",
           s.batch_window_minutes as "batchWindowMinutes"
    from orders o join shops s on s.id = o.shop_id where o.id = ${orderId}`);
  if (!order) return null;
  const couriers = await tx.any(sql.type(Candidate)`
    select c.staff_id as id, c.shop_id as "shopId", c.on_shift and s.active as "onShift",
           coalesce(c.last_seen_at > now() - make_interval(secs => ${presenceGraceMs / 1000}), false) as present,
           case when c.last_lat is null then null else json_build_object('lat', c.last_lat, 'lng', c.last_lng) end as position,
           (select count(*)::int from orders o where o.courier_id = c.staff_id
              and o.status in ('received', 'preparing', 'baking', 'ready', 'out_for_delivery')) as load,
           (select count(*)::int from orders o where o.offered_courier_id = c.staff_id) as offers,
           c.capacity
    from couriers c join staff s on s.id = c.staff_id
    where c.shop_id = ${order.shopId}`);
  // Ready orders already given or offered to a courier, not picked up yet: batching partners.
  const carried = await tx.any(sql.type(Carried)`
    select coalesce(o.courier_id, o.offered_courier_id) as "courierId",
           case when o.delivery_lat is null then null else json_build_object('lat', o.delivery_lat, 'lng', o.delivery_lng) end as position,
           coalesce(o.ready_at, o.updated_at) as "readyAt"
    from orders o
    where o.shop_id = ${order.shopId} and o.status = 'ready' and o.mode = 'delivery' and o.id <> ${orderId}
      and coalesce(o.courier_id, o.offered_courier_id) is not null`);
  const skip = await tx.anyFirst(sql.type(z.object({ courierId: z.string() }))`
    select distinct courier_id as "courierId" from dispatch_offers
    where order_id = ${orderId} and status in ('declined', 'expired')`);
  return { order, couriers: [...couriers], carried: [...carried], skip: new Set(skip) };
}

export async function recordOffer(
  tx: DatabaseTransactionConnection,
  offer: { orderId: string; courierId: string; seconds: number },
): Promise<void> {
  await tx.query(sql.unsafe`
    insert into dispatch_offers (order_id, courier_id, status, expires_at)
    values (${offer.orderId}, ${offer.courierId}, 'pending', now() + make_interval(secs => ${offer.seconds}))`);
}

/** Ends the order's standing offer (accepted, declined, expired, or withdrawn by a manager). */
export async function closeOffer(
  tx: DatabaseTransactionConnection,
  orderId: string,
  status: 'accepted' | 'declined' | 'expired' | 'withdrawn',
): Promise<void> {
  await tx.query(sql.unsafe`
    update dispatch_offers set status = ${status}, answered_at = now()
    where order_id = ${orderId} and status = 'pending'`);
}

/** Whether this courier let an offer of this order run out (to tell them why they cannot take it). */
export async function offerExpiredFor(
  tx: DatabaseTransactionConnection,
  orderId: string,
  courierId: string,
): Promise<boolean> {
  return tx.exists(sql.unsafe`
    select 1 from dispatch_offers
    where order_id = ${orderId} and courier_id = ${courierId} and status = 'expired'`);
}

/** Orders whose offer ran out; SKIP LOCKED so several hub nodes share the work without doubles. */
export async function lockExpiredOffers(tx: DatabaseTransactionConnection, limit: number): Promise<string[]> {
  return [
    ...(await tx.anyFirst(sql.type(z.object({ id: z.string() }))`
      select id from orders where offered_courier_id is not null and offer_expires_at <= now()
      order by offer_expires_at limit ${limit} for update skip locked`)),
  ];
}

/**
 * Ready deliveries nobody carries or is offered: to try again when couriers come free or
 * connect. `shopId`: only that shop's (a courier of it just connected).
 */
export async function lockAwaitingCourier(
  tx: DatabaseTransactionConnection,
  limit: number,
  shopId?: number,
): Promise<string[]> {
  const ofShop = shopId === undefined ? sql.fragment`true` : sql.fragment`shop_id = ${shopId}`;
  return [
    ...(await tx.anyFirst(sql.type(z.object({ id: z.string() }))`
      select id from orders
      where status = 'ready' and mode = 'delivery' and courier_id is null and offered_courier_id is null
        and ${ofShop}
      order by ready_at nulls first limit ${limit} for update skip locked`)),
  ];
}
