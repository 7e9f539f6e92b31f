import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, KitchenSnapshot } from '../../hub/src/contract/index.js';
import { launchBrowser, staffPage } from '../helpers/browser.js';
import { facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let database: TestDatabase;
let browser: Browser;
const hubs: TestHub[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const h of hubs) await h.close().catch(() => {});
  await database?.drop();
});

async function hubOn(port?: number): Promise<TestHub> {
  const h = await startTestHub({ database, ...(port ? { port } : {}) });
  hubs.push(h);
  return h;
}

describe('kitchen board through an outage', () => {
  it('shows stale while its hub is down, then exactly the right board again, with what happened meanwhile', async () => {
    const first = await hubOn();
    const other = await hubOn(); // a second node on the same database keeps taking orders
    const f = facts(first.db);
    const shopA = await f.shopId('A');
    const reine = await f.productId('reine');
    const place = async (via: TestHub) =>
      (
        await via
          .client()
          .post<CreatedOrder>(
            '/api/orders',
            orderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
          )
      ).body;

    const before = await place(first);
    const board = await staffPage(browser, first.baseUrl, 'kitchen.a@demo.ocpizza.fr', { path: '/kitchen' });
    await board.page.getByTestId(`ticket-${before.order.shortCode}`).waitFor();
    await board.page.getByText('En direct').waitFor();

    // The board's hub goes down.
    const port = first.port;
    await first.close();
    hubs.splice(hubs.indexOf(first), 1);
    await board.page.getByTestId('link-state').getByText('Reconnexion').waitFor();
    await board.page
      .getByTestId('link-state')
      .getByText('Données figées depuis')
      .waitFor({ timeout: 30_000 });

    // Meanwhile, through the other node: a new order, and the old one bumped twice.
    const kitchen = await other.staff('kitchen.a@demo.ocpizza.fr');
    const during = await place(other);
    await kitchen.post(`/api/orders/${before.order.id}/transitions`, { to: 'preparing' });
    await kitchen.post(`/api/orders/${before.order.id}/transitions`, { to: 'baking' });

    // The hub comes back on the same address: the board resumes by itself, no reload.
    await hubOn(port);
    await board.page.getByText('En direct').waitFor({ timeout: 30_000 });
    await board.page.getByTestId(`ticket-${during.order.shortCode}`).waitFor();
    await board.page
      .locator(`[data-testid="ticket-${before.order.shortCode}"][data-status="baking"]`)
      .waitFor();

    // And it is exactly the truth: the same tickets, in the same states, as a fresh snapshot.
    const truth = await kitchen.get<KitchenSnapshot>(`/api/shops/${shopA}/kitchen`);
    const expected = truth.body.orders.map((o) => `${o.shortCode}:${o.status}`).sort();
    const shown = await board.page
      .locator('[data-testid^="ticket-"]')
      .evaluateAll((els) =>
        els.map((e) => `${e.getAttribute('data-testid')!.slice(7)}:${e.getAttribute('data-status')}`),
      );
    expect(shown.sort()).toEqual(expected);
    await board.context.close();
  });
});
