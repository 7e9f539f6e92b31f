import { z } from 'zod';
import { roomsForEvent, type EventEnvelope, type EventType } from '../contract/index.js';
import { prepared, sql, type Queryable } from '../adapters/postgres.js';

const Row = z.object({
  seq: z.number(),
  type: z.string(),
  shopId: z.number(),
  orderId: z.string().nullable(),
  courierId: z.string().nullable(),
  version: z.number().nullable(),
  data: z.record(z.string(), z.unknown()),
  at: z.string(),
});

/** What a room name says about the events it receives. */
export function parseRooms(rooms: Iterable<string>) {
  const shops = new Set<number>();
  const orders = new Set<string>();
  const couriers = new Set<string>();
  for (const r of rooms) {
    const [kind, id] = r.split(':');
    if (kind === 'shop' && id) shops.add(Number(id));
    else if (kind === 'order' && id) orders.add(id);
    else if (kind === 'courier' && id) couriers.add(id);
  }
  return { shops: [...shops], orders: [...orders], couriers: [...couriers] };
}

/**
 * The events after `since` (up to `upTo`) that these rooms receive, in seq order. The same
 * `roomsForEvent` decides as for live emission, so a replay holds exactly what live would have.
 * Returns null when there are more than `limit`: the client is better off reloading its snapshot.
 */
export async function replayEvents(
  db: Queryable,
  rooms: ReadonlySet<string>,
  since: number,
  upTo: number,
  limit: number,
): Promise<EventEnvelope[] | null> {
  if (upTo <= since) return [];
  const { shops, orders, couriers } = parseRooms(rooms);
  const rows = await db.any(
    prepared(sql.type(Row)`
    select seq, type, shop_id as "shopId", order_id as "orderId", courier_id as "courierId", version, data,
           created_at as at
    from event_log
    where seq > ${since} and seq <= ${upTo}
      and (shop_id = any(${sql.array(shops, 'int4')})
           or order_id = any(${sql.array(orders, 'uuid')})
           or courier_id = any(${sql.array(couriers, 'uuid')})
           or data->>'previousCourierId' = any(${sql.array(couriers, 'text')}))
    order by seq
    limit ${limit + 1}`),
  );
  const events: EventEnvelope[] = [];
  for (const r of rows) {
    if (!roomsForEvent(r).some((room) => rooms.has(room))) continue;
    events.push({
      seq: r.seq,
      type: r.type as EventType,
      shopId: r.shopId,
      ...(r.orderId ? { orderId: r.orderId } : {}),
      ...(r.courierId ? { courierId: r.courierId } : {}),
      ...(r.version !== null ? { version: r.version } : {}),
      at: r.at,
      data: r.data,
    });
  }
  return rows.length > limit ? null : events;
}
