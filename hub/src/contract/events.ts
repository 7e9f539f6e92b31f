import { z } from 'zod';
import { AdminProduct } from './back-office.js';
import { OrderStatus } from './enums.js';
import { Order } from './orders.js';

/** Outbox event types: `domain.verb_past`. */
export const EventType = z.enum([
  'order.created',
  'order.modified',
  'order.status_changed',
  'order.courier_assigned',
  'order.offer_changed',
  'stock.changed',
  'menu.changed',
]);
export type EventType = z.infer<typeof EventType>;

export const OrderStatusChangedData = z.object({
  from: OrderStatus,
  to: OrderStatus,
  reason: z.string().nullable(),
  by: z.object({ kind: z.enum(['customer', 'staff', 'system', 'payment']), id: z.string().nullable() }),
});
export type OrderStatusChangedData = z.infer<typeof OrderStatusChangedData>;

/** Every order event carries the order as staff see it after the change. */
export const OrderEventData = z.object({ order: Order }).passthrough();
export type OrderEventData = z.infer<typeof OrderEventData>;

export const StockChangedData = z.object({
  items: z.array(
    z.object({ ingredientId: z.number().int(), onHand: z.number().int(), reserved: z.number().int() }),
  ),
});
export type StockChangedData = z.infer<typeof StockChangedData>;

/**
 * The group menu changed in the back-office: the products as they are now, recipes and steps
 * included (an inactive one has left the menu). One event per shop, so every kitchen board and
 * menu page updates its recipe cards without reloading.
 */
export const MenuChangedData = z.object({ products: z.array(AdminProduct) });
export type MenuChangedData = z.infer<typeof MenuChangedData>;

/**
 * The envelope every screen receives. `seq` is assigned by the relay (next issue) in one total
 * order; `version` is the order's version after the change, never going back for one order.
 */
export const EventEnvelope = z.object({
  seq: z.number().int().positive(),
  type: EventType,
  shopId: z.number().int(),
  orderId: z.uuid().optional(),
  courierId: z.uuid().optional(),
  version: z.number().int().optional(),
  at: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;
