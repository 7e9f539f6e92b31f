import { Router } from 'express';
import { ShopIdParam, StockMovementBody } from '../contract/index.js';
import { requireStaff } from '../http/session-principal.js';
import { parseInput } from '../http/validate.js';
import type { StockService } from './stock-service.js';

export function stockRoutes(stock: StockService): Router {
  const router = Router();
  router.get('/shops/:shopId/stock', async (req, res) => {
    const actor = requireStaff(req);
    const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
    res.json(await stock.stock(shopId, actor));
  });
  router.post('/shops/:shopId/stock/movements', async (req, res) => {
    const actor = requireStaff(req);
    const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
    const body = parseInput(StockMovementBody, req.body);
    res.status(201).json(await stock.recordMovement(shopId, body, actor));
  });
  return router;
}
