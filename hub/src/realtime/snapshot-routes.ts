import { Router } from 'express';
import { ShopIdParam, TrackingTokenParam } from '../contract/index.js';
import { requireStaff } from '../http/session-principal.js';
import { parseInput } from '../http/validate.js';
import type { SnapshotService } from './snapshot-service.js';

/** Where each screen loads its state and the seq to subscribe from. */
export function snapshotRoutes(snapshots: SnapshotService): Router {
  const router = Router();
  router.get('/shops/:shopId/kitchen', async (req, res) => {
    const actor = requireStaff(req);
    const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
    res.json(await snapshots.kitchen(shopId, actor));
  });
  router.get('/shops/:shopId/manager', async (req, res) => {
    const actor = requireStaff(req);
    const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
    res.json(await snapshots.manager(shopId, actor));
  });
  router.get('/shops/:shopId/stock/snapshot', async (req, res) => {
    const actor = requireStaff(req);
    const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
    res.json(await snapshots.stock(shopId, actor));
  });
  router.get('/shops/:shopId/menu/snapshot', async (req, res) => {
    const { shopId } = parseInput(ShopIdParam, req.params, 'shop id');
    res.json(await snapshots.menu(shopId));
  });
  router.get('/couriers/me/orders', async (req, res) => {
    res.json(await snapshots.courier(requireStaff(req)));
  });
  router.get('/orders/track/:token/snapshot', async (req, res) => {
    const { token } = parseInput(TrackingTokenParam, req.params, 'tracking link');
    res.json(await snapshots.tracking(token));
  });
  return router;
}
