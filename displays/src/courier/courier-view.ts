import { OrderEventData, type CourierSnapshot, type EventEnvelope, type Order } from '@ocp/hub/contract';

/**
 * A courier's phone as data: the deliveries offered to them and those they carry, derived from
 * the snapshot and the events by pure functions, unit-tested without a browser.
 */
export type CourierViewState = { courierId: string; shopId: number; orders: Record<string, Order> };

const ACTIVE = new Set(['received', 'preparing', 'baking', 'ready', 'out_for_delivery']);

/** Whether this order belongs on this courier's phone: theirs, or offered to them, and not finished. */
function concerns(state: CourierViewState, order: Order): boolean {
  return (
    ACTIVE.has(order.status) &&
    (order.courierId === state.courierId || order.offer?.courierId === state.courierId)
  );
}

export function courierViewFromSnapshot(snapshot: CourierSnapshot): CourierViewState {
  const state: CourierViewState = { courierId: snapshot.courierId, shopId: snapshot.shopId, orders: {} };
  for (const o of snapshot.orders) if (concerns(state, o)) state.orders[o.id] = o;
  return state;
}

export function applyCourierEvent(state: CourierViewState, event: EventEnvelope): CourierViewState {
  if (!event.type.startsWith('order.')) return state;
  const parsed = OrderEventData.safeParse(event.data);
  if (!parsed.success) return state;
  const order = parsed.data.order;
  const held = state.orders[order.id];
  if (held && held.version >= order.version) return state;
  if (concerns(state, order)) return { ...state, orders: { ...state.orders, [order.id]: order } };
  if (!held) return state;
  const orders = { ...state.orders };
  delete orders[order.id];
  return { ...state, orders };
}

export function offers(state: CourierViewState): Order[] {
  return Object.values(state.orders)
    .filter((o) => o.offer?.courierId === state.courierId && o.courierId !== state.courierId)
    .sort((a, b) => a.offer!.expiresAt.localeCompare(b.offer!.expiresAt));
}

/**
 * Whole seconds left to answer an offer, never below 0. Read off the phone's clock against the
 * hub's expiry: a skewed phone shows a slightly wrong countdown, but the hub alone decides.
 * Rounded down: the screen's clock ticks once a second, so it may lag by up to one.
 */
export function offerSecondsLeft(order: Order, now: Date): number {
  if (!order.offer) return 0;
  return Math.max(0, Math.floor((Date.parse(order.offer.expiresAt) - now.getTime()) / 1000));
}

/** What the courier carries: on the road first, then ready to pick up, then still in the kitchen. */
export function deliveries(state: CourierViewState): Order[] {
  const rank = (o: Order) => (o.status === 'out_for_delivery' ? 0 : o.status === 'ready' ? 1 : 2);
  return Object.values(state.orders)
    .filter((o) => o.courierId === state.courierId)
    .sort((a, b) => rank(a) - rank(b) || a.createdAt.localeCompare(b.createdAt));
}

export type Collect = { how: 'paid' } | { how: 'cash' | 'card'; cents: number };

/** What to collect at the door, and how. */
export function toCollect(order: Order): Collect {
  if (order.paymentStatus !== 'unpaid' || order.paymentMethod === 'card_online') return { how: 'paid' };
  return { how: order.paymentMethod === 'card_at_door' ? 'card' : 'cash', cents: order.totals.totalCents };
}

/** Turn-by-turn navigation in Google Maps: by position when known, else by address. */
export function navigationUrl(order: Order): string | null {
  const a = order.deliveryAddress;
  if (!a) return null;
  const destination = a.position
    ? `${a.position.lat},${a.position.lng}`
    : `${a.line1}, ${a.postcode} ${a.city}`;
  return `https://www.google.com/maps/dir/?api=1&travelmode=driving&destination=${encodeURIComponent(destination)}`;
}

/** Whether the phone should share its position: only while carrying an order to a customer. */
export function sharesPosition(state: CourierViewState): boolean {
  return Object.values(state.orders).some(
    (o) => o.courierId === state.courierId && o.status === 'out_for_delivery',
  );
}
