import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import {
  Allergen,
  IngredientUnit,
  OpeningHours,
  ProductKind,
  ShopStatus,
  type StaffRole,
} from '../contract/index.js';
import { sql, type DatabasePool } from '../adapters/postgres.js';
import { hashPassword } from '../adapters/passwords.js';

const DemoData = z.object({
  ingredients: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      unit: IngredientUnit,
      stockPerShop: z.number().int().nonnegative(),
      lowThreshold: z.number().int().nonnegative(),
      allergens: z.array(Allergen).default([]),
    }),
  ),
  products: z.array(
    z.object({
      slug: z.string(),
      name: z.string(),
      kind: ProductKind,
      description: z.string(),
      priceCents: z.number().int().positive(),
      vatRateBp: z.number().int(),
      prepMinutes: z.number().int(),
      bakeMinutes: z.number().int(),
      steps: z.array(z.string()),
      recipe: z.array(z.object({ ingredient: z.string(), quantity: z.number().int().positive() })),
      photoUrl: z.string().nullable(),
      mayContain: z.array(Allergen).default([]),
    }),
  ),
  shops: z.array(
    z.object({
      slug: z.string(),
      name: z.string(),
      address: z.string(),
      postcode: z.string(),
      city: z.string(),
      phone: z.string(),
      lat: z.number(),
      lng: z.number(),
      deliveryRadiusM: z.number().int(),
      status: ShopStatus,
      opensOn: z.string().nullable(),
      codeLetter: z.string().length(1),
      openingHours: OpeningHours,
      lastOrderMinutes: z.number().int().default(15),
      /** Exceptional closures, counted from the day the demo is seeded (its dates would go stale). */
      closures: z
        .array(
          z.object({ startsInDays: z.number().int(), days: z.number().int().positive(), reason: z.string() }),
        )
        .default([]),
    }),
  ),
});

export const DEMO_PASSWORD = 'pizza-demo-2026';
export const DEMO_EMAIL_DOMAIN = 'demo.ocpizza.fr';

/** The demo accounts: one admin, and per shop one of each role (two couriers where the shop is open). */
export function demoStaffEmail(role: StaffRole, codeLetter?: string, n = 1): string {
  if (role === 'admin') return `admin@${DEMO_EMAIL_DOMAIN}`;
  return `${role}${n > 1 ? n : ''}.${codeLetter!.toLowerCase()}@${DEMO_EMAIL_DOMAIN}`;
}

export type SeedProgress = (message: string) => void;

/**
 * Loads the demo group (8 shops, menu with recipes, stock, staff, couriers) once: a database that
 * already has shops is left alone. Serialized by a transaction advisory lock so two hub processes
 * starting together seed it once.
 */
export async function seedDemo(pool: DatabasePool, file: string, progress: SeedProgress = () => {}) {
  const data = DemoData.parse(JSON.parse(await readFile(file, 'utf8')));
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`select pg_advisory_xact_lock(7262002)`);
    if (await tx.exists(sql.unsafe`select 1 from shops`)) return { seeded: false };

    progress(`seeding ${data.ingredients.length} ingredients`);
    const ingredientIds = new Map<string, number>();
    for (const i of data.ingredients) {
      const id = await tx.oneFirst(
        sql.type(z.object({ id: z.number() }))`insert into ingredients (name, unit, allergens)
          values (${i.name}, ${i.unit}, ${sql.array(i.allergens, 'text')}) returning id`,
      );
      ingredientIds.set(i.key, id);
    }

    progress(`seeding ${data.products.length} products with recipes`);
    for (const [position, p] of data.products.entries()) {
      const id = await tx.oneFirst(sql.type(z.object({ id: z.number() }))`
        insert into products (slug, name, kind, description, price_cents, vat_rate_bp, prep_minutes, bake_minutes, steps, photo_url, position, may_contain)
        values (${p.slug}, ${p.name}, ${p.kind}, ${p.description}, ${p.priceCents}, ${p.vatRateBp}, ${p.prepMinutes},
                ${p.bakeMinutes}, ${sql.jsonb(p.steps)}, ${p.photoUrl}, ${position}, ${sql.array(p.mayContain, 'text')})
        returning id`);
      for (const r of p.recipe) {
        const ingredientId = ingredientIds.get(r.ingredient);
        if (ingredientId === undefined)
          throw new Error(`demo product ${p.slug} uses unknown ingredient ${r.ingredient}`);
        await tx.query(
          sql.unsafe`insert into recipe_items (product_id, ingredient_id, quantity) values (${id}, ${ingredientId}, ${r.quantity})`,
        );
      }
    }

    await tx.query(sql.unsafe`
      insert into staff (email, name, password_hash, role, shop_id)
      values (${demoStaffEmail('admin')}, 'Administratrice du groupe', ${passwordHash}, 'admin', null)`);

    for (const s of data.shops) {
      progress(`seeding shop ${s.codeLetter} ${s.name}`);
      const shopId = await tx.oneFirst(sql.type(z.object({ id: z.number() }))`
        insert into shops (slug, name, address, postcode, city, phone, lat, lng, opening_hours, delivery_radius_m, status, opens_on, code_letter, last_order_minutes)
        values (${s.slug}, ${s.name}, ${s.address}, ${s.postcode}, ${s.city}, ${s.phone}, ${s.lat}, ${s.lng},
                ${sql.jsonb(s.openingHours)}, ${s.deliveryRadiusM}, ${s.status}, ${s.opensOn}, ${s.codeLetter},
                ${s.lastOrderMinutes})
        returning id`);
      for (const c of s.closures) {
        await tx.query(sql.unsafe`
          insert into shop_closures (shop_id, starts_on, ends_on, reason)
          select ${shopId}, today + ${c.startsInDays}::int, today + ${c.startsInDays + c.days - 1}::int, ${c.reason}
          from (select (now() at time zone 'Europe/Paris')::date as today) t`);
      }
      const open = s.status === 'open';
      for (const i of data.ingredients) {
        const quantity = open ? i.stockPerShop : 0;
        const ingredientId = ingredientIds.get(i.key)!;
        await tx.query(sql.unsafe`
          insert into stock (shop_id, ingredient_id, on_hand, reserved, low_threshold)
          values (${shopId}, ${ingredientId}, ${quantity}, 0, ${i.lowThreshold})`);
        if (quantity > 0) {
          // The opening stock is a restock like any other, so the ledger sums to the stock from day one.
          await tx.query(sql.unsafe`
            insert into stock_ledger (shop_id, ingredient_id, kind, quantity, on_hand_delta, reserved_delta, note)
            values (${shopId}, ${ingredientId}, 'restock', ${quantity}, ${quantity}, 0, 'stock initial (démo)')`);
        }
      }
      const people: Array<[StaffRole, string, number]> = [
        ['manager', `Responsable ${s.city}`, 1],
        ['kitchen', `Cuisine ${s.name}`, 1],
        ['counter', `Comptoir ${s.name}`, 1],
        ['courier', `Livreur ${s.codeLetter}1`, 1],
        ...(open ? [['courier', `Livreur ${s.codeLetter}2`, 2] as [StaffRole, string, number]] : []),
      ];
      for (const [role, name, n] of people) {
        const staffId = await tx.oneFirst(sql.type(z.object({ id: z.string() }))`
          insert into staff (email, name, password_hash, role, shop_id)
          values (${demoStaffEmail(role, s.codeLetter, n)}, ${name}, ${passwordHash}, ${role}, ${shopId})
          returning id`);
        if (role === 'courier') {
          await tx.query(sql.unsafe`
            insert into couriers (staff_id, shop_id, vehicle, on_shift) values (${staffId}, ${shopId}, ${n === 1 ? 'scooter' : 'bike'}, ${open})`);
        }
      }
    }
    return { seeded: true };
  });
}
