import type { Logger } from 'pino';
import type { Eta, OrderMode, Position, Shop } from '../contract/index.js';
import type { DatabasePool } from '../adapters/postgres.js';
import type { RouteTimer } from '../adapters/maps.js';
import {
  estimatePromise,
  straightLineMinutes,
  trackingEta,
  type KitchenWork,
  type PromiseEstimate,
} from '../domain/eta.js';
import { appError } from '../errors.js';
import type { MenuCache } from '../menu/menu-cache.js';
import type { KitchenQueueCache } from './kitchen-queue-cache.js';
import { findProducts } from '../menu/menu-repository.js';
import { findKitchenQueue, findOrderByTokenHash } from '../orders/orders-repository.js';
import type { Clock } from '../orders/orders-service.js';
import { hashTrackingToken } from '../orders/tracking-token.js';

export type EtaService = ReturnType<typeof createEtaService>;

/** Pizza makers per kitchen; a shop setting once shops differ. */
const MAKERS = 2;
/** From ready to the courier leaving: the offer, the walk to the pass. */
const HANDOVER_MINUTES = 4;
/** A ticket's minutes besides making and baking: read at the board, cut, boxed. */
const PASS_MINUTES = 5;
/** A delivery address without a position (not geocoded): a typical drive within a zone. */
const UNKNOWN_ADDRESS_MINUTES = 15;
/** A route time is worth asking Google again after this long (traffic changes, couriers move). */
const ROUTE_CACHE_MS = 2 * 60_000;
const ROUTE_CACHE_SIZE = 2000;

/**
 * The promise of a new order and the tracking page's view of it. Route times come from Google
 * when a key is configured; without one, or when Google is slow or failing, the straight-line
 * estimate is used and labelled as such: placing an order never waits on Google for longer than
 * `routeTimeoutMs`.
 */
export function createEtaService(deps: {
  db: DatabasePool;
  clock: Clock;
  logger: Logger;
  /** Products' preparation and baking times, cached; read from the database without it. */
  menu?: Pick<MenuCache, 'products'>;
  /** Each shop's kitchen queue, kept by this node; read from the database without it. */
  kitchenQueues?: Pick<KitchenQueueCache, 'tickets'>;
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

  /** Driving minutes from `from` to `to`: Google's route, else the straight line (labelled so). */
  async function driveMinutes(
    from: Position,
    to: Position | null,
  ): Promise<{ minutes: number; source: 'route' | 'estimate' }> {
    if (!to) return { minutes: UNKNOWN_ADDRESS_MINUTES, source: 'estimate' };
    const google = await googleMinutes(from, to);
    if (google !== null) return { minutes: google, source: 'route' };
    return { minutes: straightLineMinutes(from, to, deps.speedKmh), source: 'estimate' };
  }

  const kitchenQueue = (shopId: number) =>
    deps.kitchenQueues ? deps.kitchenQueues.tickets(shopId) : findKitchenQueue(db, shopId);

  async function kitchenWork(ids: readonly number[]): Promise<Map<number, KitchenWork>> {
    const found = deps.menu ? await deps.menu.products(ids) : await findProducts(db, ids);
    return new Map(found.map((p) => [p.id, p]));
  }

  return {
    /**
     * The promise of an order about to be placed (domain/eta.ts): the shop's kitchen queue now,
     * the products' preparation and baking times, the route from the shop for a delivery.
     * Computed once, outside the order's transaction (it may wait on Google).
     */
    async promiseFor(order: {
      shop: Shop;
      mode: OrderMode;
      requestedAt: string | null;
      lines: ReadonlyArray<{ productId: number; quantity: number }>;
      destination: Position | null;
    }): Promise<PromiseEstimate> {
      const ahead = await kitchenQueue(order.shop.id);
      const ids = [...new Set([...order.lines, ...ahead.flatMap((o) => o.lines)].map((l) => l.productId))];
      const products = await kitchenWork(ids);
      const drive =
        order.mode === 'delivery' ? await driveMinutes(order.shop.position, order.destination) : null;
      return estimatePromise({
        now: clock.now(),
        mode: order.mode,
        requestedAt: order.requestedAt ? new Date(order.requestedAt) : null,
        lines: order.lines,
        ahead,
        products,
        makers: MAKERS,
        passMinutes: PASS_MINUTES,
        handoverMinutes: HANDOVER_MINUTES,
        driveMinutes: drive?.minutes ?? null,
        routeSource: drive?.source ?? null,
      });
    },

    /** The tracking page's view of the promise: the promised time, with the queue as it is now. */
    async forToken(token: string): Promise<Eta> {
      const order = await findOrderByTokenHash(db, hashTrackingToken(token));
      if (!order) throw appError('order/not_found', 'No order has this tracking link.');
      const waiting = order.status === 'pending_payment' || order.status === 'received';
      const ahead = waiting ? (await kitchenQueue(order.shopId)).filter((o) => o.id !== order.id) : [];
      const ids = [...new Set([...order.lines, ...ahead.flatMap((o) => o.lines)].map((l) => l.productId))];
      return trackingEta({
        now: clock.now(),
        order,
        ahead,
        products: await kitchenWork(ids),
        makers: MAKERS,
      });
    },
  };
}
