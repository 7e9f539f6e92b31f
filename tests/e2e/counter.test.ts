import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, staffPage } from '../helpers/browser.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;
let f: Facts;
let browser: Browser;

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

describe('counter in Chromium', () => {
  it('a phone order entered at the counter reaches the kitchen board; once ready the counter hands it over and it leaves', async () => {
    const shopA = await f.shopId('A');
    // A returning customer: ordered before, with a delivery address.
    await hub.client().post(
      '/api/orders',
      deliveryOrderBody({
        shopId: shopA,
        lines: [{ productId: await f.productId('reine'), quantity: 1 }],
        customer: { name: 'Jules Fontaine', phone: '06 55 44 33 22' },
      }),
    );

    const counter = await staffPage(browser, hub.baseUrl, 'counter.a@demo.ocpizza.fr', { path: '/counter' });
    const kitchen = await staffPage(browser, hub.baseUrl, 'kitchen.a@demo.ocpizza.fr', { path: '/kitchen' });
    const page = counter.page;
    await page.getByText('En direct').waitFor();

    // Recognised by phone: the name and the last delivery address fill by themselves.
    await page.fill('input[name=phone]', '0655443322');
    await page.getByTestId('known-customers').getByText('Jules Fontaine').waitFor();
    await expect.poll(() => page.inputValue('input[name=name]')).toBe('Jules Fontaine');
    await page.getByRole('button', { name: 'Livraison' }).click();
    expect(await page.inputValue('input[name=line1]')).toBe('24 rue de la Roquette');
    expect(await page.inputValue('input[name=postcode]')).toBe('75011');
    await page.getByRole('button', { name: 'À emporter' }).click();
    await page
      .getByTestId('counter-menu')
      .getByRole('button', { name: /Margherita/ })
      .click();
    await page
      .getByTestId('counter-menu')
      .getByRole('button', { name: /Margherita/ })
      .click();
    await page
      .getByTestId('counter-menu')
      .getByRole('button', { name: /Calzone/ })
      .click();
    await page.locator('input.note').first().fill('bien cuite');
    await expect(page.getByTestId('ready-at').textContent()).resolves.toMatch(/Prête vers \d\d:\d\d/);
    await screenshot(page, 'counter-entry');
    await page.getByRole('button', { name: 'Envoyer en cuisine' }).click();
    const sent = await page.getByText(/Commande A-\d{3} envoyée en cuisine/).textContent();
    const code = sent!.match(/A-\d{3}/)![0];

    // The kitchen sees it at once, with the note.
    const ticket = kitchen.page.getByTestId(`ticket-${code}`);
    await ticket.waitFor();
    await expect(ticket.textContent()).resolves.toContain('bien cuite');
    await expect(ticket.textContent()).resolves.toContain('Tél.');
    for (const step of ['Commencer', 'Au four', 'Prête']) {
      await ticket.getByRole('button', { name: new RegExp(step) }).click();
      await ticket.locator('.bump, .waiting').first().waitFor();
    }
    await kitchen.page.locator(`[data-testid="ticket-${code}"][data-status="ready"]`).waitFor();

    // The counter hands it over, collecting cash; the ticket leaves the kitchen board.
    const pass = page.getByTestId(`handover-${code}`);
    await pass.waitFor();
    await expect(pass.textContent()).resolves.toContain('À encaisser');
    await pass.getByRole('button', { name: 'Espèces' }).click();
    await pass.waitFor({ state: 'detached' });
    await ticket.waitFor({ state: 'detached' });
    const order = await hub.db.one(
      (await import('../../hub/src/adapters/postgres.js')).sql.unsafe`
        select status, payment_status as "paymentStatus", channel from orders where short_code = ${code} and shop_id = ${shopA}
        order by created_at desc limit 1`,
    );
    expect(order).toEqual({ status: 'picked_up', paymentStatus: 'paid', channel: 'phone' });
    // A delivery: the address is checked as it is typed (no Maps key here: shown as unverified).
    await page.getByRole('button', { name: 'Livraison' }).click();
    await page.fill('input[name=line1]', '24 rue de la Roquette');
    await page.fill('input[name=postcode]', '75011');
    await page.fill('input[name=city]', 'Paris');
    await expect(page.getByTestId('zone-check').textContent()).resolves.toContain('Adresse non vérifiée');
    for (const c of [counter, kitchen]) await c.context.close();
  });
});
