import type { RequestHandler, Router } from 'express';
import type { z } from 'zod';
import type { ErrorCode, StaffRole } from '../contract/index.js';
import { recordRoute } from '../health/http-metrics.js';

export type ApiMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** The groups of the API document, in the order the docs page shows them. */
export const API_TAGS = {
  'Shops and menu': 'Public: the shops, their menus and who delivers where.',
  Orders: 'Taking orders, moving them through their lifecycle, assigning couriers.',
  'Tracking link': 'The customer holding an order tracking link: follow, change, cancel, pay.',
  Payments: 'Online card payment (Stripe) and its webhook.',
  'Staff sessions': 'Staff log in with e-mail and password and get a session cookie.',
  Customers: 'Customer accounts and the counter’s phone lookup.',
  Stock: 'Ingredient stock per shop and the movements managers record.',
  Snapshots: 'What each live screen loads before it subscribes to Socket.IO from the `seq` given.',
  Dispatch: 'Couriers answering the delivery offers made to them.',
  'Back-office': 'Menu, recipes, stock thresholds, staff and shops (admins; managers for their shop).',
  Operations: 'Probes and metrics for the supervisor, the load balancer and Prometheus.',
  Documentation: 'This document and the page that renders it.',
} as const;
export type ApiTag = keyof typeof API_TAGS;

/**
 * Who may call an operation. `tracking-link`: the `{token}` of the path is the credential (no
 * cookie); `stripe-signature`: the Stripe-Signature header over the raw body; `metrics-token`:
 * `Authorization: Bearer <METRICS_TOKEN>` (Prometheus).
 */
export type ApiAccess =
  'public' | 'staff' | 'customer' | 'tracking-link' | 'stripe-signature' | 'metrics-token';

/** One operation of the HTTP API, as the OpenAPI document describes it. */
export type ApiOperation = {
  method: ApiMethod;
  /** Express path, relative to where the router is mounted (`/orders/:id`). */
  path: string;
  tag: ApiTag;
  summary: string;
  description?: string;
  /** Any one of these suffices; several for a route open to the public and to staff alike. */
  access: ApiAccess | readonly ApiAccess[];
  /** The staff roles that may call it at all (the service may narrow further, by shop). */
  roles?: readonly StaffRole[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** The body may be left out (`POST …/cancel` without a reason). */
  bodyOptional?: boolean;
  /** Defaults to application/json. */
  bodyContentType?: string;
  response: {
    status: 200 | 201 | 202 | 204;
    description: string;
    schema?: z.ZodType;
    /** Defaults to application/json. */
    contentType?: string;
  };
  /** Answers other than the main one and the error codes (`/readyz`'s 503 with its checks). */
  otherResponses?: readonly { status: number; description: string; schema?: z.ZodType }[];
  /** Codes this operation's own logic answers; the generic ones (validation, session…) are added. */
  errors?: readonly ErrorCode[];
  /** A request that the hub accepts: shown on the docs page, checked against the schemas by the tests. */
  example?: { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
  /**
   * `back-office`: left out of the document served to the public, like the back-office itself
   * (DESIGN §5); shown to a logged-in admin or manager.
   */
  audience?: 'back-office';
};

const operations = new WeakMap<object, ApiOperation>();

/**
 * Mounts a route and records its OpenAPI operation on the Express route itself, so that the
 * document (openapi.ts) is read from what is really mounted, with its real mount path.
 */
export function apiRoute(router: Router, operation: ApiOperation, ...handlers: RequestHandler[]): void {
  const route = router.route(operation.path);
  route[operation.method](recordRoute(operation.path), ...handlers);
  operations.set(route, operation);
}

/** The operation recorded for an Express route object (layer.route), if any. */
export function operationOf(route: object): ApiOperation | undefined {
  return operations.get(route);
}
