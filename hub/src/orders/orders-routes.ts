import { Router } from 'express';
import { z } from 'zod';
import {
  AssignCourierBody,
  CancelOrderBody,
  CreatedOrder,
  CreateOrderBody,
  IdempotencyKey,
  ModifyOrderBody,
  Order,
  OrderIdParam,
  TrackedOrder,
  TrackingTokenParam,
  TransitionBody,
} from '../contract/index.js';
import { apiRoute } from '../http/api-route.js';
import { actorOf, requireStaff } from '../http/session-principal.js';
import { parseInput } from '../http/validate.js';
import type { OrdersService } from './orders-service.js';

/** The optional Idempotency-Key header of staff commands: a retried request is not applied twice. */
function idempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return parseInput(IdempotencyKey, header, 'Idempotency-Key header');
}

const IdempotencyHeader = z.object({
  'idempotency-key': IdempotencyKey.optional().meta({
    description: 'Retrying with the same key never applies the command twice.',
  }),
});

/** What the docs page shows as a request; the demo seed's shop 1 and product 1 (a Margherita). */
const EXAMPLE_ORDER = {
  shopId: 1,
  channel: 'web',
  mode: 'delivery',
  customer: { name: 'Camille Durand', phone: '06 12 34 56 78', email: 'camille@example.fr' },
  deliveryAddress: {
    line1: '10 rue Oberkampf',
    postcode: '75011',
    city: 'Paris',
    position: { lat: 48.8649, lng: 2.3745 },
  },
  lines: [{ productId: 1, quantity: 2, notes: 'bien cuite' }],
  paymentMethod: 'cash_at_door',
};
const EXAMPLE_TOKEN = 'qZ8vK3rT1wX6yB0nM4pL7sD9fG2hJ5kA8cE1uI3oQ6w';
const EXAMPLE_ORDER_ID = '0b1f6c52-3a8e-4d2b-9f61-7c4e5a2d8b10';

export function ordersRoutes(orders: OrdersService): Router {
  const router = Router();

  apiRoute(
    router,
    {
      method: 'post',
      path: '/orders',
      tag: 'Orders',
      summary: 'Place an order',
      description:
        'Channel `web` for customers (linked to their account when logged in); `phone` and `counter` for ' +
        'counter staff and managers of the shop. The answer carries the tracking link, shown once.',
      access: ['public', 'customer', 'staff'],
      roles: ['counter', 'manager', 'admin'],
      body: CreateOrderBody,
      errors: [
        'auth/forbidden',
        'shop/not_found',
        'shop/not_open',
        'menu/product_unknown',
        'stock/insufficient',
        'order/invalid',
        'order/address_not_found',
        'order/outside_zone',
        'payment/unavailable',
      ],
      example: { body: EXAMPLE_ORDER },
      response: { status: 201, description: 'The order, with its tracking link.', schema: CreatedOrder },
    },
    async (req, res) => {
      const body = parseInput(CreateOrderBody, req.body);
      res.status(201).json(await orders.create(body, actorOf(req), req.customer?.id ?? null));
    },
  );

  apiRoute(
    router,
    {
      method: 'get',
      path: '/orders/track/:token',
      tag: 'Tracking link',
      summary: 'The order of a tracking link',
      access: 'tracking-link',
      params: TrackingTokenParam,
      errors: ['order/not_found'],
      example: { params: { token: EXAMPLE_TOKEN } },
      response: { status: 200, description: 'The order as its customer sees it.', schema: TrackedOrder },
    },
    async (req, res) => {
      const { token } = parseInput(TrackingTokenParam, req.params, 'tracking link');
      res.json(await orders.track(token));
    },
  );

  apiRoute(
    router,
    {
      method: 'patch',
      path: '/orders/track/:token',
      tag: 'Tracking link',
      summary: 'Change the lines, the address or the time',
      description: 'While the order is `pending_payment` or `received`; from `preparing` on it is locked.',
      access: 'tracking-link',
      params: TrackingTokenParam,
      body: ModifyOrderBody,
      errors: [
        'order/not_found',
        'order/locked',
        'order/invalid',
        'menu/product_unknown',
        'stock/insufficient',
        'order/address_not_found',
        'order/outside_zone',
      ],
      example: { params: { token: EXAMPLE_TOKEN }, body: { lines: [{ productId: 1, quantity: 3 }] } },
      response: { status: 200, description: 'The changed order.', schema: TrackedOrder },
    },
    async (req, res) => {
      const { token } = parseInput(TrackingTokenParam, req.params, 'tracking link');
      const body = parseInput(ModifyOrderBody, req.body);
      res.json(await orders.modifyByCustomer(token, body));
    },
  );

  apiRoute(
    router,
    {
      method: 'post',
      path: '/orders/track/:token/cancel',
      tag: 'Tracking link',
      summary: 'Cancel the order',
      description: 'While it is `pending_payment` or `received`; a paid order is refunded.',
      access: 'tracking-link',
      params: TrackingTokenParam,
      body: CancelOrderBody,
      bodyOptional: true,
      errors: ['order/not_found', 'order/locked'],
      example: { params: { token: EXAMPLE_TOKEN }, body: { reason: 'Je ne suis plus chez moi' } },
      response: { status: 200, description: 'The cancelled order.', schema: TrackedOrder },
    },
    async (req, res) => {
      const { token } = parseInput(TrackingTokenParam, req.params, 'tracking link');
      const body = parseInput(CancelOrderBody, req.body ?? {});
      res.json(await orders.cancelByCustomer(token, body.reason ?? null));
    },
  );

  apiRoute(
    router,
    {
      method: 'get',
      path: '/orders/:id',
      tag: 'Orders',
      summary: 'One order',
      description: 'For the staff of its shop; a courier sees only their own orders.',
      access: 'staff',
      params: OrderIdParam,
      errors: ['order/not_found'],
      example: { params: { id: EXAMPLE_ORDER_ID } },
      response: { status: 200, description: 'The order.', schema: Order },
    },
    async (req, res) => {
      const actor = requireStaff(req);
      const { id } = parseInput(OrderIdParam, req.params, 'order id');
      res.json(await orders.get(id, actor));
    },
  );

  apiRoute(
    router,
    {
      method: 'post',
      path: '/orders/:id/transitions',
      tag: 'Orders',
      summary: 'Move an order to its next status',
      description:
        'Per the lifecycle table (DESIGN §3): the kitchen bumps, the assigned courier delivers, counter ' +
        'staff hand over, a manager cancels with a reason. `expectedVersion` refuses a move made from a stale screen.',
      access: 'staff',
      params: OrderIdParam,
      headers: IdempotencyHeader,
      body: TransitionBody,
      errors: [
        'order/not_found',
        'order/transition_not_allowed',
        'order/version_conflict',
        'order/locked',
        'order/invalid',
      ],
      example: { params: { id: EXAMPLE_ORDER_ID }, body: { to: 'preparing', expectedVersion: 2 } },
      response: { status: 200, description: 'The order after the move.', schema: Order },
    },
    async (req, res) => {
      const actor = requireStaff(req);
      const { id } = parseInput(OrderIdParam, req.params, 'order id');
      const body = parseInput(TransitionBody, req.body);
      res.json(await orders.transition(id, body, actor, idempotencyKey(req.get('idempotency-key'))));
    },
  );

  apiRoute(
    router,
    {
      method: 'post',
      path: '/orders/:id/courier',
      tag: 'Orders',
      summary: 'Assign a ready delivery to a courier',
      access: 'staff',
      roles: ['manager', 'admin'],
      params: OrderIdParam,
      headers: IdempotencyHeader,
      body: AssignCourierBody,
      errors: ['order/not_found', 'courier/not_found', 'order/invalid'],
      example: {
        params: { id: EXAMPLE_ORDER_ID },
        body: { courierId: '5d3c9a8e-1b2f-4e6a-8c7d-9e0f1a2b3c4d' },
      },
      response: { status: 200, description: 'The order with its courier.', schema: Order },
    },
    async (req, res) => {
      const actor = requireStaff(req);
      const { id } = parseInput(OrderIdParam, req.params, 'order id');
      const body = parseInput(AssignCourierBody, req.body);
      res.json(
        await orders.assignCourier(id, body.courierId, actor, idempotencyKey(req.get('idempotency-key'))),
      );
    },
  );

  return router;
}
