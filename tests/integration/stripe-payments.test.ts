import Stripe from 'stripe';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CreatedOrder,
  ErrorBody,
  PaymentStart,
  SiteConfig,
  TrackedOrder,
} from '../../hub/src/contract/index.js';
import { startFakeStripe, type FakeStripe } from '../fakes/stripe-server.js';
import { facts, type Facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { sql, startTestHub, type TestHub } from '../helpers/test-hub.js';

let stripe: FakeStripe;
let hub: TestHub;
let offline: TestHub;
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
  offline = await startTestHub({ database: hub.database });
  f = facts(hub.db);
  shopA = await f.shopId('A');
  reine = await f.productId('reine');
});
afterAll(async () => {
  await offline?.close();
  await hub?.close();
  await stripe?.close();
});

/** A web order paid online, waiting for its payment, and its PaymentIntent. */
async function onlineOrder(quantity = 1) {
  const created = await hub
    .client()
    .post<CreatedOrder>(
      '/api/orders',
      orderBody({ shopId: shopA, lines: [{ productId: reine, quantity }], paymentMethod: 'card_online' }),
    );
  expect(created.status).toBe(201);
  expect(created.body.order.status).toBe('pending_payment');
  const token = created.body.trackingToken;
  const start = await hub.client().post<PaymentStart>(`/api/orders/track/${token}/payment`, {});
  expect(start.status).toBe(200);
  return { order: created.body.order, token, intent: start.body };
}

const tracked = async (token: string) =>
  (await hub.client().get<TrackedOrder>(`/api/orders/track/${token}`)).body;

/** Posts a webhook as Stripe would (signed with the endpoint's secret unless `headers` say otherwise). */
async function deliver(event: object, headers?: Record<string, string>) {
  const payload = JSON.stringify(event);
  const res = await fetch(`${hub.baseUrl}/api/stripe/webhook`, {
    method: 'POST',
    headers: headers ?? stripe.signedHeaders(payload),
    body: payload,
  });
  return { status: res.status, body: (await res.json()) as { outcome?: string } & Partial<ErrorBody> };
}

const recorded = (eventId: string) =>
  hub.db.any(
    sql.type(z.object({ outcome: z.string(), orderId: z.string().nullable() }))`
      select outcome, order_id as "orderId" from stripe_events where id = ${eventId}`,
  );
const paymentRows = (orderId: string) =>
  hub.db.oneFirst(
    sql.type(
      z.object({ n: z.number() }),
    )`select count(*)::int as n from payments where order_id = ${orderId}`,
  );

describe('online payment with Stripe', () => {
  it('tells the site the publishable key, and a hub without Stripe offers no online payment', async () => {
    const config = await hub.client().get<SiteConfig>('/api/site-config');
    expect(config.body.stripePublishableKey).toBe(stripe.publishableKey);
    const none = await offline.client().get<SiteConfig>('/api/site-config');
    expect(none.body.stripePublishableKey).toBeNull();
    const { token } = await onlineOrder();
    const refused = await offline.client().post<ErrorBody>(`/api/orders/track/${token}/payment`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('payment/unavailable');
  });

  it('creates one PaymentIntent per order: asking again gives the same one', async () => {
    const { order, token, intent } = await onlineOrder(2);
    expect(intent.amountCents).toBe(order.totals.totalCents);
    const again = await hub.client().post<PaymentStart>(`/api/orders/track/${token}/payment`, {});
    expect(again.body.paymentIntentId).toBe(intent.paymentIntentId);
    expect(stripe.paymentIntents.get(intent.paymentIntentId)?.metadata.order_id).toBe(order.id);
    const keys = stripe.requests
      .filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents')
      .map((r) => r.idempotencyKey);
    expect(keys.filter((k) => k?.includes(order.id))).toHaveLength(2);
    expect(new Set(keys.filter((k) => k?.includes(order.id))).size).toBe(1);
  });

  it('a valid payment_intent.succeeded receives the order, once, as the payment', async () => {
    const { order, token, intent } = await onlineOrder();
    const received = hub.published((e) => e.orderId === order.id && e.data.to === 'received');
    stripe.succeed(intent.paymentIntentId);
    const delivery = await stripe.nextDelivery((d) => d.event.data.object.id === intent.paymentIntentId);
    expect(delivery.status).toBe(200);
    const event = await received;
    expect(event.data.by).toEqual({ kind: 'payment', id: null });
    const now = await tracked(token);
    expect(now).toMatchObject({ status: 'received', paymentStatus: 'paid', paymentFailure: null });
    expect(await recorded(delivery.event.id)).toEqual([{ outcome: 'paid', orderId: order.id }]);
    expect(await paymentRows(order.id)).toBe(1);

    // The same event again (Stripe retries; an attacker replays): nothing more happens.
    const before = await f.snapshot();
    const replay = await deliver(delivery.event);
    expect(replay).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect(await f.snapshot()).toEqual(before);
    expect(await recorded(delivery.event.id)).toHaveLength(1);
    expect(await paymentRows(order.id)).toBe(1);
  });

  it('two deliveries of one event at the same moment: one applies, the other is a duplicate', async () => {
    const { order, intent } = await onlineOrder();
    const pi = { ...stripe.paymentIntents.get(intent.paymentIntentId)!, status: 'succeeded' };
    const event = stripe.buildEvent('payment_intent.succeeded', pi);
    const outcomes = await Promise.all([deliver(event), deliver(event), deliver(event)]);
    expect(outcomes.map((o) => o.body.outcome).sort()).toEqual(['duplicate', 'duplicate', 'paid']);
    expect(await paymentRows(order.id)).toBe(1);
    const versions = await hub.db.oneFirst(
      sql.type(z.object({ n: z.number() }))`
        select count(*)::int as n from order_status_history where order_id = ${order.id} and to_status = 'received'`,
    );
    expect(versions).toBe(1);
  });

  it('refuses a bad signature and a stale timestamp with 400, recording nothing', async () => {
    const { token, intent } = await onlineOrder();
    const pi = { ...stripe.paymentIntents.get(intent.paymentIntentId)!, status: 'succeeded' };
    const event = stripe.buildEvent('payment_intent.succeeded', pi);
    const payload = JSON.stringify(event);
    const before = await f.snapshot();

    const forged = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: 'whsec_notTheEndpointSecret',
    });
    const bad = await deliver(event, { 'content-type': 'application/json', 'stripe-signature': forged });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('webhook/invalid_signature');

    const old = Math.floor(Date.now() / 1000) - 60 * 60;
    const stale = await deliver(event, stripe.signedHeaders(payload, { timestamp: old }));
    expect(stale.status).toBe(400);
    expect(stale.body.error?.code).toBe('webhook/invalid_signature');

    const unsigned = await deliver(event, { 'content-type': 'application/json' });
    expect(unsigned.status).toBe(400);

    // A body changed after signing does not verify either.
    const tampered = await fetch(`${hub.baseUrl}/api/stripe/webhook`, {
      method: 'POST',
      headers: stripe.signedHeaders(payload),
      body: payload.replace('"succeeded"', '"succeeded" '),
    });
    expect(tampered.status).toBe(400);

    expect(await f.snapshot()).toEqual(before);
    expect(await recorded(event.id)).toEqual([]);
    expect((await tracked(token)).status).toBe('pending_payment');
  });

  it('a declined card leaves the order waiting, says why, and a retry with another card receives it', async () => {
    const { order, token, intent } = await onlineOrder();
    stripe.fail(intent.paymentIntentId);
    const failed = await stripe.nextDelivery(
      (d) =>
        d.event.type === 'payment_intent.payment_failed' && d.event.data.object.id === intent.paymentIntentId,
    );
    expect(failed.status).toBe(200);
    const waiting = await tracked(token);
    expect(waiting).toMatchObject({ status: 'pending_payment', paymentStatus: 'unpaid' });
    expect(waiting.paymentFailure).toMatch(/declined/);
    expect(await recorded(failed.event.id)).toEqual([{ outcome: 'failure_recorded', orderId: order.id }]);

    stripe.succeed(intent.paymentIntentId);
    await stripe.nextDelivery(
      (d) => d.event.type === 'payment_intent.succeeded' && d.event.data.object.id === intent.paymentIntentId,
    );
    expect(await tracked(token)).toMatchObject({
      status: 'received',
      paymentStatus: 'paid',
      paymentFailure: null,
    });
  });

  it('a payment_failed arriving after succeeded cannot move the order back', async () => {
    const { order, token, intent } = await onlineOrder();
    const earlierFailure = stripe.buildEvent('payment_intent.payment_failed', {
      ...stripe.paymentIntents.get(intent.paymentIntentId)!,
      status: 'requires_payment_method',
      last_payment_error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' },
    });
    stripe.succeed(intent.paymentIntentId);
    await stripe.nextDelivery((d) => d.event.data.object.id === intent.paymentIntentId);
    const paid = await tracked(token);
    expect(paid.status).toBe('received');

    const late = await deliver(earlierFailure);
    expect(late).toMatchObject({ status: 200, body: { outcome: 'failure_after_payment_ignored' } });
    const after = await tracked(token);
    expect(after).toMatchObject({ status: 'received', paymentStatus: 'paid', paymentFailure: null });
    expect(after.version).toBe(paid.version);
    expect(await recorded(earlierFailure.id)).toEqual([
      { outcome: 'failure_after_payment_ignored', orderId: order.id },
    ]);
  });

  it('cancelling a paid order before the kitchen starts refunds it, once, and records the refund', async () => {
    const { order, token, intent } = await onlineOrder(2);
    stripe.succeed(intent.paymentIntentId);
    await stripe.nextDelivery((d) => d.event.data.object.id === intent.paymentIntentId);

    const refunded = hub.published(
      (e) =>
        e.orderId === order.id && (e.data.order as { paymentStatus?: string })?.paymentStatus === 'refunded',
    );
    const cancel = await hub
      .client()
      .post<TrackedOrder>(`/api/orders/track/${token}/cancel`, { reason: 'plus faim' });
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    await refunded;

    const refunds = stripe.refunds.filter((r) => r.payment_intent === intent.paymentIntentId);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.amount).toBe(order.totals.totalCents);
    const row = await hub.db.one(
      sql.type(
        z.object({ status: z.string(), stripeRefundId: z.string().nullable(), amountCents: z.number() }),
      )`
        select status, stripe_refund_id as "stripeRefundId", amount_cents as "amountCents" from refunds where order_id = ${order.id}`,
    );
    expect(row).toEqual({
      status: 'succeeded',
      stripeRefundId: refunds[0]!.id,
      amountCents: order.totals.totalCents,
    });
    expect((await tracked(token)).paymentStatus).toBe('refunded');

    // Running the refund job again makes no second refund.
    await hub.services.payments.processRefunds();
    expect(stripe.refunds.filter((r) => r.payment_intent === intent.paymentIntentId)).toHaveLength(1);
  });

  it('after the kitchen started, the customer can no longer cancel: nothing is refunded', async () => {
    const { order, token, intent } = await onlineOrder();
    stripe.succeed(intent.paymentIntentId);
    await stripe.nextDelivery((d) => d.event.data.object.id === intent.paymentIntentId);
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const started = await kitchen.post(`/api/orders/${order.id}/transitions`, { to: 'preparing' });
    expect(started.status).toBe(200);
    const refused = await hub.client().post<ErrorBody>(`/api/orders/track/${token}/cancel`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('order/locked');
    expect(stripe.refunds.filter((r) => r.payment_intent === intent.paymentIntentId)).toHaveLength(0);
  });

  it('paid just after being cancelled: the order stays cancelled and the money goes back', async () => {
    const { order, token, intent } = await onlineOrder();
    const cancel = await hub.client().post<TrackedOrder>(`/api/orders/track/${token}/cancel`, {});
    expect(cancel.body.status).toBe('cancelled');
    const refunded = hub.published(
      (e) =>
        e.orderId === order.id && (e.data.order as { paymentStatus?: string })?.paymentStatus === 'refunded',
    );
    // The customer's bank confirmed the card a moment after the cancellation.
    stripe.succeed(intent.paymentIntentId);
    const late = await stripe.nextDelivery((d) => d.event.data.object.id === intent.paymentIntentId);
    expect(await recorded(late.event.id)).toEqual([
      { outcome: 'paid_after_cancel_refunding', orderId: order.id },
    ]);
    await refunded;
    const now = await tracked(token);
    expect(now).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' });
  });

  it('records events for orders it does not know, and types it does not act on, without effect', async () => {
    const before = await f.snapshot();
    const stranger = stripe.buildEvent('payment_intent.succeeded', {
      id: 'pi_someoneElses',
      object: 'payment_intent',
      amount: 1000,
      status: 'succeeded',
      metadata: { order_id: '00000000-0000-4000-8000-000000000000' },
      last_payment_error: null,
    });
    expect((await deliver(stranger)).body.outcome).toBe('unknown_order');
    const other = stripe.buildEvent('customer.created', { id: 'cus_1', object: 'customer' });
    expect((await deliver(other)).body.outcome).toBe('ignored_type');
    expect(await f.snapshot()).toEqual(before);
  });
});
