import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import {
  DeliveryCheck,
  DeliveryCheckBody,
  ShopIdParam,
  ShopSearchBody,
  ShopSearchResult,
  type ErrorBody,
} from '../contract/index.js';
import { appError } from '../errors.js';
import { apiRoute } from '../http/api-route.js';
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
  const address = { line1: '10 rue Oberkampf', postcode: '75011', city: 'Paris' };
  apiRoute(
    router,
    {
      method: 'post',
      path: '/shops/:shopId/delivery-check',
      tag: 'Shops and menu',
      summary: 'Where is this address, and does the shop deliver there?',
      description:
        'Geocoded with Google Maps when configured; `verified` is false without it. 30 checks a minute.',
      access: 'public',
      params: ShopIdParam,
      body: DeliveryCheckBody,
      errors: ['shop/not_found', 'order/address_not_found', 'auth/rate_limited'],
      example: { params: { shopId: 1 }, body: address },
      response: { status: 200, description: 'The position and the zone check.', schema: DeliveryCheck },
    },
    limiter,
    async (req, res) => {
      const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
      const body = parseInput(DeliveryCheckBody, req.body);
      const shop = (await menu.listShops()).find((s) => s.id === shopId);
      if (!shop) throw appError('shop/not_found', `There is no shop ${shopId}.`);
      res.json(await delivery.locate(shop, body));
    },
  );
  /** Which of our shops deliver to this address, nearest first. */
  apiRoute(
    router,
    {
      method: 'post',
      path: '/shops/search',
      tag: 'Shops and menu',
      summary: 'The shops that deliver to an address, nearest first',
      description: 'Without geocoding every open shop is listed, without distance. 30 searches a minute.',
      access: 'public',
      body: ShopSearchBody,
      errors: ['order/address_not_found', 'auth/rate_limited'],
      example: { body: address },
      response: { status: 200, description: 'The shops.', schema: ShopSearchResult },
    },
    limiter,
    async (req, res) => {
      const body = parseInput(ShopSearchBody, req.body);
      res.json(await delivery.searchShops(await menu.listShops(), body));
    },
  );
  return router;
}
