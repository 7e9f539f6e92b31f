import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderStatus as OrderStatusEnum, type OrderStatus } from '../contract/index.js';
import {
  ingredientsNeeded,
  makeableCount,
  planConsumption,
  planManualMovement,
  planOrderWaste,
  planRelease,
  planReservation,
  stockEffectOf,
  type RecipeLine,
  type StockLevel,
} from './stock.js';

const TOMATO = 1;
const MOZZARELLA = 2;
const DOUGH = 3;
const HAM = 5;

const MARGHERITA = 10;
const REGINA = 11;
const SODA = 20; // no recipe: not limited by stock

const RECIPES: ReadonlyMap<number, readonly RecipeLine[]> = new Map([
  [
    MARGHERITA,
    [
      { ingredientId: DOUGH, quantity: 250 },
      { ingredientId: TOMATO, quantity: 80 },
      { ingredientId: MOZZARELLA, quantity: 100 },
    ],
  ],
  [
    REGINA,
    [
      { ingredientId: HAM, quantity: 50 },
      { ingredientId: TOMATO, quantity: 80 },
      { ingredientId: DOUGH, quantity: 250 },
      { ingredientId: MOZZARELLA, quantity: 100 },
    ],
  ],
]);

describe('ingredientsNeeded', () => {
  it('sums recipe quantities times line quantities over all lines, sorted by ingredient id', () => {
    const needs = ingredientsNeeded(
      [
        { productId: MARGHERITA, quantity: 2 },
        { productId: REGINA, quantity: 1 },
        { productId: SODA, quantity: 3 },
        { productId: MARGHERITA, quantity: 1 },
      ],
      RECIPES,
    );
    expect(needs).toEqual([
      { ingredientId: TOMATO, quantity: 80 * 4 },
      { ingredientId: MOZZARELLA, quantity: 100 * 4 },
      { ingredientId: DOUGH, quantity: 250 * 4 },
      { ingredientId: HAM, quantity: 50 },
    ]);
  });

  it('needs nothing for products without a recipe or for an empty order', () => {
    expect(ingredientsNeeded([{ productId: SODA, quantity: 6 }], RECIPES)).toEqual([]);
    expect(ingredientsNeeded([], RECIPES)).toEqual([]);
  });
});

describe('makeableCount', () => {
  const margherita = RECIPES.get(MARGHERITA)!;

  it('is the minimum over ingredients of floor(available / needed)', () => {
    const available = new Map([
      [DOUGH, 1000], // 4
      [TOMATO, 250], // 3.125 → 3
      [MOZZARELLA, 1000], // 10
    ]);
    expect(makeableCount(margherita, available)).toBe(3);
  });

  it('counts exactly enough as one pizza and one gram short as none', () => {
    const exact = new Map([
      [DOUGH, 250],
      [TOMATO, 80],
      [MOZZARELLA, 100],
    ]);
    expect(makeableCount(margherita, exact)).toBe(1);
    expect(makeableCount(margherita, new Map([...exact, [MOZZARELLA, 99]]))).toBe(0);
  });

  it('is 0 when an ingredient is missing from the stock', () => {
    const available = new Map([
      [DOUGH, 10_000],
      [TOMATO, 10_000],
    ]);
    expect(makeableCount(margherita, available)).toBe(0);
  });

  it('is 0, not negative, when an ingredient is over-reserved', () => {
    const available = new Map([
      [DOUGH, 10_000],
      [TOMATO, -40],
      [MOZZARELLA, 10_000],
    ]);
    expect(makeableCount(margherita, available)).toBe(0);
  });

  it('is capped (999 by default, or the cap given)', () => {
    const huge = new Map([
      [DOUGH, 10_000_000],
      [TOMATO, 10_000_000],
      [MOZZARELLA, 10_000_000],
    ]);
    expect(makeableCount(margherita, huge)).toBe(999);
    expect(makeableCount(margherita, huge, 50)).toBe(50);
  });

  it('reports a product without a recipe at the cap', () => {
    expect(makeableCount([], new Map())).toBe(999);
    expect(makeableCount([], new Map(), 12)).toBe(12);
  });
});

describe('planReservation', () => {
  const levels: StockLevel[] = [
    { ingredientId: TOMATO, onHand: 1000, reserved: 900 }, // 100 available
    { ingredientId: MOZZARELLA, onHand: 500, reserved: 0 },
    { ingredientId: DOUGH, onHand: 300, reserved: 50 }, // 250 available
  ];

  it('reserves every ingredient when all fit, exactly-fitting included', () => {
    const plan = planReservation(
      [
        { ingredientId: TOMATO, quantity: 80 },
        { ingredientId: MOZZARELLA, quantity: 100 },
        { ingredientId: DOUGH, quantity: 250 },
      ],
      levels,
    );
    expect(plan).toEqual({
      ok: true,
      movements: [
        { ingredientId: TOMATO, kind: 'reservation', quantity: 80, onHandDelta: 0, reservedDelta: 80 },
        { ingredientId: MOZZARELLA, kind: 'reservation', quantity: 100, onHandDelta: 0, reservedDelta: 100 },
        { ingredientId: DOUGH, kind: 'reservation', quantity: 250, onHandDelta: 0, reservedDelta: 250 },
      ],
    });
  });

  it('reserves nothing and names the short ingredient when one does not fit', () => {
    const plan = planReservation(
      [
        { ingredientId: TOMATO, quantity: 80 },
        { ingredientId: MOZZARELLA, quantity: 100 },
        { ingredientId: DOUGH, quantity: 251 },
      ],
      levels,
    );
    expect(plan).toEqual({ ok: false, shortIngredientIds: [DOUGH] });
  });

  it('counts what other orders reserved as unavailable and names every short ingredient', () => {
    const plan = planReservation(
      [
        { ingredientId: TOMATO, quantity: 101 },
        { ingredientId: MOZZARELLA, quantity: 100 },
        { ingredientId: DOUGH, quantity: 500 },
      ],
      levels,
    );
    expect(plan).toEqual({ ok: false, shortIngredientIds: [TOMATO, DOUGH] });
  });

  it('treats an ingredient the shop has no stock row for as short', () => {
    const plan = planReservation([{ ingredientId: HAM, quantity: 1 }], levels);
    expect(plan).toEqual({ ok: false, shortIngredientIds: [HAM] });
  });
});

describe('planning order stock movements', () => {
  const holdings = [
    { ingredientId: TOMATO, reserved: 160, consumed: 0 },
    { ingredientId: DOUGH, reserved: 0, consumed: 500 },
    { ingredientId: HAM, reserved: 0, consumed: 0 },
  ];

  it('release gives back what the order reserved', () => {
    expect(planRelease(holdings)).toEqual([
      { ingredientId: TOMATO, kind: 'release', quantity: 160, onHandDelta: 0, reservedDelta: -160 },
    ]);
  });

  it('consumption takes the reserved quantity off the shelf and out of the reservations', () => {
    expect(planConsumption(holdings)).toEqual([
      { ingredientId: TOMATO, kind: 'consumption', quantity: 160, onHandDelta: -160, reservedDelta: -160 },
    ]);
  });

  it('order waste records what was consumed without touching the levels again', () => {
    expect(planOrderWaste(holdings)).toEqual([
      { ingredientId: DOUGH, kind: 'waste', quantity: 500, onHandDelta: 0, reservedDelta: 0 },
    ]);
  });

  it('plans nothing for an order holding nothing', () => {
    expect(planRelease([])).toEqual([]);
    expect(planConsumption([])).toEqual([]);
    expect(planOrderWaste([])).toEqual([]);
  });
});

describe('planManualMovement', () => {
  const level: StockLevel = { ingredientId: MOZZARELLA, onHand: 100, reserved: 40 };

  it('adds a restock to the stock on hand', () => {
    expect(planManualMovement({ kind: 'restock', ingredientId: MOZZARELLA, quantity: 500 }, level)).toEqual({
      ok: true,
      movement: {
        ingredientId: MOZZARELLA,
        kind: 'restock',
        quantity: 500,
        onHandDelta: 500,
        reservedDelta: 0,
      },
    });
  });

  it('removes waste from the stock on hand, down to exactly what orders hold', () => {
    expect(planManualMovement({ kind: 'waste', ingredientId: MOZZARELLA, quantity: 60 }, level)).toEqual({
      ok: true,
      movement: { ingredientId: MOZZARELLA, kind: 'waste', quantity: 60, onHandDelta: -60, reservedDelta: 0 },
    });
  });

  it('refuses waste that would leave less on hand than orders hold, saying how much', () => {
    const plan = planManualMovement({ kind: 'waste', ingredientId: MOZZARELLA, quantity: 61 }, level);
    expect(plan.ok).toBe(false);
    if (!plan.ok) {
      expect(plan.message).toContain('39');
      expect(plan.message).toContain('40');
    }
  });

  it('applies a signed adjustment and records its size', () => {
    expect(
      planManualMovement({ kind: 'adjustment', ingredientId: MOZZARELLA, quantity: -25 }, level),
    ).toEqual({
      ok: true,
      movement: {
        ingredientId: MOZZARELLA,
        kind: 'adjustment',
        quantity: 25,
        onHandDelta: -25,
        reservedDelta: 0,
      },
    });
    expect(planManualMovement({ kind: 'adjustment', ingredientId: MOZZARELLA, quantity: 30 }, level)).toEqual(
      {
        ok: true,
        movement: {
          ingredientId: MOZZARELLA,
          kind: 'adjustment',
          quantity: 30,
          onHandDelta: 30,
          reservedDelta: 0,
        },
      },
    );
  });

  it('refuses an adjustment below what orders hold', () => {
    expect(
      planManualMovement({ kind: 'adjustment', ingredientId: MOZZARELLA, quantity: -61 }, level),
    ).toMatchObject({ ok: false });
  });

  it('never plans on hand below reserved (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.constantFrom('restock' as const, 'waste' as const, 'adjustment' as const),
        fc.integer({ min: 1, max: 10_000 }),
        fc.boolean(),
        (onHand, reservedSeed, kind, size, negative) => {
          const reserved = Math.min(reservedSeed, onHand);
          const quantity = kind === 'adjustment' && negative ? -size : size;
          const plan = planManualMovement(
            { kind, ingredientId: 1, quantity },
            { ingredientId: 1, onHand, reserved },
          );
          const after = onHand + (kind === 'waste' ? -size : quantity);
          expect(plan.ok).toBe(after >= reserved);
          if (plan.ok) {
            expect(onHand + plan.movement.onHandDelta).toBe(after);
            expect(plan.movement.reservedDelta).toBe(0);
          }
        },
      ),
    );
  });
});

describe('stockEffectOf', () => {
  const STATUSES: readonly OrderStatus[] = OrderStatusEnum.options;

  it('consumes when the kitchen starts the order', () => {
    expect(stockEffectOf('received', 'preparing')).toBe('consume');
  });

  it.each<OrderStatus>(['pending_payment', 'received'])('releases when cancelled from %s', (from) => {
    expect(stockEffectOf(from, 'cancelled')).toBe('release');
  });

  it.each<OrderStatus>(['preparing', 'baking', 'ready', 'out_for_delivery'])(
    'records waste when cancelled from %s',
    (from) => {
      expect(stockEffectOf(from, 'cancelled')).toBe('waste');
    },
  );

  it('does nothing to stock on every other move', () => {
    const touched: string[] = [];
    for (const from of STATUSES) {
      for (const to of STATUSES) {
        if (to === 'cancelled' || (from === 'received' && to === 'preparing')) continue;
        if (stockEffectOf(from, to) !== null) touched.push(`${from} → ${to}`);
      }
    }
    expect(touched).toEqual([]);
  });
});

describe('availability and reservation agree (property)', () => {
  const PRODUCT = 1;
  const recipeArb = fc.uniqueArray(
    fc.record({ ingredientId: fc.integer({ min: 1, max: 8 }), quantity: fc.integer({ min: 1, max: 300 }) }),
    { selector: (r) => r.ingredientId, minLength: 1, maxLength: 5 },
  );
  const levelsArb = fc.uniqueArray(
    fc
      .record({
        ingredientId: fc.integer({ min: 1, max: 8 }),
        onHand: fc.integer({ min: 0, max: 5000 }),
        reserved: fc.integer({ min: 0, max: 5000 }),
      })
      .map((l) => ({ ...l, reserved: Math.min(l.reserved, l.onHand) })),
    { selector: (l) => l.ingredientId, maxLength: 8 },
  );

  it('reserving makeableCount units succeeds and one more fails', () => {
    fc.assert(
      fc.property(recipeArb, levelsArb, (recipe, levels) => {
        const available = new Map(levels.map((l) => [l.ingredientId, l.onHand - l.reserved]));
        const recipes = new Map([[PRODUCT, recipe]]);
        const n = makeableCount(recipe, available, Number.MAX_SAFE_INTEGER);
        const reserve = (quantity: number) =>
          planReservation(ingredientsNeeded([{ productId: PRODUCT, quantity }], recipes), levels);

        if (n > 0) expect(reserve(n).ok).toBe(true);
        const oneMore = reserve(n + 1);
        expect(oneMore.ok).toBe(false);
        if (!oneMore.ok) {
          // Every ingredient named short is in the recipe and really is short.
          for (const id of oneMore.shortIngredientIds) {
            const line = recipe.find((r) => r.ingredientId === id);
            expect(line).toBeDefined();
            expect(available.get(id) ?? 0).toBeLessThan(line!.quantity * (n + 1));
          }
        }
      }),
    );
  });
});
