import { Router } from 'express';
import { Eta, TrackingTokenParam } from '../contract/index.js';
import { apiRoute } from '../http/api-route.js';
import { parseInput } from '../http/validate.js';
import type { EtaService } from './eta-service.js';

export function etaRoutes(eta: EtaService): Router {
  const router = Router();
  apiRoute(
    router,
    {
      method: 'get',
      path: '/orders/track/:token/eta',
      tag: 'Tracking link',
      summary: 'When the pizza was promised',
      description:
        "The order's one promised time (`at`, stored when it was placed from the kitchen queue, preparation, baking and route time), with the orders the kitchen takes first; `source: estimate` when the route was timed on the straight line.",
      access: 'tracking-link',
      params: TrackingTokenParam,
      errors: ['order/not_found'],
      example: { params: { token: 'qZ8vK3rT1wX6yB0nM4pL7sD9fG2hJ5kA8cE1uI3oQ6w' } },
      response: { status: 200, description: 'The ETA.', schema: Eta },
    },
    async (req, res) => {
      const { token } = parseInput(TrackingTokenParam, req.params, 'tracking link');
      res.json(await eta.forToken(token));
    },
  );
  return router;
}
