import express, { Router } from 'express';
import { z } from 'zod';
import {
  PaymentStart,
  SiteConfig,
  StripeWebhookAck,
  TrackingTokenParam,
  type MapTiles,
} from '../contract/index.js';
import { apiRoute } from '../http/api-route.js';
import { parseInput } from '../http/validate.js';
import type { PaymentsService } from './payments-service.js';

export function paymentsRoutes(
  payments: PaymentsService,
  options: { mapsConfigured: boolean; mapTiles: MapTiles | null },
): Router {
  const router = Router();

  apiRoute(
    router,
    {
      method: 'get',
      path: '/site-config',
      tag: 'Shops and menu',
      summary: 'What the customer site needs before checkout',
      access: 'public',
      response: {
        status: 200,
        description: 'Online payment and geocoding on or off, and where map tiles come from.',
        schema: SiteConfig,
      },
    },
    (_req, res) => {
      const body: SiteConfig = {
        ...payments.siteConfig(),
        mapsConfigured: options.mapsConfigured,
        mapTiles: options.mapTiles,
      };
      res.json(body);
    },
  );

  apiRoute(
    router,
    {
      method: 'post',
      path: '/orders/track/:token/payment',
      tag: 'Tracking link',
      summary: 'The order’s Stripe PaymentIntent, for the Payment Element',
      description: 'One per order: asking again returns the same one.',
      access: 'tracking-link',
      params: TrackingTokenParam,
      errors: ['order/not_found', 'payment/unavailable', 'payment/not_required', 'payment/provider_failed'],
      example: { params: { token: 'qZ8vK3rT1wX6yB0nM4pL7sD9fG2hJ5kA8cE1uI3oQ6w' } },
      response: { status: 200, description: 'The PaymentIntent’s client secret.', schema: PaymentStart },
    },
    async (req, res) => {
      const { token } = parseInput(TrackingTokenParam, req.params, 'tracking link');
      res.json(await payments.start(token));
    },
  );

  return router;
}

/**
 * Stripe's webhook, mounted before the JSON parser: the signature is over the raw bytes, so the
 * body must reach the check exactly as sent.
 */
export function stripeWebhookRoute(payments: PaymentsService): Router {
  const router = Router();
  apiRoute(
    router,
    {
      method: 'post',
      path: '/api/stripe/webhook',
      tag: 'Payments',
      summary: 'Stripe’s webhook (payment succeeded or failed, refunds)',
      description:
        'The raw body is checked against the `Stripe-Signature` header; each Stripe event id is applied once ' +
        '(a replay answers `duplicate`).',
      access: 'stripe-signature',
      body: z.object({ id: z.string(), type: z.string() }).loose().meta({ description: 'A Stripe event.' }),
      errors: ['webhook/invalid_signature', 'webhook/invalid', 'payment/unavailable'],
      response: { status: 200, description: 'What the hub did with the event.', schema: StripeWebhookAck },
    },
    express.raw({ type: () => true, limit: '512kb' }),
    async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      res.json({ received: true, ...(await payments.webhook(raw, req.get('stripe-signature'))) });
    },
  );
  return router;
}
