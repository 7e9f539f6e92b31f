import { Router } from 'express';
import {
  CourierSnapshot,
  KitchenSnapshot,
  ManagerSnapshot,
  MenuSnapshot,
  ShopIdParam,
  StockSnapshot,
  TrackingSnapshot,
  TrackingTokenParam,
} from '../contract/index.js';
import { apiRoute } from '../http/api-route.js';
import { requireStaff } from '../http/session-principal.js';
import { parseInput } from '../http/validate.js';
import type { SnapshotService } from './snapshot-service.js';

const shopSnapshot = {
  method: 'get',
  tag: 'Snapshots',
  params: ShopIdParam,
  errors: ['shop/not_found'],
  example: { params: { shopId: 1 } },
} as const;

/** Where each screen loads its state and the seq to subscribe from. */
export function snapshotRoutes(snapshots: SnapshotService): Router {
  const router = Router();
  apiRoute(
    router,
    {
      ...shopSnapshot,
      path: '/shops/:shopId/kitchen',
      summary: 'The kitchen board: orders to prepare, with the recipes',
      access: 'staff',
      roles: ['kitchen', 'counter', 'manager', 'admin'],
      response: { status: 200, description: 'The board and its `seq`.', schema: KitchenSnapshot },
    },
    async (req, res) => {
      const actor = requireStaff(req);
      const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
      res.json(await snapshots.kitchen(shopId, actor));
    },
  );
  apiRoute(
    router,
    {
      ...shopSnapshot,
      path: '/shops/:shopId/manager',
      summary: 'The manager board: orders, stock, couriers, today’s milestones',
      access: 'staff',
      roles: ['manager', 'admin'],
      response: { status: 200, description: 'The board and its `seq`.', schema: ManagerSnapshot },
    },
    async (req, res) => {
      const actor = requireStaff(req);
      const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
      res.json(await snapshots.manager(shopId, actor));
    },
  );
  apiRoute(
    router,
    {
      ...shopSnapshot,
      path: '/shops/:shopId/stock/snapshot',
      summary: 'The stock screen: levels and how many of each product can be made',
      access: 'staff',
      roles: ['kitchen', 'manager', 'admin'],
      response: { status: 200, description: 'The levels and their `seq`.', schema: StockSnapshot },
    },
    async (req, res) => {
      const actor = requireStaff(req);
      const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
      res.json(await snapshots.stock(shopId, actor));
    },
  );
  apiRoute(
    router,
    {
      ...shopSnapshot,
      path: '/shops/:shopId/menu/snapshot',
      summary: 'The live menu, with the free ingredient levels',
      access: 'public',
      response: { status: 200, description: 'The menu and its `seq`.', schema: MenuSnapshot },
    },
    async (req, res) => {
      const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
      res.json(await snapshots.menu(shopId));
    },
  );
  apiRoute(
    router,
    {
      method: 'get',
      path: '/couriers/me/orders',
      tag: 'Snapshots',
      summary: 'The courier view: my assignments and offers',
      access: 'staff',
      roles: ['courier'],
      response: { status: 200, description: 'The orders and their `seq`.', schema: CourierSnapshot },
    },
    async (req, res) => {
      res.json(await snapshots.courier(requireStaff(req)));
    },
  );
  apiRoute(
    router,
    {
      method: 'get',
      path: '/orders/track/:token/snapshot',
      tag: 'Tracking link',
      summary: 'The tracking page: the order, the courier’s last position, the `seq`',
      access: 'tracking-link',
      params: TrackingTokenParam,
      errors: ['order/not_found'],
      example: { params: { token: 'qZ8vK3rT1wX6yB0nM4pL7sD9fG2hJ5kA8cE1uI3oQ6w' } },
      response: { status: 200, description: 'The order and its `seq`.', schema: TrackingSnapshot },
    },
    async (req, res) => {
      const { token } = parseInput(TrackingTokenParam, req.params, 'tracking link');
      res.json(await snapshots.tracking(token));
    },
  );
  return router;
}
