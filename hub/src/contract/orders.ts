import { z } from 'zod';
import { Channel, OrderMode, OrderStatus, PaymentMethod, PaymentStatus } from './enums.js';
import { OrderDispute, OrderRefund } from './payments.js';
import { Position } from './shops.js';

const trimmed = (min: number, max: number) => z.string().trim().min(min).max(max);

export const OrderLineInput = z.strictObject({
  productId: z.number().int().positive().max(2_147_483_647),
  quantity: z.number().int().min(1).max(50),
  notes: trimmed(0, 200).optional(),
});
export type OrderLineInput = z.infer<typeof OrderLineInput>;

export const CustomerInput = z.strictObject({
  name: trimmed(1, 100),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 .-]{6,20}$/, 'a phone number of 6 to 20 digits'),
  email: z.email().max(200).optional(),
});
export type CustomerInput = z.infer<typeof CustomerInput>;

export const DeliveryAddressInput = z.strictObject({
  line1: trimmed(3, 200),
  postcode: z
    .string()
    .trim()
    .regex(/^\d{5}$/, 'a 5-digit French postcode'),
  city: trimmed(1, 100),
  instructions: trimmed(0, 200).optional(),
  /** Filled by geocoding when absent (Maps issue); the demo front ends send it. */
  position: Position.optional(),
});
export type DeliveryAddressInput = z.infer<typeof DeliveryAddressInput>;

const OrderLines = z.array(OrderLineInput).min(1).max(30);

export const CreateOrderBody = z
  .strictObject({
    shopId: z.number().int().positive().max(2_147_483_647),
    channel: Channel,
    mode: OrderMode,
    customer: CustomerInput,
    deliveryAddress: DeliveryAddressInput.optional(),
    lines: OrderLines,
    paymentMethod: PaymentMethod,
    promisedAt: z.iso.datetime({ offset: true }).optional(),
    notes: trimmed(0, 500).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.mode === 'delivery' && !body.deliveryAddress) {
      ctx.addIssue({ code: 'custom', path: ['deliveryAddress'], message: 'a delivery needs an address' });
    }
    if (body.mode === 'pickup' && body.deliveryAddress) {
      ctx.addIssue({
        code: 'custom',
        path: ['deliveryAddress'],
        message: 'a pick-up order has no delivery address',
      });
    }
    if (
      body.mode === 'pickup' &&
      (body.paymentMethod === 'cash_at_door' || body.paymentMethod === 'card_at_door')
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['paymentMethod'],
        message: 'payment at the door is for deliveries',
      });
    }
    if (body.mode === 'delivery' && body.paymentMethod === 'at_counter') {
      ctx.addIssue({
        code: 'custom',
        path: ['paymentMethod'],
        message: 'payment at the counter is for pick-up orders',
      });
    }
  });
export type CreateOrderBody = z.infer<typeof CreateOrderBody>;

export const ModifyOrderBody = z
  .strictObject({
    lines: OrderLines.optional(),
    deliveryAddress: DeliveryAddressInput.optional(),
    promisedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((b) => b.lines !== undefined || b.deliveryAddress !== undefined || b.promisedAt !== undefined, {
    message: 'say what to change: lines, deliveryAddress or promisedAt',
  });
export type ModifyOrderBody = z.infer<typeof ModifyOrderBody>;

export const CancelOrderBody = z.strictObject({ reason: trimmed(1, 300).optional() });
export type CancelOrderBody = z.infer<typeof CancelOrderBody>;

export const TransitionBody = z.strictObject({
  to: OrderStatus,
  reason: trimmed(1, 300).optional(),
  /** When given, the move applies only if the order is still at this version (stale screens). */
  expectedVersion: z.number().int().positive().optional(),
  /** Handing over an order paid at the counter or the door: how the money was taken. */
  collected: z.enum(['cash', 'card']).optional(),
});
export type TransitionBody = z.infer<typeof TransitionBody>;

export const IdempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_:.-]{8,100}$/, '8 to 100 letters, digits or _:.-');

export const AssignCourierBody = z.strictObject({ courierId: z.uuid() });
export type AssignCourierBody = z.infer<typeof AssignCourierBody>;

export const OrderIdParam = z.object({ id: z.uuid() });
export const TrackingTokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

export const OrderLine = z.object({
  productId: z.number().int(),
  productName: z.string(),
  quantity: z.number().int(),
  unitPriceCents: z.number().int(),
  vatRateBp: z.number().int(),
  notes: z.string().nullable(),
});
export type OrderLine = z.infer<typeof OrderLine>;

export const Totals = z.object({
  totalCents: z.number().int(),
  vatCents: z.number().int(),
  netCents: z.number().int(),
});
export type Totals = z.infer<typeof Totals>;

export const DeliveryAddress = z.object({
  line1: z.string(),
  postcode: z.string(),
  city: z.string(),
  instructions: z.string().nullable(),
  position: Position.nullable(),
});
export type DeliveryAddress = z.infer<typeof DeliveryAddress>;

/**
 * The one time promised for an order, computed once when it is placed (domain/eta.ts): what the
 * customer is told, what the kitchen works to, what lateness is measured against. It stays when
 * the kitchen falls behind; only the customer changing their requested time moves it.
 */
export const OrderPromise = z.object({
  /** Delivery: arrival at the door. Pick-up: ready at the counter. ISO instant, whole minute. */
  at: z.string(),
  /** When the kitchen must have it ready: `at` minus `routeMinutes` (pick-up: `at`). */
  readyBy: z.string(),
  /** Delivery: minutes from ready to the door (handover and drive); null for a pick-up. */
  routeMinutes: z.number().int().nonnegative().nullable(),
  /** How the drive was timed: Google's route or the straight-line estimate; null for a pick-up. */
  routeSource: z.enum(['route', 'estimate']).nullable(),
});
export type OrderPromise = z.infer<typeof OrderPromise>;

/** An order as staff see it. */
export const Order = z.object({
  id: z.uuid(),
  shopId: z.number().int(),
  shortCode: z.string(),
  channel: Channel,
  mode: OrderMode,
  status: OrderStatus,
  version: z.number().int(),
  customer: z.object({ name: z.string(), phone: z.string(), email: z.string().nullable() }),
  deliveryAddress: DeliveryAddress.nullable(),
  lines: z.array(OrderLine),
  totals: Totals,
  paymentMethod: PaymentMethod,
  paymentStatus: PaymentStatus,
  /** The time the customer asked for; null: as soon as possible. */
  promisedAt: z.string().nullable(),
  promise: OrderPromise,
  courierId: z.string().nullable(),
  /** The courier this ready delivery is offered to right now, until when. */
  offer: z.object({ courierId: z.string(), expiresAt: z.string() }).nullable(),
  notes: z.string().nullable(),
  cancelReason: z.string().nullable(),
  /** Why the last online payment attempt failed (card declined…); null once paid or never tried. */
  paymentFailure: z.string().nullable(),
  /** The refund of a paid order that was cancelled, as Stripe last reported it; null: none. */
  refund: OrderRefund.nullable(),
  /** The latest dispute of its card payment (staff only: not on the customer's page); null: none. */
  dispute: OrderDispute.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Order = z.infer<typeof Order>;

/** An order as its customer sees it on the tracking page (no staff ids). */
export const TrackedOrder = Order.omit({ courierId: true, offer: true, dispute: true }).extend({
  shopName: z.string(),
  shopPhone: z.string(),
  /** Whether the customer may still modify or cancel it. */
  modifiable: z.boolean(),
  /** Why it reached its current status, when someone said (a failed delivery's reason). */
  statusReason: z.string().nullable(),
});
export type TrackedOrder = z.infer<typeof TrackedOrder>;

export const CustomerOrders = z.object({ orders: z.array(TrackedOrder) });
export type CustomerOrders = z.infer<typeof CustomerOrders>;

export const CreatedOrder = z.object({
  order: Order,
  /** Shown once: the customer's credential to follow and change this order. */
  trackingToken: z.string(),
  trackingUrl: z.string(),
});
export type CreatedOrder = z.infer<typeof CreatedOrder>;

export const DeliveryCheckBody = DeliveryAddressInput.pick({
  line1: true,
  postcode: true,
  city: true,
  position: true,
});
export type DeliveryCheckBody = z.infer<typeof DeliveryCheckBody>;

/** Where an address is and whether the shop delivers there; `verified` is false without geocoding. */
export const DeliveryCheck = z.object({
  position: Position.nullable(),
  verified: z.boolean(),
  zone: z.object({ inZone: z.boolean(), distanceM: z.number().int(), radiusM: z.number().int() }).nullable(),
});
export type DeliveryCheck = z.infer<typeof DeliveryCheck>;
