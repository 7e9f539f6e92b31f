import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

const SECRET = '/admin-Jr6tPz2mWq9sLe4x';

let hub: TestHub;
let browser: Browser;

beforeAll(async () => {
  hub = await startTestHub({ env: { SECRET_ADMIN_URL: SECRET } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

/** A fresh browser that records every request it makes and every console error (CSP refusals land there). */
async function docsBrowser(): Promise<{
  context: BrowserContext;
  page: Page;
  requests: URL[];
  errors: string[];
}> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  context.setDefaultTimeout(60_000);
  const requests: URL[] = [];
  const errors: string[] = [];
  context.on('request', (request) => requests.push(new URL(request.url())));
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, requests, errors };
}

describe('the API docs page at /api/docs in Chromium', () => {
  it('renders the document from the hub alone: every request stays on loopback, nothing refused by the CSP', async () => {
    const { context, page, requests, errors } = await docsBrowser();
    await page.goto(`${hub.baseUrl}/api/docs`);
    await page.getByRole('heading', { name: /OC Pizza hub API/ }).waitFor();
    for (const tag of ['Shops and menu', 'Orders', 'Tracking link', 'Payments', 'Snapshots', 'Operations']) {
      await page.locator('.opblock-tag', { hasText: tag }).first().waitFor();
    }
    // The public document has no back-office.
    expect(await page.locator('.opblock-tag', { hasText: 'Back-office' }).count()).toBe(0);

    // Placing an order: the request body example and the error codes of the contract.
    const createOrder = page.locator('#operations-Orders-postOrders');
    await createOrder.locator('.opblock-summary').click();
    await createOrder.getByText('Camille Durand').first().waitFor();
    await createOrder.getByText('stock/insufficient').first().waitFor();
    await page.locator('#api-docs').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'api-docs');
    await createOrder.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'api-docs-create-order');

    // "Try it out" calls the hub itself.
    const shops = page.locator('#operations-Shops_and_menu-getShops');
    await shops.locator('.opblock-summary').click();
    await shops.getByRole('button', { name: 'Try it out' }).click();
    await shops.getByRole('button', { name: 'Execute' }).click();
    await shops.locator('.live-responses-table .response-col_status', { hasText: '200' }).waitFor();
    await shops.getByText('OC Pizza Oberkampf').first().waitFor();

    expect(requests.length).toBeGreaterThan(3);
    expect(requests.filter((u) => u.hostname !== '127.0.0.1').map(String)).toEqual([]);
    expect(requests.map((u) => u.pathname)).toContain('/api/docs/assets/swagger-ui-bundle.js');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the back-office operations to a logged-in admin, never the secret page path', async () => {
    const { context, page, requests, errors } = await docsBrowser();
    const login = await context.request.post(`${hub.baseUrl}/api/auth/login`, {
      data: { email: 'admin@demo.ocpizza.fr', password: 'pizza-demo-2026' },
    });
    expect(login.status()).toBe(200);
    await page.goto(`${hub.baseUrl}/api/docs`);
    const backOffice = page.locator('.opblock-tag', { hasText: 'Back-office' });
    await backOffice.waitFor();
    await page.locator('#operations-Back-office-patchAdminProductsByProductId').waitFor();
    expect(await page.content()).not.toContain(SECRET.slice(1));
    expect(requests.filter((u) => u.hostname !== '127.0.0.1').map(String)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
