import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../hub/src/adapters/postgres.js';
import type { CreatedOrder } from '../../hub/src/contract/index.js';
import { launchBrowser, screenshot, staffPage } from '../helpers/browser.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody, orderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

/**
 * The kitchen board read from two metres (issue 14): tickets share the whole board whatever their
 * number, the age and the status are large, the age takes the shop's lateness colours, and the board
 * shows the shop's clock even on a device set to another time zone.
 */

let hub: TestHub;
let f: Facts;
let browser: Browser;
let shopA: number;
let board: { context: import('playwright-core').BrowserContext; page: Page };
const placed: CreatedOrder[] = [];

// The colours of TicketCard's .age--* classes, as the browser computes them.
const AGE_COLOUR = {
  on_time: 'rgb(31, 107, 46)',
  due_soon: 'rgb(163, 79, 0)',
  late: 'rgb(192, 16, 10)',
};

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
  shopA = await f.shopId('A');
  browser = await launchBrowser();
});
afterAll(async () => {
  await board?.context.close();
  await browser?.close();
  await hub?.close();
});

const PRODUCTS = ['margherita', 'reine', 'quatre-fromages', 'calzone', 'diavola', 'vegetarienne'];
const NAMES = ['Léa Petit', 'Hugo Moreau', 'Chloé Laurent', 'Nathan Simon', 'Inès Michel'];

async function place(i: number): Promise<CreatedOrder> {
  const ids = await Promise.all(PRODUCTS.map((p) => f.productId(p)));
  const body = {
    shopId: shopA,
    lines: [
      {
        productId: ids[i % ids.length]!,
        quantity: 1 + (i % 3),
        ...(i % 4 === 1 ? { notes: 'sans oignons' } : {}),
      },
      ...(i % 2 ? [{ productId: ids[(i + 2) % ids.length]!, quantity: 1 }] : []),
    ],
    customer: { name: NAMES[i % NAMES.length]!, phone: '06 11 22 33 44', email: 'client@example.fr' },
  };
  const res = await hub
    .client()
    .post<CreatedOrder>('/api/orders', i % 2 ? deliveryOrderBody(body) : orderBody(body));
  expect(res.status).toBe(201);
  placed.push(res.body);
  return res.body;
}

/** Placed `ageMinutes` ago and due `dueInMinutes` from now (negative: already late), in the database. */
async function backdate(order: CreatedOrder, ageMinutes: number, dueInMinutes: number): Promise<void> {
  await hub.db.query(sql.unsafe`
    update orders
       set created_at = now() - make_interval(mins => ${ageMinutes}),
           promised_at = now() + make_interval(mins => ${dueInMinutes})
     where id = ${order.order.id}`);
}

const ticket = (o: CreatedOrder): Locator => board.page.getByTestId(`ticket-${o.order.shortCode}`);

/** Runs in the page: the browser's own getComputedStyle (this file is type-checked without DOM types). */
function computed(locator: Locator): Promise<{ fontSize: number; color: string }> {
  return locator.evaluate((el) => {
    const view = globalThis as unknown as {
      getComputedStyle(e: unknown): { fontSize: string; color: string };
    };
    const style = view.getComputedStyle(el);
    return { fontSize: parseFloat(style.fontSize), color: style.color };
  });
}

async function widthShare(o: CreatedOrder): Promise<number> {
  const all = await board.page.getByTestId('tickets').boundingBox();
  const one = await ticket(o).boundingBox();
  expect(all && one).toBeTruthy();
  return one!.width / all!.width;
}

async function expectReadable(o: CreatedOrder): Promise<void> {
  expect((await computed(ticket(o).getByTestId('age'))).fontSize).toBeGreaterThanOrEqual(48);
  expect((await computed(ticket(o).getByTestId('status'))).fontSize).toBeGreaterThanOrEqual(28);
}

async function showing(count: number): Promise<void> {
  await expect
    .poll(() => board.page.locator('[data-testid^="ticket-"][data-status]').count(), { timeout: 60_000 })
    .toBe(count);
}

describe('kitchen board at 1920x1080, from two metres', () => {
  it('one ticket has the board to itself, its age and status large', async () => {
    await backdate(await place(0), 7, 30);
    board = await staffPage(browser, hub.baseUrl, 'kitchen.a@demo.ocpizza.fr', { path: '/kitchen' });
    await board.page.getByText('En direct').waitFor();
    await showing(1);
    expect(await widthShare(placed[0]!)).toBeGreaterThanOrEqual(0.9);
    await expectReadable(placed[0]!);
    await screenshot(board.page, 'kitchen-board-1');
  });

  it('three side by side, each age in the colour of its lateness', async () => {
    await backdate(await place(1), 31, -4); // promised time passed: late
    await backdate(await place(2), 20, 4); // within the shop's 5-minute warning: due soon
    await board.page.reload();
    await showing(3);
    const boxes = await Promise.all(placed.map((o) => ticket(o).boundingBox()));
    expect(new Set(boxes.map((b) => b!.y)).size).toBe(1); // one row
    for (const o of placed) {
      expect(await widthShare(o)).toBeGreaterThanOrEqual(0.3);
      await expectReadable(o);
    }
    const colour = (o: CreatedOrder) => computed(ticket(o).getByTestId('age')).then((c) => c.color);
    expect(await colour(placed[0]!)).toBe(AGE_COLOUR.on_time);
    expect(await colour(placed[1]!)).toBe(AGE_COLOUR.late);
    expect(await colour(placed[2]!)).toBe(AGE_COLOUR.due_soon);
    await screenshot(board.page, 'kitchen-board-3');
  });

  it('the "nouvelle" banner goes once the ticket is bumped', async () => {
    const fresh = await place(3);
    await board.page.locator(`[data-testid="ticket-${fresh.order.shortCode}"][data-mark="new"]`).waitFor();
    await expect(ticket(fresh).textContent()).resolves.toContain('NOUVELLE');
    await board.page.getByTestId(`bump-${fresh.order.shortCode}`).click();
    await board.page
      .locator(`[data-testid="ticket-${fresh.order.shortCode}"][data-status="preparing"][data-mark=""]`)
      .waitFor();
    expect(await ticket(fresh).getByText('NOUVELLE').count()).toBe(0);
  });

  it('twelve tickets in rows of four, still readable', async () => {
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    for (let i = 4; i < 12; i++) await backdate(await place(i), 2 + i, 10 + i * 2);
    for (const [i, o] of placed.slice(4).entries()) {
      for (const to of (['preparing', 'baking', 'ready'] as const).slice(0, i % 4)) {
        expect((await kitchen.post(`/api/orders/${o.order.id}/transitions`, { to })).status).toBeLessThan(
          300,
        );
      }
    }
    await board.page.reload();
    await showing(12);
    for (const o of placed) {
      expect(await widthShare(o)).toBeGreaterThanOrEqual(0.23);
      await expectReadable(o);
    }
    // All twelve on one screen: nobody scrolls a wall screen with floury hands.
    const fits = await board.page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } })
        .document;
      return (
        doc.documentElement.scrollHeight <= (globalThis as unknown as { innerHeight: number }).innerHeight
      );
    });
    expect(fits).toBe(true);
    await screenshot(board.page, 'kitchen-board-12');
  });

  it('a board on a device set to New York still shows the shop’s (Paris) times', async () => {
    const ny = await staffPage(browser, hub.baseUrl, 'kitchen.a@demo.ocpizza.fr', {
      path: '/kitchen',
      timezoneId: 'America/New_York',
    });
    const late = placed[1]!;
    const ms = await hub.db.oneFirst(
      sql.unsafe`select (extract(epoch from promise_ready_by) * 1000)::float8 as ms from orders where id = ${late.order.id}`,
    );
    const at = new Date(Number(ms));
    const hhmm = (timeZone: string) =>
      new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone }).format(at);
    expect(hhmm('Europe/Paris')).not.toBe(hhmm('America/New_York'));
    const when = ny.page.getByTestId(`ticket-${late.order.shortCode}`).getByTestId('ready-by');
    await expect.poll(() => when.textContent(), { timeout: 60_000 }).toContain(hhmm('Europe/Paris'));
    expect(await when.textContent()).not.toContain(hhmm('America/New_York'));
    // The device really is in New York: its own clock would have said otherwise.
    const deviceZone = await ny.page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(deviceZone).toBe('America/New_York');
    await ny.context.close();
  });
});
