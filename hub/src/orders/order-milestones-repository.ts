import { z } from 'zod';
import { OrderMilestones, type OrderStatus } from '../contract/index.js';
import { sql, type Queryable } from '../adapters/postgres.js';

const FINISHED: OrderStatus[] = ['delivered', 'picked_up', 'delivery_failed', 'cancelled'];

/**
 * When each order of a shop reached the steps the manager's figures are made of, read from
 * `order_status_history`, for the same orders as the manager snapshot: those in `statuses`, and
 * those changed since `finishedSince`. The first time each step was reached counts.
 */
export async function findShopMilestones(
  db: Queryable,
  shopId: number,
  statuses: readonly OrderStatus[],
  finishedSince: Date,
): Promise<OrderMilestones[]> {
  return [
    ...(await db.any(sql.type(OrderMilestones.extend({ orderId: z.string() }))`
      select h.order_id as "orderId",
             min(h.at) filter (where h.to_status = 'received') as "receivedAt",
             min(h.at) filter (where h.to_status = 'ready') as "readyAt",
             min(h.at) filter (where h.to_status = 'out_for_delivery') as "outForDeliveryAt",
             min(h.at) filter (where h.to_status = any(${sql.array(FINISHED, 'text')})) as "finishedAt"
      from orders o join order_status_history h on h.order_id = o.id
      where o.shop_id = ${shopId}
        and (o.status = any(${sql.array([...statuses], 'text')})
             or o.updated_at >= ${sql.timestamp(finishedSince)})
      group by h.order_id
      order by h.order_id`)),
  ];
}
