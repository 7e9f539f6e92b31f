import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CreatedOrder, StockSnapshot } from '../../hub/src/contract/index.js';
import { launchBrowser, screenshot, staffPage } from '../helpers/browser.js';
import { facts, type Facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { sql, startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;
let f: Facts;
let browser: Browser;
let shopA: number;
let shopB: number;

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
  shopA = await f.shopId('A');
  shopB = await f.shopId('B');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

const MANAGER_A = 'manager.a@demo.ocpizza.fr';
const KITCHEN_A = 'kitchen.a@demo.ocpizza.fr';

async function stockScreen(email: string, path = '/kitchen/stock') {
  const screen = await staffPage(browser, hub.baseUrl, email, { path });
  await screen.page.getByText('En direct').waitFor();
  return screen;
}

/** "14,5 kg", "400 g": what the screen shows for a quantity in grams. */
function grams(quantity: number): string {
  return quantity >= 1000
    ? `${new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 }).format(quantity / 1000)}\u00a0kg`
    : `${quantity}\u00a0g`;
}

const row = (page: Page, ingredientId: number) => page.getByTestId(`ingredient-${ingredientId}`);
const rowWith = (page: Page, ingredientId: number, attribute: string, value: number | string) =>
  page.locator(`[data-testid="ingredient-${ingredientId}"][${attribute}="${value}"]`);

/** Opens the movement form of an ingredient (managers) and fills it. */
async function recordMovement(
  page: Page,
  ingredientId: number,
  movement: { kind: 'Réception' | 'Correction' | 'Perte'; quantity: number; sign?: '+' | '-'; note?: string },
) {
  await row(page, ingredientId).click();
  const form = page.getByTestId('movement-form');
  await form.waitFor();
  await form.getByRole('button', { name: movement.kind, exact: true }).click();
  if (movement.sign) {
    await form.getByRole('button', { name: movement.sign === '+' ? '+ Ajouter' : '− Retirer' }).click();
  }
  await form.locator('input[name=quantity]').fill(String(movement.quantity));
  await form.locator('input[name=note]').fill(movement.note ?? '');
  await form.getByRole('button', { name: 'Enregistrer' }).click();
  return form;
}

async function place(shopId: number, productId: number, quantity: number): Promise<CreatedOrder> {
  const res = await hub
    .client()
    .post<CreatedOrder>('/api/orders', orderBody({ shopId, lines: [{ productId, quantity }] }));
  expect(res.status).toBe(201);
  return res.body;
}

/** The manager's API, to prepare levels without going through a screen. */
async function waste(shopId: number, ingredientId: number, quantity: number, note = 'préparation du test') {
  const manager = await hub.staff(shopId === shopA ? MANAGER_A : 'manager.b@demo.ocpizza.fr');
  const res = await manager.post(`/api/shops/${shopId}/stock/movements`, {
    kind: 'waste',
    ingredientId,
    quantity,
    note,
  });
  expect(res.status).toBe(201);
}

const available = async (shopId: number, ingredientId: number) => {
  const level = await f.stock(shopId, ingredientId);
  return level.onHand - level.reserved;
};

describe('shop stock screen in Chromium', () => {
  it('a manager records a restock and a waste; the kitchen screen of the shop follows live', async () => {
    const mozza = await f.ingredientId('Mozzarella fior di latte');
    const before = await f.stock(shopA, mozza);
    expect(before.reserved).toBe(0);
    const manager = await stockScreen(MANAGER_A);
    const kitchen = await stockScreen(KITCHEN_A);
    await rowWith(kitchen.page, mozza, 'data-on-hand', before.onHand).waitFor();
    const kitchenUrl = kitchen.page.url();

    const restock = await recordMovement(manager.page, mozza, { kind: 'Réception', quantity: 2500 });
    await restock.waitFor({ state: 'detached' });
    await expect(manager.page.getByTestId('toast').textContent()).resolves.toContain('Réception');
    await rowWith(kitchen.page, mozza, 'data-on-hand', before.onHand + 2500).waitFor();
    await expect(row(kitchen.page, mozza).textContent()).resolves.toContain(grams(before.onHand + 2500));
    expect(await f.stock(shopA, mozza)).toEqual({ onHand: before.onHand + 2500, reserved: 0 });

    const wasted = await recordMovement(manager.page, mozza, {
      kind: 'Perte',
      quantity: 500,
      note: 'Bac tombé',
    });
    await wasted.waitFor({ state: 'detached' });
    await rowWith(kitchen.page, mozza, 'data-on-hand', before.onHand + 2000).waitFor();
    await rowWith(manager.page, mozza, 'data-on-hand', before.onHand + 2000).waitFor();
    await expect(row(kitchen.page, mozza).textContent()).resolves.toContain(grams(before.onHand + 2000));
    expect(await f.stock(shopA, mozza)).toEqual({ onHand: before.onHand + 2000, reserved: 0 });
    const ledger = await hub.db.any(
      sql.type(z.object({ kind: z.string(), quantity: z.number(), note: z.string().nullable() }))`
        select kind, quantity, note from stock_ledger
        where shop_id = ${shopA} and ingredient_id = ${mozza} and kind in ('restock', 'waste')
        order by id desc limit 2`,
    );
    expect(ledger).toEqual([
      { kind: 'waste', quantity: 500, note: 'Bac tombé' },
      { kind: 'restock', quantity: 2500, note: null },
    ]);
    // Live, not reloaded: still the same document.
    expect(kitchen.page.url()).toBe(kitchenUrl);
    for (const s of [manager, kitchen]) await s.context.close();
  });

  it('orders placed through the API lower the pizzas still possible, live, down to 0 in red', async () => {
    const margherita = await f.productId('margherita');
    const basil = await f.ingredientId('Basilic frais');
    const kitchen = await stockScreen(KITCHEN_A);
    const pizza = kitchen.page.getByTestId(`product-${margherita}`);
    const initial = Number(await pizza.getAttribute('data-count'));
    expect(initial).toBeGreaterThan(3);

    await place(shopA, margherita, 2);
    await kitchen.page
      .locator(`[data-testid="product-${margherita}"][data-count="${initial - 2}"]`)
      .waitFor();

    // Leave basil for exactly one margherita (3 g), then order it: none can be made any more.
    await waste(shopA, basil, (await available(shopA, basil)) - 3);
    await kitchen.page.locator(`[data-testid="product-${margherita}"][data-count="1"]`).waitFor();
    await rowWith(kitchen.page, basil, 'data-low', 'true').waitFor();
    await expect(row(kitchen.page, basil).textContent()).resolves.toContain('STOCK BAS');
    await place(shopA, margherita, 1);
    await kitchen.page.locator(`[data-testid="product-${margherita}"][data-count="0"]`).waitFor();
    await expect(pizza.textContent()).resolves.toContain('plus commandable');
    await expect(pizza.textContent()).resolves.toContain('manque : Basilic frais');
    await expect(row(kitchen.page, basil).textContent()).resolves.toContain('ÉPUISÉ');
    // Red, as the hub agrees: one more is refused.
    const color = await pizza.evaluate((el) => {
      const view = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } };
      return view.getComputedStyle(el).backgroundColor;
    });
    expect(color).toBe('rgb(224, 36, 27)');
    const refused = await hub
      .client()
      .post('/api/orders', orderBody({ shopId: shopA, lines: [{ productId: margherita, quantity: 1 }] }));
    expect(refused.status).toBe(409);
    await kitchen.context.close();
  });

  it('the form refuses an adjustment without a reason; with one it applies it signed; hub refusals are told in French', async () => {
    const anchovies = await f.ingredientId("Filets d'anchois à l'huile");
    const before = await f.stock(shopA, anchovies);
    const manager = await stockScreen(MANAGER_A);
    const posts: Request[] = [];
    manager.page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/stock/movements')) posts.push(r);
    });

    const form = await recordMovement(manager.page, anchovies, {
      kind: 'Correction',
      quantity: 100,
      sign: '-',
    });
    const error = manager.page.getByTestId('movement-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain('Indiquez la raison');
    await expect(form.locator('input[name=note]').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(posts).toHaveLength(0);
    expect(await f.stock(shopA, anchovies)).toEqual(before);

    await form.locator('input[name=note]').fill('Comptage du soir');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await form.waitFor({ state: 'detached' });
    await rowWith(manager.page, anchovies, 'data-on-hand', before.onHand - 100).waitFor();
    expect(posts).toHaveLength(1);
    expect(posts[0]!.postDataJSON()).toEqual({
      kind: 'adjustment',
      ingredientId: anchovies,
      quantity: -100,
      note: 'Comptage du soir',
    });
    expect(await f.stock(shopA, anchovies)).toEqual({
      onHand: before.onHand - 100,
      reserved: before.reserved,
    });

    // More waste than there is: the hub refuses, the form says why in French and stays open.
    const tooMuch = await recordMovement(manager.page, anchovies, {
      kind: 'Perte',
      quantity: before.onHand + 1000,
      note: 'Erreur de saisie',
    });
    await manager.page.getByText('Refusé : le stock ne peut pas descendre').waitFor();
    await expect(tooMuch.isVisible()).resolves.toBe(true);
    expect(posts).toHaveLength(2);
    expect(await f.stock(shopA, anchovies)).toEqual({
      onHand: before.onHand - 100,
      reserved: before.reserved,
    });
    await manager.context.close();
  });

  it('a kitchen user sees the levels but no movement form; a manager gets one on the same tap', async () => {
    const oil = await f.ingredientId("Huile d'olive vierge extra");
    const kitchen = await stockScreen(KITCHEN_A);
    const manager = await stockScreen(MANAGER_A);
    for (const p of [kitchen.page, manager.page]) await row(p, oil).click();
    await manager.page.getByTestId('movement-form').waitFor();
    await expect(manager.page.getByText('Touchez un ingrédient pour saisir').count()).resolves.toBe(1);

    await expect(row(kitchen.page, oil).evaluate((el) => el.tagName)).resolves.toBe('DIV');
    await expect(kitchen.page.locator('[data-testid="ingredients"] button').count()).resolves.toBe(0);
    await expect(kitchen.page.getByTestId('movement-form').count()).resolves.toBe(0);
    await expect(kitchen.page.getByText('Touchez un ingrédient pour saisir').count()).resolves.toBe(0);
    await expect(manager.page.locator('[data-testid="ingredients"] button').count()).resolves.toBeGreaterThan(
      30,
    );
    for (const s of [kitchen, manager]) await s.context.close();
  });

  it("an admin follows the shop given by ?shop= and not another shop's changes", async () => {
    const rocket = await f.ingredientId('Roquette fraîche');
    const inB = await f.stock(shopB, rocket);
    const admin = await stockScreen('admin@demo.ocpizza.fr', `/kitchen/stock?shop=${shopB}`);
    await rowWith(admin.page, rocket, 'data-on-hand', inB.onHand).waitFor();
    await expect(admin.page.locator('h1').textContent()).resolves.toContain('Convention');

    // Shop A changes first, then shop B: once B's change shows, A's would have too.
    await waste(shopA, rocket, 50);
    await waste(shopB, rocket, 20);
    await rowWith(admin.page, rocket, 'data-on-hand', inB.onHand - 20).waitFor();
    await expect(row(admin.page, rocket).getAttribute('data-on-hand')).resolves.toBe(String(inB.onHand - 20));
    // Admins record movements too.
    const form = await recordMovement(admin.page, rocket, { kind: 'Réception', quantity: 200 });
    await form.waitFor({ state: 'detached' });
    await rowWith(admin.page, rocket, 'data-on-hand', inB.onHand + 180).waitFor();
    expect((await f.stock(shopB, rocket)).onHand).toBe(inB.onHand + 180);
    await admin.context.close();
  });

  it('a busy evening, for the screenshot: a few ingredients low, orders holding stock', async () => {
    // A few ingredients brought down to low (or out), as after a long service.
    const low: Array<[string, number]> = [
      ['Roquette fraîche', 100],
      ['Gorgonzola AOP', 300],
      ["Huile d'olive vierge extra", 400],
      ['Chorizo fort en tranches', 0],
    ];
    for (const [name, keep] of low) {
      const id = await f.ingredientId(name);
      const left = await available(shopA, id);
      if (left > keep) await waste(shopA, id, left - keep);
    }
    const kitchen = await stockScreen(KITCHEN_A);
    for (const [slug, quantity] of [
      ['reine', 3],
      ['quatre-fromages', 2],
      ['calzone', 2],
      ['savoyarde', 1],
    ] as const) {
      await place(shopA, await f.productId(slug), quantity);
    }
    const snapshot = await (
      await hub.staff(KITCHEN_A)
    ).get<StockSnapshot>(`/api/shops/${shopA}/stock/snapshot`);
    expect(snapshot.status).toBe(200);
    // The screen shows exactly the hub's levels once the orders' reservations arrived.
    for (const item of snapshot.body.items) {
      await rowWith(kitchen.page, item.ingredientId, 'data-available', item.available).waitFor();
    }
    const lowCount = snapshot.body.items.filter((i) => i.low).length;
    expect(lowCount).toBeGreaterThanOrEqual(4);
    await kitchen.page.locator(`[data-testid="low-count"][data-count="${lowCount}"]`).waitFor();
    await screenshot(kitchen.page, 'stock-screen');

    // The manager's form, for the record.
    const manager = await stockScreen(MANAGER_A);
    const gorgonzola = await f.ingredientId('Gorgonzola AOP');
    await row(manager.page, gorgonzola).click();
    const form = manager.page.getByTestId('movement-form');
    await form.getByRole('button', { name: 'Perte', exact: true }).click();
    await form.locator('input[name=quantity]').fill('150');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await manager.page.getByTestId('movement-error').waitFor();
    await screenshot(manager.page, 'stock-screen-movement');
    for (const s of [kitchen, manager]) await s.context.close();
  });
});
