import { z } from 'zod';
import { Allergen, IngredientUnit, ProductKind, ShopStatus, StaffRole } from './enums.js';
import { OpeningHours, Position, ProductAllergens, RecipeItem, Shop } from './shops.js';

/**
 * The back-office (issue 7): the bodies of every edit, the lists its screens read, and the audit
 * trail. Every body is strict (an unknown field is an error, not silently dropped) and every edit
 * body is partial: what is absent is left as it is.
 */

const id = z.number().int().positive().max(2_147_483_647);
const trimmed = (min: number, max: number) => z.string().trim().min(min).max(max);
const atLeastOneField = (body: object) => Object.keys(body).length > 0;
const NOTHING_TO_CHANGE = { message: 'nothing to change: send at least one field' };

// ---------------------------------------------------------------------------------------------
// Shops

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Opening hours as the back-office accepts them: real times ("24:00" closes at midnight), each
 * range ending after it starts, the ranges of a day in order and not overlapping.
 */
export const ShopHoursInput = OpeningHours.superRefine((hours, ctx) => {
  for (const [day, ranges] of Object.entries(hours)) {
    let previousEnd = -1;
    (ranges ?? []).forEach((range, i) => {
      const [from, to] = range.split('-') as [string, string];
      const valid = (t: string, end: boolean) =>
        (Number(t.slice(0, 2)) < 24 && Number(t.slice(3, 5)) < 60) || (end && t === '24:00');
      if (!valid(from, false) || !valid(to, true)) {
        ctx.addIssue({ code: 'custom', path: [day, i], message: `${range} is not a time range of a day` });
        return;
      }
      if (minutesOf(to) <= minutesOf(from)) {
        ctx.addIssue({ code: 'custom', path: [day, i], message: `${range} ends before it starts` });
        return;
      }
      if (minutesOf(from) < previousEnd) {
        ctx.addIssue({
          code: 'custom',
          path: [day, i],
          message: `${range} overlaps the range before it (ranges go in order)`,
        });
      }
      previousEnd = minutesOf(to);
    });
    if ((ranges ?? []).length > 4) {
      ctx.addIssue({ code: 'custom', path: [day], message: 'at most 4 ranges a day' });
    }
  }
});

const IsoDate = z.iso.date('a date like 2027-03-01');

/** What a shop's manager may change; admins change the rest too (see SHOP_ADMIN_FIELDS). */
export const UpdateShopBody = z
  .strictObject({
    name: trimmed(2, 100).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 .-]{6,20}$/, 'a phone number of 6 to 20 digits')
      .optional(),
    address: trimmed(3, 200).optional(),
    postcode: z
      .string()
      .trim()
      .regex(/^\d{5}$/, 'a 5-digit French postcode')
      .optional(),
    city: trimmed(1, 100).optional(),
    position: Position.optional(),
    openingHours: ShopHoursInput.optional(),
    deliveryRadiusM: z.number().int().min(300, 'at least 300 m').max(20_000, 'at most 20 km').optional(),
    status: ShopStatus.optional(),
    /** The opening date of a shop that is not open yet; null once it is open. */
    opensOn: IsoDate.nullable().optional(),
    kitchenWarnMinutes: z.number().int().min(0).max(120).optional(),
    defaultLeadMinutes: z.number().int().min(5).max(240).optional(),
    lastOrderMinutes: z.number().int().min(0).max(120).optional(),
  })
  .refine(atLeastOneField, NOTHING_TO_CHANGE);
export type UpdateShopBody = z.infer<typeof UpdateShopBody>;

/** An exceptional closure: whole Paris days, both ends included, at most a year. */
export const CreateClosureBody = z
  .strictObject({
    startsOn: IsoDate,
    endsOn: IsoDate,
    reason: z.string().trim().max(200).default(''),
  })
  .superRefine((c, ctx) => {
    const problem = closureDaysProblem(c.startsOn, c.endsOn);
    if (problem) ctx.addIssue({ code: 'custom', path: ['endsOn'], message: problem });
  });

/** What is wrong with a closure's days (YYYY-MM-DD, both included), or null. */
export function closureDaysProblem(startsOn: string, endsOn: string): string | null {
  if (endsOn < startsOn) return 'the closure ends before it starts';
  if (Date.parse(endsOn) - Date.parse(startsOn) > 366 * 24 * 3600_000)
    return 'a closure lasts at most a year';
  return null;
}
export type CreateClosureBody = z.infer<typeof CreateClosureBody>;

/** A closure changed: its days or its reason (what is absent is kept). */
export const UpdateClosureBody = z
  .strictObject({
    startsOn: IsoDate.optional(),
    endsOn: IsoDate.optional(),
    reason: z.string().trim().max(200).optional(),
  })
  .refine(atLeastOneField, NOTHING_TO_CHANGE);
export type UpdateClosureBody = z.infer<typeof UpdateClosureBody>;

export const ClosureParam = z.object({
  shopId: z.coerce.number().int().positive().max(2_147_483_647),
  closureId: z.coerce.number().int().positive().max(2_147_483_647),
});
export type ClosureParam = z.infer<typeof ClosureParam>;

/**
 * Fields only a group admin changes: where the shop is, what it is called, whether it is open.
 * A manager runs the shop's day: hours, zone, phone, kitchen timings.
 */
export const SHOP_ADMIN_FIELDS = [
  'name',
  'address',
  'postcode',
  'city',
  'position',
  'status',
  'opensOn',
] as const;

/** A shop as the back-office edits it. */
export const AdminShop = Shop;
export type AdminShop = z.infer<typeof AdminShop>;

export const AdminShopList = z.object({ shops: z.array(AdminShop) });
export type AdminShopList = z.infer<typeof AdminShopList>;

// ---------------------------------------------------------------------------------------------
// Menu: products, recipes, steps

/** A set of allergen codes as the back-office sends it: known codes, each once. */
export const AllergenListInput = z
  .array(
    z.enum(Allergen.options, {
      error: `one of the 14 EU allergen codes (${Allergen.options.join(', ')})`,
    }),
    { error: 'a list of allergen codes' },
  )
  .refine((codes) => new Set(codes).size === codes.length, 'each allergen once');

export const RecipeLineInput = z.strictObject({
  ingredientId: id,
  quantity: z.number().int().positive('a quantity above 0').max(100_000),
});
export type RecipeLineInput = z.infer<typeof RecipeLineInput>;

const Recipe = z
  .array(RecipeLineInput)
  .max(30, 'at most 30 ingredients')
  .superRefine((lines, ctx) => {
    const seen = new Set<number>();
    lines.forEach((line, i) => {
      if (seen.has(line.ingredientId)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'ingredientId'],
          message: 'this ingredient is already in the recipe',
        });
      }
      seen.add(line.ingredientId);
    });
  });

/** The pizza makers' reminder: an ordered list of short steps. */
const Steps = z.array(trimmed(1, 300)).max(20, 'at most 20 steps');

/** French VAT rates a pizzeria uses, in basis points: 5.5 %, 10 % (food), 20 % (alcohol). */
export const VatRateBp = z.union([z.literal(550), z.literal(1000), z.literal(2000)], {
  error: 'a French VAT rate: 550, 1000 or 2000 (5.5 %, 10 %, 20 %)',
});

const productFields = {
  name: trimmed(2, 100),
  description: trimmed(0, 500),
  priceCents: z.number().int().min(1, 'a price above 0').max(100_000, 'at most 1,000 €'),
  vatRateBp: VatRateBp,
  active: z.boolean(),
  prepMinutes: z.number().int().min(0).max(120),
  bakeMinutes: z.number().int().min(0).max(120),
  position: z.number().int().min(0).max(10_000),
  recipe: Recipe,
  steps: Steps,
  /** Traces the product may contain besides its recipe's allergens (shared oven, supplier label). */
  mayContain: AllergenListInput,
};

export const CreateProductBody = z.strictObject({
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case letters, digits and dashes, like quatre-fromages')
    .max(60),
  kind: ProductKind,
  ...productFields,
  description: productFields.description.default(''),
  active: productFields.active.default(true),
  prepMinutes: productFields.prepMinutes.default(0),
  bakeMinutes: productFields.bakeMinutes.default(0),
  position: productFields.position.default(0),
  recipe: productFields.recipe.default([]),
  steps: productFields.steps.default([]),
  mayContain: productFields.mayContain.default([]),
});
export type CreateProductBody = z.infer<typeof CreateProductBody>;

export const UpdateProductBody = z
  .strictObject({
    name: productFields.name.optional(),
    description: productFields.description.optional(),
    priceCents: productFields.priceCents.optional(),
    vatRateBp: productFields.vatRateBp.optional(),
    active: productFields.active.optional(),
    prepMinutes: productFields.prepMinutes.optional(),
    bakeMinutes: productFields.bakeMinutes.optional(),
    position: productFields.position.optional(),
    /** The whole recipe: lines absent from it are removed. */
    recipe: productFields.recipe.optional(),
    /** The whole list of steps, in order. */
    steps: productFields.steps.optional(),
    /** The whole list of traces. */
    mayContain: productFields.mayContain.optional(),
  })
  .refine(atLeastOneField, NOTHING_TO_CHANGE);
export type UpdateProductBody = z.infer<typeof UpdateProductBody>;

/** A product as the back-office edits it, active or not. */
export const AdminProduct = z.object({
  id: z.number().int(),
  slug: z.string(),
  name: z.string(),
  kind: ProductKind,
  description: z.string(),
  priceCents: z.number().int(),
  vatRateBp: z.number().int(),
  photoUrl: z.string().nullable(),
  active: z.boolean(),
  position: z.number().int(),
  prepMinutes: z.number().int(),
  bakeMinutes: z.number().int(),
  recipe: z.array(RecipeItem),
  steps: z.array(z.string()),
  /** Derived from the recipe (read-only) and the traces (edited). */
  ...ProductAllergens.shape,
});
export type AdminProduct = z.infer<typeof AdminProduct>;

export const AdminProductList = z.object({ products: z.array(AdminProduct) });
export type AdminProductList = z.infer<typeof AdminProductList>;

// ---------------------------------------------------------------------------------------------
// Ingredients and low-stock thresholds

export const CreateIngredientBody = z.strictObject({
  name: trimmed(2, 100),
  unit: IngredientUnit,
  /** The low-stock threshold given to every shop the caller manages (all of them for an admin). */
  lowThreshold: z.number().int().min(0).max(1_000_000).default(0),
  allergens: AllergenListInput.default([]),
});
export type CreateIngredientBody = z.infer<typeof CreateIngredientBody>;

/** The unit is fixed once created: recipes' quantities are written in it. */
export const UpdateIngredientBody = z
  .strictObject({
    name: trimmed(2, 100).optional(),
    /** The whole list: the allergens this ingredient contains. */
    allergens: AllergenListInput.optional(),
  })
  .refine(atLeastOneField, NOTHING_TO_CHANGE);
export type UpdateIngredientBody = z.infer<typeof UpdateIngredientBody>;

export const UpdateThresholdBody = z.strictObject({
  lowThreshold: z.number().int().min(0, '0 or more').max(1_000_000),
});
export type UpdateThresholdBody = z.infer<typeof UpdateThresholdBody>;

export const AdminIngredient = z.object({
  id: z.number().int(),
  name: z.string(),
  unit: IngredientUnit,
  allergens: z.array(Allergen),
  /** How many products' recipes use it. */
  usedBy: z.number().int(),
  /** Per shop the caller may see: its low-stock threshold and what it has on hand. */
  shops: z.array(
    z.object({
      shopId: z.number().int(),
      lowThreshold: z.number().int(),
      onHand: z.number().int(),
      reserved: z.number().int(),
    }),
  ),
});
export type AdminIngredient = z.infer<typeof AdminIngredient>;

export const AdminIngredientList = z.object({ ingredients: z.array(AdminIngredient) });
export type AdminIngredientList = z.infer<typeof AdminIngredientList>;

// ---------------------------------------------------------------------------------------------
// Staff accounts and couriers

export const CourierVehicle = z.enum(['scooter', 'bike', 'car']);
export type CourierVehicle = z.infer<typeof CourierVehicle>;

const password = z
  .string()
  .min(12, 'at least 12 characters')
  .max(200)
  .refine((p) => p.trim().length === p.length, 'no spaces at the start or the end');

export const CreateStaffBody = z
  .strictObject({
    email: z.email('an e-mail address').max(200),
    name: trimmed(2, 100),
    role: StaffRole,
    /** Null for an admin; the shop of everyone else. */
    shopId: id.nullable(),
    password,
    /** A courier's vehicle (couriers only). */
    vehicle: CourierVehicle.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.role === 'admin' && body.shopId !== null) {
      ctx.addIssue({ code: 'custom', path: ['shopId'], message: 'an admin belongs to no shop' });
    }
    if (body.role !== 'admin' && body.shopId === null) {
      ctx.addIssue({ code: 'custom', path: ['shopId'], message: 'choose the shop this person works at' });
    }
    if (body.vehicle && body.role !== 'courier') {
      ctx.addIssue({ code: 'custom', path: ['vehicle'], message: 'only couriers have a vehicle' });
    }
  });
export type CreateStaffBody = z.infer<typeof CreateStaffBody>;

export const UpdateStaffBody = z
  .strictObject({
    name: trimmed(2, 100).optional(),
    email: z.email('an e-mail address').max(200).optional(),
    role: StaffRole.optional(),
    shopId: id.nullable().optional(),
    /** false: the account can no longer log in, and its open sessions end at once. */
    active: z.boolean().optional(),
    /** A new password set for the person (they are told it in person). */
    password: password.optional(),
  })
  .refine(atLeastOneField, NOTHING_TO_CHANGE);
export type UpdateStaffBody = z.infer<typeof UpdateStaffBody>;

export const AdminStaff = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: StaffRole,
  shopId: z.number().int().nullable(),
  active: z.boolean(),
  createdAt: z.string(),
});
export type AdminStaff = z.infer<typeof AdminStaff>;

export const AdminStaffList = z.object({ staff: z.array(AdminStaff) });
export type AdminStaffList = z.infer<typeof AdminStaffList>;

export const StaffIdParam = z.object({ staffId: z.uuid('a staff id') });

export const UpdateCourierBody = z
  .strictObject({
    capacity: z.number().int().min(1, 'at least 1 order').max(6, 'at most 6 orders').optional(),
    onShift: z.boolean().optional(),
    vehicle: CourierVehicle.optional(),
  })
  .refine(atLeastOneField, NOTHING_TO_CHANGE);
export type UpdateCourierBody = z.infer<typeof UpdateCourierBody>;

export const AdminCourier = z.object({
  staffId: z.uuid(),
  name: z.string(),
  email: z.string(),
  shopId: z.number().int(),
  active: z.boolean(),
  vehicle: CourierVehicle,
  capacity: z.number().int(),
  onShift: z.boolean(),
});
export type AdminCourier = z.infer<typeof AdminCourier>;

export const AdminCourierList = z.object({ couriers: z.array(AdminCourier) });
export type AdminCourierList = z.infer<typeof AdminCourierList>;

// ---------------------------------------------------------------------------------------------
// Route parameters

export const ProductIdParam = z.object({ productId: z.coerce.number().int().positive().max(2_147_483_647) });
export const IngredientIdParam = z.object({
  ingredientId: z.coerce.number().int().positive().max(2_147_483_647),
});
export const ShopIngredientParam = z.object({
  shopId: z.coerce.number().int().positive().max(2_147_483_647),
  ingredientId: z.coerce.number().int().positive().max(2_147_483_647),
});

// ---------------------------------------------------------------------------------------------
// Audit trail

export const AuditEntity = z.enum(['shop', 'product', 'ingredient', 'stock', 'staff', 'courier']);
export type AuditEntity = z.infer<typeof AuditEntity>;

/** One change: who, when, what (the entity before and after; null before a creation). */
export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  staff: z.object({ id: z.uuid(), name: z.string(), email: z.string(), role: StaffRole }),
  action: z.string(),
  entity: AuditEntity,
  entityId: z.string(),
  shopId: z.number().int().nullable(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQuery = z.strictObject({
  /** Entries older than this id (the next page). */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  entity: AuditEntity.optional(),
  entityId: z.string().max(64).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

/** Newest first. `next` is the `before` of the following page, or null at the end. */
export const AuditPage = z.object({ entries: z.array(AuditEntry), next: z.number().int().nullable() });
export type AuditPage = z.infer<typeof AuditPage>;
