import type { OrderStatus } from '../contract/index.js';

/**
 * What a status change does to the ingredients of the order.
 * reserve: set aside at creation; consume: the kitchen started, they are used;
 * release: cancelled before the kitchen started, they go back to available;
 * waste: cancelled after the kitchen started, what was consumed is recorded as wasted.
 */
export type StockEffect = 'consume' | 'release' | 'waste' | null;

export function stockEffectOf(from: OrderStatus, to: OrderStatus): StockEffect {
  if (to === 'preparing' && from === 'received') return 'consume';
  if (to === 'cancelled') {
    return from === 'pending_payment' || from === 'received' ? 'release' : 'waste';
  }
  return null;
}

export type RecipeLine = { ingredientId: number; quantity: number };

/** Total quantity of each ingredient needed by the lines of an order, sorted by ingredient id. */
export function ingredientsNeeded(
  lines: ReadonlyArray<{ productId: number; quantity: number }>,
  recipes: ReadonlyMap<number, readonly RecipeLine[]>,
): Array<{ ingredientId: number; quantity: number }> {
  const totals = new Map<number, number>();
  for (const line of lines) {
    for (const item of recipes.get(line.productId) ?? []) {
      totals.set(item.ingredientId, (totals.get(item.ingredientId) ?? 0) + item.quantity * line.quantity);
    }
  }
  // Sorted so that every transaction locks stock rows in the same order: no deadlock between orders.
  return [...totals.entries()]
    .sort(([a], [b]) => a - b)
    .map(([ingredientId, quantity]) => ({ ingredientId, quantity }));
}

/**
 * How many of a product can still be made: min over its ingredients of floor(available / needed).
 * A product without a recipe is not limited by stock; it is reported with `unlimited`.
 */
export function makeableCount(
  recipe: readonly RecipeLine[],
  available: ReadonlyMap<number, number>,
  unlimited = 999,
): number {
  if (recipe.length === 0) return unlimited;
  let count = Number.POSITIVE_INFINITY;
  for (const item of recipe) {
    const have = Math.max(0, available.get(item.ingredientId) ?? 0);
    count = Math.min(count, Math.floor(have / item.quantity));
  }
  return Math.min(count, unlimited);
}

export type StockLevel = { ingredientId: number; onHand: number; reserved: number };
export type PlannedMovement = {
  ingredientId: number;
  kind: 'restock' | 'reservation' | 'release' | 'consumption' | 'waste' | 'adjustment';
  quantity: number;
  onHandDelta: number;
  reservedDelta: number;
};

/**
 * Reserve `needs` against the current (locked) levels. Either every ingredient fits and the
 * movements are returned, or nothing is reserved and the short ingredients are named.
 */
export function planReservation(
  needs: ReadonlyArray<{ ingredientId: number; quantity: number }>,
  levels: readonly StockLevel[],
): { ok: true; movements: PlannedMovement[] } | { ok: false; shortIngredientIds: number[] } {
  const byId = new Map(levels.map((l) => [l.ingredientId, l]));
  const short = needs
    .filter((n) => {
      const level = byId.get(n.ingredientId);
      return !level || level.onHand - level.reserved < n.quantity;
    })
    .map((n) => n.ingredientId);
  if (short.length > 0) return { ok: false, shortIngredientIds: short };
  return {
    ok: true,
    movements: needs.map((n) => ({
      ingredientId: n.ingredientId,
      kind: 'reservation',
      quantity: n.quantity,
      onHandDelta: 0,
      reservedDelta: n.quantity,
    })),
  };
}

type Holding = { ingredientId: number; reserved: number; consumed: number };

/** Cancelled before the kitchen started: what the order reserved becomes available again. */
export function planRelease(holdings: readonly Holding[]): PlannedMovement[] {
  return holdings
    .filter((h) => h.reserved > 0)
    .map((h) => ({
      ingredientId: h.ingredientId,
      kind: 'release',
      quantity: h.reserved,
      onHandDelta: 0,
      reservedDelta: -h.reserved,
    }));
}

/** The kitchen started: what was reserved leaves the shelf. */
export function planConsumption(holdings: readonly Holding[]): PlannedMovement[] {
  return holdings
    .filter((h) => h.reserved > 0)
    .map((h) => ({
      ingredientId: h.ingredientId,
      kind: 'consumption',
      quantity: h.reserved,
      onHandDelta: -h.reserved,
      reservedDelta: -h.reserved,
    }));
}

/**
 * Cancelled after the kitchen started: the food was made, nothing returns to the shelf; the
 * ledger records it as waste so the stock report explains where it went.
 */
export function planOrderWaste(holdings: readonly Holding[]): PlannedMovement[] {
  return holdings
    .filter((h) => h.consumed > 0)
    .map((h) => ({
      ingredientId: h.ingredientId,
      kind: 'waste',
      quantity: h.consumed,
      onHandDelta: 0,
      reservedDelta: 0,
    }));
}

/**
 * A manager's movement. Restock adds; adjustment corrects after a count; waste removes spoiled
 * stock. None may take on-hand below what orders already reserved.
 */
export function planManualMovement(
  movement: { kind: 'restock' | 'adjustment' | 'waste'; ingredientId: number; quantity: number },
  level: StockLevel,
): { ok: true; movement: PlannedMovement } | { ok: false; message: string } {
  const onHandDelta =
    movement.kind === 'restock'
      ? movement.quantity
      : movement.kind === 'waste'
        ? -movement.quantity
        : movement.quantity;
  if (level.onHand + onHandDelta < level.reserved) {
    return {
      ok: false,
      message: `This would leave ${level.onHand + onHandDelta} on hand while orders hold ${level.reserved}.`,
    };
  }
  return {
    ok: true,
    movement: {
      ingredientId: movement.ingredientId,
      kind: movement.kind,
      quantity: Math.abs(movement.quantity),
      onHandDelta,
      reservedDelta: 0,
    },
  };
}
