import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder } from '../../hub/src/contract/index.js';
import { launchBrowser, screenshot, SCREEN, staffPage } from '../helpers/browser.js';
import { facts, type Facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

const SECRET = '/admin-Hn3sW8qYc5tB1vDx';

let hub: TestHub;
let f: Facts;
let browser: Browser;
let shopA: number;

beforeAll(async () => {
  hub = await startTestHub({ env: { SECRET_ADMIN_URL: SECRET } });
  f = facts(hub.db);
  shopA = await f.shopId('A');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

/** Opens the secret path in a fresh browser and logs in with the back-office's own form. */
async function backOffice(
  email: string,
  path = '/menu',
): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: SCREEN.kitchen, locale: 'fr-FR' });
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  await page.goto(`${hub.baseUrl}${SECRET}${path}`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', 'pizza-demo-2026');
  await page.click('button[type=submit]');
  return { page, close: () => context.close() };
}

describe('back-office in Chromium', () => {
  it("a manager edits a recipe's step and quantity; the kitchen's open recipe card shows it without a reload", async () => {
    // A kitchen board of shop A, with a Margherita to make and its recipe card open.
    const board = await staffPage(browser, hub.baseUrl, 'kitchen.a@demo.ocpizza.fr', { path: '/kitchen' });
    await board.page.getByText('En direct').waitFor();
    const order = await hub
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: await f.productId('margherita'), quantity: 2 }] }),
      );
    expect(order.status).toBe(201);
    const ticket = board.page.getByTestId(`ticket-${order.body.order.shortCode}`);
    await ticket.getByRole('button', { name: 'Margherita' }).click();
    const card = board.page.getByTestId('recipe-card');
    await card.getByText('Mozzarella : 120 g déchirée à la main').waitFor();
    await card.getByText('120 g', { exact: true }).waitFor();

    // The manager, at the secret path.
    const manager = await backOffice('manager.a@demo.ocpizza.fr');
    await manager.page.getByRole('link', { name: 'Margherita', exact: true }).click();
    const form = manager.page.getByTestId('product-form');
    // The form is filled once the product is loaded: its steps then exist.
    await form.getByTestId('step-2').waitFor();
    const step = form.getByLabel('Étape 3');
    expect(await step.inputValue()).toBe('Mozzarella : 120 g déchirée à la main');
    await step.fill('Mozzarella : 140 g, déchirée au-dessus de la sauce');
    await form.getByLabel('Quantité de Mozzarella fior di latte').fill('140');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await manager.page.getByTestId('toast').getByText('Enregistré').waitFor();
    // Its change log names who changed what.
    const history = manager.page.getByTestId('audit');
    await history.getByText('Produit modifié').waitFor();
    await expect(history.textContent()).resolves.toContain('Responsable Paris');
    const logged = await history.textContent();
    expect(logged).toMatch(/recette · Mozzarella fior di latte\s*120 g\s*→\s*140 g/);
    expect(logged).toMatch(/étapes · 3\s*Mozzarella : 120 g déchirée à la main\s*→/);

    // The kitchen's card follows, live: same page, no reload.
    await card.getByText('Mozzarella : 140 g, déchirée au-dessus de la sauce').waitFor();
    await card.getByText('140 g', { exact: true }).waitFor();
    await expect(card.textContent()).resolves.not.toContain('120 g déchirée à la main');
    expect(board.page.url()).toBe(`${hub.baseUrl}/kitchen`);

    await screenshot(manager.page, 'back-office-recipe');
    await manager.page.getByRole('link', { name: 'Journal des modifications' }).click();
    await manager.page.getByRole('heading', { name: 'Journal des modifications' }).waitFor();
    await manager.page.getByTestId('audit').getByText('Produit modifié').waitFor();
    await screenshot(manager.page, 'back-office-audit');
    await manager.close();
    await board.context.close();
  });

  it('a field the hub refuses shows its message beside the field, and nothing is saved', async () => {
    const manager = await backOffice('manager.a@demo.ocpizza.fr');
    await manager.page.getByRole('link', { name: 'Reine', exact: true }).click();
    const form = manager.page.getByTestId('product-form');
    await form.getByTestId('step-0').waitFor();
    await form.getByLabel('Étape 1').fill('   ');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await form.getByTestId('step-0').getByRole('alert').waitFor();
    await form.getByTestId('form-failure').getByText('Certains champs sont à corriger.').waitFor();
    await manager.close();
  });

  it('a kitchen account opening the secret path is refused', async () => {
    const kitchen = await staffPage(browser, hub.baseUrl, 'kitchen.a@demo.ocpizza.fr', { path: '/kitchen' });
    await kitchen.page.goto(`${hub.baseUrl}${SECRET}/menu`);
    await kitchen.page.getByTestId('refused').getByText('Accès refusé').waitFor();
    expect(await kitchen.page.getByTestId('product-form').count()).toBe(0);
    expect(await kitchen.page.getByTestId('products').count()).toBe(0);
    // And the API behind it says no to this session.
    const status = await kitchen.page.evaluate(async () => (await fetch('/api/admin/products')).status);
    expect(status).toBe(403);
    await kitchen.context.close();
  });
});
