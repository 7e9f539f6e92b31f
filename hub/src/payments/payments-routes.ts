import express, { Router } from 'express';
import { TrackingTokenParam, type MapTiles, type SiteConfig } from '../contract/index.js';
import { parseInput } from '../http/validate.js';
import type { PaymentsService } from './payments-service.js';

export function paymentsRoutes(
  payments: PaymentsService,
  options: { mapsConfigured: boolean; mapTiles: MapTiles | null },
): Router {
  const router = Router();

  router.get('/site-config', (_req, res) => {
    const body: SiteConfig = {
      ...payments.siteConfig(),
      mapsConfigured: options.mapsConfigured,
      mapTiles: options.mapTiles,
    };
    res.json(body);
  });

  router.post('/orders/track/:token/payment', async (req, res) => {
    const { token } = parseInput(TrackingTokenParam, req.params, 'tracking link');
    res.json(await payments.start(token));
  });

  return router;
}

/**
 * Stripe's webhook, mounted before the JSON parser: the signature is over the raw bytes, so the
 * body must reach the check exactly as sent.
 */
export function stripeWebhookRoute(payments: PaymentsService): Router {
  const router = Router();
  router.post('/api/stripe/webhook', express.raw({ type: () => true, limit: '512kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    res.json({ received: true, ...(await payments.webhook(raw, req.get('stripe-signature'))) });
  });
  return router;
}
