import type { Logger } from 'pino';
import { z } from 'zod';
import type { PaymentStart } from '../contract/index.js';
import type { DatabasePool } from '../adapters/postgres.js';
import {
  WebhookPayloadError,
  type GatewayDispute,
  type GatewayEvent,
  type GatewayRefund,
  type PaymentGateway,
} from '../adapters/stripe.js';
import type { DatabaseTransactionConnection } from '../adapters/postgres.js';
import {
  disputeReportApplies,
  paymentStatusAfterRefund,
  refundReportApplies,
} from '../domain/payment-outcomes.js';
import { appError } from '../errors.js';
import {
  findOrderByTokenHash,
  lockOrder,
  updateOrder,
  type LockedOrder,
} from '../orders/orders-repository.js';
import type { Effects, OrdersService } from '../orders/orders-service.js';
import { hashTrackingToken } from '../orders/tracking-token.js';
import {
  claimStripeEvent,
  fillStripeRefundId,
  findDispute,
  findRefund,
  insertReportedRefund,
  lockPendingRefund,
  lockRefundFor,
  orderOfPaymentIntent,
  recordRefundReport,
  saveDispute,
  noteRefundAttempt,
  pendingRefunds,
  recordStripePayment,
  requestRefund,
  setPaymentIntent,
  setStripeEventOutcome,
  settleRefund,
  type PendingRefund,
} from './payments-repository.js';

export type PaymentsService = ReturnType<typeof createPaymentsService>;

type Deps = {
  db: DatabasePool;
  logger: Logger;
  /** Absent when Stripe is not configured: customers pay at the door or the counter. */
  gateway: PaymentGateway | undefined;
  publishableKey: string | undefined;
  orders: Pick<OrdersService, 'moveLocked' | 'appendOrderEvent'>;
  onCommitted?: () => void;
};

/** What the webhook did with an event, recorded with it (stripe_events.outcome). */
export type WebhookOutcome =
  | 'duplicate'
  | 'paid'
  | 'already_paid'
  | 'paid_after_cancel_refunding'
  | 'superseded_refunding'
  | 'failure_recorded'
  | 'failure_after_payment_ignored'
  | 'failure_ignored'
  | 'unknown_order'
  | 'ignored_type'
  | 'refund_recorded'
  | 'refund_unchanged'
  | 'dispute_recorded'
  | 'dispute_unchanged';

const OrderId = z.uuid();

export function createPaymentsService(deps: Deps) {
  const { db, logger } = deps;
  let refunding: Promise<void> | null = null;
  let refundAgain = false;

  function requireGateway(): PaymentGateway {
    if (!deps.gateway || !deps.publishableKey) {
      throw appError(
        'payment/unavailable',
        'Online payment is not available at the moment: pay at the door or at the counter.',
      );
    }
    return deps.gateway;
  }

  /** The order an event is about, if it is one of ours. */
  async function orderOf(tx: DatabaseTransactionConnection, event: GatewayEvent): Promise<string | null> {
    const valid = (id: string | null | undefined) => (id && OrderId.safeParse(id).success ? id : null);
    if (event.paymentIntent) return valid(event.paymentIntent.orderId);
    const pi =
      event.dispute?.paymentIntentId ??
      event.chargeRefunded?.paymentIntentId ??
      event.refunds?.find((r) => r.paymentIntentId)?.paymentIntentId ??
      null;
    const byIntent = pi ? await orderOfPaymentIntent(tx, pi) : null;
    return byIntent ?? valid(event.refunds?.find((r) => r.orderId)?.orderId);
  }

  /** The order's refund and payment status as one Stripe report says, if it is news. */
  async function applyRefundReport(
    tx: DatabaseTransactionConnection,
    orderId: string,
    report: GatewayRefund,
    eventAt: Date,
  ): Promise<boolean> {
    const held = await lockRefundFor(tx, {
      stripeRefundId: report.id,
      paymentIntentId: report.paymentIntentId,
    });
    if (!held) {
      // Made from Stripe's dashboard: the order shows it as Stripe tells.
      if (!report.paymentIntentId) return false;
      if (
        !(await insertReportedRefund(tx, {
          orderId,
          paymentIntentId: report.paymentIntentId,
          amountCents: report.amountCents,
          status: report.status,
          stripeRefundId: report.id,
          failure: report.failure,
          eventAt,
        }))
      ) {
        return false;
      }
    } else {
      // A second refund of an order that has one (partial ones from the dashboard) is not ours to show.
      if (held.stripeRefundId !== null && report.id !== '' && held.stripeRefundId !== report.id) return false;
      const heldAt = held.eventAt ? new Date(held.eventAt) : null;
      if (
        !refundReportApplies({ status: held.status, eventAt: heldAt }, { status: report.status, eventAt })
      ) {
        // Not news for the order, but it may name the refund a charge.refunded left unnamed.
        if (held.stripeRefundId === null && report.id !== '')
          await fillStripeRefundId(tx, orderId, report.id);
        return false;
      }
      await recordRefundReport(tx, held.id, {
        status: report.status,
        stripeRefundId: report.id === '' ? null : report.id,
        failure: report.failure,
        eventAt,
      });
    }
    return true;
  }

  async function handleRefund(
    tx: DatabaseTransactionConnection,
    event: GatewayEvent,
    order: LockedOrder,
  ): Promise<WebhookOutcome> {
    const orderId = order.id;
    const reports: GatewayRefund[] = event.refunds ?? [];
    if (reports.length === 0 && event.chargeRefunded) {
      // charge.refunded without its refunds listed (API versions since 2022-11-15): the money went
      // back on the charge; our refund is the one on its PaymentIntent.
      const held = await lockRefundFor(tx, {
        stripeRefundId: null,
        paymentIntentId: event.chargeRefunded.paymentIntentId,
      });
      // Card refunds are `succeeded` once made; one that fails later says so in refund.failed,
      // which wins over this report (same second or later).
      const covered =
        event.chargeRefunded.fullyRefunded ||
        event.chargeRefunded.amountRefundedCents >= (held?.amountCents ?? Infinity);
      if (held && covered) {
        reports.push({
          id: held.stripeRefundId ?? '',
          paymentIntentId: event.chargeRefunded.paymentIntentId,
          amountCents: held.amountCents,
          status: 'succeeded',
          failure: null,
          orderId,
        });
      }
    }
    let changed = false;
    for (const report of reports) {
      if (await applyRefundReport(tx, orderId, report, event.createdAt)) changed = true;
    }
    if (!changed) return 'refund_unchanged';
    await recordRefundOnOrder(tx, order);
    return 'refund_recorded';
  }

  /**
   * The refund row changed: the order's version moves and its event goes out (the order carries
   * its refund), with the payment status that refund implies.
   */
  async function recordRefundOnOrder(
    tx: DatabaseTransactionConnection,
    order: Pick<LockedOrder, 'id' | 'paymentStatus'>,
  ): Promise<void> {
    const refund = await findRefund(tx, order.id);
    const paymentStatus =
      refund && order.paymentStatus !== 'unpaid'
        ? paymentStatusAfterRefund(refund.status)
        : order.paymentStatus;
    await updateOrder(tx, order.id, { paymentStatus });
    await deps.orders.appendOrderEvent(tx, 'order.modified', order.id, {
      fields: paymentStatus !== order.paymentStatus ? ['refund', 'paymentStatus'] : ['refund'],
    });
  }

  async function handleDispute(
    tx: DatabaseTransactionConnection,
    dispute: GatewayDispute,
    eventAt: Date,
    orderId: string,
  ): Promise<WebhookOutcome> {
    const held = await findDispute(tx, dispute.id);
    const report = { status: dispute.status, eventAt };
    if (
      !disputeReportApplies(held ? { status: held.status, eventAt: new Date(held.eventAt) } : null, report)
    ) {
      return 'dispute_unchanged';
    }
    await saveDispute(tx, orderId, dispute, eventAt);
    await updateOrder(tx, orderId, {});
    await deps.orders.appendOrderEvent(tx, 'order.modified', orderId, { fields: ['dispute'] });
    return 'dispute_recorded';
  }

  async function handle(event: GatewayEvent): Promise<{ outcome: WebhookOutcome; refund: boolean }> {
    const pi = event.paymentIntent;
    const effects: Effects = { refund: false };
    const outcome = await db.transaction(async (tx): Promise<WebhookOutcome> => {
      effects.refund = false;
      const orderId = await orderOf(tx, event);
      // The order's row lock before the event's row: recording the event takes a key-share lock
      // on the order (foreign key), and two events of one order (refund.created and
      // charge.refunded come together) would otherwise each hold it while waiting for the other.
      if (orderId) await lockOrder(tx, orderId);
      if (
        !(await claimStripeEvent(tx, { id: event.id, type: event.type, orderId, createdAt: event.createdAt }))
      ) {
        return 'duplicate';
      }
      const decide = async (): Promise<WebhookOutcome> => {
        const kind = pi
          ? 'payment'
          : event.dispute
            ? 'dispute'
            : event.refunds || event.chargeRefunded
              ? 'refund'
              : null;
        if (!kind) return 'ignored_type';
        // Every change of one order queues on its row lock: concurrent events of one order see
        // each other's result.
        const order = orderId ? await lockOrder(tx, orderId) : null;
        if (!order) return 'unknown_order';
        if (kind === 'refund') return handleRefund(tx, event, order);
        if (event.dispute) return handleDispute(tx, event.dispute, event.createdAt, order.id);
        if (!pi) return 'ignored_type';

        if (event.type === 'payment_intent.payment_failed') {
          // Events may arrive out of order: a failure reported after the payment succeeded (an
          // earlier attempt) must not move the order back, nor show a failure on a paid order.
          if (order.paymentStatus !== 'unpaid') return 'failure_after_payment_ignored';
          if (order.status !== 'pending_payment' || order.paymentIntentId !== pi.id) return 'failure_ignored';
          await updateOrder(tx, order.id, { paymentFailure: pi.failure ?? 'The payment failed.' });
          await deps.orders.appendOrderEvent(tx, 'order.modified', order.id, { fields: ['paymentFailure'] });
          return 'failure_recorded';
        }

        // payment_intent.succeeded: the money is taken; record it whatever the order became.
        const fresh = await recordStripePayment(tx, order.id, pi.id, pi.amountCents);
        if (!fresh || order.paymentStatus !== 'unpaid') return 'already_paid';
        const current = order.paymentIntentId === pi.id && pi.amountCents === order.totalCents;
        if (!current) {
          // An older PaymentIntent of this order (the lines changed since): give the money back.
          effects.refund = await requestRefund(tx, {
            orderId: order.id,
            paymentIntentId: pi.id,
            amountCents: pi.amountCents,
          });
          if (effects.refund) {
            await updateOrder(tx, order.id, {});
            await deps.orders.appendOrderEvent(tx, 'order.modified', order.id, { fields: ['refund'] });
          }
          return 'superseded_refunding';
        }
        await updateOrder(tx, order.id, { paymentStatus: 'paid', paymentFailure: null });
        if (order.status === 'pending_payment') {
          await deps.orders.moveLocked(
            tx,
            { ...order, paymentStatus: 'paid' },
            'received',
            { kind: 'payment' },
            null,
            effects,
          );
          return 'paid';
        }
        // Paid after the order was cancelled (expired, or cancelled while the card was being
        // confirmed): the customer gets their money back.
        if (order.status === 'cancelled') {
          effects.refund = await requestRefund(tx, {
            orderId: order.id,
            paymentIntentId: pi.id,
            amountCents: pi.amountCents,
          });
          await deps.orders.appendOrderEvent(tx, 'order.modified', order.id, { fields: ['paymentStatus'] });
          return 'paid_after_cancel_refunding';
        }
        await deps.orders.appendOrderEvent(tx, 'order.modified', order.id, { fields: ['paymentStatus'] });
        return 'paid';
      };
      const result = await decide();
      await setStripeEventOutcome(tx, event.id, result);
      return result;
    });
    if (outcome !== 'duplicate') deps.onCommitted?.();
    return { outcome, refund: effects.refund };
  }

  /** One refund with Stripe, then its result recorded; a failure to reach Stripe is retried later. */
  async function refundOne(pending: PendingRefund, gateway: PaymentGateway): Promise<void> {
    const id = pending.id;
    let result: Awaited<ReturnType<PaymentGateway['refund']>>;
    try {
      // The key is the order's: however many times this runs, on however many nodes, Stripe
      // refunds once.
      result = await gateway.refund({
        paymentIntentId: pending.paymentIntentId,
        amountCents: pending.amountCents,
        orderId: pending.orderId,
        idempotencyKey: `ocp-refund-${pending.orderId}`,
      });
    } catch (error) {
      logger.warn({ err: error, orderId: pending.orderId }, 'refund not made yet: Stripe did not answer');
      await noteRefundAttempt(db, id, error instanceof Error ? error.message : String(error));
      return;
    }
    await db.transaction(async (tx) => {
      // The order first, as every writer of an order and its refund does (no deadlock).
      const order = await lockOrder(tx, pending.orderId);
      const locked = await lockPendingRefund(tx, id);
      if (!order) return;
      // Settled meanwhile (the webhook can beat this answer): the webhook's report stands.
      if (!locked) return fillStripeRefundId(tx, order.id, result.id);
      await settleRefund(tx, id, {
        status: result.status,
        stripeRefundId: result.id,
        failure: result.failure,
      });
      await recordRefundOnOrder(tx, order);
    });
    deps.onCommitted?.();
  }

  async function processRefundsOnce(): Promise<void> {
    const gateway = deps.gateway;
    if (!gateway) return;
    for (const refund of await pendingRefunds(db, 20)) await refundOne(refund, gateway);
  }

  return {
    siteConfig() {
      return { stripePublishableKey: deps.gateway ? (deps.publishableKey ?? null) : null };
    },

    /**
     * The PaymentIntent for an order waiting for its online payment. Its idempotency key is the
     * order and its amount: asking twice (a reload, two tabs) gives the same PaymentIntent, and a
     * changed amount a new one.
     */
    async start(token: string): Promise<PaymentStart> {
      const gateway = requireGateway();
      const order = await findOrderByTokenHash(db, hashTrackingToken(token));
      if (!order) throw appError('order/not_found', 'No order has this tracking link.');
      if (order.paymentMethod !== 'card_online') {
        throw appError('payment/not_required', 'This order is paid at the door or at the counter.');
      }
      if (order.status !== 'pending_payment' || order.paymentStatus !== 'unpaid') {
        throw appError(
          'payment/not_required',
          order.paymentStatus === 'unpaid'
            ? `This order is ${order.status}: it can no longer be paid online.`
            : 'This order is already paid.',
        );
      }
      let intent;
      try {
        intent = await gateway.createPaymentIntent({
          orderId: order.id,
          shortCode: order.shortCode,
          amountCents: order.totals.totalCents,
          idempotencyKey: `ocp-pi-${order.id}-${order.totals.totalCents}`,
        });
      } catch (error) {
        logger.error({ err: error, orderId: order.id }, 'Stripe did not create the PaymentIntent');
        throw appError(
          'payment/provider_failed',
          'The payment service did not answer: try again in a moment, or pay at the door.',
        );
      }
      await db.transaction(async (tx) => {
        const locked = await lockOrder(tx, order.id);
        if (locked?.status === 'pending_payment') await setPaymentIntent(tx, order.id, intent.id);
      });
      return {
        paymentIntentId: intent.id,
        clientSecret: intent.clientSecret,
        publishableKey: deps.publishableKey!,
        amountCents: intent.amountCents,
        currency: 'eur',
      };
    },

    /** Verifies and applies one webhook delivery. */
    async webhook(rawBody: Buffer, signature: string | undefined): Promise<{ outcome: WebhookOutcome }> {
      const gateway = requireGateway();
      if (!signature) throw appError('webhook/invalid_signature', 'The Stripe-Signature header is missing.');
      let event: GatewayEvent;
      try {
        event = gateway.verifyWebhook(rawBody, signature);
      } catch (error) {
        // Signed by Stripe but missing what we act on: refused before anything is written, so
        // Stripe's retries (or a fixed endpoint version) can deliver it again.
        if (error instanceof WebhookPayloadError) {
          logger.warn({ err: error }, 'stripe webhook refused: payload lacks a field');
          throw appError('webhook/invalid', `The Stripe event cannot be applied: ${error.message}.`);
        }
        throw appError(
          'webhook/invalid_signature',
          `The Stripe signature does not check out: ${error instanceof Error ? error.message : 'invalid'}.`,
        );
      }
      const { outcome, refund } = await handle(event);
      logger.info({ stripeEvent: event.id, type: event.type, outcome }, 'stripe webhook');
      if (refund) this.processRefunds();
      return { outcome };
    },

    /**
     * Makes the refunds recorded and not yet made. Runs one pass at a time per node; a request
     * during a pass runs another after it. Returns when the pass it belongs to has finished.
     */
    processRefunds(): Promise<void> {
      if (refunding) {
        refundAgain = true;
        return refunding;
      }
      refunding = (async () => {
        do {
          refundAgain = false;
          try {
            await processRefundsOnce();
          } catch (error) {
            logger.error({ err: error }, 'refund pass failed');
          }
        } while (refundAgain);
      })().finally(() => (refunding = null));
      return refunding;
    },
  };
}
