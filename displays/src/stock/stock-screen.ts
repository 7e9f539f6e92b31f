import {
  StockChangedData,
  type EventEnvelope,
  type IngredientUnit,
  type MenuProduct,
  type ProductKind,
  type StockSnapshot,
} from '@ocp/hub/contract';
import { makeableCount } from '@ocp/hub/domain/stock';

/**
 * The shop stock screen as data: ingredient levels from the snapshot, kept up to date by
 * `stock.changed` events, and what follows from them (low-stock flags, how many of each product
 * can still be made). Pure functions, no Vue, no I/O: every rule is unit-tested without a browser.
 */

export type Ingredient = {
  ingredientId: number;
  name: string;
  unit: IngredientUnit;
  onHand: number;
  reserved: number;
  lowThreshold: number;
};

export type StockScreenState = {
  shopId: number;
  ingredients: Record<number, Ingredient>;
  /** In menu order. */
  products: MenuProduct[];
};

/** An ingredient as the screen shows it. */
export type IngredientRow = Ingredient & {
  /** On hand minus what orders already reserved: what new orders can still use. */
  available: number;
  low: boolean;
  /** Nothing left for a new order. */
  out: boolean;
  /** Level bar, 0..1: full at FULL_AT_THRESHOLDS times the low threshold. */
  fill: number;
  /** Where on the bar the stock on hand ends: from `fill` to here it is held by orders. */
  heldTo: number;
  /** Where the low threshold sits on the bar, 0..1. */
  thresholdAt: number;
};

/** The bar is full at this many times the low threshold (the demo shops open at about six). */
export const FULL_AT_THRESHOLDS = 5;

export type ProductRow = {
  productId: number;
  name: string;
  kind: ProductKind;
  /** How many can still be made with the available stock; 0: it cannot be ordered. */
  count: number;
  /** False for a product without a recipe (not limited by stock). */
  limited: boolean;
  /** The ingredients that set the count (the scarcest ones), by name. */
  limitedBy: string[];
};

export function stockScreenFromSnapshot(snapshot: StockSnapshot): StockScreenState {
  const ingredients: Record<number, Ingredient> = {};
  for (const item of snapshot.items) {
    ingredients[item.ingredientId] = {
      ingredientId: item.ingredientId,
      name: item.name,
      unit: item.unit,
      onHand: item.onHand,
      reserved: item.reserved,
      lowThreshold: item.lowThreshold,
    };
  }
  return { shopId: snapshot.shopId, ingredients, products: snapshot.products };
}

/**
 * One event applied to the levels. `stock.changed` carries absolute levels, so applying the same
 * event twice (or an event the snapshot already reflects) changes nothing. Other shops' events,
 * other event types and ingredients this screen does not know are ignored. The state object is
 * returned unchanged when nothing moved, so a screen can skip work.
 */
export function applyStockEvent(state: StockScreenState, event: EventEnvelope): StockScreenState {
  if (event.type !== 'stock.changed' || event.shopId !== state.shopId) return state;
  const parsed = StockChangedData.safeParse(event.data);
  if (!parsed.success) return state;
  let ingredients: Record<number, Ingredient> | null = null;
  for (const item of parsed.data.items) {
    const held = (ingredients ?? state.ingredients)[item.ingredientId];
    if (!held || (held.onHand === item.onHand && held.reserved === item.reserved)) continue;
    ingredients ??= { ...state.ingredients };
    ingredients[item.ingredientId] = { ...held, onHand: item.onHand, reserved: item.reserved };
  }
  return ingredients ? { ...state, ingredients } : state;
}

export function ingredientRow(ingredient: Ingredient): IngredientRow {
  const available = ingredient.onHand - ingredient.reserved;
  const full = ingredient.lowThreshold * FULL_AT_THRESHOLDS;
  return {
    ...ingredient,
    available,
    low: available <= ingredient.lowThreshold,
    out: available <= 0,
    fill: full > 0 ? clamp(available / full) : available > 0 ? 1 : 0,
    heldTo: full > 0 ? clamp(ingredient.onHand / full) : ingredient.onHand > 0 ? 1 : 0,
    thresholdAt: full > 0 ? 1 / FULL_AT_THRESHOLDS : 0,
  };
}

/** Every ingredient, low ones first (the scarcest of them on top), then by name. */
export function ingredientRows(state: StockScreenState): IngredientRow[] {
  return Object.values(state.ingredients)
    .map(ingredientRow)
    .sort((a, b) => {
      if (a.low !== b.low) return a.low ? -1 : 1;
      return a.name.localeCompare(b.name, 'fr');
    });
}

export function availableByIngredient(state: StockScreenState): Map<number, number> {
  return new Map(
    Object.values(state.ingredients).map((i) => [i.ingredientId, i.onHand - i.reserved] as const),
  );
}

/** For each product, in menu order, how many can still be made and what limits it. */
export function productRows(state: StockScreenState): ProductRow[] {
  const available = availableByIngredient(state);
  return state.products.map((product) => {
    const recipe = product.recipe.map((r) => ({ ingredientId: r.ingredientId, quantity: r.quantity }));
    const count = makeableCount(recipe, available);
    const limited = recipe.length > 0;
    // The scarcest ingredients: those allowing no more than `count` pizzas.
    const limitedBy = limited
      ? product.recipe
          .filter((r) => Math.floor(Math.max(0, available.get(r.ingredientId) ?? 0) / r.quantity) === count)
          .map((r) => state.ingredients[r.ingredientId]?.name ?? r.ingredientName)
      : [];
    return { productId: product.id, name: product.name, kind: product.kind, count, limited, limitedBy };
  });
}

export type QuantityUnit = 'g' | 'kg' | 'ml' | 'L' | 'piece';

/**
 * A quantity in the unit a cook reads: grams as kilograms from 1,000 g, millilitres as litres
 * from 1,000 ml; pieces stay pieces. The amount keeps at most two decimals.
 */
export function displayQuantity(
  quantity: number,
  unit: IngredientUnit,
): { amount: number; unit: QuantityUnit } {
  if (unit === 'g' && Math.abs(quantity) >= 1000) return { amount: round2(quantity / 1000), unit: 'kg' };
  if (unit === 'ml' && Math.abs(quantity) >= 1000) return { amount: round2(quantity / 1000), unit: 'L' };
  return { amount: quantity, unit };
}

export type MovementKind = 'restock' | 'adjustment' | 'waste';

export type MovementDraft = {
  kind: MovementKind;
  /** What was typed, in the ingredient's own unit (g, ml, pieces). */
  quantity: string;
  /** Adjustments only: add to or remove from the stock on hand. */
  sign: 1 | -1;
  note: string;
};

export type MovementProblem = 'quantity' | 'reason';

/**
 * The form's own check before anything is sent: a whole positive quantity, and a reason for an
 * adjustment or waste (the hub requires it too; the form says so at once, in French).
 */
export function checkMovement(
  ingredientId: number,
  draft: MovementDraft,
):
  | {
      ok: true;
      body: { kind: MovementKind; ingredientId: number; quantity: number; note?: string };
      onHandDelta: number;
    }
  | { ok: false; problems: MovementProblem[] } {
  const problems: MovementProblem[] = [];
  const text = draft.quantity.trim();
  const quantity = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(quantity) || quantity <= 0 || quantity > 1_000_000) problems.push('quantity');
  const note = draft.note.trim();
  if (draft.kind !== 'restock' && note === '') problems.push('reason');
  if (problems.length > 0) return { ok: false, problems };
  const signed = draft.kind === 'adjustment' ? draft.sign * quantity : quantity;
  return {
    ok: true,
    body: { kind: draft.kind, ingredientId, quantity: signed, ...(note ? { note } : {}) },
    onHandDelta: draft.kind === 'waste' ? -quantity : signed,
  };
}

/** What the typed movement would make of the stock on hand (null while the quantity is not valid). */
export function previewOnHand(ingredient: Ingredient, draft: MovementDraft): number | null {
  const text = draft.quantity.trim();
  if (!/^\d+$/.test(text)) return null;
  const quantity = Number(text);
  if (quantity <= 0) return null;
  const delta =
    draft.kind === 'restock' ? quantity : draft.kind === 'waste' ? -quantity : draft.sign * quantity;
  return ingredient.onHand + delta;
}

function clamp(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
