import type { Logger } from 'pino';
import type { Eta, Position } from '../contract/index.js';
import type { DatabasePool } from '../adapters/postgres.js';
import type { RouteTimer } from '../adapters/maps.js';
import { courierPosition } from '../couriers/couriers-repository.js';
import { estimateEta, straightLineMinutes } from '../domain/eta.js';
import { appError } from '../errors.js';
import { findProducts, findShop } from '../menu/menu-repository.js';
import { findOrderByTokenHash, findShopOrders } from '../orders/orders-repository.js';
import type { Clock } from '../orders/orders-service.js';
import { hashTrackingToken } from '../orders/tracking-token.js';

export type EtaService = ReturnType<typeof createEtaService>;

/** Pizza makers per kitchen; a shop setting once shops differ. */
const MAKERS = 2;
/** From ready to the courier leaving: the offer, the walk to the pass. */
const HANDOVER_MINUTES = 4;
/** A route time is worth asking Google again after this long (traffic changes, couriers move). */
const ROUTE_CACHE_MS = 2 * 60_000;
const ROUTE_CACHE_SIZE = 2000;

/**
 * The live ETA of a tracked order. Route times come from Google when a key is configured; without
 * one, or when Google is slow or failing, the straight-line estimate is used and labelled as such:
 * the tracking page never waits on Google for longer than `routeTimeoutMs`.
 */
export function createEtaService(deps: {
  db: DatabasePool;
  clock: Clock;
  logger: Logger;
  routes: RouteTimer | undefined;
  speedKmh: number;
  routeTimeoutMs?: number;
}) {
  const { db, clock } = deps;
  const cache = new Map<string, { minutes: number | null; until: number }>();

  async function googleMinutes(from: Position, to: Position): Promise<number | null> {
    if (!deps.routes) return null;
    // About 100 m of precision: a courier moving along a street reuses the answer for a while.
    const key = [from.lat, from.lng, to.lat, to.lng].map((n) => n.toFixed(3)).join(',');
    const hit = cache.get(key);
    const now = clock.now().getTime();
    if (hit && hit.until > now) return hit.minutes;
    let timer: NodeJS.Timeout | undefined;
    try {
      const minutes = await Promise.race([
        deps.routes.routeMinutes(from, to),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error('route time: Google did not answer in time')),
            deps.routeTimeoutMs ?? 2500,
          );
        }),
      ]);
      if (cache.size >= ROUTE_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(key, { minutes, until: now + ROUTE_CACHE_MS });
      return minutes;
    } catch (error) {
      deps.logger.warn({ err: error }, 'route time unavailable: using the straight-line estimate');
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async forToken(token: string): Promise<Eta> {
      const order = await findOrderByTokenHash(db, hashTrackingToken(token));
      if (!order) throw appError('order/not_found', 'No order has this tracking link.');
      const shop = await findShop(db, order.shopId);
      if (!shop) throw appError('shop/not_found', `There is no shop ${order.shopId}.`);

      const waiting = order.status === 'pending_payment' || order.status === 'received';
      const queue = waiting ? await findShopOrders(db, order.shopId, ['received', 'preparing']) : [];
      const ahead = queue.filter(
        (o) =>
          o.id !== order.id &&
          (o.status === 'preparing' || Date.parse(o.createdAt) < Date.parse(order.createdAt)),
      );
      const ids = [...new Set([order, ...ahead].flatMap((o) => o.lines.map((l) => l.productId)))];
      const products = new Map((await findProducts(db, ids)).map((p) => [p.id, p]));

      let routeMinutes: number | null = null;
      let source: Eta['source'] = 'estimate';
      const destination = order.deliveryAddress?.position ?? null;
      if (order.mode === 'delivery' && destination) {
        const courier =
          order.status === 'out_for_delivery' && order.courierId
            ? await courierPosition(db, order.courierId)
            : null;
        const from = courier?.position ?? shop.position;
        const google = await googleMinutes(from, destination);
        if (google !== null) {
          routeMinutes = google;
          source = 'route';
        } else {
          routeMinutes = straightLineMinutes(from, destination, deps.speedKmh);
        }
      }
      return estimateEta({
        now: clock.now(),
        order,
        ahead,
        products,
        makers: MAKERS,
        handoverMinutes: HANDOVER_MINUTES,
        routeMinutes,
        source: order.mode === 'pickup' ? 'route' : source,
      });
    },
  };
}
