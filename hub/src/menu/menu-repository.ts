import { z } from 'zod';
import { Allergen, ProductKind, Shop } from '../contract/index.js';
import { productAllergens } from '../domain/allergens.js';
import { sql, type Queryable } from '../adapters/postgres.js';

/**
 * A shop's closures not over yet, as JSON (soonest first). "Over" is judged by the database's
 * Paris date, a day early: the hub's clock decides what is closed; this only keeps old ones out.
 */
export const shopClosuresColumn = sql.fragment`
  coalesce((select json_agg(json_build_object('id', c.id, 'startsOn', to_char(c.starts_on, 'YYYY-MM-DD'),
              'endsOn', to_char(c.ends_on, 'YYYY-MM-DD'), 'reason', c.reason) order by c.starts_on, c.id)
            from shop_closures c
            where c.shop_id = shops.id and c.ends_on >= (now() at time zone 'Europe/Paris')::date - 1),
           '[]'::json) as closures`;

const shopSelect = sql.fragment`
  select id, slug, name, address, postcode, city, phone,
         json_build_object('lat', lat, 'lng', lng) as position,
         opening_hours as "openingHours", delivery_radius_m as "deliveryRadiusM", status,
         to_char(opens_on, 'YYYY-MM-DD') as "opensOn", code_letter as "codeLetter",
         kitchen_warn_minutes as "kitchenWarnMinutes", default_lead_minutes as "defaultLeadMinutes",
         last_order_minutes as "lastOrderMinutes", ${shopClosuresColumn}
  from shops`;

export async function listShops(db: Queryable): Promise<Shop[]> {
  return [...(await db.any(sql.type(Shop)`${shopSelect} order by status, id`))];
}

export async function findShop(db: Queryable, id: number): Promise<Shop | null> {
  return db.maybeOne(sql.type(Shop)`${shopSelect} where id = ${id}`);
}

const ProductRow = z.object({
  id: z.number(),
  slug: z.string(),
  name: z.string(),
  kind: ProductKind,
  description: z.string(),
  priceCents: z.number(),
  vatRateBp: z.number(),
  photoUrl: z.string().nullable(),
  prepMinutes: z.number(),
  bakeMinutes: z.number(),
  steps: z.array(z.string()),
  active: z.boolean(),
  recipe: z.array(
    z.object({
      ingredientId: z.number(),
      ingredientName: z.string(),
      unit: z.enum(['g', 'ml', 'piece']),
      quantity: z.number(),
      allergens: z.array(Allergen),
    }),
  ),
  mayContain: z.array(Allergen),
});
export type ProductRow = z.infer<typeof ProductRow> & { allergens: Allergen[] };

const withAllergens = (row: z.infer<typeof ProductRow>): ProductRow => ({
  ...row,
  ...productAllergens(row.recipe, row.mayContain),
});

const productSelect = sql.fragment`
  select p.id, p.slug, p.name, p.kind, p.description, p.price_cents as "priceCents", p.vat_rate_bp as "vatRateBp",
         p.photo_url as "photoUrl", p.prep_minutes as "prepMinutes", p.bake_minutes as "bakeMinutes", p.steps, p.active,
         p.may_contain as "mayContain",
         coalesce((select json_agg(json_build_object('ingredientId', r.ingredient_id, 'ingredientName', i.name,
                    'unit', i.unit, 'quantity', r.quantity, 'allergens', i.allergens) order by r.ingredient_id)
                   from recipe_items r join ingredients i on i.id = r.ingredient_id
                   where r.product_id = p.id), '[]'::json) as recipe
  from products p`;

export async function listActiveProducts(db: Queryable): Promise<ProductRow[]> {
  const rows = await db.any(
    sql.type(ProductRow)`${productSelect} where p.active order by p.kind desc, p.position, p.id`,
  );
  return rows.map(withAllergens);
}

export async function findProducts(db: Queryable, ids: readonly number[]): Promise<ProductRow[]> {
  const rows = await db.any(
    sql.type(ProductRow)`${productSelect} where p.id = any(${sql.array(ids as number[], 'int4')})`,
  );
  return rows.map(withAllergens);
}

const Available = z.object({ ingredientId: z.number(), available: z.number() });

export async function availableStock(db: Queryable, shopId: number): Promise<Map<number, number>> {
  const rows = await db.any(sql.type(Available)`
    select ingredient_id as "ingredientId", on_hand - reserved as available from stock where shop_id = ${shopId}`);
  return new Map(rows.map((r) => [r.ingredientId, r.available]));
}
