import { z } from 'zod';
import { DisputeStatus, RefundStatus } from '../contract/index.js';
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
      from refunds where status = 'pending' and stripe_refund_id is null order by created_at limit ${limit}`)),
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
    status: RefundStatus;
    stripeRefundId: string | null;
    failure: string | null;
  },
): Promise<void> {
  await tx.query(sql.unsafe`
    update refunds set status = ${result.status}, stripe_refund_id = coalesce(${result.stripeRefundId}, stripe_refund_id),
      failure = ${result.failure}, attempts = attempts + 1, updated_at = now()
    where id = ${id}`);
}

/** Stripe did not answer: counted and explained, without touching what the order shows. */
export async function noteRefundAttempt(db: Queryable, id: number, error: string): Promise<void> {
  await db.query(sql.unsafe`
    update refunds set attempts = attempts + 1, last_error = ${error} where id = ${id}`);
}

/** The order a PaymentIntent paid (the current one, or an older one of the same order). */
export async function orderOfPaymentIntent(db: Queryable, paymentIntentId: string): Promise<string | null> {
  return db.maybeOneFirst(sql.type(z.object({ id: z.string() }))`
    select id from (
      select order_id as id from payments where provider = 'stripe' and provider_ref = ${paymentIntentId}
      union all
      select id from orders where payment_intent_id = ${paymentIntentId}
    ) o limit 1`);
}

const HeldRefund = z.object({
  id: z.number(),
  orderId: z.string(),
  status: RefundStatus,
  amountCents: z.number(),
  stripeRefundId: z.string().nullable(),
  eventAt: z.string().nullable(),
});
export type HeldRefund = z.infer<typeof HeldRefund>;

/**
 * The refund row a Stripe refund report is about: by Stripe's id, else the one the hub asked for
 * on this PaymentIntent whose answer it has not recorded yet (the webhook can beat the answer).
 */
export async function lockRefundFor(
  tx: DatabaseTransactionConnection,
  report: { stripeRefundId: string | null; paymentIntentId: string | null },
): Promise<HeldRefund | null> {
  return tx.maybeOne(sql.type(HeldRefund)`
    select id, order_id as "orderId", status, amount_cents as "amountCents",
           stripe_refund_id as "stripeRefundId", stripe_event_at as "eventAt"
    from refunds
    where stripe_refund_id = ${report.stripeRefundId}
       or (payment_intent_id = ${report.paymentIntentId}
           and (stripe_refund_id is null or ${report.stripeRefundId}::text is null))
    order by (stripe_refund_id = ${report.stripeRefundId}) desc nulls last, id
    limit 1
    for update`);
}

export async function recordRefundReport(
  tx: DatabaseTransactionConnection,
  id: number,
  report: { status: RefundStatus; stripeRefundId: string | null; failure: string | null; eventAt: Date },
): Promise<void> {
  await tx.query(sql.unsafe`
    update refunds set status = ${report.status},
      stripe_refund_id = coalesce(stripe_refund_id, ${report.stripeRefundId}),
      failure = ${report.failure}, stripe_event_at = ${sql.timestamp(report.eventAt)}, updated_at = now()
    where id = ${id}`);
}

/** Stripe's id of a refund settled before its id was known (charge.refunded names none). */
export async function fillStripeRefundId(
  tx: DatabaseTransactionConnection,
  orderId: string,
  stripeRefundId: string,
): Promise<void> {
  await tx.query(sql.unsafe`
    update refunds set stripe_refund_id = ${stripeRefundId}
    where order_id = ${orderId} and stripe_refund_id is null`);
}

/** A refund made outside the hub (Stripe's dashboard) on an order without one: recorded as Stripe says. */
export async function insertReportedRefund(
  tx: DatabaseTransactionConnection,
  refund: {
    orderId: string;
    paymentIntentId: string;
    amountCents: number;
    status: RefundStatus;
    stripeRefundId: string;
    failure: string | null;
    eventAt: Date;
  },
): Promise<boolean> {
  const inserted = await tx.maybeOne(sql.unsafe`
    insert into refunds (order_id, payment_intent_id, amount_cents, status, stripe_refund_id, failure, stripe_event_at)
    values (${refund.orderId}, ${refund.paymentIntentId}, ${refund.amountCents}, ${refund.status},
            ${refund.stripeRefundId}, ${refund.failure}, ${sql.timestamp(refund.eventAt)})
    on conflict do nothing
    returning 1`);
  return inserted !== null;
}

const HeldDispute = z.object({ status: DisputeStatus, eventAt: z.string() });

export async function findDispute(
  tx: DatabaseTransactionConnection,
  id: string,
): Promise<z.infer<typeof HeldDispute> | null> {
  return tx.maybeOne(sql.type(HeldDispute)`
    select status, stripe_event_at as "eventAt" from disputes where id = ${id}`);
}

/** The dispute as Stripe last reported it (the caller holds the order's lock). */
export async function saveDispute(
  tx: DatabaseTransactionConnection,
  orderId: string,
  d: {
    id: string;
    chargeId: string;
    paymentIntentId: string | null;
    amountCents: number;
    currency: string;
    reason: string;
    status: DisputeStatus;
    evidenceDueBy: Date | null;
  },
  eventAt: Date,
): Promise<void> {
  const due = d.evidenceDueBy ? sql.timestamp(d.evidenceDueBy) : null;
  await tx.query(sql.unsafe`
    insert into disputes (id, order_id, charge_id, payment_intent_id, amount_cents, currency, reason, status,
                          evidence_due_by, stripe_event_at)
    values (${d.id}, ${orderId}, ${d.chargeId}, ${d.paymentIntentId}, ${d.amountCents}, ${d.currency},
            ${d.reason}, ${d.status}, ${due}, ${sql.timestamp(eventAt)})
    on conflict (id) do update set amount_cents = excluded.amount_cents, reason = excluded.reason,
      status = excluded.status, evidence_due_by = excluded.evidence_due_by,
      stripe_event_at = excluded.stripe_event_at, updated_at = now()`);
}

export const RefundRow = z.object({
  orderId: z.string(),
  amountCents: z.number(),
  status: RefundStatus,
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
