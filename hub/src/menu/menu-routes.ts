import { Router } from 'express';
import { Menu, ShopIdParam, ShopList } from '../contract/index.js';
import { apiRoute } from '../http/api-route.js';
import { parseInput } from '../http/validate.js';
import type { MenuService } from './menu-service.js';

export function menuRoutes(menu: MenuService): Router {
  const router = Router();
  apiRoute(
    router,
    {
      method: 'get',
      path: '/shops',
      tag: 'Shops and menu',
      summary: 'The shops, open and opening',
      access: 'public',
      response: { status: 200, description: 'Every shop.', schema: ShopList },
    },
    async (_req, res) => {
      const body: ShopList = { shops: await menu.listShops() };
      res.json(body);
    },
  );
  apiRoute(
    router,
    {
      method: 'get',
      path: '/shops/:shopId/menu',
      tag: 'Shops and menu',
      summary: 'A shop’s menu, with how many of each pizza can still be made',
      access: 'public',
      params: ShopIdParam,
      errors: ['shop/not_found'],
      example: { params: { shopId: 1 } },
      response: { status: 200, description: 'The menu.', schema: Menu },
    },
    async (req, res) => {
      const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
      res.json(await menu.menu(shopId));
    },
  );
  return router;
}
