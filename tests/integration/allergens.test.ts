import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AdminIngredient,
  AdminProduct,
  ErrorBody,
  Menu,
  MenuChangedData,
  MenuSnapshot,
} from '../../hub/src/contract/index.js';
import { pgErrorCode } from '../../hub/src/adapters/postgres.js';
import { ApiClient } from '../helpers/api-client.js';
import { allEvents } from '../helpers/all-events.js';
import { facts, type Facts } from '../helpers/facts.js';
import { openSocket } from '../helpers/sockets.js';
import { sql, startTestHub, type TestHub } from '../helpers/test-hub.js';

const SECRET = '/admin-Allergens4Kq9';

let hub: TestHub;
let f: Facts;
let shopA: number;
let admin: ApiClient;
let managerA: ApiClient;
let visitor: ApiClient;

beforeAll(async () => {
  hub = await startTestHub({ env: { SECRET_ADMIN_URL: SECRET } });
  f = facts(hub.db);
  shopA = await f.shopId('A');
  admin = await hub.staff('admin@demo.ocpizza.fr');
  managerA = await hub.staff('manager.a@demo.ocpizza.fr');
  visitor = hub.client();
});
afterAll(async () => {
  await hub?.close();
});

const menuProduct = async (slug: string) => {
  const res = await visitor.get<Menu>(`/api/shops/${shopA}/menu`);
  expect(res.status).toBe(200);
  return res.body.products.find((p) => p.slug === slug)!;
};

const ingredient = async (name: string) =>
  (await admin.get<{ ingredients: AdminIngredient[] }>('/api/admin/ingredients')).body.ingredients.find(
    (i) => i.name === name,
  )!;

/** What the allergen edits could change, as one comparable value: a refused request leaves it equal. */
const everything = () =>
  hub.db.oneFirst(sql.type(z.object({ digest: z.string() }))`
    select md5(concat_ws('|',
      (select string_agg(id || ':' || name || ':' || allergens::text, ',' order by id) from ingredients),
      (select string_agg(id || ':' || may_contain::text, ',' order by id) from products),
      (select count(*)::text from audit_log),
      (select count(*)::text from ${allEvents} e)
    )) as digest`);

describe('allergens on the menu API', () => {
  it('gives each product the allergens of its recipe and, apart, its traces, in the regulation’s order', async () => {
    const menu = await visitor.get<Menu>(`/api/shops/${shopA}/menu`);
    const bySlug = new Map(menu.body.products.map((p) => [p.slug, p]));
    expect(bySlug.get('margherita')).toMatchObject({
      allergens: ['gluten', 'milk'],
      mayContain: ['eggs', 'fish'],
    });
    // The calzone has eggs in it: eggs are no longer a mere trace.
    expect(bySlug.get('calzone')).toMatchObject({
      allergens: ['gluten', 'eggs', 'milk'],
      mayContain: ['fish'],
    });
    expect(bySlug.get('napolitaine')).toMatchObject({
      allergens: ['gluten', 'fish', 'milk', 'sulphites'],
      mayContain: ['eggs'],
    });
    expect(bySlug.get('pizza-nutella')).toMatchObject({ allergens: ['gluten', 'soybeans', 'milk', 'nuts'] });
    expect(bySlug.get('tiramisu')).toMatchObject({
      allergens: ['gluten', 'eggs', 'milk'],
      mayContain: ['nuts'],
    });
    expect(bySlug.get('coca-cola')).toMatchObject({ allergens: [], mayContain: [] });
    // Every product of the demo menu declares something or is a drink without any.
    for (const p of menu.body.products)
      expect(Array.isArray(p.allergens) && Array.isArray(p.mayContain)).toBe(true);
    // The recipe lines say which ingredient brings which allergen (the kitchen's recipe card).
    const margherita = bySlug.get('margherita')!;
    expect(margherita.recipe.find((r) => r.ingredientName === 'Mozzarella fior di latte')?.allergens).toEqual(
      ['milk'],
    );
    expect(margherita.recipe.find((r) => r.ingredientName === 'Basilic frais')?.allergens).toEqual([]);

    // The live menu's snapshot says the same.
    const snapshot = await visitor.get<MenuSnapshot>(`/api/shops/${shopA}/menu/snapshot`);
    expect(snapshot.body.products.find((p) => p.slug === 'margherita')).toMatchObject({
      allergens: ['gluten', 'milk'],
      mayContain: ['eggs', 'fish'],
    });
  });
});

describe('allergens in the back-office', () => {
  it('an ingredient’s allergens edited by a manager show on the next menu read and reach open menu pages live', async () => {
    const tomato = await ingredient('Sauce tomate San Marzano');
    expect(tomato.allergens).toEqual([]);
    expect((await menuProduct('margherita')).allergens).toEqual(['gluten', 'milk']);

    // A customer's menu page, subscribed from its snapshot.
    const snapshot = await visitor.get<MenuSnapshot>(`/api/shops/${shopA}/menu/snapshot`);
    const socket = await openSocket(hub.baseUrl, { auth: { menuShopId: shopA } });
    expect((await socket.subscribe(snapshot.body.seq)).ok).toBe(true);

    // Sent out of order: stored in the regulation's order.
    const res = await managerA.patch<AdminIngredient>(`/api/admin/ingredients/${tomato.id}`, {
      allergens: ['sulphites', 'celery'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: tomato.name, allergens: ['celery', 'sulphites'] });

    // No stale menu anywhere: the menu API, and the order path's cached products.
    expect((await menuProduct('margherita')).allergens).toEqual(['gluten', 'milk', 'celery', 'sulphites']);
    expect((await menuProduct('savoyarde')).allergens).toEqual(['gluten', 'milk']); // crème fraîche, no tomato
    const audit = await hub.db.one(sql.type(
      z.object({ action: z.string(), before: z.unknown(), after: z.unknown() }),
    )`
      select action, before, after from audit_log order by id desc limit 1`);
    expect(audit).toMatchObject({
      action: 'ingredient.update',
      before: { allergens: [] },
      after: { allergens: ['celery', 'sulphites'] },
    });

    // Live: the menu page learns every product using the sauce, with its new allergens.
    await socket.until((events) => events.some((e) => e.type === 'menu.changed'));
    const data = socket.events.find((e) => e.type === 'menu.changed')!.data as unknown as MenuChangedData;
    const margherita = data.products.find((p) => p.slug === 'margherita')!;
    expect(margherita.allergens).toEqual(['gluten', 'milk', 'celery', 'sulphites']);
    expect(data.products.some((p) => p.slug === 'savoyarde')).toBe(false);
    socket.close();

    // Put back, for the other tests.
    await admin.patch(`/api/admin/ingredients/${tomato.id}`, { allergens: [] });
  });

  it('a product’s traces are edited apart; one its recipe contains shows again when the recipe loses it', async () => {
    const id = await f.productId('margherita');
    const res = await managerA.patch<AdminProduct>(`/api/admin/products/${id}`, {
      mayContain: ['sesame', 'milk'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ allergens: ['gluten', 'milk'], mayContain: ['sesame'] });
    expect(await menuProduct('margherita')).toMatchObject({
      allergens: ['gluten', 'milk'],
      mayContain: ['sesame'],
    });

    // A price change leaves the stored traces as they are (milk included).
    await managerA.patch(`/api/admin/products/${id}`, { priceCents: 1090 });
    // Without mozzarella, the milk trace (shared kitchen) is declared again.
    const mozzarella = await f.ingredientId('Mozzarella fior di latte');
    const recipe = res.body.recipe
      .filter((r) => r.ingredientId !== mozzarella)
      .map((r) => ({ ingredientId: r.ingredientId, quantity: r.quantity }));
    const vegan = await managerA.patch<AdminProduct>(`/api/admin/products/${id}`, { recipe });
    expect(vegan.body).toMatchObject({ allergens: ['gluten'], mayContain: ['milk', 'sesame'] });
    expect(await menuProduct('margherita')).toMatchObject({
      allergens: ['gluten'],
      mayContain: ['milk', 'sesame'],
    });
  });

  it('a new ingredient is created with its allergens, and a new product derives them', async () => {
    const created = await admin.post<AdminIngredient>('/api/admin/ingredients', {
      name: 'Pesto au basilic',
      unit: 'g',
      allergens: ['nuts', 'milk'],
    });
    expect(created.status).toBe(201);
    expect(created.body.allergens).toEqual(['milk', 'nuts']);
    const dough = await f.ingredientId('Pâton de pâte à pizza');
    const pizza = await admin.post<AdminProduct>('/api/admin/products', {
      slug: 'pesto',
      kind: 'pizza',
      name: 'Pesto',
      priceCents: 1290,
      vatRateBp: 1000,
      recipe: [
        { ingredientId: dough, quantity: 1 },
        { ingredientId: created.body.id, quantity: 60 },
      ],
      mayContain: ['peanuts'],
    });
    expect(pizza.status).toBe(201);
    expect(pizza.body).toMatchObject({ allergens: ['gluten', 'milk', 'nuts'], mayContain: ['peanuts'] });
    expect(await menuProduct('pesto')).toMatchObject({
      allergens: ['gluten', 'milk', 'nuts'],
      mayContain: ['peanuts'],
    });
  });

  it('refuses unknown codes, duplicates and non-lists with 400 naming the field, and changes nothing', async () => {
    const tomato = await ingredient('Sauce tomate San Marzano');
    const product = await f.productId('reine');
    const before = await everything();
    const cases: Array<[string, string, unknown, string[]]> = [
      [
        'PATCH',
        `/api/admin/ingredients/${tomato.id}`,
        { allergens: ['gluten', 'shellfish'] },
        ['allergens.1'],
      ],
      ['PATCH', `/api/admin/ingredients/${tomato.id}`, { allergens: ['milk', 'milk'] }, ['allergens']],
      ['PATCH', `/api/admin/ingredients/${tomato.id}`, { allergens: 'milk' }, ['allergens']],
      ['PATCH', `/api/admin/ingredients/${tomato.id}`, { allergens: ['Lait'] }, ['allergens.0']],
      ['PATCH', `/api/admin/ingredients/${tomato.id}`, {}, ['']],
      ['PATCH', `/api/admin/products/${product}`, { mayContain: ['peanut'] }, ['mayContain.0']],
      ['PATCH', `/api/admin/products/${product}`, { mayContain: null }, ['mayContain']],
      [
        'POST',
        '/api/admin/ingredients',
        { name: 'Farine de sarrasin', unit: 'g', allergens: ['buckwheat'] },
        ['allergens.0'],
      ],
    ];
    for (const [method, path, body, fields] of cases) {
      const res = await admin.request<
        ErrorBody & { error: { details: { issues: Array<{ path: string }> } } }
      >(method, path, body);
      const issued = [...new Set(res.body.error.details.issues.map((i) => i.path))].sort();
      expect([method, JSON.stringify(body), res.status, res.body.error.code, issued]).toEqual([
        method,
        JSON.stringify(body),
        400,
        'request/invalid',
        [...fields].sort(),
      ]);
    }
    // The sentence names the codes that are accepted.
    const one = await admin.patch<ErrorBody>(`/api/admin/ingredients/${tomato.id}`, {
      allergens: ['shellfish'],
    });
    expect(one.body.error.message).toContain('crustaceans');
    const missing = await admin.patch<ErrorBody>('/api/admin/ingredients/999999', { allergens: ['milk'] });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'ingredient/not_found']);
    // Someone who is not a manager cannot change them at all.
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const refused = await kitchen.patch<ErrorBody>(`/api/admin/ingredients/${tomato.id}`, {
      allergens: ['milk'],
    });
    expect(refused.status).toBe(403);
    expect(await everything()).toBe(before);
  });

  it('the database itself refuses a code the screens do not know', async () => {
    const error = await hub.db
      .query(sql.unsafe`update ingredients set allergens = '{shellfish}' where name = 'Basilic frais'`)
      .catch((e: unknown) => e);
    expect(pgErrorCode(error)).toBe('23514'); // check_violation
    const basil = await f.ingredientId('Basilic frais');
    const stored = await hub.db.oneFirst(
      sql.type(
        z.object({ allergens: z.array(z.string()) }),
      )`select allergens from ingredients where id = ${basil}`,
    );
    expect(stored).toEqual([]);
  });
});
