import type { OrderStatus } from '../contract/index.js';

/** An online order not paid within this time is cancelled by the system (DESIGN.md section 3). */
export const PAYMENT_WINDOW_MS = 15 * 60 * 1000;

export function isPaymentExpired(order: { status: OrderStatus; createdAt: Date }, now: Date): boolean {
  return order.status === 'pending_payment' && now.getTime() - order.createdAt.getTime() >= PAYMENT_WINDOW_MS;
}

export function paymentDeadline(createdAt: Date): Date {
  return new Date(createdAt.getTime() + PAYMENT_WINDOW_MS);
}
