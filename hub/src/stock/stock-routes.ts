import { Router } from 'express';
import { ShopIdParam, ShopStock, StockMovementBody } from '../contract/index.js';
import { apiRoute } from '../http/api-route.js';
import { requireStaff } from '../http/session-principal.js';
import { parseInput } from '../http/validate.js';
import type { StockService } from './stock-service.js';

export function stockRoutes(stock: StockService): Router {
  const router = Router();
  apiRoute(
    router,
    {
      method: 'get',
      path: '/shops/:shopId/stock',
      tag: 'Stock',
      summary: 'A shop’s ingredient levels',
      access: 'staff',
      params: ShopIdParam,
      errors: ['shop/not_found'],
      example: { params: { shopId: 1 } },
      response: { status: 200, description: 'On hand, reserved, available, low or not.', schema: ShopStock },
    },
    async (req, res) => {
      const actor = requireStaff(req);
      const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
      res.json(await stock.stock(shopId, actor));
    },
  );
  apiRoute(
    router,
    {
      method: 'post',
      path: '/shops/:shopId/stock/movements',
      tag: 'Stock',
      summary: 'Record a restock, an adjustment after a count, or waste',
      description: 'Reservations and consumption come from orders only. Stock never goes negative.',
      access: 'staff',
      roles: ['manager', 'admin'],
      params: ShopIdParam,
      body: StockMovementBody,
      errors: ['shop/not_found', 'stock/not_found', 'stock/insufficient'],
      example: {
        params: { shopId: 1 },
        body: { kind: 'restock', ingredientId: 1, quantity: 50, note: 'livraison du matin' },
      },
      response: { status: 201, description: 'The shop’s stock after the movement.', schema: ShopStock },
    },
    async (req, res) => {
      const actor = requireStaff(req);
      const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
      const body = parseInput(StockMovementBody, req.body);
      res.status(201).json(await stock.recordMovement(shopId, body, actor));
    },
  );
  return router;
}
