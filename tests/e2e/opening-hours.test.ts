import type { Browser, BrowserContext, Page } from 'playwright-core';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpeningHours } from '../../hub/src/contract/index.js';
import { parisDate } from '../../hub/src/domain/opening-hours.js';
import { fromParisWallTime } from '../../hub/src/domain/paris-time.js';
import { launchBrowser, SCREEN, screenshot } from '../helpers/browser.js';
import { facts, type Facts } from '../helpers/facts.js';
import { sql, startTestHub, type TestHub } from '../helpers/test-hub.js';

const SECRET = '/admin-hours-e2e-Rt5Gm1Xc';
const DAY_MS = 24 * 3600_000;

// A Wednesday some weeks ahead, at 04:00 in Paris: every shop closed. The hub and the browsers
// share that clock, so the test sees the same thing at whatever hour it runs.
function wednesdayAhead(): { y: number; m: number; d: number } {
  for (let t = Date.now() + 21 * DAY_MS; ; t += DAY_MS) {
    const d = new Date(t);
    if (d.getUTCDay() === 3) return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
  }
}
const wed = wednesdayAhead();
const at = (dayOffset: number, hour: number, minute = 0) =>
  fromParisWallTime(wed.y, wed.m, wed.d + dayOffset, hour, minute);
const NOW = at(0, 4);

const HOURS: OpeningHours = {
  '1': ['11:30-14:30', '18:30-22:30'],
  '2': ['11:30-14:30', '18:30-22:30'],
  '3': ['11:30-14:30', '18:30-22:30'],
  '4': ['11:30-14:30', '18:30-23:00'],
  '5': ['11:30-14:30', '18:30-23:30'],
  '6': ['12:00-15:00', '18:30-23:30'],
  '7': ['18:30-22:30'],
};

let hub: TestHub;
let f: Facts;
let browser: Browser;
let shopA: number;

beforeAll(async () => {
  hub = await startTestHub({ clock: { now: () => NOW }, env: { SECRET_ADMIN_URL: SECRET } });
  f = facts(hub.db);
  shopA = await f.shopId('A');
  const manager = await hub.staff('manager.a@demo.ocpizza.fr');
  expect((await manager.patch(`/api/admin/shops/${shopA}`, { openingHours: HOURS })).status).toBe(200);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

async function withClock(context: BrowserContext): Promise<Page> {
  await context.clock.setFixedTime(NOW);
  context.setDefaultTimeout(60_000);
  return context.newPage();
}

async function phone(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: SCREEN.phone,
    locale: 'fr-FR',
    isMobile: true,
    hasTouch: true,
  });
  return { context, page: await withClock(context) };
}

describe('opening hours in Chromium', () => {
  it('at 04:00 the site says "Fermé — ouvre à 11:30", offers the next slots, and the order for 11:45 goes through', async () => {
    const { context, page } = await phone();
    await page.goto(`${hub.baseUrl}/pizzeria/paris-oberkampf`);
    await expect(page.getByTestId('shop-hours').textContent()).resolves.toContain('Fermé — ouvre à 11:30');
    const notice = page.getByTestId('shop-closed-notice');
    await notice.waitFor();
    const slots = notice.getByTestId('shop-next-slot');
    await expect(slots.allTextContents()).resolves.toEqual([
      'Aujourd’hui vers 11:30',
      'Aujourd’hui vers 11:45',
      'Aujourd’hui vers 12:00',
      'Aujourd’hui vers 12:15',
    ]);
    await page.getByTestId('add-margherita').click();
    await page.getByTestId('cart-count').first().waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'customer-shop-closed');

    // A slot chosen on the shop page is the checkout's time; "as soon as possible" is not offered.
    await slots.nth(1).click();
    await page.getByTestId('checkout-form').waitFor();
    const when = page.getByTestId('checkout-when');
    await expect(when.locator('option').first().textContent()).resolves.toBe('Aujourd’hui vers 11:30');
    expect(await when.locator('option[value="asap"]').count()).toBe(0);
    await page.getByTestId('mode-pickup').click();
    await page.getByTestId('checkout-name').fill('Léa Garnier');
    await page.getByTestId('checkout-phone').fill('06 11 22 33 44');
    await page.getByTestId('pay-at_counter').check();
    await expect(when.inputValue()).resolves.toMatch(/T11:45:00\+0[12]:00$/);
    await page.getByTestId('checkout-closed').scrollIntoViewIfNeeded();
    await screenshot(page, 'customer-checkout-closed');
    await page.getByTestId('checkout-submit').click();
    await page.waitForURL(/\/track\//);
    const promised = await hub.db.oneFirst(sql.type(z.object({ at: z.string() }))`
      select to_char(promised_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
      from orders where shop_id = ${shopA} order by created_at desc limit 1`);
    expect(promised).toBe(at(0, 11, 45).toISOString());
    await context.close();
  });

  it('a manager adds a closure in the back-office; the site then says so and offers the day after', async () => {
    const context = await browser.newContext({ viewport: SCREEN.kitchen, locale: 'fr-FR' });
    const page = await withClock(context);
    await page.goto(`${hub.baseUrl}${SECRET}/shops/${shopA}`);
    await page.fill('input[name=email]', 'manager.a@demo.ocpizza.fr');
    await page.fill('input[name=password]', 'pizza-demo-2026');
    await page.click('button[type=submit]');
    const closures = page.getByTestId('closures');
    await closures.getByTestId('closures-none').waitFor();

    // A closure ending before it starts is refused, field by field, and nothing is added.
    const form = closures.getByTestId('closure-form');
    await form.locator('input[name=startsOn]').fill(parisDate(at(1, 12)));
    await form.locator('input[name=endsOn]').fill(parisDate(at(0, 12)));
    await form.getByTestId('closure-add').click();
    await closures.getByText('the closure ends before it starts').waitFor();
    expect(await closures.getByTestId('closure-row').count()).toBe(0);

    await form.locator('input[name=startsOn]').fill(parisDate(at(0, 12)));
    await form.locator('input[name=endsOn]').fill('');
    await form.locator('input[name=reason]').fill('Inventaire');
    await form.getByTestId('closure-add').click();
    await closures.getByTestId('closure-row').waitFor();
    await expect(closures.getByTestId('closure-row').textContent()).resolves.toContain('Inventaire');
    await page.getByTestId('audit').getByText('Fermeture ajoutée').waitFor();
    await closures.scrollIntoViewIfNeeded();
    await screenshot(page, 'back-office-closures');
    await context.close();

    const customer = await phone();
    await customer.page.goto(`${hub.baseUrl}/pizzeria/paris-oberkampf`);
    const notice = customer.page.getByTestId('shop-closed-notice');
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toContain('Fermeture exceptionnelle : Inventaire');
    await expect(customer.page.getByTestId('shop-hours').textContent()).resolves.toContain(
      'Fermé — ouvre demain à 11:30',
    );
    await expect(notice.getByTestId('shop-next-slot').first().textContent()).resolves.toBe(
      'Demain vers 11:30',
    );
    await screenshot(customer.page, 'customer-shop-closure');
    await customer.context.close();
  });

  it('the counter screen says the website is closed (staff may still enter orders)', async () => {
    // Staff screens show the time of the machine they run on: a counter in Paris (decisions.md).
    const context = await browser.newContext({
      viewport: SCREEN.kitchen,
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
    });
    const page = await withClock(context);
    await page.goto(`${hub.baseUrl}/login?next=${encodeURIComponent('/counter')}`);
    await page.fill('input[name=email]', 'counter.a@demo.ocpizza.fr');
    await page.fill('input[name=password]', 'pizza-demo-2026');
    await page.click('button[type=submit]');
    const banner = page.getByTestId('counter-web-closed');
    await banner.waitFor();
    // Wednesday is closed since the test above: orders resume on Thursday.
    await expect(banner.textContent()).resolves.toMatch(
      /Site fermé aux commandes \(reprise jeu\. \d+ 11:30\) : le comptoir peut saisir/,
    );
    await screenshot(page, 'counter-web-closed');
    await context.close();
  });
});
