import { z } from 'zod';
import { MapTiles } from './map-tiles.js';

/** What the customer site needs to know before checkout. */
export const SiteConfig = z.object({
  /** Stripe's publishable key; null when online payment is not configured (pay on delivery only). */
  stripePublishableKey: z.string().nullable(),
  /** Whether addresses are geocoded and route times come from Google (else estimates). */
  mapsConfigured: z.boolean(),
  /** Street tiles for the maps (MAP_TILES_URL); null: the maps keep their plain background. */
  mapTiles: MapTiles.nullable(),
});
export type SiteConfig = z.infer<typeof SiteConfig>;

/**
 * The PaymentIntent of an order awaiting its online payment, for Stripe's Payment Element. One per
 * order: asking again returns the same one (the hub creates it with an idempotency key derived
 * from the order and its amount).
 */
export const PaymentStart = z.object({
  paymentIntentId: z.string(),
  clientSecret: z.string(),
  publishableKey: z.string(),
  amountCents: z.number().int().positive(),
  currency: z.literal('eur'),
});
export type PaymentStart = z.infer<typeof PaymentStart>;

/** Recorded for each refund of a paid order (cancelled after payment). */
export const Refund = z.object({
  amountCents: z.number().int().positive(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  createdAt: z.string(),
});
export type Refund = z.infer<typeof Refund>;
