import { OrderLineInput, type MenuProduct } from '@ocp/hub/contract';
import { priceOrder, type OrderTotals } from '@ocp/hub/domain/pricing';
import { ingredientsNeeded, makeableCount } from '@ocp/hub/domain/stock';
import { z } from 'zod';
import { levelsMap, recipeOf, UNLIMITED, type MenuState } from '../menu/menu-state';

/**
 * The cart as plain data: the order's lines exactly as the hub takes them (`OrderLineInput`),
 * one line per product. Prices and availability come from the live menu, never from the cart,
 * so a cart saved yesterday shows today's prices.
 */
export type CartLine = OrderLineInput;

export const MAX_QUANTITY = 50;

export function quantityOf(lines: readonly CartLine[], productId: number): number {
  return lines.filter((l) => l.productId === productId).reduce((n, l) => n + l.quantity, 0);
}

export function itemCount(lines: readonly CartLine[]): number {
  return lines.reduce((n, l) => n + l.quantity, 0);
}

/**
 * How many of a product the kitchen can make alongside the rest of the cart: its ingredients
 * minus what the cart's other products need. Two pizzas that share the last mozzarella are not
 * both makeable just because each one alone is.
 */
export function makeableWithCart(lines: readonly CartLine[], menu: MenuState, productId: number): number {
  const product = menu.products.find((p) => p.id === productId);
  if (!product || !menu.open) return 0;
  const recipe = recipeOf(product);
  if (recipe.length === 0) return Math.min(product.available, UNLIMITED);
  const recipes = new Map(menu.products.map((p) => [p.id, recipeOf(p)] as const));
  const others = ingredientsNeeded(
    lines.filter((l) => l.productId !== productId),
    recipes,
  );
  const left = levelsMap(menu.levels);
  for (const need of others) left.set(need.ingredientId, (left.get(need.ingredientId) ?? 0) - need.quantity);
  return Math.min(product.available, makeableCount(recipe, left, UNLIMITED));
}

/** How many more of a product may still go into the cart (0: the "Ajouter" button is off). */
export function roomFor(lines: readonly CartLine[], menu: MenuState, productId: number): number {
  const room = makeableWithCart(lines, menu, productId) - quantityOf(lines, productId);
  return Math.max(0, Math.min(room, MAX_QUANTITY - quantityOf(lines, productId)));
}

export function addToCart(lines: readonly CartLine[], productId: number): CartLine[] {
  const index = lines.findIndex((l) => l.productId === productId);
  if (index < 0) return [...lines, { productId, quantity: 1 }];
  return setQuantity(lines, productId, lines[index]!.quantity + 1);
}

/** 0 or less removes the line; more than 50 (the hub's limit per line) is capped. */
export function setQuantity(lines: readonly CartLine[], productId: number, quantity: number): CartLine[] {
  if (quantity <= 0) return lines.filter((l) => l.productId !== productId);
  return lines.map((l) =>
    l.productId === productId ? { ...l, quantity: Math.min(Math.floor(quantity), MAX_QUANTITY) } : l,
  );
}

export function setNotes(lines: readonly CartLine[], productId: number, notes: string): CartLine[] {
  const trimmed = notes.slice(0, 200);
  return lines.map((l) => {
    if (l.productId !== productId) return l;
    const { notes: _old, ...rest } = l;
    return trimmed.trim() ? { ...rest, notes: trimmed } : rest;
  });
}

export type LineIssue =
  /** No longer on this shop's menu. */
  | { kind: 'unknown' }
  /** More than the kitchen can make now: `remaining` is what it can (0: sold out). */
  | { kind: 'short'; remaining: number };

/** What is wrong with each line, by product id; a line missing from the map is fine. */
export function lineIssues(lines: readonly CartLine[], menu: MenuState): Map<number, LineIssue> {
  const issues = new Map<number, LineIssue>();
  for (const line of lines) {
    if (!menu.products.some((p) => p.id === line.productId)) {
      issues.set(line.productId, { kind: 'unknown' });
      continue;
    }
    const remaining = makeableWithCart(lines, menu, line.productId);
    if (quantityOf(lines, line.productId) > remaining)
      issues.set(line.productId, { kind: 'short', remaining });
  }
  return issues;
}

export type PricedCartLine = CartLine & { product: MenuProduct; lineCents: number };

/** The lines whose product is on the menu, with their product and price. */
export function pricedLines(lines: readonly CartLine[], menu: MenuState): PricedCartLine[] {
  const byId = new Map(menu.products.map((p) => [p.id, p] as const));
  const priced: PricedCartLine[] = [];
  for (const line of lines) {
    const product = byId.get(line.productId);
    if (product) priced.push({ ...line, product, lineCents: product.priceCents * line.quantity });
  }
  return priced;
}

/** Totals as the hub will compute them (same function): lines not on the menu are left out. */
export function cartTotals(lines: readonly CartLine[], menu: MenuState): OrderTotals {
  return priceOrder(
    pricedLines(lines, menu).map((l) => ({
      unitPriceCents: l.product.priceCents,
      vatRateBp: l.product.vatRateBp,
      quantity: l.quantity,
    })),
  );
}

/** Lines that cannot be ordered as they are: the checkout stays closed while any is left. */
export function cartBlocked(lines: readonly CartLine[], menu: MenuState): boolean {
  return lines.length === 0 || lineIssues(lines, menu).size > 0;
}

const StoredCart = z.array(OrderLineInput);

/** A cart read back from storage; anything unreadable (old format, edited by hand) is an empty cart. */
export function parseStoredCart(raw: string | null): CartLine[] {
  if (!raw) return [];
  try {
    const parsed = StoredCart.safeParse(JSON.parse(raw));
    if (!parsed.success) return [];
    // One line per product, as the cart keeps them.
    const merged: CartLine[] = [];
    for (const line of parsed.data) {
      const held = merged.find((l) => l.productId === line.productId);
      if (held) held.quantity = Math.min(held.quantity + line.quantity, MAX_QUANTITY);
      else merged.push({ ...line });
    }
    return merged;
  } catch {
    return [];
  }
}
