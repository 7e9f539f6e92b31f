import { z } from 'zod';
import { sql, type Queryable } from '../adapters/postgres.js';

export async function isCourierOfShop(db: Queryable, courierId: string, shopId: number): Promise<boolean> {
  return db.exists(sql.unsafe`
    select 1 from couriers c join staff s on s.id = c.staff_id
    where c.staff_id = ${courierId} and c.shop_id = ${shopId} and s.active`);
}

/**
 * Couriers whose screen is connected right now: dispatch offers only to couriers seen within
 * the presence grace (dispatch-repository.ts). Stamped from the socket server.
 */
export async function markCouriersSeen(db: Queryable, courierIds: readonly string[]): Promise<void> {
  if (courierIds.length === 0) return;
  await db.query(sql.unsafe`
    update couriers set last_seen_at = now()
    where staff_id = any(${sql.array([...courierIds], 'uuid')})`);
}

const PositionRecorded = z.object({
  shopId: z.number(),
  at: z.string(),
  orderIds: z.array(z.string()),
});

/**
 * Keeps a courier's last known position and says who may see it: the tracking pages of the
 * orders they are carrying right now, and their shop's managers.
 */
export async function recordPosition(
  db: Queryable,
  courierId: string,
  position: { lat: number; lng: number },
): Promise<z.infer<typeof PositionRecorded> | null> {
  return db.maybeOne(sql.type(PositionRecorded)`
    with moved as (
      update couriers set last_lat = ${position.lat}, last_lng = ${position.lng}, last_position_at = now()
      where staff_id = ${courierId}
      returning shop_id, last_position_at)
    select moved.shop_id as "shopId", moved.last_position_at as at,
           coalesce(array_agg(o.id::text) filter (where o.id is not null), '{}') as "orderIds"
    from moved left join orders o on o.courier_id = ${courierId} and o.status = 'out_for_delivery'
    group by moved.shop_id, moved.last_position_at`);
}

const CourierStateRow = z.object({
  courierId: z.string(),
  name: z.string(),
  onShift: z.boolean(),
  position: z.object({ lat: z.number(), lng: z.number() }).nullable(),
  positionAt: z.string().nullable(),
});

export async function shopCouriers(db: Queryable, shopId: number) {
  return [
    ...(await db.any(sql.type(CourierStateRow)`
      select c.staff_id as "courierId", s.name, c.on_shift as "onShift",
             case when c.last_lat is null then null else json_build_object('lat', c.last_lat, 'lng', c.last_lng) end as position,
             c.last_position_at as "positionAt"
      from couriers c join staff s on s.id = c.staff_id
      where c.shop_id = ${shopId} and s.active
      order by s.name`)),
  ];
}

export async function courierShop(db: Queryable, courierId: string): Promise<number | null> {
  return db.maybeOneFirst(sql.type(z.object({ shopId: z.number() }))`
    select shop_id as "shopId" from couriers where staff_id = ${courierId}`);
}

/** A courier's last known position, for the tracking page of an order they carry. */
export async function courierPosition(
  db: Queryable,
  courierId: string,
): Promise<{ position: { lat: number; lng: number }; at: string } | null> {
  return db.maybeOne(sql.type(
    z.object({ position: z.object({ lat: z.number(), lng: z.number() }), at: z.string() }),
  )`
    select json_build_object('lat', last_lat, 'lng', last_lng) as position, last_position_at as at
    from couriers where staff_id = ${courierId} and last_lat is not null and last_position_at is not null`);
}
