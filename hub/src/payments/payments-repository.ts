import { z } from 'zod';
import { sql, type DatabaseTransactionConnection, type Queryable } from '../adapters/postgres.js';

/**
 * Records a Stripe event before acting on it, in the transaction of its effect. A second delivery
 * of the same event waits here on the first one's transaction (primary key), then finds it: the
 * caller does nothing. Returns false for such a duplicate.
 */
export async function claimStripeEvent(
  tx: DatabaseTransactionConnection,
  event: { id: string; type: string; orderId: string | null; createdAt: Date },
): Promise<boolean> {
  const inserted = await tx.maybeOne(sql.unsafe`
    insert into stripe_events (id, type, order_id, outcome, stripe_created_at)
    values (${event.id}, ${event.type},
            (select id from orders where id = ${event.orderId}::uuid),
            'claimed', ${sql.timestamp(event.createdAt)})
    on conflict (id) do nothing
    returning 1`);
  return inserted !== null;
}

export async function setStripeEventOutcome(
  tx: DatabaseTransactionConnection,
  eventId: string,
  outcome: string,
): Promise<void> {
  await tx.query(sql.unsafe`update stripe_events set outcome = ${outcome} where id = ${eventId}`);
}

/** The PaymentIntent is not part of the order screens show: no version bump, no event. */
export async function setPaymentIntent(
  tx: DatabaseTransactionConnection,
  orderId: string,
  paymentIntentId: string,
): Promise<void> {
  await tx.query(sql.unsafe`update orders set payment_intent_id = ${paymentIntentId} where id = ${orderId}`);
}

/** A Stripe payment row; false when this PaymentIntent was already recorded. */
export async function recordStripePayment(
  tx: DatabaseTransactionConnection,
  orderId: string,
  paymentIntentId: string,
  amountCents: number,
): Promise<boolean> {
  const inserted = await tx.maybeOne(sql.unsafe`
    insert into payments (order_id, provider, provider_ref, amount_cents, status)
    values (${orderId}, 'stripe', ${paymentIntentId}, ${amountCents}, 'succeeded')
    on conflict (provider_ref) do nothing
    returning 1`);
  return inserted !== null;
}

/** Written with the cancellation of a paid order; Stripe is called after the commit. */
export async function requestRefund(
  tx: DatabaseTransactionConnection,
  refund: { orderId: string; paymentIntentId: string; amountCents: number },
): Promise<boolean> {
  const inserted = await tx.maybeOne(sql.unsafe`
    insert into refunds (order_id, payment_intent_id, amount_cents, status)
    values (${refund.orderId}, ${refund.paymentIntentId}, ${refund.amountCents}, 'pending')
    on conflict (order_id) do nothing
    returning 1`);
  return inserted !== null;
}

const PendingRefund = z.object({
  id: z.number(),
  orderId: z.string(),
  paymentIntentId: z.string(),
  amountCents: z.number(),
  attempts: z.number(),
});
export type PendingRefund = z.infer<typeof PendingRefund>;

export async function pendingRefunds(db: Queryable, limit: number): Promise<PendingRefund[]> {
  return [
    ...(await db.any(sql.type(PendingRefund)`
      select id, order_id as "orderId", payment_intent_id as "paymentIntentId",
             amount_cents as "amountCents", attempts
      from refunds where status = 'pending' order by created_at limit ${limit}`)),
  ];
}

/** Locks a pending refund; null when another node settled it meanwhile. */
export async function lockPendingRefund(
  tx: DatabaseTransactionConnection,
  id: number,
): Promise<PendingRefund | null> {
  return tx.maybeOne(sql.type(PendingRefund)`
    select id, order_id as "orderId", payment_intent_id as "paymentIntentId",
           amount_cents as "amountCents", attempts
    from refunds where id = ${id} and status = 'pending' for update`);
}

export async function settleRefund(
  tx: DatabaseTransactionConnection,
  id: number,
  result: {
    status: 'pending' | 'succeeded' | 'failed';
    stripeRefundId: string | null;
    failure: string | null;
  },
): Promise<void> {
  await tx.query(sql.unsafe`
    update refunds set status = ${result.status}, stripe_refund_id = coalesce(${result.stripeRefundId}, stripe_refund_id),
      failure = ${result.failure}, attempts = attempts + 1, updated_at = now()
    where id = ${id}`);
}

export async function noteRefundAttempt(db: Queryable, id: number, failure: string): Promise<void> {
  await db.query(sql.unsafe`
    update refunds set attempts = attempts + 1, failure = ${failure}, updated_at = now() where id = ${id}`);
}

export const RefundRow = z.object({
  orderId: z.string(),
  amountCents: z.number(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  stripeRefundId: z.string().nullable(),
  attempts: z.number(),
  createdAt: z.string(),
});

export async function findRefund(db: Queryable, orderId: string) {
  return db.maybeOne(sql.type(RefundRow)`
    select order_id as "orderId", amount_cents as "amountCents", status, stripe_refund_id as "stripeRefundId",
           attempts, created_at as "createdAt"
    from refunds where order_id = ${orderId}`);
}
