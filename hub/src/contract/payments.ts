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

/**
 * What happened to the refund of a paid order (cancelled after payment): `pending` until Stripe
 * says it succeeded, failed (the card cannot take it back) or was canceled; the last two leave the
 * money with the shop, for the manager to settle with the customer.
 */
export const RefundStatus = z.enum(['pending', 'succeeded', 'failed', 'canceled']);
export type RefundStatus = z.infer<typeof RefundStatus>;

/** Recorded for each refund of a paid order (cancelled after payment). */
export const Refund = z.object({
  amountCents: z.number().int().positive(),
  status: RefundStatus,
  createdAt: z.string(),
});
export type Refund = z.infer<typeof Refund>;

/** The hub's answer to Stripe's webhook: what it did with the event (`paid`, `duplicate`…). */
export const StripeWebhookAck = z.object({ received: z.literal(true), outcome: z.string() });
export type StripeWebhookAck = z.infer<typeof StripeWebhookAck>;

/** The refund of an order as staff and its customer see it. */
export const OrderRefund = z.object({
  status: RefundStatus,
  amountCents: z.number().int(),
  /** Stripe's reason when it failed or was canceled (e.g. `expired_or_canceled_card`). */
  failure: z.string().nullable(),
  updatedAt: z.string(),
});
export type OrderRefund = z.infer<typeof OrderRefund>;

/** Stripe's dispute statuses (https://docs.stripe.com/api/disputes/object#dispute_object-status). */
export const DisputeStatus = z.enum([
  'warning_needs_response',
  'warning_under_review',
  'warning_closed',
  'needs_response',
  'under_review',
  'won',
  'lost',
  'prevented',
]);
export type DisputeStatus = z.infer<typeof DisputeStatus>;

/** Closed: nothing more to do (won, lost, an inquiry closed, or prevented). */
export const CLOSED_DISPUTE_STATUSES: readonly DisputeStatus[] = [
  'warning_closed',
  'won',
  'lost',
  'prevented',
];

/**
 * A customer's bank contesting the order's card payment (a chargeback, or an inquiry first): shown
 * to the shop's managers only, who must send evidence before `evidenceDueBy`.
 */
export const OrderDispute = z.object({
  id: z.string(),
  status: DisputeStatus,
  /** Stripe's reason: fraudulent, product_not_received, duplicate, … */
  reason: z.string(),
  amountCents: z.number().int(),
  evidenceDueBy: z.string().nullable(),
  updatedAt: z.string(),
});
export type OrderDispute = z.infer<typeof OrderDispute>;
