import { Router } from 'express';
import { ShopIdParam, type ShopList } from '../contract/index.js';
import { parseInput } from '../http/validate.js';
import type { MenuService } from './menu-service.js';

export function menuRoutes(menu: MenuService): Router {
  const router = Router();
  router.get('/shops', async (_req, res) => {
    const body: ShopList = { shops: await menu.listShops() };
    res.json(body);
  });
  router.get('/shops/:shopId/menu', async (req, res) => {
    const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
    res.json(await menu.menu(shopId));
  });
  return router;
}
