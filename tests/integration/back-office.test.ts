import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AdminProduct,
  AdminStaff,
  AuditPage,
  ErrorBody,
  KitchenSnapshot,
  MenuChangedData,
} from '../../hub/src/contract/index.js';
import { ApiClient } from '../helpers/api-client.js';
import { facts, type Facts } from '../helpers/facts.js';
import { openSocket } from '../helpers/sockets.js';
import { sql, startTestHub, type TestHub } from '../helpers/test-hub.js';
import { allEvents } from '../helpers/all-events.js';

const SECRET = '/admin-Tq7vR2xLw9pK4mZs';

let hub: TestHub;
let f: Facts;
let shopA: number;
let shopB: number;
let admin: ApiClient;
let managerA: ApiClient;
let kitchenA: ApiClient;

beforeAll(async () => {
  hub = await startTestHub({ env: { SECRET_ADMIN_URL: SECRET } });
  f = facts(hub.db);
  shopA = await f.shopId('A');
  shopB = await f.shopId('B');
  admin = await hub.staff('admin@demo.ocpizza.fr');
  managerA = await hub.staff('manager.a@demo.ocpizza.fr');
  kitchenA = await hub.staff('kitchen.a@demo.ocpizza.fr');
});
afterAll(async () => {
  await hub?.close();
});

const AuditRow = z.object({
  staffId: z.string(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string(),
  shopId: z.number().nullable(),
  at: z.string(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
});

const auditRows = () =>
  hub.db.any(sql.type(AuditRow)`
    select staff_id as "staffId", action, entity, entity_id as "entityId", shop_id as "shopId", at, before, after
    from audit_log order by id`);

/** Everything the back-office could change, as one comparable value: a refused request leaves it equal. */
const everything = () =>
  hub.db.oneFirst(sql.type(z.object({ digest: z.string() }))`
    select md5(concat_ws('|',
      (select string_agg(row_to_json(p)::text, ',' order by id) from products p),
      (select string_agg(row_to_json(r)::text, ',' order by product_id, ingredient_id) from recipe_items r),
      (select string_agg(row_to_json(i)::text, ',' order by id) from ingredients i),
      (select string_agg(shop_id || ':' || ingredient_id || ':' || low_threshold, ',' order by shop_id, ingredient_id) from stock),
      (select string_agg(row_to_json(s)::text, ',' order by id) from shops s),
      (select string_agg(id || role || coalesce(shop_id::text, '-') || active || email || name || password_hash, ',' order by id) from staff),
      (select string_agg(row_to_json(c)::text, ',' order by staff_id) from couriers c),
      (select count(*)::text from audit_log),
      (select count(*)::text from ${allEvents} e)
    )) as digest`);

const product = async (slug: string) =>
  (await admin.get<{ products: AdminProduct[] }>('/api/admin/products')).body.products.find(
    (p) => p.slug === slug,
  )!;

describe('back-office: a manager changes a recipe', () => {
  it('is saved with its audit row (who, when, before, after), shows on the kitchen snapshot, and reaches the kitchen room live', async () => {
    const margherita = await product('margherita');
    const mozzarella = await f.ingredientId('Mozzarella fior di latte');
    expect(margherita.recipe.find((r) => r.ingredientId === mozzarella)?.quantity).toBe(120);

    // A kitchen screen of shop A and one of shop B, subscribed from their snapshots.
    const sockets = [];
    for (const [email, shopId] of [
      ['kitchen.a@demo.ocpizza.fr', shopA],
      ['kitchen.b@demo.ocpizza.fr', shopB],
    ] as const) {
      const client = await hub.staff(email);
      const snapshot = await client.get<KitchenSnapshot>(`/api/shops/${shopId}/kitchen`);
      const socket = await openSocket(hub.baseUrl, { cookie: client.cookieHeader });
      const ack = await socket.subscribe(snapshot.body.seq);
      expect(ack.ok).toBe(true);
      sockets.push(socket);
    }

    const recipe = margherita.recipe.map((r) => ({
      ingredientId: r.ingredientId,
      quantity: r.ingredientId === mozzarella ? 140 : r.quantity,
    }));
    const steps = [...margherita.steps];
    steps[2] = 'Mozzarella : 140 g, déchirée au-dessus de la sauce';
    const published = hub.published((e) => e.type === 'menu.changed' && e.shopId === shopA);
    const before = new Date();
    const res = await managerA.patch<AdminProduct>(`/api/admin/products/${margherita.id}`, { recipe, steps });
    expect(res.status).toBe(200);
    expect(res.body.steps[2]).toBe(steps[2]);
    expect(res.body.recipe.find((r) => r.ingredientId === mozzarella)?.quantity).toBe(140);

    // Audited: who, when, what before and after.
    const rows = await auditRows();
    const row = rows.at(-1)!;
    expect(row).toMatchObject({
      staffId: await f.staffId('manager.a@demo.ocpizza.fr'),
      action: 'product.update',
      entity: 'product',
      entityId: String(margherita.id),
      shopId: null,
    });
    expect(new Date(row.at).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect((row.before as unknown as AdminProduct).steps[2]).toBe(margherita.steps[2]);
    expect((row.after as unknown as AdminProduct).steps[2]).toBe(steps[2]);
    expect(
      (row.before as unknown as AdminProduct).recipe.find((r) => r.ingredientId === mozzarella)?.quantity,
    ).toBe(120);
    expect(
      (row.after as unknown as AdminProduct).recipe.find((r) => r.ingredientId === mozzarella)?.quantity,
    ).toBe(140);

    // The manager reads it in the change log, newest first, with their name.
    const log = await managerA.get<AuditPage>('/api/admin/audit');
    expect(log.body.entries[0]).toMatchObject({
      action: 'product.update',
      staff: { name: 'Responsable Paris', role: 'manager' },
    });

    // The kitchen's recipe card: in its snapshot, and live through its room, in every shop.
    const snapshot = await kitchenA.get<KitchenSnapshot>(`/api/shops/${shopA}/kitchen`);
    const card = snapshot.body.products.find((p) => p.id === margherita.id)!;
    expect(card.steps[2]).toBe(steps[2]);
    expect(card.recipe.find((r) => r.ingredientId === mozzarella)?.quantity).toBe(140);
    await published;
    for (const socket of sockets) {
      await socket.until((events) => events.some((e) => e.type === 'menu.changed'));
      const event = socket.events.find((e) => e.type === 'menu.changed')!;
      const data = event.data as unknown as MenuChangedData;
      expect(data.products.map((p) => p.steps[2])).toEqual([steps[2]]);
      socket.close();
    }
    const perShop = await hub.db.oneFirst(
      sql.type(
        z.object({ n: z.number() }),
      )`select count(*)::int as n from ${allEvents} e where type = 'menu.changed'`,
    );
    expect(perShop).toBe(
      await hub.db.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from shops`),
    );
  });

  it('saving a product unchanged records nothing and sends nothing', async () => {
    const reine = await product('reine');
    const before = await everything();
    const res = await managerA.patch(`/api/admin/products/${reine.id}`, {
      name: reine.name,
      steps: reine.steps,
    });
    expect(res.status).toBe(200);
    expect(await everything()).toBe(before);
  });
});

describe('back-office: who may reach it', () => {
  const routes: Array<[string, string, unknown?]> = [
    ['GET', '/api/admin/shops'],
    ['GET', '/api/admin/products'],
    ['GET', '/api/admin/ingredients'],
    ['GET', '/api/admin/staff'],
    ['GET', '/api/admin/couriers'],
    ['GET', '/api/admin/audit'],
    ['GET', '/api/admin/no-such-route'],
    ['PATCH', '/api/admin/products/1', { name: 'Pirate' }],
    [
      'POST',
      '/api/admin/products',
      { slug: 'pirate', kind: 'pizza', name: 'Pirate', priceCents: 100, vatRateBp: 1000 },
    ],
    ['PATCH', '/api/admin/shops/1', { phone: '01 02 03 04 05' }],
    [
      'POST',
      '/api/admin/staff',
      { email: 'x@y.fr', name: 'X Y', role: 'admin', shopId: null, password: 'a-long-password!' },
    ],
    ['PATCH', '/api/admin/shops/1/ingredients/1', { lowThreshold: 1 }],
  ];

  it('kitchen, counter and courier accounts get 403 on every /api/admin route; nobody logged in gets 401', async () => {
    const before = await everything();
    const accounts = {
      kitchen: kitchenA,
      counter: await hub.staff('counter.a@demo.ocpizza.fr'),
      courier: await hub.staff('courier.a@demo.ocpizza.fr'),
      anonymous: hub.client(),
    };
    for (const [who, client] of Object.entries(accounts)) {
      for (const [method, path, body] of routes) {
        const res = await client.request<ErrorBody>(method, path, body);
        const expected = who === 'anonymous' ? [401, 'auth/unauthenticated'] : [403, 'auth/forbidden'];
        expect([who, method, path, res.status, res.body.error.code]).toEqual([
          who,
          method,
          path,
          ...expected,
        ]);
      }
    }
    expect(await everything()).toBe(before);
  });

  it('a manager cannot change another shop, nor the group-only fields of their own, nor grant manager or admin rights', async () => {
    const before = await everything();
    const adminId = await f.staffId('admin@demo.ocpizza.fr');
    const managerB = await f.staffId('manager.b@demo.ocpizza.fr');
    const kitchenB = await f.staffId('kitchen.b@demo.ocpizza.fr');
    const courierB = await f.staffId('courier.b@demo.ocpizza.fr');
    const refusals: Array<[string, string, unknown]> = [
      ['PATCH', `/api/admin/shops/${shopB}`, { phone: '01 02 03 04 05' }],
      ['PATCH', `/api/admin/shops/${shopA}`, { status: 'opening', opensOn: '2030-01-01' }],
      ['PATCH', `/api/admin/shops/${shopA}`, { name: 'OC Pizza Pirate' }],
      ['PATCH', `/api/admin/shops/${shopB}/ingredients/1`, { lowThreshold: 5 }],
      ['PATCH', `/api/admin/couriers/${courierB}`, { onShift: false }],
      ['PATCH', `/api/admin/staff/${adminId}`, { active: false }],
      ['PATCH', `/api/admin/staff/${managerB}`, { active: false }],
      ['PATCH', `/api/admin/staff/${kitchenB}`, { name: 'Pirate' }],
      ['PATCH', `/api/admin/staff/${await f.staffId('kitchen.a@demo.ocpizza.fr')}`, { role: 'manager' }],
      ['PATCH', `/api/admin/staff/${await f.staffId('kitchen.a@demo.ocpizza.fr')}`, { shopId: shopB }],
      [
        'POST',
        '/api/admin/staff',
        { email: 'chef@x.fr', name: 'Chef', role: 'admin', shopId: null, password: 'a-long-password!' },
      ],
      [
        'POST',
        '/api/admin/staff',
        { email: 'chef@x.fr', name: 'Chef', role: 'manager', shopId: shopA, password: 'a-long-password!' },
      ],
      [
        'POST',
        '/api/admin/staff',
        { email: 'chef@x.fr', name: 'Chef', role: 'kitchen', shopId: shopB, password: 'a-long-password!' },
      ],
    ];
    for (const [method, path, body] of refusals) {
      const res = await managerA.request<ErrorBody>(method, path, body);
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 403, 'auth/forbidden']);
    }
    // Nor lock themselves out.
    const self = await managerA.patch<ErrorBody>(
      `/api/admin/staff/${await f.staffId('manager.a@demo.ocpizza.fr')}`,
      { active: false },
    );
    expect([self.status, self.body.error.code]).toEqual([409, 'staff/change_refused']);
    expect(await everything()).toBe(before);

    // What they may do: their shop's hours, zone and thresholds, its couriers.
    const hours = await managerA.patch(`/api/admin/shops/${shopA}`, {
      openingHours: { '1': ['11:00-14:30', '18:00-23:00'], '7': ['18:30-22:30'] },
      deliveryRadiusM: 3000,
    });
    expect(hours.status).toBe(200);
    expect(hours.body).toMatchObject({
      deliveryRadiusM: 3000,
      openingHours: { '1': ['11:00-14:30', '18:00-23:00'] },
    });
    const threshold = await managerA.patch(`/api/admin/shops/${shopA}/ingredients/1`, { lowThreshold: 33 });
    expect(threshold.status).toBe(200);
    const courierA = await f.staffId('courier.a@demo.ocpizza.fr');
    const courier = await managerA.patch(`/api/admin/couriers/${courierA}`, { capacity: 3, vehicle: 'bike' });
    expect([courier.status, courier.body]).toMatchObject([200, { capacity: 3, vehicle: 'bike' }]);
    const rows = (await auditRows()).slice(-3);
    expect(rows.map((r) => [r.action, r.shopId])).toEqual([
      ['shop.update', shopA],
      ['stock.threshold_update', shopA],
      ['courier.update', shopA],
    ]);
    expect(rows[1]!.before).toMatchObject({ lowThreshold: expect.any(Number) });
    expect(rows[1]!.after).toMatchObject({ lowThreshold: 33 });

    // A manager sees their own shop only.
    const shops = await managerA.get<{ shops: Array<{ id: number }> }>('/api/admin/shops');
    expect(shops.body.shops.map((s) => s.id)).toEqual([shopA]);
    const staff = await managerA.get<{ staff: AdminStaff[] }>('/api/admin/staff');
    expect(new Set(staff.body.staff.map((s) => s.shopId))).toEqual(new Set([shopA]));
  });

  it("a manager hires for their team; the password is hashed, never audited; deactivation ends the person's sessions at once", async () => {
    const created = await managerA.post<AdminStaff>('/api/admin/staff', {
      email: 'Nouveau.Pizzaiolo@Demo.OCPizza.fr',
      name: 'Nouveau Pizzaiolo',
      role: 'kitchen',
      shopId: shopA,
      password: 'une-pâte-bien-levée',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email: 'nouveau.pizzaiolo@demo.ocpizza.fr',
      role: 'kitchen',
      active: true,
    });
    const hash = await hub.db.oneFirst(
      sql.type(
        z.object({ h: z.string() }),
      )`select password_hash as h from staff where id = ${created.body.id}`,
    );
    expect(hash).toMatch(/^\$argon2id\$/);
    const audit = (await auditRows()).at(-1)!;
    expect(audit.action).toBe('staff.create');
    expect(JSON.stringify(audit)).not.toContain('levée');
    expect(JSON.stringify(audit)).not.toContain('argon2');

    const newcomer = await new ApiClient(hub.baseUrl).login(created.body.email, 'une-pâte-bien-levée');
    expect((await newcomer.get('/api/auth/me')).status).toBe(200);
    // Same e-mail twice: refused, whatever its case.
    const again = await managerA.post<ErrorBody>('/api/admin/staff', {
      email: 'NOUVEAU.pizzaiolo@demo.ocpizza.fr',
      name: 'Doublon',
      role: 'counter',
      shopId: shopA,
      password: 'une-autre-pâte!!',
    });
    expect([again.status, again.body.error.code]).toEqual([409, 'auth/email_taken']);

    const off = await managerA.patch<AdminStaff>(`/api/admin/staff/${created.body.id}`, { active: false });
    expect([off.status, off.body.active]).toEqual([200, false]);
    expect((await newcomer.get('/api/auth/me')).status).toBe(401);
    expect(
      (
        await new ApiClient(hub.baseUrl).post('/api/auth/login', {
          email: created.body.email,
          password: 'une-pâte-bien-levée',
        })
      ).status,
    ).toBe(401);

    // A courier account stays a courier's: its deliveries are recorded under it.
    const courier = await f.staffId('courier2.a@demo.ocpizza.fr');
    const role = await managerA.patch<ErrorBody>(`/api/admin/staff/${courier}`, { role: 'counter' });
    expect([role.status, role.body.error.code]).toEqual([409, 'staff/change_refused']);
  });

  it('an admin changes any shop, its opening, and grants manager rights', async () => {
    const shopH = await f.shopId('H');
    const res = await admin.patch(`/api/admin/shops/${shopH}`, { status: 'opening', opensOn: '2027-03-15' });
    expect([res.status, res.body]).toMatchObject([200, { status: 'opening', opensOn: '2027-03-15' }]);
    const manager = await admin.post<AdminStaff>('/api/admin/staff', {
      email: 'gerant2.h@demo.ocpizza.fr',
      name: 'Second gérant H',
      role: 'manager',
      shopId: shopH,
      password: 'un-gérant-de-plus',
    });
    expect(manager.status).toBe(201);
    const all = await admin.get<{ shops: unknown[] }>('/api/admin/shops');
    expect(all.body.shops).toHaveLength(8);
  });
});

describe('back-office: every input is validated, and a refused one changes nothing', () => {
  it('answers 400 with a message per field', async () => {
    const margherita = await product('margherita');
    const courier = await f.staffId('courier.a@demo.ocpizza.fr');
    const before = await everything();
    const cases: Array<[string, string, unknown, string[]]> = [
      ['PATCH', `/api/admin/products/${margherita.id}`, { priceCents: -5 }, ['priceCents']],
      ['PATCH', `/api/admin/products/${margherita.id}`, { vatRateBp: 1900 }, ['vatRateBp']],
      [
        'PATCH',
        `/api/admin/products/${margherita.id}`,
        {
          recipe: [
            { ingredientId: 1, quantity: 10 },
            { ingredientId: 1, quantity: 0 },
          ],
        },
        ['recipe.1.ingredientId', 'recipe.1.quantity'],
      ],
      [
        'PATCH',
        `/api/admin/products/${margherita.id}`,
        { recipe: [{ ingredientId: 999_999, quantity: 10 }] },
        ['recipe.0.ingredientId'],
      ],
      ['PATCH', `/api/admin/products/${margherita.id}`, { steps: ['Étaler', '  '] }, ['steps.1']],
      ['PATCH', `/api/admin/products/${margherita.id}`, { name: 'Margherita', pirate: true }, ['']],
      ['PATCH', `/api/admin/products/${margherita.id}`, {}, ['']],
      [
        'POST',
        '/api/admin/products',
        { slug: 'Pas Un Slug', kind: 'pizza', name: 'X', priceCents: 100, vatRateBp: 1000 },
        ['slug', 'name'],
      ],
      [
        'PATCH',
        `/api/admin/shops/${shopA}`,
        { openingHours: { '1': ['14:30-11:30'], '2': ['25:00-26:00'], '3': ['11:00-15:00', '14:00-18:00'] } },
        ['openingHours.1.0', 'openingHours.2.0', 'openingHours.3.1'],
      ],
      ['PATCH', `/api/admin/shops/${shopA}`, { deliveryRadiusM: 0 }, ['deliveryRadiusM']],
      ['PATCH', `/api/admin/shops/${shopA}/ingredients/1`, { lowThreshold: -1 }, ['lowThreshold']],
      ['PATCH', `/api/admin/couriers/${courier}`, { capacity: 9 }, ['capacity']],
      [
        'POST',
        '/api/admin/staff',
        { email: 'pas-un-email', name: 'X', role: 'kitchen', shopId: shopA, password: 'court' },
        ['email', 'name', 'password'],
      ],
      [
        'POST',
        '/api/admin/staff',
        {
          email: 'a@b.fr',
          name: 'Sans Boutique',
          role: 'kitchen',
          shopId: null,
          password: 'a-long-password!',
        },
        ['shopId'],
      ],
    ];
    for (const [method, path, body, fields] of cases) {
      const res = await admin.request<
        ErrorBody & { error: { details: { issues: Array<{ path: string }> } } }
      >(method, path, body);
      const issued = [...new Set(res.body.error.details.issues.map((i) => i.path))].sort();
      expect([method, path, res.status, res.body.error.code, issued]).toEqual([
        method,
        path,
        400,
        'request/invalid',
        [...fields].sort(),
      ]);
    }
    // A shop opening some day needs that day; an unknown product is 404.
    const opening = await admin.patch<ErrorBody>(`/api/admin/shops/${shopA}`, {
      status: 'opening',
      opensOn: null,
    });
    expect([opening.status, opening.body.error.code]).toEqual([400, 'request/invalid']);
    const missing = await admin.patch<ErrorBody>('/api/admin/products/999999', { name: 'Fantôme' });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'product/not_found']);
    const slug = await admin.post<ErrorBody>('/api/admin/products', {
      slug: 'margherita',
      kind: 'pizza',
      name: 'Margherita bis',
      priceCents: 990,
      vatRateBp: 1000,
    });
    expect([slug.status, slug.body.error.code]).toEqual([409, 'product/slug_taken']);
    expect(await everything()).toBe(before);
  });

  it('the audit trail cannot be rewritten, even from SQL', async () => {
    await expect(hub.db.query(sql.unsafe`update audit_log set action = 'product.create'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(hub.db.query(sql.unsafe`delete from audit_log`)).rejects.toThrow(/append-only/);
  });
});

describe('back-office page: served at the secret path only', () => {
  const isBackOffice = (body: unknown) => typeof body === 'string' && body.includes('OC Pizza — back-office');

  it('serves the app and its assets at the secret path and below it, never cached or indexed', async () => {
    const client = hub.client();
    for (const path of [SECRET, `${SECRET}/`, `${SECRET}/menu/12`, `${SECRET}/audit?entity=shop`]) {
      const res = await client.get<string>(path);
      expect([path, res.status, isBackOffice(res.body)]).toEqual([path, 200, true]);
      expect(res.body).toContain(`<base href="${SECRET}/">`);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-robots-tag')).toContain('noindex');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const page = await client.get<string>(SECRET);
    const script = /src="\.\/(assets\/index-[\w-]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const asset = await client.get<string>(`${SECRET}/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    // The code is not downloadable anywhere else either.
    for (const elsewhere of [`/${script}`, `/staff/${script}`, `/backoffice/${script}`]) {
      const res = await client.get<string>(elsewhere);
      expect([elsewhere, res.body]).not.toEqual([elsewhere, asset.body]);
    }
    expect((await client.get(`${SECRET}/assets/no-such-file.js`)).status).toBe(404);
    expect((await client.get(`${SECRET}/assets/..%2f..%2fpackage.json`)).status).toBe(404);
  });

  it('answers 404 at every other path that looks like an admin area', async () => {
    const client = hub.client();
    for (const path of [
      '/admin',
      '/admin/',
      '/admin/menu',
      '/Admin',
      '/administration',
      '/backoffice',
      '/back-office',
      '/kitchen/admin',
      '/staff/admin',
      '/staff/backoffice',
      '/manager/admin',
      '/wp-admin',
      `${SECRET}x`,
      SECRET.toUpperCase(),
      SECRET.slice(0, -1),
      '/admin-Tq7vR2xLw9pK4mZ',
    ]) {
      const res = await client.get<string>(path);
      expect([path, res.status, isBackOffice(res.body)]).toEqual([path, 404, false]);
    }
    // The screens and the customer site are where they were.
    expect((await client.get('/kitchen')).status).toBe(200);
    expect((await client.get('/')).status).toBe(200);
  });

  it('with SECRET_ADMIN_URL unset, there is no back-office at all: no page, no API', async () => {
    const plain = await startTestHub({ database: hub.database });
    try {
      const page = await plain.client().get<string>(SECRET);
      expect(isBackOffice(page.body)).toBe(false);
      expect(page.status).toBe(404);
      const anyPath = await plain.client().get<string>('/whatever/else');
      expect(isBackOffice(anyPath.body)).toBe(false);
      const adminClient = await plain.staff('admin@demo.ocpizza.fr');
      const api = await adminClient.get<ErrorBody>('/api/admin/products');
      expect([api.status, api.body.error.code]).toEqual([404, 'request/not_found']);
    } finally {
      await plain.close();
    }
  });
});
