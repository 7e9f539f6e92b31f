import { describe, expect, it } from 'vitest';
import { menuFromSnapshot } from '../menu/menu-state.js';
import { menuSnapshot } from '../testing/fixtures.js';
import {
  addToCart,
  cartBlocked,
  cartTotals,
  itemCount,
  lineIssues,
  parseStoredCart,
  roomFor,
  setNotes,
  setQuantity,
  type CartLine,
} from './cart.js';

const MARGHERITA = 10;
const REINE = 11;
const COLA = 12;

// Mozzarella for 3 pizzas only (120 g each), everything else plenty.
const menu = menuFromSnapshot(menuSnapshot({ paton: 20, mozza: 360, tomato: 2000, ham: 1000 }));

describe('cart', () => {
  it('adds to one line per product and totals with the menu prices', () => {
    let lines: CartLine[] = [];
    lines = addToCart(lines, MARGHERITA);
    lines = addToCart(lines, MARGHERITA);
    lines = addToCart(lines, COLA);
    expect(lines).toEqual([
      { productId: MARGHERITA, quantity: 2 },
      { productId: COLA, quantity: 1 },
    ]);
    expect(itemCount(lines)).toBe(3);
    // 2 x 9,90 + 3,50; VAT extracted at 10 % per line, as the hub does.
    expect(cartTotals(lines, menu)).toEqual({ totalCents: 2330, vatCents: 212, netCents: 2118 });
  });

  it('removes a line at 0 and caps a line at 50', () => {
    const lines: CartLine[] = [{ productId: COLA, quantity: 3 }];
    expect(setQuantity(lines, COLA, 0)).toEqual([]);
    expect(setQuantity(lines, COLA, 80)).toEqual([{ productId: COLA, quantity: 50 }]);
  });

  it('keeps a note only when there is something in it', () => {
    const lines = setNotes([{ productId: MARGHERITA, quantity: 1 }], MARGHERITA, 'bien cuite');
    expect(lines).toEqual([{ productId: MARGHERITA, quantity: 1, notes: 'bien cuite' }]);
    expect(setNotes(lines, MARGHERITA, '  ')).toEqual([{ productId: MARGHERITA, quantity: 1 }]);
  });

  it('leaves room only for what the kitchen can make alongside the rest of the cart', () => {
    expect(roomFor([], menu, MARGHERITA)).toBe(3);
    // Two Reines take 240 g of the 360 g of mozzarella: one Margherita left to add.
    const lines: CartLine[] = [{ productId: REINE, quantity: 2 }];
    expect(roomFor(lines, menu, MARGHERITA)).toBe(1);
    expect(roomFor(lines, menu, REINE)).toBe(1);
    expect(roomFor(lines, menu, COLA)).toBe(50); // no recipe: only the per-line limit
  });

  it('flags lines above what remains, and lines no longer on the menu', () => {
    const lines: CartLine[] = [
      { productId: MARGHERITA, quantity: 2 },
      { productId: REINE, quantity: 2 },
      { productId: 99, quantity: 1 },
      { productId: COLA, quantity: 4 },
    ];
    const issues = lineIssues(lines, menu);
    expect(issues.get(MARGHERITA)).toEqual({ kind: 'short', remaining: 1 });
    expect(issues.get(REINE)).toEqual({ kind: 'short', remaining: 1 });
    expect(issues.get(99)).toEqual({ kind: 'unknown' });
    expect(issues.has(COLA)).toBe(false);
    expect(cartBlocked(lines, menu)).toBe(true);
    expect(cartBlocked([{ productId: MARGHERITA, quantity: 3 }], menu)).toBe(false);
    expect(cartBlocked([], menu)).toBe(true);
  });

  it('flags everything of a shop that is not open', () => {
    const closed = { ...menu, open: false };
    expect(lineIssues([{ productId: COLA, quantity: 1 }], closed).get(COLA)).toEqual({
      kind: 'short',
      remaining: 0,
    });
  });

  it('reads a stored cart back, dropping anything unreadable', () => {
    expect(parseStoredCart(null)).toEqual([]);
    expect(parseStoredCart('not json')).toEqual([]);
    expect(parseStoredCart('[{"productId":"x"}]')).toEqual([]);
    expect(
      parseStoredCart('[{"productId":10,"quantity":2},{"productId":10,"quantity":1,"notes":"sans basilic"}]'),
    ).toEqual([{ productId: 10, quantity: 3 }]);
  });
});
