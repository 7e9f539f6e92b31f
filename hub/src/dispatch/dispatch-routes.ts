import { Router } from 'express';
import { Order, OrderIdParam } from '../contract/index.js';
import { apiRoute } from '../http/api-route.js';
import { requireStaff } from '../http/session-principal.js';
import { parseInput } from '../http/validate.js';
import type { DispatchService } from './dispatch-service.js';

export function dispatchRoutes(dispatch: DispatchService): Router {
  const router = Router();
  const offer = {
    tag: 'Dispatch',
    access: 'staff',
    roles: ['courier'],
    params: OrderIdParam,
    errors: ['order/not_found', 'order/transition_not_allowed', 'order/offer_expired'],
    example: { params: { id: '0b1f6c52-3a8e-4d2b-9f61-7c4e5a2d8b10' } },
  } as const;
  apiRoute(
    router,
    {
      ...offer,
      method: 'post',
      path: '/orders/:id/offer/accept',
      summary: 'Accept the delivery offered to you',
      response: { status: 200, description: 'The order, now yours.', schema: Order },
    },
    async (req, res) => {
      const actor = requireStaff(req);
      const { id } = parseInput(OrderIdParam, req.params, 'order id');
      res.json(await dispatch.accept(id, actor));
    },
  );
  apiRoute(
    router,
    {
      ...offer,
      method: 'post',
      path: '/orders/:id/offer/decline',
      summary: 'Decline the delivery offered to you',
      description: 'The order is offered to another courier.',
      response: { status: 200, description: 'The order.', schema: Order },
    },
    async (req, res) => {
      const actor = requireStaff(req);
      const { id } = parseInput(OrderIdParam, req.params, 'order id');
      res.json(await dispatch.decline(id, actor));
    },
  );
  return router;
}
