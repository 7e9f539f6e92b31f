import type { Eta, OrderMode, OrderPromise, OrderStatus, Position } from '../contract/index.js';
import { distanceM } from './delivery-zone.js';

/**
 * The kitchen model behind the promise. Pizza makers prepare in parallel (`makers`), each pizza in
 * turn; the oven bakes a whole order at once, so an order's baking time is its longest one.
 * An order already started has about half its current step left: the board does not say more.
 */
export type KitchenWork = { prepMinutes: number; bakeMinutes: number };

type Lines = ReadonlyArray<{ productId: number; quantity: number }>;

/** An order of the shop already in the kitchen (received, preparing or baking). */
export type QueuedOrder = {
  id?: string;
  status: OrderStatus;
  lines: Lines;
  /** Its promise's ready-by (ISO): the kitchen board takes tickets first due first. */
  readyBy: string | null;
  /** When it was placed (ISO): of two due at the same time, the first placed goes first. */
  createdAt?: string;
  /** `readyBy` and `createdAt` as epoch ms, when the caller keeps them parsed (parsing is most of a walk). */
  dueMs?: number;
  placedMs?: number;
};

/** Promised times are given to the next five minutes: "vers 19:45", and a little slack. */
export const PROMISE_STEP_MINUTES = 5;

function prepOf(lines: Lines, products: ReadonlyMap<number, KitchenWork>): number {
  return lines.reduce((sum, l) => sum + (products.get(l.productId)?.prepMinutes ?? 0) * l.quantity, 0);
}

function bakeOf(lines: Lines, products: ReadonlyMap<number, KitchenWork>): number {
  return lines.reduce((max, l) => Math.max(max, products.get(l.productId)?.bakeMinutes ?? 0), 0);
}

/** Kitchen minutes an order still needs from its current status. */
export function remainingKitchenMinutes(
  order: { status: OrderStatus; lines: Lines },
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

/**
 * The orders the makers will prepare before one that must be ready by `ownReadyAt` (ms), and
 * their preparation minutes (shared between the makers). Started orders are always ahead (half
 * their preparation left; a baking one is in the oven, not in the makers' hands). Received ones
 * are ahead when they are due no later: the board sorts tickets by due time, so an order booked
 * for 21:00 does not hold up one for as soon as possible. Each order counted pushes our own
 * readiness later, which may bring the next one in: hence the walk in due order.
 */
export function queueAhead(
  ahead: ReadonlyArray<QueuedOrder>,
  products: ReadonlyMap<number, KitchenWork>,
  makers: number,
  ownReadyAt: number,
  /** When this order was placed; a new order (the default) comes after every tie. */
  ownCreatedAt = Number.POSITIVE_INFINITY,
): { count: number; minutes: number } {
  const per = Math.max(1, makers);
  let count = 0;
  let minutes = 0;
  for (const o of ahead) {
    if (o.status === 'preparing' || o.status === 'baking') {
      count += 1;
      minutes += o.status === 'preparing' ? prepOf(o.lines, products) / 2 / per : 0;
    }
  }
  const waiting = ahead
    .filter((o) => o.status === 'received')
    .map((o) => ({
      o,
      due: o.dueMs ?? (o.readyBy ? Date.parse(o.readyBy) : Number.NEGATIVE_INFINITY),
      placed: o.placedMs ?? (o.createdAt ? Date.parse(o.createdAt) : Number.NEGATIVE_INFINITY),
    }))
    .sort((a, b) => a.due - b.due || a.placed - b.placed);
  const known = Number.isFinite(ownCreatedAt);
  for (const { o, due, placed } of waiting) {
    // A placed order's due time is fixed: what is due before it is ahead. A new order's is what
    // we are computing: each order counted pushes it later, and may bring the next one in.
    const own = known ? ownReadyAt : ownReadyAt + minutes * 60_000;
    if (due > own || (due === own && placed >= ownCreatedAt)) break;
    count += 1;
    minutes += prepOf(o.lines, products) / per;
  }
  return { count, minutes };
}

export type PromiseInput = {
  now: Date;
  mode: OrderMode;
  /** The time the customer asked for; null: as soon as possible. */
  requestedAt: Date | null;
  lines: Lines;
  /** The shop's orders in the kitchen now (received, preparing, baking), this one excluded. */
  ahead: ReadonlyArray<QueuedOrder>;
  products: ReadonlyMap<number, KitchenWork>;
  /** Pizza makers working in parallel. */
  makers: number;
  /** Minutes a ticket takes besides making and baking: read, cut, boxed. */
  passMinutes: number;
  /** Delivery: minutes between ready and the courier leaving (the offer, the walk to the pass). */
  handoverMinutes: number;
  /** Delivery: driving minutes from the shop to the address; null for a pick-up. */
  driveMinutes: number | null;
  /** How the drive was timed; null for a pick-up. */
  routeSource: OrderPromise['routeSource'];
};

export type PromiseEstimate = OrderPromise & {
  /** Kitchen minutes counted from now: the queue ahead, preparation, baking, the pass. */
  kitchenMinutes: number;
  ordersAhead: number;
};

const MINUTE = 60_000;

function ceilToStep(ms: number, stepMinutes: number): number {
  const step = stepMinutes * MINUTE;
  return Math.ceil(ms / step) * step;
}

/**
 * The one promised time of an order, computed once when it is placed: kitchen queue ahead +
 * preparation + baking + the pass, then for a delivery the route leg (handover + drive), rounded
 * up to the next five minutes. The kitchen's ready-by is the promise minus the route leg, so both
 * show the same number for a pick-up and differ by exactly the route for a delivery. An order for
 * a requested time is promised that time: the kitchen times its work to it.
 */
export function estimatePromise(input: PromiseInput): PromiseEstimate {
  const { now, products, makers } = input;
  const own = remainingKitchenMinutes({ status: 'received', lines: input.lines }, products, makers);
  const alone = now.getTime() + (own + input.passMinutes) * MINUTE;
  const queue = queueAhead(input.ahead, products, makers, input.requestedAt?.getTime() ?? alone);
  const kitchenMinutes = Math.ceil(queue.minutes + own + input.passMinutes);
  const delivery = input.mode === 'delivery';
  const routeMinutes = delivery ? Math.ceil(input.handoverMinutes + (input.driveMinutes ?? 0)) : null;
  const leg = (routeMinutes ?? 0) * MINUTE;
  const at = input.requestedAt
    ? input.requestedAt.getTime()
    : ceilToStep(now.getTime() + kitchenMinutes * MINUTE + leg, PROMISE_STEP_MINUTES);
  return {
    at: new Date(at).toISOString(),
    readyBy: new Date(at - leg).toISOString(),
    routeMinutes,
    routeSource: delivery ? (input.routeSource ?? 'estimate') : null,
    kitchenMinutes,
    ordersAhead: queue.count,
  };
}

const FINISHED: readonly OrderStatus[] = ['delivered', 'delivery_failed', 'picked_up', 'cancelled'];

/**
 * What the tracking page says beside the promise: the promised time itself (never a second,
 * live estimate: the customer and the kitchen see one number), where the order stands, how many
 * orders the kitchen takes first and how much kitchen work is left.
 */
export function trackingEta(input: {
  now: Date;
  order: { status: OrderStatus; lines: Lines; promise: OrderPromise; createdAt?: string };
  ahead: ReadonlyArray<QueuedOrder>;
  products: ReadonlyMap<number, KitchenWork>;
  makers: number;
}): Eta {
  const { order, now, products, makers } = input;
  const computedAt = now.toISOString();
  const source = order.promise.routeSource ?? 'route';
  if (FINISHED.includes(order.status)) {
    return {
      at: null,
      stage: 'done',
      ordersAhead: 0,
      kitchenMinutes: 0,
      routeMinutes: null,
      source,
      computedAt,
    };
  }
  const waiting = order.status === 'pending_payment' || order.status === 'received';
  const queue = waiting
    ? queueAhead(
        input.ahead,
        products,
        makers,
        Date.parse(order.promise.readyBy),
        order.createdAt ? Date.parse(order.createdAt) : undefined,
      )
    : { count: 0, minutes: 0 };
  return {
    at: order.promise.at,
    stage: order.status === 'out_for_delivery' ? 'on_the_way' : 'kitchen',
    ordersAhead: queue.count,
    kitchenMinutes: Math.ceil(queue.minutes + remainingKitchenMinutes(order, products, makers)),
    routeMinutes: order.promise.routeMinutes,
    source,
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
