import Stripe from 'stripe';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  forCustomer,
  type CreatedOrder,
  type ErrorBody,
  type EventEnvelope,
  type ManagerSnapshot,
  type Order,
  type PaymentStart,
  type TrackedOrder,
} from '../../hub/src/contract/index.js';
import {
  startFakeStripe,
  type FakeDispute,
  type FakeRefund,
  type FakeStripe,
} from '../fakes/stripe-server.js';
import { findOrder, orderRowJsonb } from '../../hub/src/orders/orders-repository.js';
import { toOrder } from '../../hub/src/orders/order-views.js';
import { allEvents } from '../helpers/all-events.js';
import { facts, type Facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { sql, startTestHub, type TestHub } from '../helpers/test-hub.js';

/**
 * What Stripe tells after the payment: how refunds end (refund.* and charge.refunded) and the
 * disputes customers' banks open (charge.dispute.*). Webhooks come at least once and in any order;
 * whatever the order and the repeats, the order ends as the newest report says, and the manager's
 * screen hears of each change.
 */
let stripe: FakeStripe;
let hub: TestHub;
let f: Facts;
let shopA: number;
let reine: number;

beforeAll(async () => {
  stripe = await startFakeStripe();
  hub = await startTestHub({
    env: {
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
      STRIPE_PUBLISHABLE_KEY: stripe.publishableKey,
      STRIPE_API_URL: stripe.url,
    },
  });
  stripe.setWebhookUrl(`${hub.baseUrl}/api/stripe/webhook`);
  f = facts(hub.db);
  shopA = await f.shopId('A');
  reine = await f.productId('reine');
});
afterAll(async () => {
  await hub?.close();
  await stripe?.close();
});

/** A web order paid online (received by the kitchen), its token and PaymentIntent id. */
async function paidOrder() {
  const created = await hub
    .client()
    .post<CreatedOrder>(
      '/api/orders',
      orderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }], paymentMethod: 'card_online' }),
    );
  expect(created.status).toBe(201);
  const token = created.body.trackingToken;
  const start = await hub.client().post<PaymentStart>(`/api/orders/track/${token}/payment`, {});
  expect(start.status).toBe(200);
  const pi = start.body.paymentIntentId;
  stripe.succeed(pi);
  await stripe.nextDelivery(
    (d) => d.event.type === 'payment_intent.succeeded' && d.event.data.object.id === pi,
  );
  expect((await tracked(token)).status).toBe('received');
  return { order: created.body.order, token, pi };
}

const tracked = async (token: string) =>
  (await hub.client().get<TrackedOrder>(`/api/orders/track/${token}`)).body;

const staffOrder = async (orderId: string) => {
  const manager = await hub.staff('manager.a@demo.ocpizza.fr');
  return (await manager.get<Order>(`/api/orders/${orderId}`)).body;
};

/** Posts a webhook as Stripe would, signed with the endpoint's secret. */
async function deliver(event: object) {
  const payload = JSON.stringify(event);
  const res = await fetch(`${hub.baseUrl}/api/stripe/webhook`, {
    method: 'POST',
    headers: stripe.signedHeaders(payload),
    body: payload,
  });
  return { status: res.status, body: (await res.json()) as { outcome?: string } & Partial<ErrorBody> };
}

/** An event as Stripe would have sent it at `created` (seconds), carrying `object` as it was then. */
const eventAt = (type: string, object: unknown, created: number) => ({
  ...stripe.buildEvent(type, object),
  created,
});

const modifiedWith = (orderId: string, field: string) => (e: EventEnvelope) =>
  e.orderId === orderId &&
  e.type === 'order.modified' &&
  Array.isArray(e.data.fields) &&
  (e.data.fields as string[]).includes(field);

/** Cancels a paid order as its customer; with pending refunds, Stripe's answer is `pending`. */
async function cancelAndRefund(token: string, pi: string): Promise<FakeRefund> {
  const cancel = await hub.client().post<TrackedOrder>(`/api/orders/track/${token}/cancel`, {});
  expect(cancel.status).toBe(200);
  const created = await stripe.nextDelivery(
    (d) =>
      d.event.type === 'refund.created' &&
      (d.event.data.object as unknown as FakeRefund).payment_intent === pi,
  );
  expect(created.status).toBe(200);
  await hub.services.payments.processRefunds();
  return created.event.data.object as unknown as FakeRefund;
}

const refundRow = (orderId: string) =>
  hub.db.one(
    sql.type(
      z.object({ status: z.string(), stripeRefundId: z.string().nullable(), failure: z.string().nullable() }),
    )`
      select status, stripe_refund_id as "stripeRefundId", failure from refunds where order_id = ${orderId}`,
  );

describe('refund outcomes from webhooks', () => {
  it('a pending refund is shown pending, then succeeded once Stripe says so: once, whatever the repeats', async () => {
    const { order, token, pi } = await paidOrder();
    stripe.setRefundOutcome('pending');
    try {
      const refund = await cancelAndRefund(token, pi);
      expect(refund.status).toBe('pending');
      // The refund job does not ask Stripe again for a refund Stripe already holds.
      const before = stripe.requests.filter((r) => r.path === '/v1/refunds').length;
      await hub.services.payments.processRefunds();
      expect(stripe.requests.filter((r) => r.path === '/v1/refunds')).toHaveLength(before);
      const pending = await tracked(token);
      expect(pending).toMatchObject({
        status: 'cancelled',
        paymentStatus: 'paid',
        refund: { status: 'pending' },
      });
      expect((await refundRow(order.id)).stripeRefundId).toBe(refund.id);

      const live = hub.published(
        (e) => modifiedWith(order.id, 'refund')(e) && (e.data.order as Order).refund?.status === 'succeeded',
      );
      stripe.settleRefund(refund.id, 'succeeded');
      const updated = await stripe.nextDelivery(
        (d) => d.event.type === 'refund.updated' && d.event.data.object.id === refund.id,
      );
      const charge = await stripe.nextDelivery(
        (d) =>
          d.event.type === 'charge.refunded' &&
          (d.event.data.object as unknown as { payment_intent: string }).payment_intent === pi,
      );
      expect([updated.status, charge.status]).toEqual([200, 200]);
      const event = await live;
      expect((event.data.order as Order).paymentStatus).toBe('refunded');
      const done = await tracked(token);
      expect(done).toMatchObject({
        paymentStatus: 'refunded',
        refund: { status: 'succeeded', failure: null },
      });

      // Stripe delivers again (at least once) — the same events and a stale copy: nothing moves.
      const snapshot = await f.snapshot();
      expect((await deliver(updated.event)).body.outcome).toBe('duplicate');
      expect((await deliver(charge.event)).body.outcome).toBe('duplicate');
      const stalePending = eventAt('refund.updated', { ...refund, status: 'pending' }, refund.created);
      expect((await deliver(stalePending)).body.outcome).toBe('refund_unchanged');
      expect(await f.snapshot()).toEqual(snapshot);
      expect((await tracked(token)).version).toBe(done.version);
    } finally {
      stripe.setRefundOutcome('succeeded');
    }
  });

  it('out of order: a failure reported before the refund was created ends failed, the money still ours', async () => {
    const { order, token, pi } = await paidOrder();
    stripe.setRefundOutcome('pending');
    try {
      // Stripe answers the refund request, but its refund.created is delayed (no webhook URL).
      stripe.setWebhookUrl(undefined);
      const cancel = await hub.client().post<TrackedOrder>(`/api/orders/track/${token}/cancel`, {});
      expect(cancel.status).toBe(200);
      await hub.services.payments.processRefunds();
      const refund = stripe.refunds.find((r) => r.payment_intent === pi)!;
      const failed = stripe.settleRefund(refund.id, 'failed', 'expired_or_canceled_card');
      stripe.setWebhookUrl(`${hub.baseUrl}/api/stripe/webhook`);

      const t = refund.created;
      const createdEvent = eventAt('refund.created', refund, t);
      const failedEvent = eventAt('refund.failed', failed, t + 60);
      const olderCharge = eventAt(
        'charge.refunded',
        { id: 'ch_x', object: 'charge', payment_intent: pi, amount_refunded: refund.amount, refunded: true },
        t + 1,
      );
      expect((await deliver(failedEvent)).body.outcome).toBe('refund_recorded');
      expect((await deliver(createdEvent)).body.outcome).toBe('refund_unchanged');
      expect((await deliver(olderCharge)).body.outcome).toBe('refund_unchanged');
      expect(await refundRow(order.id)).toEqual({
        status: 'failed',
        stripeRefundId: refund.id,
        failure: 'expired_or_canceled_card',
      });
      expect(await tracked(token)).toMatchObject({
        paymentStatus: 'paid',
        refund: { status: 'failed', failure: 'expired_or_canceled_card' },
      });
    } finally {
      stripe.setRefundOutcome('succeeded');
      stripe.setWebhookUrl(`${hub.baseUrl}/api/stripe/webhook`);
    }
  });

  it('a canceled refund, and concurrent deliveries of its reports, leave one answer', async () => {
    const { order, token, pi } = await paidOrder();
    stripe.setRefundOutcome('pending');
    try {
      const refund = await cancelAndRefund(token, pi);
      stripe.setWebhookUrl(undefined);
      const canceled = stripe.settleRefund(refund.id, 'canceled', 'merchant_request');
      stripe.setWebhookUrl(`${hub.baseUrl}/api/stripe/webhook`);
      const a = eventAt('refund.updated', canceled, refund.created + 5);
      const b = eventAt('charge.refund.updated', canceled, refund.created + 5);
      const outcomes = (await Promise.all([deliver(a), deliver(b), deliver(a)])).map((r) => r.body.outcome);
      expect(outcomes.sort()).toEqual(['duplicate', 'refund_recorded', 'refund_unchanged']);
      expect(await tracked(token)).toMatchObject({
        paymentStatus: 'paid',
        refund: { status: 'canceled', failure: 'merchant_request' },
      });
      // The manager's board loads it even on another day: a refund not made needs someone.
      const manager = await hub.staff('manager.a@demo.ocpizza.fr');
      const board = await manager.get<ManagerSnapshot>(`/api/shops/${shopA}/manager`);
      expect(board.body.orders.find((o) => o.id === order.id)?.refund?.status).toBe('canceled');
    } finally {
      stripe.setRefundOutcome('succeeded');
      stripe.setWebhookUrl(`${hub.baseUrl}/api/stripe/webhook`);
    }
  });
});

describe('disputes', () => {
  it('are recorded, pushed to the manager live, followed to their end, and never shown to the customer', async () => {
    const { order, token, pi } = await paidOrder();
    const dueBy = Math.floor(Date.now() / 1000) + 5 * 24 * 3600;
    const live = hub.published(modifiedWith(order.id, 'dispute'));
    const dispute = stripe.openDispute(pi, { reason: 'product_not_received', dueBy });
    const opened = await stripe.nextDelivery((d) => d.event.type === 'charge.dispute.created');
    expect(opened.status).toBe(200);
    const event = await live;
    expect((event.data.order as Order).dispute).toMatchObject({
      id: dispute.id,
      status: 'needs_response',
      reason: 'product_not_received',
      amountCents: order.totals.totalCents,
      evidenceDueBy: new Date(dueBy * 1000).toISOString(),
    });
    // The manager room hears it; the customer's projection of the same event does not carry it.
    expect(forCustomer(event).data.order).not.toHaveProperty('dispute');
    expect(await tracked(token)).not.toHaveProperty('dispute');
    expect((await staffOrder(order.id)).dispute?.status).toBe('needs_response');
    const manager = await hub.staff('manager.a@demo.ocpizza.fr');
    const board = await manager.get<ManagerSnapshot>(`/api/shops/${shopA}/manager`);
    expect(board.body.orders.find((o) => o.id === order.id)?.dispute?.status).toBe('needs_response');

    stripe.updateDispute(dispute.id, 'under_review');
    await stripe.nextDelivery(
      (d) => d.event.type === 'charge.dispute.updated' && d.event.data.object.id === dispute.id,
    );
    stripe.updateDispute(dispute.id, 'won');
    const closed = await stripe.nextDelivery(
      (d) => d.event.type === 'charge.dispute.closed' && d.event.data.object.id === dispute.id,
    );
    expect(closed.status).toBe(200);
    const won = await staffOrder(order.id);
    expect(won.dispute?.status).toBe('won');

    // A late copy of the opening (Stripe retried it) cannot reopen it.
    const late = eventAt(
      'charge.dispute.created',
      { ...(opened.event.data.object as unknown as FakeDispute) },
      opened.event.created - 1,
    );
    expect((await deliver(late)).body.outcome).toBe('dispute_unchanged');
    expect((await staffOrder(order.id)).dispute?.status).toBe('won');
    expect((await staffOrder(order.id)).version).toBe(won.version);
  });

  it('a dispute on a payment we do not know is recorded without effect', async () => {
    const before = await f.snapshot();
    const stranger = stripe.buildEvent('charge.dispute.created', {
      id: 'dp_stranger',
      object: 'dispute',
      amount: 1000,
      charge: 'ch_stranger',
      currency: 'eur',
      payment_intent: 'pi_someoneElses',
      reason: 'fraudulent',
      status: 'needs_response',
      evidence_details: { due_by: null },
    });
    expect(await deliver(stranger)).toMatchObject({ status: 200, body: { outcome: 'unknown_order' } });
    expect(await f.snapshot()).toEqual(before);
  });
});

describe('signed events that lack what we need', () => {
  it('answer 400 webhook/invalid, naming the field, and change nothing', async () => {
    const { order, pi } = await paidOrder();
    const before = await f.snapshot();
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'refund.updated',
        { id: 're_1', object: 'refund', amount: 100, payment_intent: pi },
        'data.object.status',
      ],
      [
        'charge.dispute.created',
        {
          id: 'dp_1',
          object: 'dispute',
          amount: 100,
          charge: 'ch_1',
          currency: 'eur',
          payment_intent: pi,
          reason: 'fraudulent',
          status: 'needs_response',
        },
        'data.object.evidence_details',
      ],
      [
        'charge.refunded',
        { id: 'ch_1', object: 'charge', payment_intent: pi, refunded: true },
        'data.object.amount_refunded',
      ],
      [
        'payment_intent.succeeded',
        { id: pi, object: 'payment_intent', metadata: { order_id: order.id } },
        'data.object.amount',
      ],
      [
        'charge.dispute.updated',
        {
          id: 'dp_1',
          object: 'dispute',
          amount: 100,
          charge: 'ch_1',
          currency: 'eur',
          payment_intent: pi,
          reason: 'fraudulent',
          status: 'thinking_about_it',
          evidence_details: { due_by: null },
        },
        'data.object.status',
      ],
    ];
    for (const [type, object, field] of cases) {
      const event = stripe.buildEvent(type, object);
      const payload = JSON.stringify(event);
      // Signed with the stripe library's own test header: the signature is good, the content is not.
      const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: stripe.webhookSecret });
      const res = await fetch(`${hub.baseUrl}/api/stripe/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body: payload,
      });
      expect(res.status, type).toBe(400);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe('webhook/invalid');
      expect(body.error.message).toContain(field);
      const recorded = await hub.db.anyFirst(
        sql.type(z.object({ id: z.string() }))`select id from stripe_events where id = ${event.id}`,
      );
      expect(recorded).toEqual([]);
    }
    expect(await f.snapshot()).toEqual(before);
  });

  it('an event type we do not act on answers 200 and changes nothing', async () => {
    const before = await f.snapshot();
    const other = stripe.buildEvent('invoice.paid', { id: 'in_1', object: 'invoice' });
    expect(await deliver(other)).toMatchObject({ status: 200, body: { outcome: 'ignored_type' } });
    const requiresAction = stripe.buildEvent('payment_intent.requires_action', {
      id: 'pi_1',
      object: 'payment_intent',
    });
    expect(await deliver(requiresAction)).toMatchObject({ status: 200, body: { outcome: 'ignored_type' } });
    expect(await f.snapshot()).toEqual(before);
  });
});

describe('the order as events carry it', () => {
  it('with a refund and a dispute, equals the order read through zod, field by field', async () => {
    const { order, token, pi } = await paidOrder();
    const dispute = stripe.openDispute(pi, { reason: 'duplicate' });
    await stripe.nextDelivery(
      (d) => d.event.type === 'charge.dispute.created' && d.event.data.object.id === dispute.id,
    );
    stripe.setRefundOutcome('pending');
    try {
      const refund = await cancelAndRefund(token, pi);
      stripe.settleRefund(refund.id, 'failed', 'lost_or_stolen_card');
      await stripe.nextDelivery(
        (d) => d.event.type === 'refund.updated' && d.event.data.object.id === refund.id,
      );
    } finally {
      stripe.setRefundOutcome('succeeded');
    }
    const read = await findOrder(hub.db, order.id);
    expect(read).toMatchObject({
      refund: { status: 'failed' },
      dispute: { id: dispute.id, reason: 'duplicate' },
    });
    const built = await hub.db.oneFirst(sql.type(z.object({ row: z.record(z.string(), z.unknown()) }))`
      select ${orderRowJsonb} as row from orders o join shops s on s.id = o.shop_id where o.id = ${order.id}`);
    expect(built).toEqual(read);
    const lastEvent = await hub.db.oneFirst(sql.type(z.object({ order: z.record(z.string(), z.unknown()) }))`
      select data->'order' as order from ${allEvents} e where order_id = ${order.id} order by id desc limit 1`);
    expect(lastEvent).toEqual(toOrder(read!));
  });
});
