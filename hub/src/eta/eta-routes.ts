import { Router } from 'express';
import { TrackingTokenParam } from '../contract/index.js';
import { parseInput } from '../http/validate.js';
import type { EtaService } from './eta-service.js';

export function etaRoutes(eta: EtaService): Router {
  const router = Router();
  router.get('/orders/track/:token/eta', async (req, res) => {
    const { token } = parseInput(TrackingTokenParam, req.params, 'tracking link');
    res.json(await eta.forToken(token));
  });
  return router;
}
