import type { OrderStatus, PaymentMethod, PaymentStatus } from '../contract/index.js';

export type Collected = 'cash' | 'card';

/**
 * Orders paid at the counter or at the door are paid when handed over: the move to `picked_up`
 * or `delivered` must say how the money was taken, and records it. Online orders are already paid.
 */
export function paymentDueAtHandover(
  order: { paymentStatus: PaymentStatus; paymentMethod: PaymentMethod },
  to: OrderStatus,
): boolean {
  return (
    (to === 'picked_up' || to === 'delivered') &&
    order.paymentStatus === 'unpaid' &&
    order.paymentMethod !== 'card_online'
  );
}
