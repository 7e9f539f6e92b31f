import {
  MenuChangedData,
  StockChangedData,
  type AdminProduct,
  type EventEnvelope,
  type MenuProduct,
  type MenuSnapshot,
} from '@ocp/hub/contract';
import { makeableCount } from '@ocp/hub/domain/stock';

/**
 * A shop's menu as the customer sees it, kept live: `stock.changed` events carry absolute
 * ingredient levels, from which every product's availability is recomputed here, without asking
 * the hub again. Pure functions, no Vue: unit-tested without a browser.
 */
export type MenuState = {
  shopId: number;
  /** A shop that is not open yet makes nothing, whatever its shelves hold (as the hub says). */
  open: boolean;
  /** In menu order, `available` kept up to date. */
  products: MenuProduct[];
  /** Free quantity (on hand minus reserved) per ingredient id. */
  levels: Record<number, number>;
};

/** What makeableCount reports for a product without a recipe: not limited by stock. */
export const UNLIMITED = 999;

export function menuFromSnapshot(snapshot: MenuSnapshot, open = true): MenuState {
  const levels: Record<number, number> = {};
  for (const level of snapshot.levels) levels[level.ingredientId] = level.available;
  return { shopId: snapshot.shopId, open, products: snapshot.products, levels };
}

export function levelsMap(levels: Record<number, number>): Map<number, number> {
  return new Map(Object.entries(levels).map(([id, available]) => [Number(id), available] as const));
}

export function recipeOf(
  product: Pick<MenuProduct, 'recipe'>,
): Array<{ ingredientId: number; quantity: number }> {
  return product.recipe.map((r) => ({ ingredientId: r.ingredientId, quantity: r.quantity }));
}

/**
 * One event applied to the menu. Other shops' events and other types change nothing; applying
 * the same levels twice changes nothing either (the state object is returned as is).
 */
export function applyMenuEvent(state: MenuState, event: EventEnvelope): MenuState {
  if (event.type === 'menu.changed' && event.shopId === state.shopId) return applyMenuChange(state, event);
  if (event.type !== 'stock.changed' || event.shopId !== state.shopId) return state;
  const parsed = StockChangedData.safeParse(event.data);
  if (!parsed.success) return state;
  let levels: Record<number, number> | null = null;
  for (const item of parsed.data.items) {
    const available = item.onHand - item.reserved;
    if ((levels ?? state.levels)[item.ingredientId] === available) continue;
    levels ??= { ...state.levels };
    levels[item.ingredientId] = available;
  }
  if (!levels) return state;
  const map = levelsMap(levels);
  let changed = false;
  const products = state.products.map((product) => {
    const available = state.open ? makeableCount(recipeOf(product), map, UNLIMITED) : 0;
    if (available === product.available) return product;
    changed = true;
    return { ...product, available };
  });
  return { ...state, levels, products: changed ? products : state.products };
}

/**
 * The back-office changed products (a recipe, a price, an ingredient's allergens): the page shows
 * them as they are now, without a reload — a customer must not order on allergens that were
 * just corrected. A product taken off the menu leaves it; a new one joins it.
 */
function applyMenuChange(state: MenuState, event: EventEnvelope): MenuState {
  const parsed = MenuChangedData.safeParse(event.data);
  if (!parsed.success || parsed.data.products.length === 0) return state;
  const changed = new Map(parsed.data.products.map((p) => [p.id, p]));
  const map = levelsMap(state.levels);
  const toMenu = ({ active: _active, position: _position, ...product }: AdminProduct): MenuProduct => ({
    ...product,
    available: state.open ? makeableCount(recipeOf(product), map, UNLIMITED) : 0,
  });
  const products = state.products.flatMap((product) => {
    const next = changed.get(product.id);
    if (!next) return [product];
    changed.delete(product.id);
    return next.active ? [toMenu(next)] : [];
  });
  for (const added of changed.values()) if (added.active) products.push(toMenu(added));
  return { ...state, products };
}
