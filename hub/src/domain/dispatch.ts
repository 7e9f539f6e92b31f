import type { Position } from '../contract/index.js';
import { distanceM } from './delivery-zone.js';

/**
 * A courier as dispatch sees them. `load`: orders assigned and not finished; `offers`: offers
 * pending; `present`: their screen is connected, or was within the presence grace.
 */
export type CourierCandidate = {
  id: string;
  shopId: number;
  onShift: boolean;
  present: boolean;
  position: Position | null;
  load: number;
  offers: number;
  capacity: number;
};

export type DispatchOrder = { id: string; shopId: number; position: Position | null; readyAt: Date };

/** A ready order already given (or offered) to a courier and not yet picked up: a batching partner. */
export type CarriedReady = { courierId: string; position: Position | null; readyAt: Date };

export type DispatchSettings = { batchRadiusM: number; batchWindowMs: number };

export type DispatchChoice = { courierId: string; reason: 'batch' | 'available' | 'least_loaded' };

/**
 * Who gets the offer for a ready delivery order (DESIGN.md section 3):
 * 1. a courier already taking a ready order close to this one (same direction, within the
 *    batch radius and window) and with room for one more: one trip for two;
 * 2. otherwise an available courier (nothing assigned or offered), nearest to the shop;
 * 3. otherwise the least loaded courier with room, nearest first.
 * Never a courier of another shop, off shift, not connected (an offer they cannot see only makes
 * the order wait), skipped for this order (declined or let an offer expire), or at capacity.
 */
export function chooseCourier(input: {
  order: DispatchOrder;
  shopPosition: Position;
  couriers: readonly CourierCandidate[];
  carried: readonly CarriedReady[];
  skip: ReadonlySet<string>;
  settings: DispatchSettings;
}): DispatchChoice | null {
  const { order, settings } = input;
  const eligible = input.couriers.filter(
    (c) =>
      c.shopId === order.shopId &&
      c.onShift &&
      c.present &&
      !input.skip.has(c.id) &&
      c.load + c.offers < c.capacity,
  );
  if (eligible.length === 0) return null;
  const fromShop = (c: CourierCandidate) =>
    c.position ? distanceM(input.shopPosition, c.position) : Number.POSITIVE_INFINITY;
  const nearestFirst = (a: CourierCandidate, b: CourierCandidate) =>
    fromShop(a) - fromShop(b) || a.id.localeCompare(b.id);

  if (order.position) {
    const partners = eligible
      .map((c) => {
        const close = input.carried
          .filter(
            (r) =>
              r.courierId === c.id &&
              r.position !== null &&
              Math.abs(r.readyAt.getTime() - order.readyAt.getTime()) <= settings.batchWindowMs,
          )
          .map((r) => distanceM(r.position!, order.position!))
          .filter((d) => d <= settings.batchRadiusM);
        return { courier: c, distance: close.length ? Math.min(...close) : null };
      })
      .filter((p): p is { courier: CourierCandidate; distance: number } => p.distance !== null)
      .sort((a, b) => a.distance - b.distance || a.courier.id.localeCompare(b.courier.id));
    if (partners[0]) return { courierId: partners[0].courier.id, reason: 'batch' };
  }

  const free = eligible.filter((c) => c.load + c.offers === 0).sort(nearestFirst);
  if (free[0]) return { courierId: free[0].id, reason: 'available' };

  const busy = [...eligible].sort((a, b) => a.load + a.offers - (b.load + b.offers) || nearestFirst(a, b));
  return busy[0] ? { courierId: busy[0].id, reason: 'least_loaded' } : null;
}
