import type { Eta, OrderMode, OrderStatus, Position } from '../contract/index.js';
import { distanceM } from './delivery-zone.js';

/**
 * The kitchen model behind an ETA. Pizza makers prepare in parallel (`makers`), each pizza in
 * turn; the oven bakes a whole order at once, so an order's baking time is its longest one.
 * An order already started has about half its current step left: the board does not say more.
 */
export type KitchenWork = { prepMinutes: number; bakeMinutes: number };

export type EtaOrder = {
  status: OrderStatus;
  mode: OrderMode;
  promisedAt: string | null;
  lines: ReadonlyArray<{ productId: number; quantity: number }>;
};

export type EtaInput = {
  now: Date;
  order: EtaOrder;
  /** The shop's orders the kitchen will work on before this one (received earlier, or started). */
  ahead: ReadonlyArray<Pick<EtaOrder, 'status' | 'lines'>>;
  products: ReadonlyMap<number, KitchenWork>;
  /** Pizza makers working in parallel. */
  makers: number;
  /** Minutes between ready and the courier leaving (dispatch, picking up). */
  handoverMinutes: number;
  /** Driving time to the address; null for a pick-up. */
  routeMinutes: number | null;
  source: Eta['source'];
};

function prepOf(lines: EtaOrder['lines'], products: ReadonlyMap<number, KitchenWork>): number {
  return lines.reduce((sum, l) => sum + (products.get(l.productId)?.prepMinutes ?? 0) * l.quantity, 0);
}

function bakeOf(lines: EtaOrder['lines'], products: ReadonlyMap<number, KitchenWork>): number {
  return lines.reduce((max, l) => Math.max(max, products.get(l.productId)?.bakeMinutes ?? 0), 0);
}

/** Kitchen minutes an order still needs from its current status. */
export function remainingKitchenMinutes(
  order: Pick<EtaOrder, 'status' | 'lines'>,
  products: ReadonlyMap<number, KitchenWork>,
  makers = 1,
): number {
  const prep = prepOf(order.lines, products) / Math.max(1, makers);
  const bake = bakeOf(order.lines, products);
  switch (order.status) {
    case 'pending_payment':
    case 'received':
      return prep + bake;
    case 'preparing':
      return prep / 2 + bake;
    case 'baking':
      return bake / 2;
    default:
      return 0;
  }
}

const FINISHED: readonly OrderStatus[] = ['delivered', 'delivery_failed', 'picked_up', 'cancelled'];

export function estimateEta(input: EtaInput): Eta {
  const { order, now, products } = input;
  const computedAt = now.toISOString();
  if (FINISHED.includes(order.status)) {
    return {
      at: null,
      stage: 'done',
      ordersAhead: 0,
      kitchenMinutes: 0,
      routeMinutes: null,
      source: input.source,
      computedAt,
    };
  }
  const waiting = order.status === 'pending_payment' || order.status === 'received';
  // Orders ahead only delay one that has not started: the kitchen takes them in turn.
  const aheadPrep = waiting
    ? input.ahead.reduce(
        (sum, o) =>
          sum + (o.status === 'received' ? prepOf(o.lines, products) : prepOf(o.lines, products) / 2),
        0,
      ) / Math.max(1, input.makers)
    : 0;
  const kitchen = Math.ceil(aheadPrep + remainingKitchenMinutes(order, products, input.makers));
  const onTheWay = order.status === 'out_for_delivery';
  const route = order.mode === 'delivery' ? (input.routeMinutes ?? 0) : 0;
  const handover = order.mode === 'delivery' && !onTheWay ? input.handoverMinutes : 0;
  let at = now.getTime() + (kitchen + handover + route) * 60_000;
  // A slot booked for later is when the customer expects it: the kitchen times its work to it.
  if (order.promisedAt && !onTheWay) at = Math.max(at, new Date(order.promisedAt).getTime());
  return {
    at: new Date(at).toISOString(),
    stage: onTheWay ? 'on_the_way' : 'kitchen',
    ordersAhead: waiting ? input.ahead.length : 0,
    kitchenMinutes: kitchen,
    routeMinutes: order.mode === 'delivery' ? Math.ceil(route) : null,
    source: input.source,
    computedAt,
  };
}

/**
 * Driving minutes over the straight line when no route time is known: roads are longer than the
 * crow flies (a 1.4 detour factor is typical of town centres), at `speedKmh`.
 */
export function straightLineMinutes(from: Position, to: Position, speedKmh: number): number {
  const km = (distanceM(from, to) * 1.4) / 1000;
  return Math.ceil((km / speedKmh) * 60);
}
