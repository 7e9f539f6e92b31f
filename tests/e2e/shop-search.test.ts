import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpeningHours } from '../../hub/src/contract/index.js';
import { fromParisWallTime } from '../../hub/src/domain/paris-time.js';
import { launchBrowser, SCREEN, screenshot } from '../helpers/browser.js';
import { facts } from '../helpers/facts.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

/**
 * Issue 14, as a customer meets it on a phone, with no maps key (addresses cannot be placed):
 * a Paris address listed Lyon and Lille. The postcode's area filters and sorts the shops. And
 * "En direct" beside "Fermé" read as "open": the live badge says what is live, and shows only
 * when it matters.
 */
const DAY_MS = 24 * 3600_000;
function wednesdayAhead(): { y: number; m: number; d: number } {
  for (let t = Date.now() + 21 * DAY_MS; ; t += DAY_MS) {
    const d = new Date(t);
    if (d.getUTCDay() === 3) return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
  }
}
const wed = wednesdayAhead();
// 19:30 in Paris on a Wednesday: open; 04:00: closed. Hub and browser share the clock.
const EVENING = fromParisWallTime(wed.y, wed.m, wed.d, 19, 30);
const NIGHT = fromParisWallTime(wed.y, wed.m, wed.d, 4, 0);
const HOURS: OpeningHours = Object.fromEntries(
  ['1', '2', '3', '4', '5', '6', '7'].map((day) => [day, ['11:30-14:30', '18:30-22:30']]),
) as OpeningHours;

let hub: TestHub;
let browser: Browser;
let now = EVENING;

beforeAll(async () => {
  hub = await startTestHub({
    clock: { now: () => now },
    env: { SECRET_ADMIN_URL: '/admin-search-e2e-Qw8Lp2Zt' },
  });
  const f = facts(hub.db);
  const manager = await hub.staff('manager.a@demo.ocpizza.fr');
  const patched = await manager.patch(`/api/admin/shops/${await f.shopId('A')}`, { openingHours: HOURS });
  expect(patched.status).toBe(200);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

async function phoneAt(time: Date): Promise<{ context: BrowserContext; page: Page }> {
  now = time;
  const context = await browser.newContext({
    viewport: SCREEN.phone,
    locale: 'fr-FR',
    isMobile: true,
    hasTouch: true,
  });
  await context.clock.setFixedTime(time);
  context.setDefaultTimeout(60_000);
  return { context, page: await context.newPage() };
}

describe('shop search and the live badge, without a maps key (phone, Chromium)', () => {
  it('a Paris address lists the Paris-area shops only, never Lyon or Lille', async () => {
    const { context, page } = await phoneAt(EVENING);
    await page.goto(`${hub.baseUrl}/`);
    await page.getByTestId('home-mode-delivery').click();
    await page.getByTestId('search-line1').fill('12 rue de Rivoli');
    await page.getByTestId('search-postcode').fill('75004');
    await page.getByTestId('search-city').fill('Paris');
    await page.getByTestId('search-submit').click();
    await page.getByTestId('choose-paris-oberkampf').waitFor();

    const cards = await page
      .locator('[data-testid^="shop-card-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.replace('shop-card-', '')));
    expect(cards.length).toBeGreaterThan(0);
    expect(cards).toContain('paris-oberkampf');
    for (const far of ['lyon-jean-mace', 'lille-vieux-lille', 'bordeaux-chartrons', 'nantes-joffre']) {
      expect(cards).not.toContain(far);
    }
    await page.getByTestId('shop-card-paris-oberkampf').scrollIntoViewIfNeeded();
    await screenshot(page, 'customer-shop-search-postcode');
    await context.close();
  });

  it('an open shop says its availability is live; a closed one shows no live badge at all', async () => {
    const evening = await phoneAt(EVENING);
    await evening.page.goto(`${hub.baseUrl}/pizzeria/paris-oberkampf`);
    await evening.page.getByTestId('product-reine').waitFor();
    // The socket connects after the menu renders: the badge reads "Reconnexion…" until then.
    const live = evening.page.getByTestId('link-state');
    await live.filter({ hasText: 'Disponibilités en direct' }).waitFor();
    await expect(live.textContent()).resolves.toContain('Disponibilités en direct');
    await evening.context.close();

    const night = await phoneAt(NIGHT);
    await night.page.goto(`${hub.baseUrl}/pizzeria/paris-oberkampf`);
    await night.page.getByTestId('product-reine').waitFor();
    await expect(night.page.getByTestId('shop-hours').textContent()).resolves.toContain('Fermé');
    expect(await night.page.getByTestId('link-state').count()).toBe(0);
    await screenshot(night.page, 'customer-shop-closed-no-live-badge');
    await night.context.close();
  });
});
