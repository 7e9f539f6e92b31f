import { describe, expect, it } from 'vitest';
import type { EventEnvelope, MenuProduct, StockLevel, StockSnapshot } from '@ocp/hub/contract';
import {
  applyStockEvent,
  checkMovement,
  displayQuantity,
  ingredientRow,
  ingredientRows,
  previewOnHand,
  productRows,
  stockScreenFromSnapshot,
  type MovementDraft,
  type StockScreenState,
} from './stock-screen.js';

const PATON = 1;
const MOZZA = 2;
const BASIL = 3;
const OIL = 4;
const TOMATO = 5;

function level(
  ingredientId: number,
  name: string,
  unit: StockLevel['unit'],
  onHand: number,
  lowThreshold: number,
  reserved = 0,
): StockLevel {
  const available = onHand - reserved;
  return {
    ingredientId,
    name,
    unit,
    onHand,
    reserved,
    available,
    lowThreshold,
    low: available <= lowThreshold,
  };
}

function product(id: number, name: string, recipe: Array<[number, string, number]>): MenuProduct {
  return {
    id,
    slug: name.toLowerCase(),
    name,
    kind: recipe.length ? 'pizza' : 'drink',
    description: '',
    priceCents: 1000,
    vatRateBp: 1000,
    photoUrl: null,
    available: 0,
    recipe: recipe.map(([ingredientId, ingredientName, quantity]) => ({
      ingredientId,
      ingredientName,
      unit: 'g',
      quantity,
      allergens: [],
    })),
    steps: [],
    prepMinutes: 5,
    bakeMinutes: 2,
    allergens: [],
    mayContain: [],
  };
}

function screen(): StockScreenState {
  const snapshot: StockSnapshot = {
    seq: 40,
    shopId: 1,
    items: [
      level(PATON, 'Pâton', 'piece', 110, 20),
      level(MOZZA, 'Mozzarella', 'g', 12000, 2000, 240),
      level(BASIL, 'Basilic', 'g', 300, 50),
      level(OIL, 'Huile d’olive', 'ml', 3000, 500),
      level(TOMATO, 'Sauce tomate', 'g', 10000, 1700),
    ],
    products: [
      product(10, 'Margherita', [
        [PATON, 'Pâton', 1],
        [TOMATO, 'Sauce tomate', 80],
        [MOZZA, 'Mozzarella', 120],
        [BASIL, 'Basilic', 3],
        [OIL, 'Huile d’olive', 5],
      ]),
      product(11, 'Bianca', [
        [PATON, 'Pâton', 1],
        [MOZZA, 'Mozzarella', 150],
        [OIL, 'Huile d’olive', 10],
      ]),
      product(12, 'Eau', []),
    ],
  };
  return stockScreenFromSnapshot(snapshot);
}

let seq = 40;
function stockEvent(
  items: Array<{ ingredientId: number; onHand: number; reserved: number }>,
  overrides: Partial<EventEnvelope> = {},
): EventEnvelope {
  seq += 1;
  return {
    seq,
    type: 'stock.changed',
    shopId: 1,
    at: '2026-11-25T19:00:00.000Z',
    data: { items },
    ...overrides,
  };
}

const row = (s: StockScreenState, id: number) => ingredientRows(s).find((r) => r.ingredientId === id)!;
const count = (s: StockScreenState, name: string) => productRows(s).find((p) => p.name === name)!.count;

describe('stock screen state', () => {
  it('starts from the snapshot: available = on hand - reserved, low at or under the threshold', () => {
    const s = screen();
    expect(row(s, MOZZA)).toMatchObject({
      onHand: 12000,
      reserved: 240,
      available: 11760,
      low: false,
      out: false,
    });
    expect(row(s, BASIL).low).toBe(false);
    // Exactly at the threshold counts as low.
    const atThreshold = applyStockEvent(s, stockEvent([{ ingredientId: BASIL, onHand: 50, reserved: 0 }]));
    expect(row(atThreshold, BASIL)).toMatchObject({ available: 50, low: true, out: false });
    // Reserved stock is not available: on hand above the threshold, available under it.
    const reserved = applyStockEvent(s, stockEvent([{ ingredientId: BASIL, onHand: 300, reserved: 260 }]));
    expect(row(reserved, BASIL)).toMatchObject({ available: 40, low: true });
    const empty = applyStockEvent(s, stockEvent([{ ingredientId: BASIL, onHand: 30, reserved: 30 }]));
    expect(row(empty, BASIL)).toMatchObject({ available: 0, low: true, out: true });
  });

  it('applies absolute levels: a duplicate or replayed event changes nothing', () => {
    const s = screen();
    const e = stockEvent([
      { ingredientId: MOZZA, onHand: 14500, reserved: 240 },
      { ingredientId: PATON, onHand: 110, reserved: 4 },
    ]);
    const once = applyStockEvent(s, e);
    expect(row(once, MOZZA).onHand).toBe(14500);
    expect(row(once, PATON).available).toBe(106);
    const twice = applyStockEvent(once, e);
    expect(twice).toBe(once);
    // The input state is never mutated.
    expect(row(s, MOZZA).onHand).toBe(12000);
  });

  it('ignores other shops, other event types, unknown ingredients and malformed data', () => {
    const s = screen();
    expect(
      applyStockEvent(s, stockEvent([{ ingredientId: MOZZA, onHand: 1, reserved: 0 }], { shopId: 2 })),
    ).toBe(s);
    expect(
      applyStockEvent(
        s,
        stockEvent([{ ingredientId: MOZZA, onHand: 1, reserved: 0 }], { type: 'order.created' }),
      ),
    ).toBe(s);
    expect(applyStockEvent(s, stockEvent([{ ingredientId: 999, onHand: 1, reserved: 0 }]))).toBe(s);
    expect(applyStockEvent(s, stockEvent([], { data: { items: 'nope' } }))).toBe(s);
    // An unknown ingredient next to a known one: the known one still moves.
    const mixed = applyStockEvent(
      s,
      stockEvent([
        { ingredientId: 999, onHand: 1, reserved: 0 },
        { ingredientId: BASIL, onHand: 200, reserved: 0 },
      ]),
    );
    expect(row(mixed, BASIL).onHand).toBe(200);
    expect(Object.keys(mixed.ingredients)).toHaveLength(5);
  });

  it('sorts low ingredients first, then by name', () => {
    let s = screen();
    expect(ingredientRows(s).map((r) => r.name)).toEqual([
      'Basilic',
      'Huile d’olive',
      'Mozzarella',
      'Pâton',
      'Sauce tomate',
    ]);
    s = applyStockEvent(
      s,
      stockEvent([
        { ingredientId: TOMATO, onHand: 1000, reserved: 0 },
        { ingredientId: OIL, onHand: 100, reserved: 0 },
      ]),
    );
    expect(ingredientRows(s).map((r) => [r.name, r.low])).toEqual([
      ['Huile d’olive', true],
      ['Sauce tomate', true],
      ['Basilic', false],
      ['Mozzarella', false],
      ['Pâton', false],
    ]);
  });

  it('counts how many of each product can still be made, and names what limits it', () => {
    let s = screen();
    // Margherita: paton 110, tomato 125, mozza 98 (11760/120), basil 100, oil 600 -> 98.
    expect(productRows(s)).toEqual([
      {
        productId: 10,
        name: 'Margherita',
        kind: 'pizza',
        count: 98,
        limited: true,
        limitedBy: ['Mozzarella'],
      },
      {
        productId: 11,
        name: 'Bianca',
        kind: 'pizza',
        count: 78,
        limited: true,
        limitedBy: ['Mozzarella'],
      },
      { productId: 12, name: 'Eau', kind: 'drink', count: 999, limited: false, limitedBy: [] },
    ]);
    // Orders reserve: available basil 7 g -> 2 margheritas; bianca has no basil.
    s = applyStockEvent(s, stockEvent([{ ingredientId: BASIL, onHand: 300, reserved: 293 }]));
    expect(count(s, 'Margherita')).toBe(2);
    expect(productRows(s)[0]!.limitedBy).toEqual(['Basilic']);
    expect(count(s, 'Bianca')).toBe(78);
    // The last dough ball reserved: nothing can be made.
    s = applyStockEvent(s, stockEvent([{ ingredientId: PATON, onHand: 110, reserved: 110 }]));
    expect(count(s, 'Margherita')).toBe(0);
    expect(count(s, 'Bianca')).toBe(0);
    expect(productRows(s)[1]!.limitedBy).toEqual(['Pâton']);
    // A restock brings them back.
    s = applyStockEvent(s, stockEvent([{ ingredientId: PATON, onHand: 140, reserved: 110 }]));
    expect(count(s, 'Bianca')).toBe(30);
  });

  it('draws the level bar against five times the threshold', () => {
    const base = { ingredientId: 1, name: 'x', unit: 'g' as const, reserved: 0, lowThreshold: 100 };
    expect(ingredientRow({ ...base, onHand: 1000 }).fill).toBe(1);
    expect(ingredientRow({ ...base, onHand: 250 }).fill).toBe(0.5);
    expect(ingredientRow({ ...base, onHand: 100 }).thresholdAt).toBe(0.2);
    expect(ingredientRow({ ...base, onHand: 0 }).fill).toBe(0);
    expect(ingredientRow({ ...base, lowThreshold: 0, onHand: 3 }).fill).toBe(1);
    // What orders hold is drawn after what is available, up to the stock on hand.
    expect(ingredientRow({ ...base, onHand: 300, reserved: 100 })).toMatchObject({ fill: 0.4, heldTo: 0.6 });
  });
});

describe('quantities as a cook reads them', () => {
  it('shows grams as kilograms from 1000 g and millilitres as litres', () => {
    expect(displayQuantity(999, 'g')).toEqual({ amount: 999, unit: 'g' });
    expect(displayQuantity(1000, 'g')).toEqual({ amount: 1, unit: 'kg' });
    expect(displayQuantity(14500, 'g')).toEqual({ amount: 14.5, unit: 'kg' });
    expect(displayQuantity(1234, 'g')).toEqual({ amount: 1.23, unit: 'kg' });
    expect(displayQuantity(-2500, 'g')).toEqual({ amount: -2.5, unit: 'kg' });
    expect(displayQuantity(500, 'ml')).toEqual({ amount: 500, unit: 'ml' });
    expect(displayQuantity(3000, 'ml')).toEqual({ amount: 3, unit: 'L' });
    expect(displayQuantity(110, 'piece')).toEqual({ amount: 110, unit: 'piece' });
  });
});

describe('movement form check', () => {
  const draft = (overrides: Partial<MovementDraft>): MovementDraft => ({
    kind: 'restock',
    quantity: '',
    sign: 1,
    note: '',
    ...overrides,
  });

  it('needs a whole positive quantity', () => {
    for (const quantity of ['', '0', '-5', '1.5', '2,5', 'abc', '1000001']) {
      expect(checkMovement(2, draft({ quantity }))).toEqual({ ok: false, problems: ['quantity'] });
    }
    expect(checkMovement(2, draft({ quantity: ' 2500 ' }))).toEqual({
      ok: true,
      body: { kind: 'restock', ingredientId: 2, quantity: 2500 },
      onHandDelta: 2500,
    });
  });

  it('requires a reason for an adjustment and for waste, not for a restock', () => {
    expect(checkMovement(2, draft({ kind: 'adjustment', quantity: '100', note: '   ' }))).toEqual({
      ok: false,
      problems: ['reason'],
    });
    expect(checkMovement(2, draft({ kind: 'waste', quantity: '', note: '' }))).toEqual({
      ok: false,
      problems: ['quantity', 'reason'],
    });
    expect(checkMovement(2, draft({ kind: 'restock', quantity: '10', note: ' livraison ' }))).toMatchObject({
      ok: true,
      body: { note: 'livraison' },
    });
  });

  it('signs adjustments; waste is sent positive and removes stock', () => {
    expect(
      checkMovement(2, draft({ kind: 'adjustment', quantity: '100', sign: -1, note: 'inventaire' })),
    ).toEqual({
      ok: true,
      body: { kind: 'adjustment', ingredientId: 2, quantity: -100, note: 'inventaire' },
      onHandDelta: -100,
    });
    expect(checkMovement(2, draft({ kind: 'waste', quantity: '300', sign: -1, note: 'périmé' }))).toEqual({
      ok: true,
      body: { kind: 'waste', ingredientId: 2, quantity: 300, note: 'périmé' },
      onHandDelta: -300,
    });
  });

  it('previews the new stock on hand', () => {
    const mozza = screen().ingredients[MOZZA]!;
    expect(previewOnHand(mozza, draft({ quantity: '2500' }))).toBe(14500);
    expect(previewOnHand(mozza, draft({ kind: 'waste', quantity: '500' }))).toBe(11500);
    expect(previewOnHand(mozza, draft({ kind: 'adjustment', quantity: '200', sign: -1 }))).toBe(11800);
    expect(previewOnHand(mozza, draft({ quantity: 'x' }))).toBeNull();
  });
});
