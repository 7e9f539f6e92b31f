import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Ack,
  CreatedOrder,
  CreateOrderBody,
  ManagerSnapshot,
  Position,
} from '../../hub/src/contract/index.js';
import { launchBrowser, SCREEN, screenshot, staffPage } from '../helpers/browser.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody, orderBody } from '../helpers/orders.js';
import { openSocket } from '../helpers/sockets.js';
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
const MANAGER_B = 'manager.b@demo.ocpizza.fr';
const KITCHEN_A = 'kitchen.a@demo.ocpizza.fr';
const COURIER_A = 'courier.a@demo.ocpizza.fr';

async function managerBoard(email: string, path = '/manager') {
  const screen = await staffPage(browser, hub.baseUrl, email, { path, viewport: SCREEN.kitchen });
  await screen.page.getByText('En direct').waitFor();
  return screen;
}

async function place(
  body: CreateOrderBody,
  as?: Awaited<ReturnType<TestHub['staff']>>,
): Promise<CreatedOrder> {
  const res = await (as ?? hub.client()).post<CreatedOrder>('/api/orders', body);
  expect(res.status).toBe(201);
  return res.body;
}

/** The card of an order, in a given column. */
const cardIn = (page: Page, column: string, code: string) =>
  page.locator(`[data-testid="column-${column}"] [data-testid="order-${code}"]`);
const count = async (page: Page, testId: string, attribute = 'data-count') =>
  Number(await page.getByTestId(testId).getAttribute(attribute));

async function move(orderId: string, to: string, as: Awaited<ReturnType<TestHub['staff']>>, extra = {}) {
  const res = await as.post(`/api/orders/${orderId}/transitions`, { to, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe('manager board in Chromium', () => {
  it("shows an order placed through the API live and moves it as the kitchen bumps it; shop B's manager never sees it", async () => {
    const a = await managerBoard(MANAGER_A);
    // A manager cannot look at another shop by editing the address: ?shop= is for admins.
    const b = await managerBoard(MANAGER_B, `/manager?shop=${shopA}`);
    await expect(b.page.locator('h1').textContent()).resolves.toContain('Convention');
    await expect(a.page.locator('h1').textContent()).resolves.toContain('Oberkampf');
    const ordersBefore = await count(a.page, 'figure-orders', 'data-value');
    const receivedBefore = await count(a.page, 'column-received');

    const kitchen = await hub.staff(KITCHEN_A);
    const placed = await place(
      deliveryOrderBody({ shopId: shopA, lines: [{ productId: await f.productId('reine'), quantity: 2 }] }),
    );
    const code = placed.order.shortCode;
    await cardIn(a.page, 'received', code).waitFor();
    await a.page.locator(`[data-testid="column-received"][data-count="${receivedBefore + 1}"]`).waitFor();
    await a.page.locator(`[data-testid="figure-orders"][data-value="${ordersBefore + 1}"]`).waitFor();
    await expect(cardIn(a.page, 'received', code).getByTitle('Livraison').textContent()).resolves.toContain(
      'Livr.',
    );
    // Its address is on the map.
    await a.page.getByTestId(`map-delivery-${code}`).waitFor();

    for (const [to, column] of [
      ['preparing', 'preparing'],
      ['baking', 'baking'],
      ['ready', 'ready'],
    ] as const) {
      await move(placed.order.id, to, kitchen);
      await cardIn(a.page, column, code).waitFor();
    }
    for (const column of ['received', 'preparing', 'baking']) {
      await expect(cardIn(a.page, column, code).count()).resolves.toBe(0);
    }

    // Shop B's board: an order of B placed after A's shows; A's, published before it, never did.
    const ofB = await place(
      orderBody({ shopId: shopB, lines: [{ productId: await f.productId('margherita'), quantity: 1 }] }),
    );
    await cardIn(b.page, 'received', ofB.order.shortCode).waitFor();
    await expect(b.page.getByTestId(`order-${code}`).count()).resolves.toBe(0);
    await expect(b.page.getByTestId(`map-delivery-${code}`).count()).resolves.toBe(0);
    await expect(a.page.getByTestId(`order-${ofB.order.shortCode}`).count()).resolves.toBe(0);
    for (const s of [a, b]) await s.context.close();
  });

  it('shows a low-stock alert once a waste makes an ingredient low', async () => {
    const rocket = await f.ingredientId('Roquette fraîche');
    const manager = await hub.staff(MANAGER_A);
    const snapshot = await manager.get<ManagerSnapshot>(`/api/shops/${shopA}/manager`);
    const level = snapshot.body.stock.find((s) => s.ingredientId === rocket)!;
    expect(level.low).toBe(false);
    const board = await managerBoard(MANAGER_A);
    const lowBefore = await count(board.page, 'low-stock');
    await expect(board.page.getByTestId(`low-${rocket}`).count()).resolves.toBe(0);

    // Down to exactly its threshold: low (the hub's rule is "at or below").
    const res = await manager.post(`/api/shops/${shopA}/stock/movements`, {
      kind: 'waste',
      ingredientId: rocket,
      quantity: level.available - level.lowThreshold,
      note: 'Caisse abîmée',
    });
    expect(res.status).toBe(201);
    const alert = board.page.getByTestId(`low-${rocket}`);
    await alert.waitFor();
    await board.page.locator(`[data-testid="low-stock"][data-count="${lowBefore + 1}"]`).waitFor();
    await expect(alert.getAttribute('data-available')).resolves.toBe(String(level.lowThreshold));
    await expect(alert.textContent()).resolves.toContain('Roquette fraîche');
    await board.context.close();
  });

  it("shows a courier's position sent from their phone's socket, their state and load, then the delivery in today's figures", async () => {
    const courierId = await f.staffId(COURIER_A);
    const manager = await hub.staff(MANAGER_A);
    const kitchen = await hub.staff(KITCHEN_A);
    const courier = await hub.staff(COURIER_A);
    const board = await managerBoard(MANAGER_A);
    const row = board.page.getByTestId(`courier-${courierId}`);
    await expect(row.getAttribute('data-activity')).resolves.toBe('idle');
    const deliveredBefore = Number(
      await board.page.getByTestId('figure-on-time').getAttribute('data-delivered'),
    );

    const placed = await place(
      deliveryOrderBody({ shopId: shopA, lines: [{ productId: await f.productId('calzone'), quantity: 1 }] }),
    );
    const code = placed.order.shortCode;
    expect((await manager.post(`/api/orders/${placed.order.id}/courier`, { courierId })).status).toBe(200);
    await board.page
      .locator(`[data-testid="courier-${courierId}"][data-activity="assigned"][data-load="1"]`)
      .waitFor();
    for (const to of ['preparing', 'baking', 'ready']) await move(placed.order.id, to, kitchen);
    await move(placed.order.id, 'out_for_delivery', courier);
    await cardIn(board.page, 'out_for_delivery', code).waitFor();
    await board.page
      .locator(`[data-testid="courier-${courierId}"][data-activity="delivering"][data-load="1"]`)
      .waitFor();
    await expect(cardIn(board.page, 'out_for_delivery', code).textContent()).resolves.toContain('Livreur A1');

    const phone = await openSocket(hub.baseUrl, { cookie: courier.cookieHeader });
    const ack = (await phone.socket
      .timeout(10_000)
      .emitWithAck('courier:position', { lat: 48.8612, lng: 2.3755, accuracyM: 10 })) as Ack<{
      accepted: boolean;
    }>;
    expect(ack).toEqual({ ok: true, data: { accepted: true } });
    const pin = board.page.locator(
      `[data-testid="map-courier-${courierId}"][data-lat="48.8612"][data-lng="2.3755"]`,
    );
    await pin.waitFor();
    await expect(pin.textContent()).resolves.toContain('Livreur A1');
    await expect(row.textContent()).resolves.toMatch(/vu à \d\d:\d\d/);
    phone.close();

    await move(placed.order.id, 'delivered', courier, { collected: 'cash' });
    await cardIn(board.page, 'done', code).waitFor();
    await board.page
      .locator(`[data-testid="courier-${courierId}"][data-activity="idle"][data-load="0"]`)
      .waitFor();
    const onTime = board.page.locator(
      `[data-testid="figure-on-time"][data-delivered="${deliveredBefore + 1}"]`,
    );
    await onTime.waitFor();
    // Delivered at once: well before it was due, so on time; and the average delivery is known.
    await expect(onTime.getAttribute('data-on-time')).resolves.toBe(String(deliveredBefore + 1));
    await expect(board.page.getByTestId('figure-delivery').getAttribute('data-value')).resolves.not.toBe('');
    // The courier is no longer out: their pin leaves the map's deliveries, the address too.
    await expect(board.page.getByTestId(`map-delivery-${code}`).count()).resolves.toBe(0);
    await board.context.close();
  });

  it('an admin switches between shops with the selector and follows only the shop shown', async () => {
    const admin = await managerBoard('admin@demo.ocpizza.fr', `/manager?shop=${shopA}`);
    await expect(admin.page.locator('h1').textContent()).resolves.toContain('Oberkampf');
    const margherita = await f.productId('margherita');
    const inA = await place(orderBody({ shopId: shopA, lines: [{ productId: margherita, quantity: 1 }] }));
    await cardIn(admin.page, 'received', inA.order.shortCode).waitFor();

    await admin.page.getByTestId('shop-select').selectOption(String(shopB));
    await admin.page.waitForURL(`${hub.baseUrl}/manager?shop=${shopB}`);
    await admin.page.locator('h1', { hasText: 'Convention' }).waitFor();
    await admin.page.getByText('En direct').waitFor();
    await expect(admin.page.getByTestId(`order-${inA.order.shortCode}`).count()).resolves.toBe(0);

    // A's change first, then B's: once B's order shows, A's event would have arrived too.
    const laterInA = await place(
      orderBody({ shopId: shopA, lines: [{ productId: margherita, quantity: 1 }] }),
    );
    const inB = await place(orderBody({ shopId: shopB, lines: [{ productId: margherita, quantity: 1 }] }));
    await cardIn(admin.page, 'received', inB.order.shortCode).waitFor();
    await expect(admin.page.getByTestId(`order-${laterInA.order.shortCode}`).count()).resolves.toBe(0);

    // And back: A's board is whole again, with the order placed meanwhile.
    await admin.page.getByTestId('shop-select').selectOption(String(shopA));
    await admin.page.locator('h1', { hasText: 'Oberkampf' }).waitFor();
    await cardIn(admin.page, 'received', laterInA.order.shortCode).waitFor();
    await expect(admin.page.getByTestId(`order-${inB.order.shortCode}`).count()).resolves.toBe(0);
    await admin.context.close();
  });

  it('is refused to the kitchen, in French', async () => {
    const screen = await staffPage(browser, hub.baseUrl, KITCHEN_A, { path: '/manager' });
    await screen.page.getByText('Ce tableau est réservé aux responsables de cette pizzeria.').waitFor();
    await expect(screen.page.getByTestId('columns').count()).resolves.toBe(0);
    await screen.context.close();
  });

  it('a busy evening, for the screenshot: a dozen orders in every state, one late, a courier out with a position, low stock', async () => {
    // Shop C (Boulogne), untouched by the tests above: its board shows this evening only.
    const shopC = await f.shopId('C');
    const manager = await hub.staff('manager.c@demo.ocpizza.fr');
    const kitchen = await hub.staff('kitchen.c@demo.ocpizza.fr');
    const counter = await hub.staff('counter.c@demo.ocpizza.fr');
    // Couriers with people's names, as a shop would have them.
    for (const [email, name] of [
      ['courier.c@demo.ocpizza.fr', 'Karim Benali'],
      ['courier2.c@demo.ocpizza.fr', 'Sofia Martins'],
    ] as const) {
      await hub.db.query(sql.unsafe`update staff set name = ${name} where email = ${email}`);
    }
    const couriers = {
      karim: {
        id: await f.staffId('courier.c@demo.ocpizza.fr'),
        client: await hub.staff('courier.c@demo.ocpizza.fr'),
      },
      sofia: {
        id: await f.staffId('courier2.c@demo.ocpizza.fr'),
        client: await hub.staff('courier2.c@demo.ocpizza.fr'),
      },
    };
    const products = [
      'margherita',
      'reine',
      'quatre-fromages',
      'calzone',
      'diavola',
      'vegetarienne',
      'savoyarde',
    ];
    const ids = await Promise.all(products.map((p) => f.productId(p)));
    const names = [
      'Léa Petit',
      'Hugo Moreau',
      'Chloé Laurent',
      'Nathan Simon',
      'Inès Michel',
      'Jules Roux',
      'Emma Girard',
    ];
    // Addresses all around the shop (45 route de la Reine), 1 to 2.5 km away, inside its 3.5 km zone.
    const spots = [
      { line1: '12 rue de Silly', position: { lat: 48.8545, lng: 2.2465 } },
      { line1: '80 avenue Jean-Baptiste Clément', position: { lat: 48.8495, lng: 2.2655 } },
      { line1: '5 rue du Point du Jour', position: { lat: 48.8385, lng: 2.2705 } },
      { line1: '31 quai Alphonse Le Gallo', position: { lat: 48.8255, lng: 2.2625 } },
      { line1: '140 rue de Paris', position: { lat: 48.8225, lng: 2.2435 } },
      { line1: '9 rue d’Aguesseau', position: { lat: 48.8285, lng: 2.2245 } },
      { line1: '22 avenue Édouard Vaillant', position: { lat: 48.8405, lng: 2.2195 } },
      { line1: '67 boulevard Jean Jaurès', position: { lat: 48.8515, lng: 2.2265 } },
    ];
    let i = 0;
    const next = (mode: 'delivery' | 'pickup', extra: Partial<CreateOrderBody> = {}) => {
      i += 1;
      const spot = spots[i % spots.length]!;
      const base = {
        shopId: shopC,
        lines: [
          { productId: ids[i % ids.length]!, quantity: 1 + (i % 2) },
          ...(i % 3 === 0 ? [{ productId: ids[(i + 2) % ids.length]!, quantity: 1 }] : []),
        ],
        customer: { name: names[i % names.length]!, phone: '06 11 22 33 44' },
        promisedAt: new Date(Date.now() + (18 + i * 2) * 60_000).toISOString(),
        ...extra,
      };
      return place(
        mode === 'delivery'
          ? deliveryOrderBody({
              ...base,
              deliveryAddress: { ...spot, postcode: '92100', city: 'Boulogne-Billancourt' },
            })
          : orderBody(base),
      );
    };
    type Courier = (typeof couriers)['karim'];
    const walk = async (o: CreatedOrder, steps: string[], courier?: Courier) => {
      if (courier) {
        const res = await manager.post(`/api/orders/${o.order.id}/courier`, { courierId: courier.id });
        expect(res.status).toBe(200);
      }
      for (const to of steps) {
        const who = to === 'out_for_delivery' || to === 'delivered' ? courier!.client : kitchen;
        await move(o.order.id, to, who, to === 'delivered' ? { collected: 'cash' } : {});
      }
    };
    /** Earlier this evening: the order's history moved back so today's figures look like a service. */
    const backdate = async (o: CreatedOrder, minutesAgo: Record<string, number>, created: number) => {
      for (const [status, ago] of Object.entries(minutesAgo)) {
        await hub.db.query(sql.unsafe`
          update order_status_history set at = now() - make_interval(mins => ${ago})
          where order_id = ${o.order.id} and to_status = ${status}`);
      }
      await hub.db.query(sql.unsafe`
        update orders set created_at = now() - make_interval(mins => ${created}),
                          promised_at = now() - make_interval(mins => ${created - 35})
        where id = ${o.order.id}`);
    };

    // Served earlier: five deliveries and two pick-ups. Each was promised 35 minutes after it was
    // placed, so the third delivery (48 minutes in all) came late.
    const served: Array<[CreatedOrder, Record<string, number>, number]> = [];
    for (const [prep, wait, drive] of [
      [14, 3, 16],
      [12, 2, 19],
      [17, 4, 27],
      [13, 2, 14],
      [15, 3, 12],
    ] as const) {
      const o = await next('delivery');
      await walk(o, ['preparing', 'baking', 'ready', 'out_for_delivery', 'delivered'], couriers.sofia);
      const deliveredAgo = 18 + served.length * 11;
      const received = deliveredAgo + drive + wait + prep;
      served.push([
        o,
        {
          received,
          preparing: received - 2,
          baking: received - 7,
          ready: deliveredAgo + drive + wait,
          out_for_delivery: deliveredAgo + drive,
          delivered: deliveredAgo,
        },
        received,
      ]);
    }
    for (const prep of [11, 16]) {
      const o = await next('pickup');
      await walk(o, ['preparing', 'baking', 'ready']);
      await move(o.order.id, 'picked_up', counter, { collected: 'card' });
      const received = 30 + prep;
      served.push([
        o,
        { received, preparing: received - 2, baking: received - 6, ready: 30, picked_up: 24 },
        received,
      ]);
    }
    for (const [o, history, created] of served) await backdate(o, history, created);

    // Cancelled by its customer.
    const cancelled = await next('pickup');
    await hub.client().post(`/api/orders/track/${cancelled.trackingToken}/cancel`, { reason: 'erreur' });

    // In progress: waiting for payment, received, preparing (one of them late), baking, ready.
    await next('pickup', { paymentMethod: 'card_online' });
    for (const mode of ['delivery', 'pickup', 'delivery', 'pickup'] as const) await next(mode);
    const preparing = [await next('delivery'), await next('pickup'), await next('pickup')];
    for (const o of preparing) await walk(o, ['preparing']);
    for (const o of [await next('delivery'), await next('pickup')]) await walk(o, ['preparing', 'baking']);
    await walk(await next('delivery'), ['preparing', 'baking', 'ready'], couriers.sofia);
    await walk(await next('pickup'), ['preparing', 'baking', 'ready']);
    // Out for delivery with Karim, who shares his position on the way.
    const carried = await next('delivery');
    await walk(carried, ['preparing', 'baking', 'ready', 'out_for_delivery'], couriers.karim);
    // Late: placed 38 minutes ago, promised 6 minutes ago, still in preparation.
    const late = preparing[0]!;
    await hub.db.query(sql.unsafe`
      update orders set created_at = now() - interval '38 minutes', promised_at = now() - interval '6 minutes'
      where id = ${late.order.id}`);

    // Low stock after a long service.
    for (const [name, keep] of [
      ['Gorgonzola AOP', 250],
      ['Basilic frais', 20],
    ] as const) {
      const id = await f.ingredientId(name);
      const level = await f.stock(shopC, id);
      const left = level.onHand - level.reserved;
      if (left > keep) {
        const res = await manager.post(`/api/shops/${shopC}/stock/movements`, {
          kind: 'waste',
          ingredientId: id,
          quantity: left - keep,
          note: 'fin de service',
        });
        expect(res.status).toBe(201);
      }
    }

    const board = await managerBoard('manager.c@demo.ocpizza.fr');
    const phone = await openSocket(hub.baseUrl, { cookie: couriers.karim.client.cookieHeader });
    const to = carried.order.deliveryAddress!.position!;
    const shop = (
      await hub.client().get<{ shops: Array<{ id: number; position: Position }> }>('/api/shops')
    ).body.shops.find((s) => s.id === shopC)!;
    // Two thirds of the way from the shop to the customer.
    const position = {
      lat: Number((shop.position.lat + ((to.lat - shop.position.lat) * 2) / 3).toFixed(5)),
      lng: Number((shop.position.lng + ((to.lng - shop.position.lng) * 2) / 3).toFixed(5)),
    };
    const ack = (await phone.socket.timeout(10_000).emitWithAck('courier:position', position)) as Ack<{
      accepted: boolean;
    }>;
    expect(ack).toEqual({ ok: true, data: { accepted: true } });
    await board.page
      .locator(`[data-testid="map-courier-${couriers.karim.id}"][data-lat="${position.lat}"]`)
      .waitFor();
    phone.close();

    // The board shows exactly what the hub holds.
    const snapshot = (await manager.get<ManagerSnapshot>(`/api/shops/${shopC}/manager`)).body;
    const byStatus = (...statuses: string[]) =>
      snapshot.orders.filter((o) => statuses.includes(o.status)).length;
    expect(snapshot.orders.length).toBeGreaterThanOrEqual(12);
    for (const [column, n] of [
      ['pending_payment', byStatus('pending_payment')],
      ['received', byStatus('received')],
      ['preparing', byStatus('preparing')],
      ['baking', byStatus('baking')],
      ['ready', byStatus('ready')],
      ['out_for_delivery', byStatus('out_for_delivery')],
      ['done', byStatus('delivered', 'picked_up')],
      ['cancelled', byStatus('cancelled', 'delivery_failed')],
    ] as const) {
      await board.page.locator(`[data-testid="column-${column}"][data-count="${n}"]`).waitFor();
    }
    // The late order is flagged, first in its column, and counted in the header.
    await board.page.locator(`[data-testid="order-${late.order.shortCode}"][data-late="true"]`).waitFor();
    await expect(
      board.page.locator('[data-testid="column-preparing"] li').first().getAttribute('data-testid'),
    ).resolves.toBe(`order-${late.order.shortCode}`);
    await expect(board.page.getByTestId('late-count').getAttribute('data-count')).resolves.toBe('1');
    const lowCount = snapshot.stock.filter((s) => s.low).length;
    expect(lowCount).toBeGreaterThanOrEqual(2);
    await board.page.locator(`[data-testid="low-stock"][data-count="${lowCount}"]`).waitFor();
    await board.page
      .locator(`[data-testid="courier-${couriers.karim.id}"][data-activity="delivering"]`)
      .waitFor();
    // Today's figures from the backdated history: 4 of 5 deliveries on time; preparation
    // (14+12+17+13+15+11+16)/7 = 14 min; delivery (16+19+27+14+12)/5 = 17.6 min. Orders placed
    // through the steps above in the same run took seconds, hence "about".
    const figure = (id: string, attribute = 'data-value') =>
      board.page.getByTestId(id).getAttribute(attribute);
    await expect(figure('figure-on-time', 'data-delivered')).resolves.toBe('5');
    await expect(figure('figure-on-time', 'data-on-time')).resolves.toBe('4');
    await expect(figure('figure-orders')).resolves.toBe(
      String(snapshot.orders.filter((o) => o.status !== 'cancelled').length),
    );
    expect(Number(await figure('figure-delivery'))).toBeCloseTo(17.6, 0);
    expect(Number(await figure('figure-prep'))).toBeGreaterThan(5);
    await screenshot(board.page, 'manager-board');
    await board.context.close();
  });
});
