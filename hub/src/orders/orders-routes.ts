import { Router } from 'express';
import {
  AssignCourierBody,
  CancelOrderBody,
  CreateOrderBody,
  IdempotencyKey,
  ModifyOrderBody,
  OrderIdParam,
  TrackingTokenParam,
  TransitionBody,
} from '../contract/index.js';
import { actorOf, requireStaff } from '../http/session-principal.js';
import { parseInput } from '../http/validate.js';
import type { OrdersService } from './orders-service.js';

/** The optional Idempotency-Key header of staff commands: a retried request is not applied twice. */
function idempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return parseInput(IdempotencyKey, header, 'Idempotency-Key header');
}

export function ordersRoutes(orders: OrdersService): Router {
  const router = Router();

  router.post('/orders', async (req, res) => {
    const body = parseInput(CreateOrderBody, req.body);
    res.status(201).json(await orders.create(body, actorOf(req), req.customer?.id ?? null));
  });

  router.get('/orders/track/:token', async (req, res) => {
    const { token } = parseInput(TrackingTokenParam, req.params, 'tracking link');
    res.json(await orders.track(token));
  });

  router.patch('/orders/track/:token', async (req, res) => {
    const { token } = parseInput(TrackingTokenParam, req.params, 'tracking link');
    const body = parseInput(ModifyOrderBody, req.body);
    res.json(await orders.modifyByCustomer(token, body));
  });

  router.post('/orders/track/:token/cancel', async (req, res) => {
    const { token } = parseInput(TrackingTokenParam, req.params, 'tracking link');
    const body = parseInput(CancelOrderBody, req.body ?? {});
    res.json(await orders.cancelByCustomer(token, body.reason ?? null));
  });

  router.get('/orders/:id', async (req, res) => {
    const actor = requireStaff(req);
    const { id } = parseInput(OrderIdParam, req.params, 'order id');
    res.json(await orders.get(id, actor));
  });

  router.post('/orders/:id/transitions', async (req, res) => {
    const actor = requireStaff(req);
    const { id } = parseInput(OrderIdParam, req.params, 'order id');
    const body = parseInput(TransitionBody, req.body);
    res.json(await orders.transition(id, body, actor, idempotencyKey(req.get('idempotency-key'))));
  });

  router.post('/orders/:id/courier', async (req, res) => {
    const actor = requireStaff(req);
    const { id } = parseInput(OrderIdParam, req.params, 'order id');
    const body = parseInput(AssignCourierBody, req.body);
    res.json(
      await orders.assignCourier(id, body.courierId, actor, idempotencyKey(req.get('idempotency-key'))),
    );
  });

  return router;
}
