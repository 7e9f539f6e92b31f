import { describe, expect, it } from 'vitest';
import { OrderStatus as OrderStatusEnum, type OrderStatus } from '../contract/index.js';
import { isPaymentExpired, PAYMENT_WINDOW_MS, paymentDeadline } from './payment-expiry.js';

const createdAt = new Date('2025-03-14T19:00:00.000Z');
const after = (ms: number) => new Date(createdAt.getTime() + ms);
const MINUTE = 60_000;

describe('isPaymentExpired', () => {
  const pending = { status: 'pending_payment' as const, createdAt };

  it('gives an unpaid online order 15 minutes', () => {
    expect(PAYMENT_WINDOW_MS).toBe(15 * MINUTE);
  });

  it('is expired exactly at 15 minutes', () => {
    expect(isPaymentExpired(pending, after(15 * MINUTE))).toBe(true);
  });

  it('is not expired at 14:59.999', () => {
    expect(isPaymentExpired(pending, after(15 * MINUTE - 1))).toBe(false);
  });

  it('is expired long after, and not at creation', () => {
    expect(isPaymentExpired(pending, after(3 * 60 * MINUTE))).toBe(true);
    expect(isPaymentExpired(pending, createdAt)).toBe(false);
  });

  it.each<OrderStatus>(OrderStatusEnum.options.filter((s) => s !== 'pending_payment'))(
    'never expires a %s order',
    (status) => {
      expect(isPaymentExpired({ status, createdAt }, after(60 * MINUTE))).toBe(false);
    },
  );
});

describe('paymentDeadline', () => {
  it('is 15 minutes after creation', () => {
    expect(paymentDeadline(createdAt).toISOString()).toBe('2025-03-14T19:15:00.000Z');
  });

  it('agrees with isPaymentExpired', () => {
    const deadline = paymentDeadline(createdAt);
    const pending = { status: 'pending_payment' as const, createdAt };
    expect(isPaymentExpired(pending, deadline)).toBe(true);
    expect(isPaymentExpired(pending, new Date(deadline.getTime() - 1))).toBe(false);
  });
});
