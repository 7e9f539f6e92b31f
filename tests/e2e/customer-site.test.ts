import type { Browser, BrowserContext, Page } from 'playwright-core';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, PaymentStart } from '../../hub/src/contract/index.js';
import { startFakeMaps, type FakeMaps } from '../fakes/maps-server.js';
import { fakeStripeJsSource, STRIPE_JS_URL_PATTERN } from '../fakes/stripe-js.js';
import { startFakeStripe, type FakeStripe } from '../fakes/stripe-server.js';
import type { ApiClient } from '../helpers/api-client.js';
import { launchBrowser, SCREEN, screenshot } from '../helpers/browser.js';
import { facts, type Facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { openSocket } from '../helpers/sockets.js';
import { sql, startTestHub, type TestHub } from '../helpers/test-hub.js';

const KEY = 'AIzaFakeKeyForTests0123';
const home = { line1: '24 rue de la Roquette', postcode: '75011', city: 'Paris' };

let stripe: FakeStripe;
let maps: FakeMaps;
let hub: TestHub;
let f: Facts;
let browser: Browser;
let shopA: number;
let kitchen: ApiClient;
let courier: ApiClient;

beforeAll(async () => {
  stripe = await startFakeStripe();
  maps = await startFakeMaps({ key: KEY, places: { 'rue de la Roquette': { lat: 48.8549, lng: 2.3736 } } });
  maps.setRouteSeconds(9 * 60);
  hub = await startTestHub({
    env: {
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
      STRIPE_PUBLISHABLE_KEY: stripe.publishableKey,
      STRIPE_API_URL: stripe.url,
      MAPS_API_KEY: KEY,
      MAPS_BASE_URL: maps.url,
    },
  });
  stripe.setWebhookUrl(`${hub.baseUrl}/api/stripe/webhook`);
  f = facts(hub.db);
  shopA = await f.shopId('A');
  kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
  courier = await hub.staff('courier.a@demo.ocpizza.fr');
  // Courier A is at the shop and the only one on shift: the offer goes to them.
  const courierId = await f.staffId('courier.a@demo.ocpizza.fr');
  await hub.db.query(
    sql.unsafe`update couriers set last_lat = 48.8657, last_lng = 2.3782 where staff_id = ${courierId}`,
  );
  await hub.db.query(
    sql.unsafe`update couriers set on_shift = false where staff_id = ${await f.staffId('courier2.a@demo.ocpizza.fr')}`,
  );
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.close();
  await stripe?.close();
  await maps?.close();
});

/** A customer's phone: Stripe.js is the loopback fake, served where production loads the real one. */
async function phone(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: SCREEN.phone,
    locale: 'fr-FR',
    isMobile: true,
    hasTouch: true,
  });
  context.setDefaultTimeout(60_000);
  // Nothing may leave the machine: any outside request fails the test. (Routes registered later
  // run first, so Stripe.js, registered next, is served by the fake.)
  const outside: string[] = [];
  await context.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => {
    outside.push(route.request().url());
    return route.abort();
  });
  await context.route(STRIPE_JS_URL_PATTERN, (route) =>
    route.fulfill({ contentType: 'text/javascript', body: fakeStripeJsSource(stripe.url) }),
  );
  context.on('close', () => {
    if (outside.length > 0) console.error('outside requests', outside);
    expect(outside).toEqual([]);
  });
  return { context, page: await context.newPage() };
}

const current = (page: Page, status: string) =>
  page.locator(`[data-testid="stage-${status}"][aria-current="step"]`).waitFor();

describe('customer site (phone, Chromium)', () => {
  it('a guest orders two pizzas for delivery, pays online and watches every stage live', async () => {
    const { context, page } = await phone();
    await page.goto(`${hub.baseUrl}/`);
    await page.getByTestId('home-mode-delivery').click();
    await page.getByTestId('search-line1').fill(home.line1);
    await page.getByTestId('search-postcode').fill(home.postcode);
    await page.getByTestId('search-city').fill(home.city);
    await page.getByTestId('search-submit').click();
    await page.getByTestId('choose-paris-oberkampf').click();

    await page.getByTestId('product-reine').waitFor();
    await page.getByTestId('add-reine').click();
    await page.getByTestId('add-margherita').click();
    await page.getByTestId('cart-count').first().waitFor();
    await screenshot(page, 'customer-menu');

    // The cart's minus is a real "−" that only takes one off (none left to take at 1); deleting the
    // line is the trash, labelled as such.
    await page.getByTestId('add-reine').click();
    await page.getByTestId('cart-bar-view').click();
    const minus = page.getByTestId('cart-dec-reine');
    await minus.waitFor();
    expect(await minus.textContent()).toContain('−');
    expect(await minus.getAttribute('aria-label')).toBe('Un de moins : Reine');
    expect(await page.getByTestId('cart-remove-reine').getAttribute('aria-label')).toBe(
      'Supprimer Reine du panier',
    );
    await minus.click();
    await page.locator('[data-testid="cart-qty-reine"]', { hasText: '1' }).waitFor();
    expect(await minus.isDisabled()).toBe(true);
    await page.getByTestId('cart').scrollIntoViewIfNeeded();
    await screenshot(page, 'customer-cart-stepper');

    await page.getByTestId('cart-bar-checkout').click();
    await page.getByTestId('checkout-form').waitFor();
    await page.getByTestId('checkout-line1').fill(home.line1);
    await page.getByTestId('checkout-postcode').fill(home.postcode);
    await page.getByTestId('checkout-city').fill(home.city);
    await page.getByTestId('checkout-name').fill('Inès Moreau');
    await page.getByTestId('checkout-phone').fill('06 22 33 44 55');
    await page.getByTestId('checkout-email').fill('ines@example.fr');
    await page.getByTestId('pay-card_online').check();
    await screenshot(page, 'customer-checkout');
    await page.getByTestId('checkout-submit').click();

    // The payment step: the Payment Element (fake Stripe.js), a card, and pay.
    await page.getByTestId('fake-stripe-card').fill('4242 4242 4242 4242');
    await page.getByTestId('pay-button').click();
    await page.waitForURL(/\/track\/[A-Za-z0-9_-]{43}/);
    const token = new URL(page.url()).pathname.split('/').pop()!;

    // Stripe's signed webhook confirms the payment: the page moves to "received" by itself.
    await current(page, 'received');
    const order = await hub.db.one(
      sql.type(z.object({ id: z.string(), paymentStatus: z.string(), lines: z.number() }))`
        select o.id, o.payment_status as "paymentStatus", (select count(*)::int from order_lines l where l.order_id = o.id) as lines
        from orders o where o.customer_email = 'ines@example.fr'`,
    );
    expect(order).toMatchObject({ paymentStatus: 'paid', lines: 2 });
    expect(
      stripe.webhookDeliveries.filter((d) => d.event.data.object.metadata.order_id === order.id),
    ).toHaveLength(1);

    // The ETA uses Google's route time (9 minutes) from the shop.
    const eta = page.getByTestId('tracking-eta');
    await eta.waitFor();
    expect(await eta.getAttribute('data-source')).toBe('route');

    // The courier has the courier view open (offers go to connected couriers only).
    const courierPhone = await openSocket(hub.baseUrl, { cookie: courier.cookieHeader });
    for (const to of ['preparing', 'baking', 'ready']) {
      expect((await kitchen.post(`/api/orders/${order.id}/transitions`, { to })).status).toBe(200);
      await current(page, to);
    }
    // Once preparing, the page says the order can no longer be changed online.
    await page.getByTestId('locked-notice').waitFor();
    expect(await page.getByTestId('cancel-button').count()).toBe(0);

    expect((await courier.post(`/api/orders/${order.id}/offer/accept`, {})).status).toBe(200);
    expect(
      (await courier.post(`/api/orders/${order.id}/transitions`, { to: 'out_for_delivery' })).status,
    ).toBe(200);
    await current(page, 'out_for_delivery');
    await page.locator('[data-testid="tracking-eta"][data-stage="on_the_way"]').waitFor();

    // The courier's phone shares its position; the marker on the customer's map follows.
    const ack = await courierPhone.socket
      .timeout(10_000)
      .emitWithAck('courier:position', { lat: 48.8601, lng: 2.3712 });
    expect(ack).toMatchObject({ ok: true, data: { accepted: true } });
    await page.locator('[data-testid="map-courier"][data-lat="48.8601"]').waitFor();
    expect(await page.getByTestId('map-courier').getAttribute('data-lng')).toBe('2.3712');
    await screenshot(page, 'customer-tracking-out-for-delivery');
    await page.getByTestId('tracking-map').scrollIntoViewIfNeeded();
    await screenshot(page, 'customer-tracking-map');
    courierPhone.close();

    expect((await courier.post(`/api/orders/${order.id}/transitions`, { to: 'delivered' })).status).toBe(200);
    await page.locator('[data-testid="tracking-status"][data-status="delivered"]').waitFor();
    expect(await page.getByTestId('tracking-eta').count()).toBe(0);
    expect(token).toHaveLength(43);
    // Done, not "under way": every stage ticked, none current, the time it came, nothing "live".
    const done = await page.getByTestId('tracking-done').textContent();
    const deliveredAt = await hub.db.oneFirst(
      sql.type(z.object({ hhmm: z.string() }))`
        select to_char(updated_at at time zone 'Europe/Paris', 'HH24:MI') as hhmm from orders where id = ${order.id}`,
    );
    expect(done).toBe(`Livrée à ${deliveredAt}`);
    expect(await page.locator('[data-testid="tracking-stages"] [data-state="current"]').count()).toBe(0);
    expect(await page.locator('[data-testid="tracking-stages"] [data-state="done"]').count()).toBe(6);
    expect(await page.getByTestId('link-state').count()).toBe(0);
    await page.getByTestId('tracking-code').scrollIntoViewIfNeeded();
    await screenshot(page, 'customer-tracking-delivered');
    // "Commander à nouveau": the same pizzas in the cart of the same pizzeria.
    await page.getByTestId('order-again').click();
    await page.waitForURL(/\/pizzeria\/paris-oberkampf$/);
    await page.getByTestId('cart-bar-view').click();
    await page.locator('[data-testid="cart-qty-reine"]', { hasText: '1' }).waitFor();
    await page.locator('[data-testid="cart-qty-margherita"]', { hasText: '1' }).waitFor();
    await context.close();
  });

  it('a declined card says what to do; another card pays', async () => {
    const { context, page } = await phone();
    const created = await hub.client().post<CreatedOrder>(
      '/api/orders',
      orderBody({
        shopId: shopA,
        lines: [{ productId: await f.productId('diavola'), quantity: 1 }],
        paymentMethod: 'card_online',
      }),
    );
    await page.goto(`${hub.baseUrl}/paiement/${created.body.trackingToken}`);
    await page.getByTestId('fake-stripe-card').fill('4000 0000 0000 0002');
    await page.getByTestId('pay-button').click();
    const error = page.getByTestId('payment-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/refusée/i);
    await page.getByTestId('fake-stripe-card').fill('4242 4242 4242 4242');
    await page.getByTestId('pay-button').click();
    await page.waitForURL(/\/track\//);
    await current(page, 'received');
    await context.close();
  });

  it('cancelling: accepted before the kitchen starts, with the refund recorded', async () => {
    const { context, page } = await phone();
    const created = await hub.client().post<CreatedOrder>(
      '/api/orders',
      orderBody({
        shopId: shopA,
        lines: [{ productId: await f.productId('calzone'), quantity: 1 }],
        paymentMethod: 'card_online',
      }),
    );
    const token = created.body.trackingToken;
    const start = await hub.client().post<PaymentStart>(`/api/orders/track/${token}/payment`, {});
    stripe.succeed(start.body.paymentIntentId);
    await stripe.nextDelivery((d) => d.event.data.object.id === start.body.paymentIntentId);

    await page.goto(`${hub.baseUrl}/track/${token}`);
    await current(page, 'received');
    await page.getByTestId('cancel-button').click();
    await page.getByTestId('cancel-reason').fill('Invités annulés');
    await page.getByTestId('cancel-confirm').click();
    await page.locator('[data-testid="tracking-status"][data-status="cancelled"]').waitFor();
    // The refund is made after the cancellation commits; its event reaches the page.
    await page.getByTestId('refunded').waitFor();
    expect(stripe.refunds.filter((r) => r.payment_intent === start.body.paymentIntentId)).toHaveLength(1);
    const refund = await hub.db.one(
      sql.type(z.object({ status: z.string(), amountCents: z.number() }))`
        select status, amount_cents as "amountCents" from refunds where order_id = ${created.body.order.id}`,
    );
    expect(refund).toEqual({ status: 'succeeded', amountCents: created.body.order.totals.totalCents });
    await context.close();
  });

  it('two phones on the same menu: the last possible pizza ordered on one is sold out on the other', async () => {
    // Leave goat cheese for exactly one chèvre-miel (70 g each).
    const manager = await hub.staff('manager.a@demo.ocpizza.fr');
    const chevre = await hub.db.oneFirst(
      sql.type(z.object({ id: z.number() }))`select id from ingredients where name = 'Bûche de chèvre'`,
    );
    const level = await f.stock(shopA, chevre);
    const adjust = await manager.post(`/api/shops/${shopA}/stock/movements`, {
      kind: 'adjustment',
      ingredientId: chevre,
      quantity: 70 - (level.onHand - level.reserved),
      note: 'test: one chèvre-miel left',
    });
    expect(adjust.status).toBe(201);

    const first = await phone();
    const second = await phone();
    for (const { page } of [first, second]) {
      await page.goto(`${hub.baseUrl}/pizzeria/paris-oberkampf`);
      await page.locator('[data-testid="product-chevre-miel"][data-available="1"]').waitFor();
    }
    await first.page.getByTestId('add-chevre-miel').click();
    await first.page.getByTestId('cart-bar-checkout').click();
    await first.page.getByTestId('mode-pickup').click();
    await first.page.getByTestId('checkout-name').fill('Jules Bernard');
    await first.page.getByTestId('checkout-phone').fill('06 98 76 54 32');
    await first.page.getByTestId('pay-at_counter').check();
    await first.page.getByTestId('checkout-submit').click();
    await first.page.waitForURL(/\/track\//);

    // The other phone never reloaded: its menu hears of the stock and shows the pizza sold out.
    await second.page.getByTestId('soldout-chevre-miel').waitFor();
    expect(await second.page.getByTestId('add-chevre-miel').isDisabled()).toBe(true);
    await first.context.close();
    await second.context.close();
  });
});
