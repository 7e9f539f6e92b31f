import { z } from 'zod';
import { Allergen, IngredientUnit, ProductKind, ShopStatus } from './enums.js';

export const Position = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});
export type Position = z.infer<typeof Position>;

/** Opening hours per ISO weekday (1 = Monday), each a list of "HH:MM-HH:MM" ranges; a missing day is closed. */
export const OpeningHours = z.partialRecord(
  z.enum(['1', '2', '3', '4', '5', '6', '7']),
  z.array(z.string().regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/)),
);
export type OpeningHours = z.infer<typeof OpeningHours>;

/**
 * An exceptional closure: every Paris day from `startsOn` to `endsOn` (inclusive, YYYY-MM-DD) the
 * shop takes no orders and no time on those days can be promised, whatever its opening hours.
 */
export const ShopClosure = z.object({
  id: z.number().int(),
  startsOn: z.string(),
  endsOn: z.string(),
  reason: z.string(),
});
export type ShopClosure = z.infer<typeof ShopClosure>;

export const Shop = z.object({
  id: z.number().int(),
  slug: z.string(),
  name: z.string(),
  address: z.string(),
  postcode: z.string(),
  city: z.string(),
  phone: z.string(),
  position: Position,
  openingHours: OpeningHours,
  deliveryRadiusM: z.number().int(),
  status: ShopStatus,
  opensOn: z.string().nullable(),
  codeLetter: z.string().length(1),
  /** A kitchen ticket turns amber this many minutes before it is due, red once late. */
  kitchenWarnMinutes: z.number().int(),
  /**
   * The counter's default ready-in, and the promise of an order written without one (rows older
   * than migration 015, other SQL writers): created + this lead time.
   */
  defaultLeadMinutes: z.number().int(),
  /** No order "as soon as possible" in the last this many minutes before closing. */
  lastOrderMinutes: z.number().int(),
  /** Closures not over yet, soonest first. */
  closures: z.array(ShopClosure),
});
export type Shop = z.infer<typeof Shop>;

/** The `details` of a `shop/closed` answer: when an order "as soon as possible" is next taken. */
export const ShopClosedDetails = z.object({
  /** ISO instant, or null when the shop does not open within a week. */
  nextOpening: z.string().nullable(),
  /** The first times that may be asked for instead (ISO with the Paris offset). */
  nextSlots: z.array(z.string()),
});
export type ShopClosedDetails = z.infer<typeof ShopClosedDetails>;

export const ShopList = z.object({ shops: z.array(Shop) });
export type ShopList = z.infer<typeof ShopList>;

export const RecipeItem = z.object({
  ingredientId: z.number().int(),
  ingredientName: z.string(),
  unit: IngredientUnit,
  quantity: z.number().int().positive(),
  /** The regulated allergens this ingredient contains (the pizza makers see which line brings which). */
  allergens: z.array(Allergen),
});
export type RecipeItem = z.infer<typeof RecipeItem>;

/**
 * What a product declares (EU Regulation 1169/2011): the allergens its recipe contains, derived
 * from its ingredients, and apart the traces it may contain (never one it already contains).
 * Both in the regulation's order.
 */
export const ProductAllergens = z.object({
  allergens: z.array(Allergen),
  mayContain: z.array(Allergen),
});
export type ProductAllergens = z.infer<typeof ProductAllergens>;

export const MenuProduct = z.object({
  id: z.number().int(),
  slug: z.string(),
  name: z.string(),
  kind: ProductKind,
  description: z.string(),
  priceCents: z.number().int(),
  vatRateBp: z.number().int(),
  photoUrl: z.string().nullable(),
  /** How many can still be made at this shop with the stock not yet reserved. */
  available: z.number().int().nonnegative(),
  recipe: z.array(RecipeItem),
  steps: z.array(z.string()),
  prepMinutes: z.number().int(),
  bakeMinutes: z.number().int(),
  ...ProductAllergens.shape,
});
export type MenuProduct = z.infer<typeof MenuProduct>;

export const Menu = z.object({
  shopId: z.number().int(),
  products: z.array(MenuProduct),
});
export type Menu = z.infer<typeof Menu>;

export const ShopIdParam = z.object({ shopId: z.coerce.number().int().positive().max(2_147_483_647) });
export type ShopIdParam = z.infer<typeof ShopIdParam>;
