import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, KitchenSnapshot } from '../../hub/src/contract/index.js';
import { launchBrowser, screenshot, staffPage } from '../helpers/browser.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody, orderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

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

async function place(body: Parameters<typeof orderBody>[0]): Promise<CreatedOrder> {
  const res = await hub.client().post<CreatedOrder>('/api/orders', orderBody(body));
  expect(res.status).toBe(201);
  return res.body;
}

describe('kitchen board in Chromium', () => {
  it('shows a new order live, bumps it on one board and the other board of the shop follows; another shop sees nothing', async () => {
    const one = await staffPage(browser, hub.baseUrl, 'kitchen.a@demo.ocpizza.fr', { path: '/kitchen' });
    const two = await staffPage(browser, hub.baseUrl, 'kitchen.a@demo.ocpizza.fr', { path: '/kitchen' });
    const other = await staffPage(browser, hub.baseUrl, 'kitchen.b@demo.ocpizza.fr', { path: '/kitchen' });
    for (const p of [one.page, two.page, other.page]) await p.getByText('En direct').waitFor();

    const order = await place({
      shopId: shopA,
      lines: [{ productId: await f.productId('reine'), quantity: 2, notes: 'bien cuite' }],
    });
    const code = order.order.shortCode;
    const ticketOne = one.page.getByTestId(`ticket-${code}`);
    await ticketOne.waitFor();
    await expect.poll(() => ticketOne.getAttribute('data-mark')).toBe('new');
    await two.page.getByTestId(`ticket-${code}`).waitFor();
    await expect(ticketOne.textContent()).resolves.toContain('bien cuite');

    await one.page.getByTestId(`bump-${code}`).click();
    await two.page.locator(`[data-testid="ticket-${code}"][data-status="preparing"]`).waitFor();
    await one.page.locator(`[data-testid="ticket-${code}"][data-status="preparing"]`).waitFor();

    // The other shop's board got nothing: its ticket list is still empty after the same events.
    await other.page.getByText('Aucune commande en cours').waitFor();
    expect(await other.page.getByTestId(`ticket-${code}`).count()).toBe(0);
    for (const c of [one, two, other]) await c.context.close();
  });

  it('two boards bumping the same ticket at once: one wins, the other is told, applied once', async () => {
    // Each board's tap reaches the hub only once both boards have tapped: both carry the version
    // they saw. Without this, on a busy machine the first bump's event could reach the second
    // board before its tap, which then (rightly) bumps the ticket on to the oven.
    const taps: Array<() => void> = [];
    const holdTaps = (context: BrowserContext) =>
      context.routeWebSocket(/\/socket\.io\//, (ws) => {
        const server = ws.connectToServer();
        ws.onMessage((message) => {
          if (typeof message !== 'string' || !message.includes('order:transition')) {
            server.send(message);
            return;
          }
          taps.push(() => server.send(message));
          if (taps.length === 2) for (const send of taps.splice(0)) send();
        });
      });
    const one = await staffPage(browser, hub.baseUrl, 'kitchen.a@demo.ocpizza.fr', {
      path: '/kitchen',
      prepare: holdTaps,
    });
    const two = await staffPage(browser, hub.baseUrl, 'kitchen.a@demo.ocpizza.fr', {
      path: '/kitchen',
      prepare: holdTaps,
    });
    const order = await place({
      shopId: shopA,
      lines: [{ productId: await f.productId('margherita'), quantity: 1 }],
    });
    const code = order.order.shortCode;
    for (const p of [one.page, two.page]) await p.getByTestId(`bump-${code}`).waitFor();
    await Promise.all([
      one.page.getByTestId(`bump-${code}`).click(),
      two.page.getByTestId(`bump-${code}`).click(),
    ]);
    // Exactly one board is told someone else was first.
    const told = await Promise.race([
      one.page
        .getByText('déjà été passé sur un autre écran')
        .waitFor()
        .then(() => 'one'),
      two.page
        .getByText('déjà été passé sur un autre écran')
        .waitFor()
        .then(() => 'two'),
    ]);
    expect(['one', 'two']).toContain(told);
    expect(await f.order(order.order.id)).toEqual({ status: 'preparing', version: 2 });
    for (const c of [one, two]) await c.context.close();
  });

  it('a customer cancellation shows as cancelled until a cook dismisses it', async () => {
    const board = await staffPage(browser, hub.baseUrl, 'kitchen.a@demo.ocpizza.fr', { path: '/kitchen' });
    const order = await place({
      shopId: shopA,
      lines: [{ productId: await f.productId('calzone'), quantity: 1 }],
    });
    const ticket = board.page.getByTestId(`ticket-${order.order.shortCode}`);
    await ticket.waitFor();
    const cancel = await hub
      .client()
      .post(`/api/orders/track/${order.trackingToken}/cancel`, { reason: 'erreur' });
    expect(cancel.status).toBe(200);
    await board.page
      .locator(`[data-testid="ticket-${order.order.shortCode}"][data-mark="cancelled"]`)
      .waitFor();
    await expect(ticket.textContent()).resolves.toContain('ANNULÉE');
    await ticket.getByRole('button', { name: 'Vu' }).click();
    await ticket.waitFor({ state: 'detached' });
    await board.context.close();
  });

  it('shows the recipe card of a pizza, large', async () => {
    const board = await staffPage(browser, hub.baseUrl, 'kitchen.a@demo.ocpizza.fr', { path: '/kitchen' });
    const order = await place({
      shopId: shopA,
      lines: [{ productId: await f.productId('margherita'), quantity: 3 }],
    });
    const ticket = board.page.getByTestId(`ticket-${order.order.shortCode}`);
    await ticket.getByRole('button', { name: 'Margherita' }).click();
    const card = board.page.getByTestId('recipe-card');
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain('Étaler le pâton');
    // Runs in the page: the browser's own getComputedStyle (this file is type-checked without DOM types).
    const fontSize = await card.evaluate((el) => {
      const view = globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } };
      return parseFloat(view.getComputedStyle(el).fontSize);
    });
    expect(fontSize).toBeGreaterThanOrEqual(28);
    await board.context.close();
  });

  it('a busy evening, for the screenshot: about 15 tickets in every state, one late, one modified', async () => {
    const manager = await hub.staff('manager.a@demo.ocpizza.fr');
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const products = [
      'margherita',
      'reine',
      'quatre-fromages',
      'calzone',
      'diavola',
      'vegetarienne',
      'savoyarde',
      'chevre-miel',
    ];
    const ids = await Promise.all(products.map((p) => f.productId(p)));
    const soon = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
    const placed: CreatedOrder[] = [];
    for (let i = 0; i < 14; i++) {
      const body = {
        shopId: shopA,
        channel: (['web', 'phone', 'counter'] as const)[i % 3],
        lines: [
          {
            productId: ids[i % ids.length]!,
            quantity: 1 + (i % 3),
            ...(i % 4 === 0 ? { notes: 'sans oignons' } : {}),
          },
          ...(i % 2 ? [{ productId: ids[(i + 3) % ids.length]!, quantity: 1 }] : []),
        ],
        promisedAt: soon(6 + i * 3),
        customer: {
          name: ['Léa Petit', 'Hugo Moreau', 'Chloé Laurent', 'Nathan Simon', 'Inès Michel'][i % 5]!,
          phone: '06 11 22 33 44',
        },
      };
      const staffChannel = body.channel !== 'web';
      const res =
        i % 2
          ? await (staffChannel ? manager : hub.client()).post<CreatedOrder>(
              '/api/orders',
              deliveryOrderBody(body),
            )
          : await (staffChannel ? manager : hub.client()).post<CreatedOrder>('/api/orders', orderBody(body));
      expect(res.status).toBe(201);
      placed.push(res.body);
    }
    // One already late: placed "earlier", its promised time passed.
    await hub.db.query(
      (await import('../../hub/src/adapters/postgres.js')).sql.unsafe`
        update orders set promised_at = now() - interval '4 minutes', created_at = now() - interval '31 minutes'
        where id = ${placed[0]!.order.id}`,
    );
    const board = await staffPage(browser, hub.baseUrl, 'kitchen.a@demo.ocpizza.fr', { path: '/kitchen' });
    await board.page.getByText('En direct').waitFor();
    for (const [i, o] of placed.entries()) {
      const steps = (['preparing', 'baking', 'ready'] as const).slice(0, i % 4);
      for (const to of steps) await kitchen.post(`/api/orders/${o.order.id}/transitions`, { to });
    }
    // One modified by its customer after it reached the board.
    const modified = placed[4]!;
    await hub.client().patch(`/api/orders/track/${modified.trackingToken}`, {
      lines: [{ productId: ids[1]!, quantity: 2, notes: 'pâte fine' }],
    });
    await board.page
      .locator(`[data-testid="ticket-${modified.order.shortCode}"][data-mark="modified"]`)
      .waitFor();
    const snapshot = await kitchen.get<KitchenSnapshot>(`/api/shops/${shopA}/kitchen`);
    await expect
      .poll(() => board.page.locator('[data-testid^="ticket-"]').count())
      .toBe(snapshot.body.orders.length);
    expect(snapshot.body.orders.length).toBeGreaterThanOrEqual(14);
    // Dismiss the "new" highlights, as cooks would, except the modified one.
    for (const o of placed) {
      if (o === modified) continue;
      const seen = board.page.getByTestId(`ticket-${o.order.shortCode}`).getByRole('button', { name: 'Vu' });
      if (await seen.count()) await seen.click();
    }
    await board.page.locator(`[data-testid="ticket-${placed[0]!.order.shortCode}"]`).waitFor();
    await screenshot(board.page, 'kitchen-board');
    await board.context.close();
  });
});
