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

export type RoutableEvent = {
  type: string;
  shopId: number;
  orderId?: string | null;
  courierId?: string | null;
  data: Record<string, unknown>;
};

export function roomsForEvent(event: RoutableEvent): string[] {
  if (event.type === 'stock.changed') return [room.manager(event.shopId), room.menu(event.shopId)];
  const rooms = [room.kitchen(event.shopId), room.manager(event.shopId)];
  if (event.orderId) rooms.push(room.order(event.orderId));
  if (event.courierId) rooms.push(room.courier(event.courierId));
  // A courier taken off an order must hear of it, to drop it from their list.
  const previous = event.data.previousCourierId;
  if (typeof previous === 'string' && previous !== event.courierId) rooms.push(room.courier(previous));
  return rooms;
}
