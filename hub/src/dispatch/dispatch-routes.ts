import { Router } from 'express';
import { OrderIdParam } from '../contract/index.js';
import { requireStaff } from '../http/session-principal.js';
import { parseInput } from '../http/validate.js';
import type { DispatchService } from './dispatch-service.js';

export function dispatchRoutes(dispatch: DispatchService): Router {
  const router = Router();
  router.post('/orders/:id/offer/accept', async (req, res) => {
    const actor = requireStaff(req);
    const { id } = parseInput(OrderIdParam, req.params, 'order id');
    res.json(await dispatch.accept(id, actor));
  });
  router.post('/orders/:id/offer/decline', async (req, res) => {
    const actor = requireStaff(req);
    const { id } = parseInput(OrderIdParam, req.params, 'order id');
    res.json(await dispatch.decline(id, actor));
  });
  return router;
}
