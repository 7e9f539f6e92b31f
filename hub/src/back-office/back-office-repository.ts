import { z } from 'zod';
import {
  AdminCourier,
  AdminIngredient,
  AdminProduct,
  AdminShop,
  AdminStaff,
  AuditEntry,
  type Allergen,
  ShopClosure,
  type AuditEntity,
  type CourierVehicle,
  type RecipeLineInput,
  type StaffRole,
} from '../contract/index.js';
import { sql, type DatabaseTransactionConnection, type Queryable } from '../adapters/postgres.js';
import { productAllergens } from '../domain/allergens.js';
import { shopClosuresColumn } from '../menu/menu-repository.js';

/**
 * The back-office's reads and writes. "Locking" reads take the row's lock (FOR UPDATE) so the
 * `before` recorded in the audit trail is exactly what the change replaced.
 */

const lockClause = (lock: boolean) => (lock ? sql.fragment`for update` : sql.fragment``);

// ---------------------------------------------------------------------------------------------
// Shops

const shopSelect = sql.fragment`
  select id, slug, name, address, postcode, city, phone,
         json_build_object('lat', lat, 'lng', lng) as position,
         opening_hours as "openingHours", delivery_radius_m as "deliveryRadiusM", status,
         to_char(opens_on, 'YYYY-MM-DD') as "opensOn", code_letter as "codeLetter",
         kitchen_warn_minutes as "kitchenWarnMinutes", default_lead_minutes as "defaultLeadMinutes",
         last_order_minutes as "lastOrderMinutes", ${shopClosuresColumn}
  from shops`;

/** Every shop, or only these. */
export async function listShops(db: Queryable, only: readonly number[] | null): Promise<AdminShop[]> {
  const filter = only ? sql.fragment`where id = any(${sql.array(only as number[], 'int4')})` : sql.fragment``;
  return [...(await db.any(sql.type(AdminShop)`${shopSelect} ${filter} order by code_letter`))];
}

export async function findShop(db: Queryable, id: number, lock = false): Promise<AdminShop | null> {
  return db.maybeOne(sql.type(AdminShop)`${shopSelect} where id = ${id} ${lockClause(lock)}`);
}

export async function allShopIds(db: Queryable): Promise<number[]> {
  return [...(await db.anyFirst(sql.type(z.object({ id: z.number() }))`select id from shops order by id`))];
}

export async function updateShop(tx: DatabaseTransactionConnection, shop: AdminShop): Promise<void> {
  await tx.query(sql.unsafe`
    update shops set
      name = ${shop.name}, phone = ${shop.phone}, address = ${shop.address}, postcode = ${shop.postcode},
      city = ${shop.city}, lat = ${shop.position.lat}, lng = ${shop.position.lng},
      opening_hours = ${sql.jsonb(shop.openingHours as never)}, delivery_radius_m = ${shop.deliveryRadiusM},
      status = ${shop.status}, opens_on = ${shop.opensOn}::date,
      kitchen_warn_minutes = ${shop.kitchenWarnMinutes}, default_lead_minutes = ${shop.defaultLeadMinutes},
      last_order_minutes = ${shop.lastOrderMinutes}
    where id = ${shop.id}`);
}

// Exceptional closures (issue 12)

export async function insertClosure(
  tx: DatabaseTransactionConnection,
  shopId: number,
  c: { startsOn: string; endsOn: string; reason: string },
): Promise<ShopClosure> {
  return tx.one(sql.type(ShopClosure)`
    insert into shop_closures (shop_id, starts_on, ends_on, reason)
    values (${shopId}, ${c.startsOn}::date, ${c.endsOn}::date, ${c.reason})
    returning id::int, to_char(starts_on, 'YYYY-MM-DD') as "startsOn",
              to_char(ends_on, 'YYYY-MM-DD') as "endsOn", reason`);
}

/** The shop's closures sharing a day with [startsOn, endsOn]. */
export async function overlappingClosures(
  db: Queryable,
  shopId: number,
  startsOn: string,
  endsOn: string,
): Promise<ShopClosure[]> {
  return [
    ...(await db.any(sql.type(ShopClosure)`
      select id::int, to_char(starts_on, 'YYYY-MM-DD') as "startsOn",
             to_char(ends_on, 'YYYY-MM-DD') as "endsOn", reason
      from shop_closures
      where shop_id = ${shopId} and starts_on <= ${endsOn}::date and ends_on >= ${startsOn}::date
      order by starts_on`)),
  ];
}

/** One closure of the shop, its row locked. */
export async function lockClosure(
  tx: DatabaseTransactionConnection,
  shopId: number,
  closureId: number,
): Promise<ShopClosure | null> {
  return tx.maybeOne(sql.type(ShopClosure)`
    select id::int, to_char(starts_on, 'YYYY-MM-DD') as "startsOn",
           to_char(ends_on, 'YYYY-MM-DD') as "endsOn", reason
    from shop_closures where id = ${closureId} and shop_id = ${shopId} for update`);
}

export async function updateClosure(tx: DatabaseTransactionConnection, c: ShopClosure): Promise<void> {
  await tx.query(sql.unsafe`
    update shop_closures set starts_on = ${c.startsOn}::date, ends_on = ${c.endsOn}::date, reason = ${c.reason}
    where id = ${c.id}`);
}

/** Deletes one closure of the shop; the closure deleted, or null. */
export async function deleteClosure(
  tx: DatabaseTransactionConnection,
  shopId: number,
  closureId: number,
): Promise<ShopClosure | null> {
  return tx.maybeOne(sql.type(ShopClosure)`
    delete from shop_closures where id = ${closureId} and shop_id = ${shopId}
    returning id::int, to_char(starts_on, 'YYYY-MM-DD') as "startsOn",
              to_char(ends_on, 'YYYY-MM-DD') as "endsOn", reason`);
}

// ---------------------------------------------------------------------------------------------
// Products, recipes, steps

const productSelect = sql.fragment`
  select p.id, p.slug, p.name, p.kind, p.description, p.price_cents as "priceCents", p.vat_rate_bp as "vatRateBp",
         p.photo_url as "photoUrl", p.active, p.position, p.prep_minutes as "prepMinutes",
         p.bake_minutes as "bakeMinutes", p.steps, p.may_contain as "mayContain",
         coalesce((select json_agg(json_build_object('ingredientId', r.ingredient_id, 'ingredientName', i.name,
                    'unit', i.unit, 'quantity', r.quantity, 'allergens', i.allergens) order by r.ingredient_id)
                   from recipe_items r join ingredients i on i.id = r.ingredient_id
                   where r.product_id = p.id), '[]'::json) as recipe
  from products p`;

// The derived allergens are computed from the row, not selected: the rule lives in the domain.
const ProductRow = AdminProduct.omit({ allergens: true });
const withAllergens = (row: z.infer<typeof ProductRow>): AdminProduct => ({
  ...row,
  ...productAllergens(row.recipe, row.mayContain),
});

export async function listProducts(db: Queryable): Promise<AdminProduct[]> {
  const rows = await db.any(
    sql.type(ProductRow)`${productSelect} order by p.active desc, p.kind desc, p.position, p.id`,
  );
  return rows.map(withAllergens);
}

export async function findProduct(db: Queryable, id: number, lock = false): Promise<AdminProduct | null> {
  // FOR UPDATE cannot sit beside the aggregate sub-select: lock the row first, then read it.
  if (lock) {
    const exists = await db.maybeOneFirst(
      sql.type(z.object({ id: z.number() }))`select id from products where id = ${id} for update`,
    );
    if (exists === null) return null;
  }
  const row = await db.maybeOne(sql.type(ProductRow)`${productSelect} where p.id = ${id}`);
  return row && withAllergens(row);
}

export async function findProducts(db: Queryable, ids: readonly number[]): Promise<AdminProduct[]> {
  const rows = await db.any(
    sql.type(
      ProductRow,
    )`${productSelect} where p.id = any(${sql.array(ids as number[], 'int4')}) order by p.id`,
  );
  return rows.map(withAllergens);
}

export async function productSlugTaken(db: Queryable, slug: string): Promise<boolean> {
  return db.exists(sql.unsafe`select 1 from products where slug = ${slug}`);
}

export type ProductFields = {
  name: string;
  description: string;
  priceCents: number;
  vatRateBp: number;
  active: boolean;
  position: number;
  prepMinutes: number;
  bakeMinutes: number;
  steps: string[];
  mayContain: Allergen[];
};

export async function insertProduct(
  tx: DatabaseTransactionConnection,
  p: ProductFields & { slug: string; kind: string },
): Promise<number> {
  return tx.oneFirst(sql.type(z.object({ id: z.number() }))`
    insert into products (slug, name, kind, description, price_cents, vat_rate_bp, active, position,
                          prep_minutes, bake_minutes, steps, may_contain)
    values (${p.slug}, ${p.name}, ${p.kind}, ${p.description}, ${p.priceCents}, ${p.vatRateBp}, ${p.active},
            ${p.position}, ${p.prepMinutes}, ${p.bakeMinutes}, ${sql.jsonb(p.steps)},
            ${sql.array(p.mayContain, 'text')})
    returning id`);
}

export async function updateProduct(
  tx: DatabaseTransactionConnection,
  id: number,
  p: Omit<ProductFields, 'mayContain'> & { mayContain: Allergen[] | null },
): Promise<void> {
  await tx.query(sql.unsafe`
    update products set
      name = ${p.name}, description = ${p.description}, price_cents = ${p.priceCents},
      vat_rate_bp = ${p.vatRateBp}, active = ${p.active}, position = ${p.position},
      prep_minutes = ${p.prepMinutes}, bake_minutes = ${p.bakeMinutes}, steps = ${sql.jsonb(p.steps)},
      may_contain = coalesce(${p.mayContain && sql.array(p.mayContain, 'text')}, may_contain)
    where id = ${id}`);
}

/** The whole recipe of a product: lines not in `lines` are removed. */
export async function replaceRecipe(
  tx: DatabaseTransactionConnection,
  productId: number,
  lines: readonly RecipeLineInput[],
): Promise<void> {
  await tx.query(sql.unsafe`delete from recipe_items where product_id = ${productId}`);
  if (lines.length === 0) return;
  await tx.query(sql.unsafe`
    insert into recipe_items (product_id, ingredient_id, quantity)
    select ${productId}, l.ingredient_id, l.quantity
    from ${sql.unnest(
      lines.map((l) => [l.ingredientId, l.quantity]),
      ['int4', 'int4'],
    )} as l(ingredient_id, quantity)`);
}

/** The products whose recipe uses this ingredient. */
export async function productIdsUsing(db: Queryable, ingredientId: number): Promise<number[]> {
  return [
    ...(await db.anyFirst(sql.type(z.object({ productId: z.number() }))`
      select product_id as "productId" from recipe_items where ingredient_id = ${ingredientId} order by product_id`)),
  ];
}

// ---------------------------------------------------------------------------------------------
// Ingredients and thresholds

/** Ingredients with, per shop in `only` (every shop when null), the threshold and the stock. */
export async function listIngredients(
  db: Queryable,
  only: readonly number[] | null,
): Promise<AdminIngredient[]> {
  const shopFilter = only
    ? sql.fragment`and s.shop_id = any(${sql.array(only as number[], 'int4')})`
    : sql.fragment``;
  return [
    ...(await db.any(sql.type(AdminIngredient)`
      select i.id, i.name, i.unit, i.allergens,
             (select count(*)::int from recipe_items r where r.ingredient_id = i.id) as "usedBy",
             coalesce((select json_agg(json_build_object('shopId', s.shop_id, 'lowThreshold', s.low_threshold,
                                        'onHand', s.on_hand, 'reserved', s.reserved) order by s.shop_id)
                       from stock s where s.ingredient_id = i.id ${shopFilter}), '[]'::json) as shops
      from ingredients i
      order by i.name`)),
  ];
}

const IngredientRow = AdminIngredient.pick({ id: true, name: true, unit: true, allergens: true });
export type IngredientRow = z.infer<typeof IngredientRow>;

export async function findIngredient(db: Queryable, id: number, lock = false): Promise<IngredientRow | null> {
  return db.maybeOne(
    sql.type(
      IngredientRow,
    )`select id, name, unit, allergens from ingredients where id = ${id} ${lockClause(lock)}`,
  );
}

/** Which of these ingredient ids do not exist. */
export async function unknownIngredients(db: Queryable, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const known = new Set(
    await db.anyFirst(sql.type(z.object({ id: z.number() }))`
      select id from ingredients where id = any(${sql.array(ids as number[], 'int4')})`),
  );
  return ids.filter((id) => !known.has(id));
}

export async function ingredientNameTaken(db: Queryable, name: string, exceptId?: number): Promise<boolean> {
  return db.exists(sql.unsafe`
    select 1 from ingredients where lower(name) = lower(${name}) and id <> ${exceptId ?? 0}`);
}

/**
 * A new ingredient, stocked at 0 in every shop (so recipes can use it and stock can be recorded)
 * with `lowThreshold` at the shops in `thresholdShops` (every shop when null), 0 elsewhere.
 */
export async function insertIngredient(
  tx: DatabaseTransactionConnection,
  input: { name: string; unit: string; lowThreshold: number; allergens: readonly Allergen[] },
  thresholdShops: readonly number[] | null,
): Promise<number> {
  const id = await tx.oneFirst(sql.type(z.object({ id: z.number() }))`
    insert into ingredients (name, unit, allergens)
    values (${input.name}, ${input.unit}, ${sql.array([...input.allergens], 'text')}) returning id`);
  const applies = thresholdShops
    ? sql.fragment`s.id = any(${sql.array(thresholdShops as number[], 'int4')})`
    : sql.fragment`true`;
  await tx.query(sql.unsafe`
    insert into stock (shop_id, ingredient_id, on_hand, reserved, low_threshold)
    select s.id, ${id}, 0, 0, case when ${applies} then ${input.lowThreshold} else 0 end
    from shops s`);
  return id;
}

export async function updateIngredient(
  tx: DatabaseTransactionConnection,
  i: { id: number; name: string; allergens: readonly Allergen[] },
): Promise<void> {
  await tx.query(sql.unsafe`
    update ingredients set name = ${i.name}, allergens = ${sql.array([...i.allergens], 'text')} where id = ${i.id}`);
}

const ThresholdRow = z.object({
  shopId: z.number(),
  ingredientId: z.number(),
  ingredientName: z.string(),
  lowThreshold: z.number(),
});
export type ThresholdRow = z.infer<typeof ThresholdRow>;

export async function lockThreshold(
  tx: DatabaseTransactionConnection,
  shopId: number,
  ingredientId: number,
): Promise<ThresholdRow | null> {
  return tx.maybeOne(sql.type(ThresholdRow)`
    select s.shop_id as "shopId", s.ingredient_id as "ingredientId", i.name as "ingredientName",
           s.low_threshold as "lowThreshold"
    from stock s join ingredients i on i.id = s.ingredient_id
    where s.shop_id = ${shopId} and s.ingredient_id = ${ingredientId}
    for update of s`);
}

export async function updateThreshold(
  tx: DatabaseTransactionConnection,
  shopId: number,
  ingredientId: number,
  lowThreshold: number,
): Promise<void> {
  await tx.query(sql.unsafe`
    update stock set low_threshold = ${lowThreshold} where shop_id = ${shopId} and ingredient_id = ${ingredientId}`);
}

// ---------------------------------------------------------------------------------------------
// Staff and couriers

const staffSelect = sql.fragment`
  select id, email, name, role, shop_id as "shopId", active, created_at as "createdAt" from staff`;

/** Every account, or those of one shop (never the group admins, who belong to none). */
export async function listStaff(db: Queryable, shopId: number | null): Promise<AdminStaff[]> {
  const filter = shopId === null ? sql.fragment`` : sql.fragment`where shop_id = ${shopId}`;
  return [
    ...(await db.any(sql.type(AdminStaff)`
      ${staffSelect} ${filter}
      order by active desc, shop_id nulls first,
               array_position(array['admin', 'manager', 'kitchen', 'counter', 'courier'], role), name`)),
  ];
}

export async function findStaff(db: Queryable, id: string, lock = false): Promise<AdminStaff | null> {
  return db.maybeOne(sql.type(AdminStaff)`${staffSelect} where id = ${id} ${lockClause(lock)}`);
}

export async function staffEmailTaken(db: Queryable, email: string, exceptId?: string): Promise<boolean> {
  return db.exists(sql.unsafe`
    select 1 from staff where lower(email) = lower(${email})
      and id <> ${exceptId ?? '00000000-0000-0000-0000-000000000000'}::uuid`);
}

export async function insertStaff(
  tx: DatabaseTransactionConnection,
  s: { email: string; name: string; role: StaffRole; shopId: number | null; passwordHash: string },
): Promise<string> {
  return tx.oneFirst(sql.type(z.object({ id: z.string() }))`
    insert into staff (email, name, password_hash, role, shop_id)
    values (${s.email}, ${s.name}, ${s.passwordHash}, ${s.role}, ${s.shopId})
    returning id`);
}

export async function updateStaff(
  tx: DatabaseTransactionConnection,
  s: AdminStaff,
  passwordHash: string | null,
): Promise<void> {
  await tx.query(sql.unsafe`
    update staff set email = ${s.email}, name = ${s.name}, role = ${s.role}, shop_id = ${s.shopId},
                     active = ${s.active}, password_hash = coalesce(${passwordHash}, password_hash)
    where id = ${s.id}`);
}

/** Ends every open session of a staff member (connect-pg-simple keeps them in `session`). */
export async function endSessions(tx: DatabaseTransactionConnection, staffId: string): Promise<void> {
  await tx.query(sql.unsafe`delete from session where sess->>'staffId' = ${staffId}`);
}

/** Orders a courier is carrying, is due to carry, or has on offer: they must be handed over first. */
export async function courierOrdersInProgress(db: Queryable, courierId: string): Promise<number> {
  return db.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*)::int as n from orders
    where (courier_id = ${courierId} and status in ('ready', 'out_for_delivery'))
       or offered_courier_id = ${courierId}`);
}

const courierSelect = sql.fragment`
  select c.staff_id as "staffId", s.name, s.email, c.shop_id as "shopId", s.active, c.vehicle, c.capacity,
         c.on_shift as "onShift"
  from couriers c join staff s on s.id = c.staff_id`;

export async function listCouriers(db: Queryable, shopId: number | null): Promise<AdminCourier[]> {
  const filter = shopId === null ? sql.fragment`` : sql.fragment`where c.shop_id = ${shopId}`;
  return [
    ...(await db.any(
      sql.type(AdminCourier)`${courierSelect} ${filter} order by s.active desc, c.shop_id, s.name`,
    )),
  ];
}

export async function findCourier(
  db: Queryable,
  staffId: string,
  lock = false,
): Promise<AdminCourier | null> {
  return db.maybeOne(
    sql.type(
      AdminCourier,
    )`${courierSelect} where c.staff_id = ${staffId} ${lock ? sql.fragment`for update of c` : sql.fragment``}`,
  );
}

export async function insertCourier(
  tx: DatabaseTransactionConnection,
  staffId: string,
  shopId: number,
  vehicle: CourierVehicle,
): Promise<void> {
  await tx.query(sql.unsafe`
    insert into couriers (staff_id, shop_id, vehicle, on_shift) values (${staffId}, ${shopId}, ${vehicle}, false)`);
}

export async function updateCourier(
  tx: DatabaseTransactionConnection,
  c: Pick<AdminCourier, 'staffId' | 'shopId' | 'vehicle' | 'capacity' | 'onShift'>,
): Promise<void> {
  await tx.query(sql.unsafe`
    update couriers set shop_id = ${c.shopId}, vehicle = ${c.vehicle}, capacity = ${c.capacity},
                        on_shift = ${c.onShift}
    where staff_id = ${c.staffId}`);
}

// ---------------------------------------------------------------------------------------------
// Audit trail

export type NewAuditEntry = {
  at: Date;
  staffId: string;
  action: string;
  entity: AuditEntity;
  entityId: string;
  shopId: number | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
};

export async function appendAudit(tx: DatabaseTransactionConnection, e: NewAuditEntry): Promise<void> {
  const json = (v: Record<string, unknown> | null) => (v === null ? null : sql.jsonb(v as never));
  await tx.query(sql.unsafe`
    insert into audit_log (at, staff_id, action, entity, entity_id, shop_id, before, after)
    values (${e.at.toISOString()}, ${e.staffId}, ${e.action}, ${e.entity}, ${e.entityId}, ${e.shopId},
            ${json(e.before)}, ${json(e.after)})`);
}

/**
 * Entries newest first. `scope` null: everything (admins). Otherwise one shop's entries and the
 * group menu's (products, ingredients), which every manager may change.
 */
export async function listAudit(
  db: Queryable,
  query: {
    scope: number | null;
    before?: number | undefined;
    limit: number;
    entity?: AuditEntity | undefined;
    entityId?: string | undefined;
  },
): Promise<AuditEntry[]> {
  const conditions = [sql.fragment`true`];
  if (query.scope !== null) {
    conditions.push(sql.fragment`(a.shop_id = ${query.scope} or a.entity in ('product', 'ingredient'))`);
  }
  if (query.before !== undefined) conditions.push(sql.fragment`a.id < ${query.before}`);
  if (query.entity !== undefined) conditions.push(sql.fragment`a.entity = ${query.entity}`);
  if (query.entityId !== undefined) conditions.push(sql.fragment`a.entity_id = ${query.entityId}`);
  return [
    ...(await db.any(sql.type(AuditEntry)`
      select a.id, a.at,
             json_build_object('id', s.id, 'name', s.name, 'email', s.email, 'role', s.role) as staff,
             a.action, a.entity, a.entity_id as "entityId", a.shop_id as "shopId", a.before, a.after
      from audit_log a join staff s on s.id = a.staff_id
      where ${sql.join(conditions, sql.fragment` and `)}
      order by a.id desc
      limit ${query.limit}`)),
  ];
}
