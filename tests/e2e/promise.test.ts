import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, CreateOrderBody } from '../../hub/src/contract/index.js';
import { launchBrowser, SCREEN, screenshot } from '../helpers/browser.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody, orderBody } from '../helpers/orders.js';
import { sql, startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;
let f: Facts;
let browser: Browser;
let shopA: number;

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
  shopA = await f.shopId('A');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

async function place(body: CreateOrderBody): Promise<CreatedOrder> {
  const res = await hub.client().post<CreatedOrder>('/api/orders', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/**
 * A staff screen on a tablet, by default set to the shops' zone (Europe/Paris). Staff screens show
 * the shop's clock whatever the device's zone, so one opened in another zone must still agree.
 */
async function staffPage(
  email: string,
  path: string,
  timezoneId = 'Europe/Paris',
  viewport = SCREEN.kitchen,
) {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', timezoneId });
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  await page.goto(`${hub.baseUrl}/login?next=${encodeURIComponent(path)}`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', 'pizza-demo-2026');
  await page.click('button[type=submit]');
  await page.waitForURL(`${hub.baseUrl}${path}`);
  return { context, page };
}

/** The one HH:MM in a screen's text. */
async function hhmm(page: Page, selector: string): Promise<string> {
  const text = (await page.locator(selector).first().textContent()) ?? '';
  const found = text.match(/\d{2}:\d{2}/);
  expect(found, `no time in "${text}"`).not.toBeNull();
  return found![0];
}

/** HH:MM minus whole minutes, as a clock reads. */
function minus(time: string, minutes: number): string {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const total = (((h * 60 + m - minutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

describe('one promised time, on every screen', () => {
  it('a pick-up and a delivery: the tracking page, the kitchen ticket and the manager board show the same promise', async () => {
    const margherita = await f.productId('margherita');
    const pickup = await place(orderBody({ shopId: shopA, lines: [{ productId: margherita, quantity: 1 }] }));
    const delivery = await place(
      deliveryOrderBody({ shopId: shopA, lines: [{ productId: margherita, quantity: 2 }] }),
    );
    // Stored once at placing: a pick-up is promised for when it is ready; a delivery's kitchen
    // is due the promise minus the route leg (handover + drive).
    expect(pickup.order.promise.readyBy).toBe(pickup.order.promise.at);
    const route = delivery.order.promise.routeMinutes!;
    expect(route).toBeGreaterThan(0);
    expect(
      (Date.parse(delivery.order.promise.at) - Date.parse(delivery.order.promise.readyBy)) / 60_000,
    ).toBe(route);
    // Never the 4-minutes-after-ordering promise of issue 14: at least the 5-minute pass on top of
    // preparation and oven (8 min for this pick-up); the rounding up to 5 minutes, which depends on
    // the clock, only adds to it.
    expect(Date.parse(pickup.order.promise.at) - Date.parse(pickup.order.createdAt)).toBeGreaterThanOrEqual(
      8 * 60_000,
    );

    // The customer's tracking pages, on a phone.
    const phone = await browser.newContext({
      viewport: SCREEN.phone,
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
    });
    phone.setDefaultTimeout(60_000);
    const tracking = await phone.newPage();
    await tracking.goto(`${hub.baseUrl}/track/${delivery.trackingToken}`);
    await tracking.getByTestId('tracking-promise').waitFor();
    expect(await tracking.getByTestId('tracking-promise').textContent()).toContain('Arrivée prévue vers');
    const trackedDelivery = await hhmm(tracking, '[data-testid="tracking-promise"]');
    await tracking.goto(`${hub.baseUrl}/track/${pickup.trackingToken}`);
    await tracking.getByTestId('tracking-promise').waitFor();
    expect(await tracking.getByTestId('tracking-promise').textContent()).toContain('Prête vers');
    const trackedPickup = await hhmm(tracking, '[data-testid="tracking-promise"]');
    await screenshot(tracking, 'promise-tracking');

    // The kitchen board: the ticket is due when the order must be ready.
    const kitchen = await staffPage('kitchen.a@demo.ocpizza.fr', '/kitchen');
    const ticket = (code: string) => `[data-testid="ticket-${code}"] [data-testid="ready-by"]`;
    await kitchen.page.locator(ticket(delivery.order.shortCode)).waitFor();
    const kitchenPickup = await hhmm(kitchen.page, ticket(pickup.order.shortCode));
    const kitchenDelivery = await hhmm(kitchen.page, ticket(delivery.order.shortCode));
    await screenshot(kitchen.page, 'promise-kitchen');

    // The manager board: the promise itself, on a laptop left on New York time (a manager back
    // from a trip): it must still read the shop's clock, not the device's.
    const manager = await staffPage('manager.a@demo.ocpizza.fr', '/manager', 'America/New_York');
    expect(await manager.page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(
      'America/New_York',
    );
    const card = (code: string) => `[data-testid="order-${code}"] .due`;
    await manager.page.locator(card(delivery.order.shortCode)).waitFor();
    const managerPickup = await hhmm(manager.page, card(pickup.order.shortCode));
    const managerDelivery = await hhmm(manager.page, card(delivery.order.shortCode));
    await screenshot(manager.page, 'promise-manager');

    // Pick-up: the same number on all three screens.
    expect(kitchenPickup).toBe(trackedPickup);
    expect(managerPickup).toBe(trackedPickup);
    // Delivery: the customer and the manager see the promise; the kitchen works to promise − route.
    expect(managerDelivery).toBe(trackedDelivery);
    expect(kitchenDelivery).toBe(minus(trackedDelivery, route));

    await phone.close();
    await kitchen.context.close();
    await manager.context.close();
  });

  it('one late order: the manager header never says everything is on time, and its figures agree', async () => {
    const reine = await f.productId('reine');
    const late = await place(orderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }));
    const onTime = await place(orderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }));
    // Placed 40 minutes ago and promised 12 minutes ago: the kitchen fell behind, the promise stays.
    await hub.db.query(sql.unsafe`
      update orders set created_at = now() - interval '40 minutes',
                        promise_at = date_trunc('minute', now()) - interval '12 minutes',
                        promise_ready_by = date_trunc('minute', now()) - interval '12 minutes'
      where id = ${late.order.id}`);

    const manager = await staffPage('manager.a@demo.ocpizza.fr', '/manager');
    const page = manager.page;
    await page.locator(`[data-testid="order-${late.order.shortCode}"][data-late="true"]`).waitFor();
    await page.locator(`[data-testid="order-${onTime.order.shortCode}"][data-late="false"]`).waitFor();
    const badge = page.getByTestId('late-count');
    await expect(badge.getAttribute('data-tone')).resolves.toBe('late_now');
    const lateCards = await page.locator('[data-testid^="order-"][data-late="true"]').count();
    await expect(badge.getAttribute('data-count')).resolves.toBe(String(lateCards));
    const text = (await badge.textContent()) ?? '';
    expect(text).not.toContain('Tout est à l’heure');
    expect(text).toContain(`${lateCards} commande`);
    // The on-time share and its detail are the same figures: nothing delivered yet in this shop today.
    const onTimeFigure = page.getByTestId('figure-on-time');
    const delivered = Number(await onTimeFigure.getAttribute('data-delivered'));
    const ok = Number(await onTimeFigure.getAttribute('data-on-time'));
    expect(await onTimeFigure.textContent()).toContain(`${ok} sur ${delivered}`);
    await screenshot(page, 'manager-header-late');
    await manager.context.close();
  });
});
