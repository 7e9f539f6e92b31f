import { z } from 'zod';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ShopClosedDetails,
  type AdminShopList,
  type CreatedOrder,
  type ErrorBody,
  type OpeningHours,
  type ShopClosure,
  type ShopList,
} from '../../hub/src/contract/index.js';
import { fromParisWallTime, isoWithParisOffset } from '../../hub/src/domain/paris-time.js';
import { parisDate } from '../../hub/src/domain/opening-hours.js';
import type { ApiClient } from '../helpers/api-client.js';
import { facts, type Facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { sql, startTestHub, type TestHub } from '../helpers/test-hub.js';

const SECRET = '/admin-hours-Zk3Lq8vWp2';

// The hub's clock is the test's: what is open never depends on the hour the suite runs at.
// The days are a Wednesday and Thursday some weeks ahead of the real date (closures are kept
// by the database's date), always in winter or always in summer alike: only wall times matter.
const DAY_MS = 24 * 3600_000;
function wednesdayAhead(): { y: number; m: number; d: number } {
  let t = Date.now() + 21 * DAY_MS;
  for (;;) {
    const d = new Date(t);
    if (d.getUTCDay() === 3) return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
    t += DAY_MS;
  }
}
const wed = wednesdayAhead();
const at = (dayOffset: number, hour: number, minute = 0) =>
  fromParisWallTime(wed.y, wed.m, wed.d + dayOffset, hour, minute);
const WED = parisDate(at(0, 12));
const THU = parisDate(at(1, 12));

const HOURS: OpeningHours = {
  '1': ['11:30-14:30', '18:30-22:30'],
  '2': ['11:30-14:30', '18:30-22:30'],
  '3': ['11:30-14:30', '18:30-22:30'],
  '4': ['11:30-14:30', '18:30-22:30'],
  '5': ['11:30-14:30', '18:30-23:30'],
  '6': ['12:00-15:00', '18:30-23:30'],
  '7': ['18:30-22:30'],
};

let now = at(0, 4);
let hub: TestHub;
let f: Facts;
let shopA: number;
let shopB: number;
let margherita: number;
let counterA: ApiClient;
let managerA: ApiClient;
let managerB: ApiClient;

beforeAll(async () => {
  hub = await startTestHub({ clock: { now: () => now }, env: { SECRET_ADMIN_URL: SECRET } });
  f = facts(hub.db);
  shopA = await f.shopId('A');
  shopB = await f.shopId('B');
  margherita = await f.productId('margherita');
  counterA = await hub.staff('counter.a@demo.ocpizza.fr');
  managerA = await hub.staff('manager.a@demo.ocpizza.fr');
  managerB = await hub.staff('manager.b@demo.ocpizza.fr');
  // Shop A gets real hours, through the back-office as its manager would set them.
  const set = await managerA.patch(`/api/admin/shops/${shopA}`, {
    openingHours: HOURS,
    lastOrderMinutes: 15,
  });
  expect(set.status).toBe(200);
});
afterAll(async () => {
  await hub?.close();
});
beforeEach(() => {
  now = at(0, 4);
});

const order = (over: { promisedAt?: string; channel?: 'web' | 'phone' } = {}) =>
  orderBody({ shopId: shopA, lines: [{ productId: margherita, quantity: 1 }], ...over });
const closedDetails = (body: ErrorBody) => ShopClosedDetails.parse(body.error.details);

describe('orders "as soon as possible" from the website', () => {
  it('at 04:00 (every shop closed) are refused with shop/closed and the next opening, and nothing is written', async () => {
    const before = await f.snapshot();
    const res = await hub.client().post<ErrorBody>('/api/orders', order());
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('shop/closed');
    expect(res.body.error.message).toMatch(/is closed now.*takes orders again on .*11:30 \(Paris time\)/);
    const details = closedDetails(res.body);
    expect(details.nextOpening).toBe(at(0, 11, 30).toISOString());
    // The times offered instead are the site's slots: from 11:30, every quarter hour.
    expect(details.nextSlots.slice(0, 3)).toEqual(
      [at(0, 11, 30), at(0, 11, 45), at(0, 12)].map(isoWithParisOffset),
    );
    expect(await f.snapshot()).toEqual(before);
  });

  it('are taken while open, and refused from the last-order time (15 minutes before closing)', async () => {
    now = at(0, 12);
    expect((await hub.client().post('/api/orders', order())).status).toBe(201);
    now = at(0, 14, 14);
    expect((await hub.client().post('/api/orders', order())).status).toBe(201);
    now = at(0, 14, 15);
    const before = await f.snapshot();
    const late = await hub.client().post<ErrorBody>('/api/orders', order());
    expect(late.status).toBe(409);
    expect(closedDetails(late.body).nextOpening).toBe(at(0, 18, 30).toISOString());
    expect(await f.snapshot()).toEqual(before);
  });

  it('a slot the hub offered in its refusal is a time it accepts', async () => {
    const refused = await hub.client().post<ErrorBody>('/api/orders', order());
    const [first] = closedDetails(refused.body).nextSlots;
    const taken = await hub.client().post<CreatedOrder>('/api/orders', order({ promisedAt: first }));
    expect(taken.status).toBe(201);
    expect(Date.parse(taken.body.order.promisedAt!)).toBe(Date.parse(first!));
  });
});

describe('orders for a later time', () => {
  it('are taken into an open slot while the shop is closed now', async () => {
    const res = await hub.client().post('/api/orders', order({ promisedAt: isoWithParisOffset(at(0, 19)) }));
    expect(res.status).toBe(201);
  });

  it('are refused into a closed slot (the afternoon break, after closing), changing nothing', async () => {
    const before = await f.snapshot();
    for (const time of [at(0, 16), at(0, 22, 45), at(1, 2)]) {
      const res = await hub
        .client()
        .post<ErrorBody>('/api/orders', order({ promisedAt: isoWithParisOffset(time) }));
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('shop/closed');
      expect(res.body.error.message).toMatch(/closed at the time asked for/);
      expect(closedDetails(res.body).nextOpening).toBe(at(0, 11, 30).toISOString());
    }
    expect(await f.snapshot()).toEqual(before);
  });

  it('a customer moving their order to a closed time is refused; to an open one, taken', async () => {
    const created = await hub
      .client()
      .post<CreatedOrder>('/api/orders', order({ promisedAt: isoWithParisOffset(at(0, 12)) }));
    expect(created.status).toBe(201);
    const path = `/api/orders/track/${created.body.trackingToken}`;
    const before = await f.snapshot();
    const refused = await hub.client().patch<ErrorBody>(path, { promisedAt: isoWithParisOffset(at(0, 16)) });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('shop/closed');
    expect(await f.snapshot()).toEqual(before);
    const moved = await hub.client().patch(path, { promisedAt: isoWithParisOffset(at(0, 19, 15)) });
    expect(moved.status).toBe(200);
  });
});

describe('staff orders (phone, counter)', () => {
  it('are taken outside the hours: the person at the shop decides (decisions.md)', async () => {
    const phone = await counterA.post<CreatedOrder>('/api/orders', order({ channel: 'phone' }));
    expect(phone.status).toBe(201);
    const later = await counterA.post('/api/orders', {
      ...order({ channel: 'phone', promisedAt: isoWithParisOffset(at(0, 16)) }),
    });
    expect(later.status).toBe(201);
  });
});

describe('exceptional closures in the back-office', () => {
  const closures = () =>
    hub.db.any(sql.type(z.object({ id: z.number(), shopId: z.number() }))`
      select id::int, shop_id as "shopId" from shop_closures order by id`);

  it('a closure added by the manager closes those days to orders, and is listed; removing it reopens', async () => {
    const added = await managerA.post<ShopClosure>(`/api/admin/shops/${shopA}/closures`, {
      startsOn: WED,
      endsOn: WED,
      reason: 'Inventaire',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ startsOn: WED, endsOn: WED, reason: 'Inventaire' });

    const shops = await hub.client().get<ShopList>('/api/shops');
    const a = shops.body.shops.find((s) => s.id === shopA)!;
    expect(a.closures).toEqual([added.body]);
    expect(a.lastOrderMinutes).toBe(15);
    const admin = await managerA.get<AdminShopList>('/api/admin/shops');
    expect(admin.body.shops[0]!.closures).toEqual([added.body]);

    now = at(0, 12);
    const refused = await hub.client().post<ErrorBody>('/api/orders', order());
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/exceptionally closed today/);
    expect(closedDetails(refused.body).nextOpening).toBe(at(1, 11, 30).toISOString());
    const scheduled = await hub
      .client()
      .post<ErrorBody>('/api/orders', order({ promisedAt: isoWithParisOffset(at(0, 19)) }));
    expect(scheduled.status).toBe(409);

    const removed = await managerA.request('DELETE', `/api/admin/shops/${shopA}/closures/${added.body.id}`);
    expect(removed.status).toBe(204);
    expect((await hub.client().post('/api/orders', order())).status).toBe(201);

    const audit = await hub.db.anyFirst(sql.type(z.object({ action: z.string() }))`
      select action from audit_log where action like 'shop.closure%' order by id`);
    expect(audit).toEqual(['shop.closure_add', 'shop.closure_remove']);
  });

  it('bad input is refused with a code and a sentence, and adds nothing', async () => {
    const before = await closures();
    const post = (body: unknown, client = managerA, shop = shopA) =>
      client.post<ErrorBody>(`/api/admin/shops/${shop}/closures`, body);
    const cases: Array<[unknown, string]> = [
      [{ startsOn: THU, endsOn: WED }, 'endsOn'],
      [{ startsOn: 'tomorrow', endsOn: WED }, 'startsOn'],
      [{ startsOn: WED, endsOn: '2026-02-30' }, 'endsOn'],
      [{ startsOn: WED, endsOn: WED, colour: 'red' }, ''],
      [{ startsOn: WED, endsOn: WED, reason: 'x'.repeat(201) }, 'reason'],
      [{ startsOn: '2020-01-01', endsOn: '2020-01-02' }, 'endsOn'],
      [{ startsOn: WED, endsOn: parisDate(at(400, 12)) }, 'endsOn'],
    ];
    for (const [body, path] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('request/invalid');
      expect(res.body.error.message.length).toBeGreaterThan(10);
      const issues = (res.body.error.details as { issues: Array<{ path: string }> }).issues;
      expect(issues.some((i) => i.path.startsWith(path))).toBe(true);
    }
    // Overlapping an existing closure.
    const first = await post({ startsOn: WED, endsOn: THU });
    expect(first.status).toBe(201);
    const firstId = (first.body as unknown as ShopClosure).id;
    const overlap = await post({ startsOn: THU, endsOn: parisDate(at(3, 12)) });
    expect(overlap.status).toBe(400);
    expect(overlap.body.error.message).toMatch(/already closed from/);
    // Another shop's manager, an unknown shop, an unknown closure.
    expect((await post({ startsOn: WED, endsOn: WED }, managerB)).status).toBe(403);
    expect((await post({ startsOn: WED, endsOn: WED }, managerA, 999_999)).status).toBe(403);
    const missing = await managerA.request<ErrorBody>('DELETE', `/api/admin/shops/${shopA}/closures/999999`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('closure/not_found');
    const notMine = await managerB.request('DELETE', `/api/admin/shops/${shopA}/closures/${firstId}`);
    expect(notMine.status).toBe(403);
    const badId = await managerA.request<ErrorBody>('DELETE', `/api/admin/shops/${shopA}/closures/abc`);
    expect(badId.status).toBe(400);
    // A last-order margin out of range.
    const margin = await managerA.patch<ErrorBody>(`/api/admin/shops/${shopA}`, { lastOrderMinutes: 500 });
    expect(margin.status).toBe(400);
    expect(await closures()).toEqual([...before, { id: firstId, shopId: shopA }]);
    expect((await managerA.request('DELETE', `/api/admin/shops/${shopA}/closures/${firstId}`)).status).toBe(
      204,
    );
  });

  it('a closure is changed (days, reason) by the same rules; a bad change changes nothing', async () => {
    const added = await managerA.post<ShopClosure>(`/api/admin/shops/${shopA}/closures`, {
      startsOn: parisDate(at(7, 12)),
      endsOn: parisDate(at(7, 12)),
      reason: 'Formation',
    });
    expect(added.status).toBe(201);
    const path = `/api/admin/shops/${shopA}/closures/${added.body.id}`;
    const moved = await managerA.patch<ShopClosure>(path, {
      endsOn: parisDate(at(8, 12)),
      reason: 'Formation HACCP',
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({ ...added.body, endsOn: parisDate(at(8, 12)), reason: 'Formation HACCP' });

    for (const body of [{ endsOn: parisDate(at(6, 12)) }, {}, { startsOn: 'soon' }, { colour: 'red' }]) {
      const res = await managerA.patch<ErrorBody>(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('request/invalid');
    }
    expect(
      (await managerA.patch<ErrorBody>(`/api/admin/shops/${shopA}/closures/999999`, { reason: 'x' })).status,
    ).toBe(404);
    expect((await managerB.patch(path, { reason: 'not mine' })).status).toBe(403);
    const shops = (await hub.client().get<ShopList>('/api/shops')).body.shops;
    expect(shops.find((s) => s.id === shopA)!.closures).toEqual([moved.body]);
    expect((await managerA.request('DELETE', path)).status).toBe(204);
  });

  it('the shops list says a closure of another shop only for that shop', async () => {
    const added = await managerB.post<ShopClosure>(`/api/admin/shops/${shopB}/closures`, {
      startsOn: WED,
      endsOn: WED,
    });
    expect(added.status).toBe(201);
    expect(added.body.reason).toBe('');
    const shops = (await hub.client().get<ShopList>('/api/shops')).body.shops;
    expect(shops.find((s) => s.id === shopA)!.closures).toEqual([]);
    expect(shops.find((s) => s.id === shopB)!.closures.map((c) => c.id)).toContain(added.body.id);
  });
});
