import type { OrderMode, OrderStatus, PaymentMethod } from '../contract/index.js';
import { isManagerOf, worksAt, type Actor } from './actor.js';

/** The facts about an order that decide who may move it where. */
export type OrderFacts = {
  id: string;
  shopId: number;
  mode: OrderMode;
  status: OrderStatus;
  courierId: string | null;
};

export type TransitionDecision =
  | { ok: true }
  | {
      ok: false;
      code: 'order/transition_not_allowed' | 'auth/forbidden' | 'order/locked' | 'order/invalid';
      message: string;
    };

export const TERMINAL_STATUSES: readonly OrderStatus[] = [
  'delivered',
  'delivery_failed',
  'picked_up',
  'cancelled',
];

/** The customer may change or cancel the order only until the kitchen starts it. */
export const CUSTOMER_EDITABLE_STATUSES: readonly OrderStatus[] = ['pending_payment', 'received'];

export function isCustomerEditable(status: OrderStatus): boolean {
  return CUSTOMER_EDITABLE_STATUSES.includes(status);
}

/** The status a new order starts in: online card payments wait for the payment first. */
export function initialStatus(paymentMethod: PaymentMethod): OrderStatus {
  return paymentMethod === 'card_online' ? 'pending_payment' : 'received';
}

const KITCHEN_MOVES: ReadonlyArray<[OrderStatus, OrderStatus]> = [
  ['received', 'preparing'],
  ['preparing', 'baking'],
  ['baking', 'ready'],
];

const deny = (message: string): TransitionDecision => ({ ok: false, code: 'auth/forbidden', message });
const notAllowed = (message: string): TransitionDecision => ({
  ok: false,
  code: 'order/transition_not_allowed',
  message,
});

/**
 * The lifecycle table of DESIGN.md section 3, as one function: may `actor` move `order` to `to`?
 * Order of checks matters for the answer a person gets: first "does this move exist at all",
 * then "may you make it", so a courier bumping a kitchen order learns it is not theirs to move.
 */
export function decideTransition(
  order: OrderFacts,
  to: OrderStatus,
  actor: Actor,
  reason?: string | null,
): TransitionDecision {
  const from = order.status;
  if (TERMINAL_STATUSES.includes(from)) {
    return notAllowed(`Order is already ${from}: it cannot change any more.`);
  }

  if (to === 'cancelled') return decideCancel(order, actor, reason);

  if (KITCHEN_MOVES.some(([f, t]) => f === from && t === to)) {
    if (actor.kind === 'staff' && actor.role === 'kitchen' && actor.shopId === order.shopId)
      return { ok: true };
    return deny(`Only the kitchen of this shop moves an order from ${from} to ${to}.`);
  }

  if (from === 'pending_payment' && to === 'received') {
    if (actor.kind === 'payment') return { ok: true };
    return deny('An order waiting for its online payment is received only when the payment is confirmed.');
  }

  if (from === 'ready' && to === 'out_for_delivery') {
    if (order.mode !== 'delivery') return notAllowed('A pick-up order is not delivered.');
    if (order.courierId === null) return notAllowed('No courier is assigned to this order yet.');
    if (actor.kind === 'staff' && actor.role === 'courier' && actor.staffId === order.courierId)
      return { ok: true };
    return deny('Only the courier assigned to this order picks it up.');
  }

  if (from === 'out_for_delivery' && (to === 'delivered' || to === 'delivery_failed')) {
    if (actor.kind === 'staff' && actor.role === 'courier' && actor.staffId === order.courierId) {
      // The shop calls the customer back: it must know what went wrong at the door.
      if (to === 'delivery_failed' && !reason) {
        return { ok: false, code: 'order/invalid', message: 'Say why the delivery failed.' };
      }
      return { ok: true };
    }
    return deny('Only the courier delivering this order marks it delivered or failed.');
  }

  if (from === 'ready' && to === 'picked_up') {
    if (order.mode !== 'pickup')
      return notAllowed('A delivery order is handed to its courier, not picked up.');
    if (actor.kind === 'staff' && actor.role === 'counter' && actor.shopId === order.shopId)
      return { ok: true };
    return deny('Only the counter staff of this shop hand over a pick-up order.');
  }

  return notAllowed(`An order cannot go from ${from} to ${to}.`);
}

function decideCancel(order: OrderFacts, actor: Actor, reason?: string | null): TransitionDecision {
  const early = isCustomerEditable(order.status);
  if (isManagerOf(actor, order.shopId)) {
    // From `preparing` on, food has been made: a cancellation must say why (it records waste).
    if (!early && !reason) {
      return {
        ok: false,
        code: 'order/invalid',
        message: 'Cancelling an order the kitchen has started needs a reason.',
      };
    }
    return { ok: true };
  }
  if (!early) {
    if (actor.kind === 'staff' && actor.role === 'manager') {
      return deny('Only a manager of this shop can cancel an order its kitchen has started.');
    }
    return {
      ok: false,
      code: 'order/locked',
      message: 'The kitchen has started this order: only a manager can cancel it now.',
    };
  }
  if (actor.kind === 'customer' && actor.orderId === order.id) return { ok: true };
  if (actor.kind === 'staff' && actor.role === 'counter' && worksAt(actor, order.shopId)) return { ok: true };
  if (actor.kind === 'system' && order.status === 'pending_payment') return { ok: true };
  return deny('Only the customer, the counter staff or a manager of this shop may cancel this order.');
}
