import { z } from 'zod';
import { Position, Shop } from './shops.js';
import { DeliveryCheckBody } from './orders.js';

/**
 * When the customer should expect their pizza: the order's promise (`Order.promise.at`, computed
 * once at placing), never a second estimate, with the kitchen queue as it stands. `source` says
 * how the route part was obtained: `route` from Google Maps, `estimate` from the straight-line
 * distance at a configured speed (no key, or Google did not answer in time) — the page labels
 * the latter as an estimate.
 */
export const Eta = z.object({
  /** Expected delivery (or ready-for-pick-up) time; null once the order is finished. */
  at: z.string().nullable(),
  stage: z.enum(['kitchen', 'on_the_way', 'done']),
  /** Orders of the shop the kitchen will start before this one. */
  ordersAhead: z.number().int().nonnegative(),
  /** Minutes of kitchen work left for this order and those ahead of it. */
  kitchenMinutes: z.number().int().nonnegative(),
  /** The promise's route leg (handover and drive from the shop); null for pick-up. */
  routeMinutes: z.number().int().nonnegative().nullable(),
  source: z.enum(['route', 'estimate']),
  computedAt: z.string(),
});
export type Eta = z.infer<typeof Eta>;

/** The search for shops that deliver to an address. */
export const ShopSearchBody = DeliveryCheckBody;
export type ShopSearchBody = z.infer<typeof ShopSearchBody>;

/**
 * Open shops whose delivery zone covers the address, nearest first. Without geocoding (no Maps
 * key, or Google unavailable) the position is unknown: `verified` is false and every open shop
 * is listed, without distance, for the customer to choose.
 */
export const ShopSearchResult = z.object({
  position: Position.nullable(),
  verified: z.boolean(),
  shops: z.array(z.object({ shop: Shop, distanceM: z.number().int().nullable() })),
});
export type ShopSearchResult = z.infer<typeof ShopSearchResult>;
