/**
 * Rooms are chosen by the server from a client's credentials, never named by the client
 * (DESIGN.md section 4). This module says which rooms an event goes to; the hub uses it to emit
 * live and to filter replays, so both paths deliver exactly the same events.
 */
export const room = {
  kitchen: (shopId: number) => `shop:${shopId}:kitchen`,
  manager: (shopId: number) => `shop:${shopId}:manager`,
  menu: (shopId: number) => `shop:${shopId}:menu`,
  courier: (courierId: string) => `courier:${courierId}`,
  order: (orderId: string) => `order:${orderId}`,
};

/** The order rooms are customers' (tracking pages); every other room is staff's or the public menu's. */
export const isCustomerRoom = (name: string): boolean => name.startsWith('order:');

export type RoutableEvent = {
  type: string;
  shopId: number;
  orderId?: string | null;
  courierId?: string | null;
  data: Record<string, unknown>;
};

export function roomsForEvent(event: RoutableEvent): string[] {
  if (event.type === 'stock.changed') return [room.manager(event.shopId), room.menu(event.shopId)];
  // Recipe cards are the kitchen's; menu pages follow too (managers and admins are in that room).
  if (event.type === 'menu.changed') return [room.kitchen(event.shopId), room.menu(event.shopId)];
  const rooms = [room.kitchen(event.shopId), room.manager(event.shopId)];
  if (event.orderId) rooms.push(room.order(event.orderId));
  if (event.courierId) rooms.push(room.courier(event.courierId));
  // A courier taken off an order must hear of it, to drop it from their list.
  const previous = event.data.previousCourierId;
  if (typeof previous === 'string' && previous !== event.courierId) rooms.push(room.courier(previous));
  return rooms;
}

/**
 * What a customer's tracking page receives of an order event: the order without staff ids (who
 * carries it, to whom it is offered, who moved it) nor its payment's dispute, which is between
 * the shop and the customer's bank. Live emission and replay both use it.
 */
export function forCustomer<E extends RoutableEvent & { courierId?: string | null | undefined }>(
  event: E,
): E {
  const { courierId: _courier, ...envelope } = event;
  const { previousCourierId: _previous, order, by, ...data } = event.data;
  const projected: Record<string, unknown> = { ...data };
  if (order && typeof order === 'object') {
    const { courierId: _c, offer: _o, dispute: _d, ...visible } = order as Record<string, unknown>;
    projected.order = visible;
  }
  if (by && typeof by === 'object') projected.by = { ...(by as object), id: null };
  return { ...envelope, data: projected } as E;
}
