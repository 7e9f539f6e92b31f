import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, PaymentStart, TrackedOrder } from '../../hub/src/contract/index.js';
import {
  fakeStripeJsSource,
  routeToFake,
  STRIPE_HOOKS_URL_PATTERN,
  STRIPE_JS_URL_PATTERN,
} from '../fakes/stripe-js.js';
import { startFakeStripe, type FakeRefund, type FakeStripe } from '../fakes/stripe-server.js';
import { launchBrowser, SCREEN, screenshot, staffPage } from '../helpers/browser.js';
import { facts, type Facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

/**
 * What a real customer and a real shop meet after the happy path: the bank asking for 3-D Secure
 * on the phone, and on the manager's screen the disputes and refunds that need someone.
 */
let stripe: FakeStripe;
let hub: TestHub;
let f: Facts;
let browser: Browser;
let shopA: number;

/** Stripe's test card that always asks for 3-D Secure. */
const CARD_3DS = '4000 0027 6000 3184';

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
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.close();
  await stripe?.close();
});

async function phone(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: SCREEN.phone,
    locale: 'fr-FR',
    isMobile: true,
    hasTouch: true,
  });
  context.setDefaultTimeout(60_000);
  const outside: string[] = [];
  await context.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => {
    outside.push(route.request().url());
    return route.abort();
  });
  await context.route(STRIPE_JS_URL_PATTERN, (route) =>
    route.fulfill({ contentType: 'text/javascript', body: fakeStripeJsSource(stripe.url) }),
  );
  context.on('close', () => expect(outside).toEqual([]));
  await context.route(STRIPE_HOOKS_URL_PATTERN, (route) => routeToFake(route, stripe.url));
  return { context, page: await context.newPage() };
}

async function onlineOrder(slug = 'reine'): Promise<CreatedOrder> {
  const created = await hub.client().post<CreatedOrder>(
    '/api/orders',
    orderBody({
      shopId: shopA,
      lines: [{ productId: await f.productId(slug), quantity: 1 }],
      paymentMethod: 'card_online',
    }),
  );
  expect(created.status).toBe(201);
  return created.body;
}

const tracked = async (token: string) =>
  (await hub.client().get<TrackedOrder>(`/api/orders/track/${token}`)).body;

const current = (page: Page, status: string) =>
  page.locator(`[data-testid="stage-${status}"][aria-current="step"]`).waitFor();

/** The bank's page inside Stripe.js's modal. */
const bankPage = (page: Page) => page.frameLocator('[data-testid="fake-stripe-3ds"] iframe');

describe('3-D Secure on the payment page (phone, Chromium)', () => {
  it('the bank asks, the customer confirms: the order is paid and goes to the kitchen', async () => {
    const { context, page } = await phone();
    const created = await onlineOrder();
    await page.goto(`${hub.baseUrl}/paiement/${created.trackingToken}`);
    await page.getByTestId('fake-stripe-card').fill(CARD_3DS);
    await page.getByTestId('pay-button').click();

    // The authentication step, over the payment page; nothing is paid until it is answered.
    await bankPage(page).getByTestId('3ds-complete').waitFor();
    expect(await page.getByTestId('pay-button').getAttribute('aria-busy')).toBe('true');
    const pi = [...stripe.paymentIntents.values()].find((p) => p.metadata.order_id === created.order.id)!;
    expect(pi.status).toBe('requires_action');
    expect((await tracked(created.trackingToken)).status).toBe('pending_payment');
    await screenshot(page, 'customer-payment-3ds');

    await bankPage(page).getByTestId('3ds-complete').click();
    await page.waitForURL(/\/track\//);
    await current(page, 'received');
    expect(await tracked(created.trackingToken)).toMatchObject({ status: 'received', paymentStatus: 'paid' });
    await page.locator('[data-testid="link-state"][data-status="live"]').waitFor();
    await screenshot(page, 'customer-payment-3ds-paid');
    await context.close();
  });

  it('the customer fails the authentication: nothing is charged, the page says so, another card pays', async () => {
    const { context, page } = await phone();
    const created = await onlineOrder('margherita');
    await page.goto(`${hub.baseUrl}/paiement/${created.trackingToken}`);
    await page.getByTestId('fake-stripe-card').fill(CARD_3DS);
    await page.getByTestId('pay-button').click();
    await bankPage(page).getByTestId('3ds-fail').click();

    const error = page.getByTestId('payment-authentication-failed');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/3-D Secure/);
    expect(await page.getByTestId('fake-stripe-3ds').count()).toBe(0);
    expect(page.url()).toContain('/paiement/');
    // Stripe's payment_failed webhook told the hub; the order still waits for its payment.
    await stripe.nextDelivery(
      (d) =>
        d.event.type === 'payment_intent.payment_failed' &&
        d.event.data.object.metadata.order_id === created.order.id,
    );
    expect(await tracked(created.trackingToken)).toMatchObject({
      status: 'pending_payment',
      paymentStatus: 'unpaid',
    });
    await screenshot(page, 'customer-payment-3ds-failed');

    await page.getByTestId('fake-stripe-card').fill('4242 4242 4242 4242');
    await page.getByTestId('pay-button').click();
    await page.waitForURL(/\/track\//);
    await current(page, 'received');
    await context.close();
  });
});

describe('money to follow on the manager board (Chromium, 1920x1080)', () => {
  it('a dispute arrives live with its amount, reason and deadline, and its outcome follows; a failed refund shows', async () => {
    const manager = await staffPage(browser, hub.baseUrl, 'manager.a@demo.ocpizza.fr', {
      path: '/manager',
      viewport: SCREEN.kitchen,
    });
    const board = manager.page;
    await board.getByText('En direct').waitFor();

    // A paid order whose customer's bank disputes the payment.
    const disputed = await onlineOrder('diavola');
    const start = await hub
      .client()
      .post<PaymentStart>(`/api/orders/track/${disputed.trackingToken}/payment`, {});
    stripe.succeed(start.body.paymentIntentId);
    await stripe.nextDelivery((d) => d.event.data.object.id === start.body.paymentIntentId);
    const dueBy = Math.floor(Date.now() / 1000) + 36 * 3600;
    const dispute = stripe.openDispute(start.body.paymentIntentId, { reason: 'product_not_received', dueBy });
    const code = disputed.order.shortCode;
    const row = board.getByTestId(`money-dispute-${code}`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('needs_response');
    const text = (await row.textContent())!.replace(/\s+/g, ' ');
    expect(text).toContain('commande non reçue');
    expect(text).toMatch(/Preuves à envoyer avant/);
    expect(text).toMatch(/\d+,\d{2}\s?€/);
    // Due in 36 hours: urgent.
    expect(await row.getAttribute('class')).toContain('alert--out');

    // A cancelled paid order whose refund the card cannot take.
    stripe.setRefundOutcome('pending');
    const refunded = await onlineOrder('margherita');
    const pay = await hub
      .client()
      .post<PaymentStart>(`/api/orders/track/${refunded.trackingToken}/payment`, {});
    stripe.succeed(pay.body.paymentIntentId);
    await stripe.nextDelivery((d) => d.event.data.object.id === pay.body.paymentIntentId);
    const cancel = await hub.client().post(`/api/orders/track/${refunded.trackingToken}/cancel`, {});
    expect(cancel.status).toBe(200);
    const created = await stripe.nextDelivery(
      (d) =>
        d.event.type === 'refund.created' &&
        (d.event.data.object as unknown as FakeRefund).payment_intent === pay.body.paymentIntentId,
    );
    stripe.setRefundOutcome('succeeded');
    const refundRow = board.getByTestId(`money-refund-${refunded.order.shortCode}`);
    await board
      .locator(`[data-testid="money-refund-${refunded.order.shortCode}"][data-status="pending"]`)
      .waitFor();
    stripe.settleRefund(created.event.data.object.id, 'failed', 'expired_or_canceled_card');
    await board
      .locator(`[data-testid="money-refund-${refunded.order.shortCode}"][data-status="failed"]`)
      .waitFor();
    expect(await refundRow.textContent()).toContain('Remboursement échoué');
    expect(await refundRow.textContent()).toContain('carte expirée ou résiliée');
    await screenshot(board, 'manager-board-payments');

    // The customer's page says the refund did not go through, and never mentions a dispute.
    const { context, page } = await phone();
    await page.goto(`${hub.baseUrl}/track/${refunded.trackingToken}`);
    await page.getByTestId('refund-failed').waitFor();
    await context.close();

    // The evidence is sent, then the dispute is won: the board follows.
    stripe.updateDispute(dispute.id, 'under_review');
    await board.locator(`[data-testid="money-dispute-${code}"][data-status="under_review"]`).waitFor();
    stripe.updateDispute(dispute.id, 'won');
    await board.locator(`[data-testid="money-dispute-${code}"][data-status="won"]`).waitFor();
    expect(await row.textContent()).toContain('Gagné');
    await manager.context.close();
  });
});
