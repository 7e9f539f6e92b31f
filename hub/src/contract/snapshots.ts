import { z } from 'zod';
import { Menu, MenuProduct, Position, Shop } from './shops.js';
import { Order, TrackedOrder } from './orders.js';
import { StockLevel } from './stock.js';

/**
 * Every snapshot carries the `seq` it reflects: all events up to it are included; later events
 * may also be partly included, which is why reducers compare each order's `version`.
 */
const withSeq = { seq: z.number().int().nonnegative() };

export const KitchenSnapshot = z.object({
  ...withSeq,
  shopId: z.number().int(),
  shop: Shop,
  /** Orders from `received` to `ready`, oldest first. */
  orders: z.array(Order),
  /** Recipes and steps of every product: the pizza makers' reminder. */
  products: z.array(MenuProduct),
});
export type KitchenSnapshot = z.infer<typeof KitchenSnapshot>;

export const CourierSnapshot = z.object({
  ...withSeq,
  courierId: z.uuid(),
  shopId: z.number().int(),
  orders: z.array(Order),
});
export type CourierSnapshot = z.infer<typeof CourierSnapshot>;

export const TrackingSnapshot = z.object({
  ...withSeq,
  order: TrackedOrder,
  /** The courier's last known position while the order is out for delivery, else null. */
  courierPosition: z.object({ position: Position, at: z.string() }).nullable(),
});
export type TrackingSnapshot = z.infer<typeof TrackingSnapshot>;

/**
 * A shop's public menu. `levels` are the ingredients' free quantities (on hand minus reserved):
 * `stock.changed` events carry absolute levels of the ingredients they touch, so a menu page
 * recomputes every product's availability (`makeableCount`) without asking the hub again.
 */
export const MenuSnapshot = Menu.extend({
  ...withSeq,
  levels: z.array(z.object({ ingredientId: z.number().int(), available: z.number().int() })),
});
export type MenuSnapshot = z.infer<typeof MenuSnapshot>;

export const CourierState = z.object({
  courierId: z.uuid(),
  name: z.string(),
  onShift: z.boolean(),
  position: Position.nullable(),
  positionAt: z.string().nullable(),
});
export type CourierState = z.infer<typeof CourierState>;

/**
 * When an order first reached the steps today's figures are made of (from the status history);
 * null for a step not reached. A manager board keeps them up to date from the events' `at`.
 */
export const OrderMilestones = z.object({
  orderId: z.uuid(),
  receivedAt: z.string().nullable(),
  readyAt: z.string().nullable(),
  outForDeliveryAt: z.string().nullable(),
  /** Delivered, picked up, delivery failed or cancelled. */
  finishedAt: z.string().nullable(),
});
export type OrderMilestones = z.infer<typeof OrderMilestones>;

export const ManagerSnapshot = z.object({
  ...withSeq,
  shopId: z.number().int(),
  /** Every order not yet finished, and those finished today. */
  orders: z.array(Order),
  stock: z.array(StockLevel),
  couriers: z.array(CourierState),
  /** For today's figures: the start of the hub's day, and the milestones of every order above. */
  today: z.object({ since: z.string(), milestones: z.array(OrderMilestones) }),
});
export type ManagerSnapshot = z.infer<typeof ManagerSnapshot>;

/** The shop stock screen: ingredient levels and how many of each product can still be made. */
export const StockSnapshot = z.object({
  ...withSeq,
  shopId: z.number().int(),
  items: z.array(StockLevel),
  products: z.array(MenuProduct),
});
export type StockSnapshot = z.infer<typeof StockSnapshot>;
