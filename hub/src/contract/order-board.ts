import { OrderEventData, type EventEnvelope } from './events.js';
import type { Order } from './orders.js';

/**
 * The orders a screen holds (kitchen, courier, manager, tracking), as a pure reducer for the
 * realtime client. Orders are never removed here: a screen filters with `boardOrders`, so an order
 * that leaves its view (served, reassigned) can still be updated if it comes back.
 */
export type OrderBoard = { readonly orders: Readonly<Record<string, Order>> };

function newer(held: Order | undefined, incoming: Order): boolean {
  return held === undefined || incoming.version > held.version;
}

export function orderBoardFromSnapshot(orders: readonly Order[]): OrderBoard {
  const byId: Record<string, Order> = {};
  for (const order of orders) if (newer(byId[order.id], order)) byId[order.id] = order;
  return { orders: byId };
}

/**
 * Snapshots may already include changes after their seq, and events may come twice or late, so an
 * order is only ever replaced by a higher version. Returns the same board when nothing changed, so
 * screens can skip re-rendering by identity.
 */
export function applyOrderEvent(board: OrderBoard, event: EventEnvelope): OrderBoard {
  if (!event.type.startsWith('order.')) return board;
  const parsed = OrderEventData.safeParse(event.data);
  if (!parsed.success) return board;
  const order = parsed.data.order;
  if (!newer(board.orders[order.id], order)) return board;
  return { ...board, orders: { ...board.orders, [order.id]: order } };
}

function compareOrders(a: Order, b: Order): number {
  const ta = Date.parse(a.createdAt);
  const tb = Date.parse(b.createdAt);
  // Timestamps may carry different offsets: compare instants, and text only if one is unparsable.
  const byTime =
    Number.isFinite(ta) && Number.isFinite(tb) ? ta - tb : a.createdAt.localeCompare(b.createdAt);
  if (byTime !== 0) return byTime;
  if (a.shortCode !== b.shortCode) return a.shortCode < b.shortCode ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Oldest first (createdAt, then shortCode): the order kitchens work in. */
export function boardOrders(board: OrderBoard, filter?: (order: Order) => boolean): Order[] {
  const orders = Object.values(board.orders);
  return (filter ? orders.filter(filter) : orders).sort(compareOrders);
}
