import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, TrackingSnapshot } from '../../hub/src/contract/index.js';
import { sql } from '../../hub/src/adapters/postgres.js';
import type { ApiClient } from '../helpers/api-client.js';
import { launchBrowser, SCREEN, screenshot, staffPage } from '../helpers/browser.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;
let f: Facts;
let browser: Browser;
let shopA: number;
let kitchen: ApiClient;
let courierId: string;

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
  shopA = await f.shopId('A');
  kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
  courierId = await f.staffId('courier.a@demo.ocpizza.fr');
  // Courier A waits at the door; the second courier is off shift: offers go to A.
  await hub.db.query(
    sql.unsafe`update couriers set last_lat = 48.8657, last_lng = 2.3782 where staff_id = ${courierId}`,
  );
  await hub.db.query(
    sql.unsafe`update couriers set on_shift = false where staff_id = ${await f.staffId('courier2.a@demo.ocpizza.fr')}`,
  );
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

async function readyDelivery(): Promise<CreatedOrder> {
  const created = await hub.client().post<CreatedOrder>(
    '/api/orders',
    deliveryOrderBody({
      shopId: shopA,
      lines: [{ productId: await f.productId('reine'), quantity: 2 }],
      customer: { name: 'Camille Martin', phone: '06 12 34 56 78' },
      deliveryAddress: {
        line1: '24 rue de la Roquette',
        postcode: '75011',
        city: 'Paris',
        instructions: 'Code 4521, 3e étage',
        position: { lat: 48.8549, lng: 2.3736 },
      },
    }),
  );
  for (const to of ['preparing', 'baking', 'ready'])
    await kitchen.post(`/api/orders/${created.body.order.id}/transitions`, { to });
  return created.body;
}

const tracked = async (token: string) =>
  (await hub.client().get<TrackingSnapshot>(`/api/orders/track/${token}/snapshot`)).body.order.status;

describe('courier phone in Chromium', () => {
  // Issue 14: the offer had gone to a courier who was not connected, while a free one saw nothing.
  it('a delivery ready while no courier is connected waits, and is offered the moment a courier opens the view, with a countdown', async () => {
    // Nobody has had the courier view open (first test of the file): nobody is present.
    expect(
      await hub.db.oneFirst(
        sql.unsafe`select count(last_seen_at)::int from couriers where shop_id = ${shopA}`,
      ),
    ).toBe(0);
    const order = await readyDelivery();
    const offered = await hub.db.oneFirst(
      sql.unsafe`select offered_courier_id from orders where id = ${order.order.id}`,
    );
    expect(offered).toBeNull();

    const phone = await staffPage(browser, hub.baseUrl, 'courier.a@demo.ocpizza.fr', {
      path: '/courier',
      viewport: SCREEN.phone,
    });
    const offer = phone.page.getByTestId(`offer-${order.order.shortCode}`);
    await offer.waitFor();
    await expect(offer.getByTestId('offer-countdown').textContent()).resolves.toMatch(
      /^\s*\d+ s pour accepter\s*$/,
    );
    await expect(offer.textContent()).resolves.toContain('24 rue de la Roquette');
    await screenshot(phone.page, 'courier-offer');
    await offer.getByRole('button', { name: 'Accepter' }).click();
    await phone.page.getByTestId(`delivery-${order.order.shortCode}`).waitFor();
    expect(
      await hub.db.oneFirst(sql.unsafe`select courier_id from orders where id = ${order.order.id}`),
    ).toBe(courierId);
    // Delivered, so that the next test starts with nothing in the courier's hands.
    for (const to of ['out_for_delivery', 'delivered'])
      await (
        await hub.staff('courier.a@demo.ocpizza.fr')
      ).post(`/api/orders/${order.order.id}/transitions`, {
        to,
        ...(to === 'delivered' ? { collected: 'cash' } : {}),
      });
    await phone.context.close();
  });

  it('gets the offer live, accepts, picks up, delivers with cash; the customer sees each step; another shop never sees it', async () => {
    const phone = await staffPage(browser, hub.baseUrl, 'courier.a@demo.ocpizza.fr', {
      path: '/courier',
      viewport: SCREEN.phone,
    });
    const other = await staffPage(browser, hub.baseUrl, 'courier.b@demo.ocpizza.fr', {
      path: '/courier',
      viewport: SCREEN.phone,
    });
    for (const p of [phone.page, other.page]) await p.getByText('En direct').waitFor();

    const order = await readyDelivery();
    const code = order.order.shortCode;
    const offer = phone.page.getByTestId(`offer-${code}`);
    await offer.waitFor();
    await offer.getByRole('button', { name: 'Accepter' }).click();

    const card = phone.page.getByTestId(`delivery-${code}`);
    await card.waitFor();
    await expect(card.getByTestId('collect').textContent()).resolves.toContain('Encaisser 23,80');
    await expect(card.getByRole('link', { name: /Itinéraire/ }).getAttribute('href')).resolves.toContain(
      'google.com/maps/dir',
    );
    await card.getByRole('button', { name: 'Commande récupérée' }).click();
    await phone.page.locator(`[data-testid="delivery-${code}"][data-status="out_for_delivery"]`).waitFor();
    expect(await tracked(order.trackingToken)).toBe('out_for_delivery');
    await screenshot(phone.page, 'courier-delivery');

    await card.getByRole('button', { name: 'Livrée — espèces encaissées' }).click();
    await card.waitFor({ state: 'detached' });
    expect(await tracked(order.trackingToken)).toBe('delivered');
    expect(
      await hub.db.oneFirst(sql.unsafe`select payment_status from orders where id = ${order.order.id}`),
    ).toBe('paid');

    await other.page.getByText('Aucune livraison').waitFor();
    expect(await other.page.getByTestId(`offer-${code}`).count()).toBe(0);
    for (const c of [phone, other]) await c.context.close();
  });

  it('delivered tapped without signal is shown pending, then sent once when the signal is back', async () => {
    const phone = await staffPage(browser, hub.baseUrl, 'courier.a@demo.ocpizza.fr', {
      path: '/courier',
      viewport: SCREEN.phone,
    });
    await phone.page.getByText('En direct').waitFor();
    const order = await readyDelivery();
    const code = order.order.shortCode;
    await phone.page.getByTestId(`offer-${code}`).getByRole('button', { name: 'Accepter' }).click();
    const card = phone.page.getByTestId(`delivery-${code}`);
    await card.getByRole('button', { name: 'Commande récupérée' }).click();
    await phone.page.locator(`[data-testid="delivery-${code}"][data-status="out_for_delivery"]`).waitFor();

    await phone.context.setOffline(true);
    await phone.page.getByTestId('link-state').getByText('Reconnexion').waitFor();
    await card.getByRole('button', { name: 'Livrée — espèces encaissées' }).click();
    await card.getByTestId('pending').waitFor();
    expect(await tracked(order.trackingToken)).toBe('out_for_delivery');

    await phone.context.setOffline(false);
    await card.waitFor({ state: 'detached' });
    expect(await tracked(order.trackingToken)).toBe('delivered');
    const delivered = (await f.orderEvents(order.order.id)).filter(
      (e) => e.type === 'order.status_changed' && (e.data as { to?: string }).to === 'delivered',
    );
    expect(delivered).toHaveLength(1);
    await phone.context.close();
  });
});
