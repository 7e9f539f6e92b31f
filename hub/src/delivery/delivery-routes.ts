import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { DeliveryCheckBody, ShopIdParam, ShopSearchBody, type ErrorBody } from '../contract/index.js';
import { appError } from '../errors.js';
import { parseInput } from '../http/validate.js';
import type { MenuService } from '../menu/menu-service.js';
import type { DeliveryService } from './delivery-service.js';

export function deliveryRoutes(delivery: DeliveryService, menu: MenuService): Router {
  const router = Router();
  // Each check may cost a geocoding request: a form typing away is fine, a script is not.
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: 30,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => {
      const body: ErrorBody = {
        error: { code: 'auth/rate_limited', message: 'Too many address checks: wait a minute.' },
      };
      res.status(429).json(body);
    },
  });
  /** Before ordering: where is this address, and does the shop deliver there? */
  router.post('/shops/:shopId/delivery-check', limiter, async (req, res) => {
    const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
    const body = parseInput(DeliveryCheckBody, req.body);
    const shop = (await menu.listShops()).find((s) => s.id === shopId);
    if (!shop) throw appError('shop/not_found', `There is no shop ${shopId}.`);
    res.json(await delivery.locate(shop, body));
  });
  /** Which of our shops deliver to this address, nearest first. */
  router.post('/shops/search', limiter, async (req, res) => {
    const body = parseInput(ShopSearchBody, req.body);
    res.json(await delivery.searchShops(await menu.listShops(), body));
  });
  return router;
}
