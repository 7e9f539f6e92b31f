import type { EventType } from '../contract/index.js';
import type { DatabaseTransactionConnection } from '../adapters/postgres.js';
import { appendEvent, type OutboxOptions } from '../outbox/outbox-repository.js';
import { toOrder } from './order-views.js';
import { findOrder } from './orders-repository.js';

/**
 * Appends an order event carrying the order as it stands after the change, read inside the
 * same transaction: a screen can apply any one event without fetching anything. The envelope's
 * courier is the assigned one, else the one it is offered to: their room must hear of it.
 */
export async function appendOrderEvent(
  tx: DatabaseTransactionConnection,
  type: Extract<EventType, `order.${string}`>,
  orderId: string,
  data: Record<string, unknown>,
  outbox?: OutboxOptions,
): Promise<void> {
  const row = await findOrder(tx, orderId);
  if (!row) throw new Error(`order ${orderId} vanished inside its own transaction`);
  const order = toOrder(row);
  await appendEvent(
    tx,
    {
      type,
      shopId: order.shopId,
      orderId,
      courierId: order.courierId ?? order.offer?.courierId ?? null,
      version: order.version,
      data: { ...data, order },
    },
    outbox,
  );
}
