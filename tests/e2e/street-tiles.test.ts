import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, SiteConfig } from '../../hub/src/contract/index.js';
import { startFakeTiles, type FakeTiles } from '../fakes/tile-server.js';
import type { ApiClient } from '../helpers/api-client.js';
import { launchBrowser, SCREEN, screenshot, staffPage } from '../helpers/browser.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody } from '../helpers/orders.js';
import { openSocket } from '../helpers/sockets.js';
import { sql, startTestHub, type TestHub } from '../helpers/test-hub.js';

const ATTRIBUTION = '© Plan de test OC Pizza';
const ATTRIBUTION_URL = 'https://www.openstreetmap.org/copyright';

let tiles: FakeTiles;
let hub: TestHub;
let plain: TestHub;
let f: Facts;
let browser: Browser;
let token: string;
let closeCourier: () => void;

beforeAll(async () => {
  tiles = await startFakeTiles();
  hub = await startTestHub({
    env: {
      MAP_TILES_URL: tiles.template,
      MAP_TILES_ATTRIBUTION: ATTRIBUTION,
      MAP_TILES_ATTRIBUTION_URL: ATTRIBUTION_URL,
    },
  });
  // The same database without tiles (MAP_TILES_URL empty, as the test hub has by default).
  plain = await startTestHub({ database: hub.database });
  f = facts(hub.db);
  const shopA = await f.shopId('A');
  const courierId = await f.staffId('courier.a@demo.ocpizza.fr');
  await hub.db.query(
    sql.unsafe`update couriers set last_lat = 48.8657, last_lng = 2.3782 where staff_id = ${courierId}`,
  );
  await hub.db.query(
    sql.unsafe`update couriers set on_shift = false where staff_id = ${await f.staffId('courier2.a@demo.ocpizza.fr')}`,
  );
  // A delivery on its way: the shop, the address and the courier are all on the maps.
  const created = await hub
    .client()
    .post<CreatedOrder>(
      '/api/orders',
      deliveryOrderBody({ shopId: shopA, lines: [{ productId: await f.productId('reine'), quantity: 1 }] }),
    );
  expect(created.status).toBe(201);
  token = created.body.trackingToken;
  const id = created.body.order.id;
  const kitchen: ApiClient = await hub.staff('kitchen.a@demo.ocpizza.fr');
  const courier: ApiClient = await hub.staff('courier.a@demo.ocpizza.fr');
  // The courier's phone is connected before the order is ready: offers go to connected couriers.
  const phone = await openSocket(hub.baseUrl, { cookie: courier.cookieHeader });
  for (const to of ['preparing', 'baking', 'ready']) {
    expect((await kitchen.post(`/api/orders/${id}/transitions`, { to })).status).toBe(200);
  }
  expect((await courier.post(`/api/orders/${id}/offer/accept`, {})).status).toBe(200);
  expect((await courier.post(`/api/orders/${id}/transitions`, { to: 'out_for_delivery' })).status).toBe(200);
  const ack = await phone.socket
    .timeout(10_000)
    .emitWithAck('courier:position', { lat: 48.8601, lng: 2.3712 });
  expect(ack).toMatchObject({ ok: true, data: { accepted: true } });
  closeCourier = () => phone.close();
  browser = await launchBrowser();
});
afterAll(async () => {
  closeCourier?.();
  await browser?.close();
  await plain?.close();
  await hub?.close();
  await tiles?.close();
});

/** A customer's phone on which nothing may leave the machine and the page may break no CSP rule. */
async function phone(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({
    viewport: SCREEN.phone,
    locale: 'fr-FR',
    isMobile: true,
    hasTouch: true,
  });
  context.setDefaultTimeout(60_000);
  const problems: string[] = [];
  await context.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => {
    problems.push(`outside request ${route.request().url()}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  return { context, page, problems };
}

/**
 * Every tile Leaflet placed has loaded and faded in, and the tiles of an earlier zoom level are
 * gone (Leaflet prunes them once the new level is complete): what a person sees is final.
 */
const tilesSettled = (page: Page) =>
  page.waitForFunction(() => {
    // Runs in the page (this file is type-checked without DOM types).
    type Img = { parentElement: unknown; classList: { contains(c: string): boolean } };
    const view = globalThis as unknown as {
      document: { querySelectorAll(selector: string): Iterable<Img> };
      getComputedStyle(e: Img): { opacity: string };
    };
    const imgs = [...view.document.querySelectorAll('img.leaflet-tile')];
    return (
      imgs.length > 0 &&
      new Set(imgs.map((img) => img.parentElement)).size === 1 &&
      imgs.every(
        (img) => img.classList.contains('leaflet-tile-loaded') && view.getComputedStyle(img).opacity === '1',
      )
    );
  });

/** An element screenshot waits until the courier's pin is stable (two frames at one place) and painted. */
const pinsSettled = async (page: Page) => {
  await page.getByTestId('map-courier').screenshot();
};

describe('street tiles on the maps (Chromium)', () => {
  it('the tracking page draws the configured tiles under the pins, with their attribution', async () => {
    const csp = (await fetch(`${hub.baseUrl}/track/${token}`)).headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(new RegExp(`img-src [^;]*${tiles.url.replace(/[.:/]/g, '\\$&')}`));

    const { context, page, problems } = await phone();
    const before = tiles.requests.length;
    await page.goto(`${hub.baseUrl}/track/${token}`);
    await page.locator('[data-testid="map-courier"][data-lat="48.8601"]').waitFor();
    await page.locator('[data-testid="tracking-map"][data-tiles="loaded"]').waitFor();
    await tilesSettled(page);

    const asked = tiles.requests.slice(before);
    expect(asked.length).toBeGreaterThan(0);
    // Zoomed on the neighbourhood, and the site says who asks (tile providers require a Referer).
    expect(asked.every((r) => r.z >= 13 && r.z <= 17)).toBe(true);
    expect(new Set(asked.map((r) => r.referer))).toEqual(new Set([`${hub.baseUrl}/`]));
    const attribution = page.getByTestId('map-attribution');
    expect(await attribution.textContent()).toBe(ATTRIBUTION);
    expect(await attribution.getAttribute('href')).toBe(ATTRIBUTION_URL);
    expect(await attribution.isVisible()).toBe(true);
    for (const pin of ['map-shop', 'map-home', 'map-courier']) {
      expect(await page.getByTestId(pin).isVisible()).toBe(true);
    }

    await page.getByTestId('tracking-map').scrollIntoViewIfNeeded();
    await pinsSettled(page);
    await screenshot(page, 'customer-tracking-streets');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('when the tile server fails, the map keeps its plain background and every pin', async () => {
    tiles.fail(true);
    try {
      const { context, page, problems } = await phone();
      const before = tiles.requests.length;
      await page.goto(`${hub.baseUrl}/track/${token}`);
      await page.locator('[data-testid="tracking-map"][data-tiles="failed"]').waitFor();
      expect(tiles.requests.length).toBeGreaterThan(before);
      for (const pin of ['map-shop', 'map-home', 'map-courier']) {
        await page.getByTestId(pin).waitFor();
      }
      expect(await page.locator('img.leaflet-tile-loaded').count()).toBe(0);
      // No credit for a map that is not there; the background is the plain one.
      expect(await page.getByTestId('map-attribution').count()).toBe(0);
      const background = await page.locator('[data-testid="tracking-map"] .canvas').evaluate((el) => {
        const view = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } };
        return view.getComputedStyle(el).backgroundColor;
      });
      expect(background).toBe('rgb(244, 236, 223)');
      await page.getByTestId('tracking-map').scrollIntoViewIfNeeded();
      await pinsSettled(page);
      await screenshot(page, 'customer-tracking-tiles-fallback');
      expect(problems).toEqual([]);
      await context.close();
    } finally {
      tiles.fail(false);
    }
  });

  it('with MAP_TILES_URL empty no tile is asked for and the plain map stays', async () => {
    const config = await plain.client().get<SiteConfig>('/api/site-config');
    expect(config.body.mapTiles).toBeNull();
    const csp = (await fetch(`${plain.baseUrl}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).not.toContain(tiles.url);

    const { context, page, problems } = await phone();
    const before = tiles.requests.length;
    await page.goto(`${plain.baseUrl}/track/${token}`);
    await page.getByTestId('map-home').waitFor();
    expect(await page.getByTestId('tracking-map').getAttribute('data-tiles')).toBe('off');
    expect(await page.locator('img.leaflet-tile').count()).toBe(0);
    expect(await page.getByTestId('map-attribution').count()).toBe(0);
    expect(tiles.requests.length).toBe(before);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the manager map draws the same tiles under the zone, deliveries and couriers', async () => {
    const config = await hub.client().get<SiteConfig>('/api/site-config');
    expect(config.body.mapTiles).toEqual({
      urlTemplate: tiles.template,
      attribution: ATTRIBUTION,
      attributionUrl: ATTRIBUTION_URL,
    });
    const before = tiles.requests.length;
    const board = await staffPage(browser, hub.baseUrl, 'manager.a@demo.ocpizza.fr', {
      path: '/manager',
      viewport: SCREEN.kitchen,
    });
    await board.page.getByText('En direct').waitFor();
    await board.page.locator('[data-testid="shop-map"][data-tiles="loaded"]').waitFor();
    await board.page.getByTestId('map-shop').waitFor();
    await tilesSettled(board.page);
    expect(tiles.requests.length).toBeGreaterThan(before);
    const attribution = board.page.getByTestId('map-attribution');
    expect(await attribution.textContent()).toBe(ATTRIBUTION);
    expect(await attribution.isVisible()).toBe(true);
    await screenshot(board.page, 'manager-map-streets');
    await board.context.close();
  });
});
