import { describe, expect, it } from 'vitest';
import { HAM, MOZZA, menuSnapshot, PATON, stockEvent, TOMATO } from '../testing/fixtures.js';
import { applyMenuEvent, menuFromSnapshot } from './menu-state.js';

const levels = { paton: 20, mozza: 600, tomato: 800, ham: 500 };
const available = (state: ReturnType<typeof menuFromSnapshot>) =>
  Object.fromEntries(state.products.map((p) => [p.slug, p.available]));

describe('applyMenuEvent', () => {
  it('recomputes how many of each pizza can be made from the new levels', () => {
    const state = menuFromSnapshot(menuSnapshot(levels));
    expect(available(state)).toEqual({ margherita: 5, reine: 5, cola: 999 });
    // Someone ordered: 480 g of the 600 g of mozzarella are now reserved.
    const next = applyMenuEvent(state, stockEvent([{ ingredientId: MOZZA, onHand: 600, reserved: 480 }]));
    expect(available(next)).toEqual({ margherita: 1, reine: 1, cola: 999 });
    expect(next.levels[MOZZA]).toBe(120);
  });

  it('shows a pizza sold out when one ingredient runs out, and back when restocked', () => {
    const state = menuFromSnapshot(menuSnapshot(levels));
    const noHam = applyMenuEvent(state, stockEvent([{ ingredientId: HAM, onHand: 40, reserved: 0 }]));
    expect(available(noHam)).toEqual({ margherita: 5, reine: 0, cola: 999 });
    const restocked = applyMenuEvent(noHam, stockEvent([{ ingredientId: HAM, onHand: 5000, reserved: 0 }]));
    expect(available(restocked).reine).toBe(5);
  });

  it('ignores other shops, other event types and levels it already holds', () => {
    const state = menuFromSnapshot(menuSnapshot(levels));
    expect(
      applyMenuEvent(state, stockEvent([{ ingredientId: PATON, onHand: 0, reserved: 0 }], { shopId: 2 })),
    ).toBe(state);
    expect(applyMenuEvent(state, { ...stockEvent([]), type: 'order.created' })).toBe(state);
    expect(applyMenuEvent(state, stockEvent([{ ingredientId: TOMATO, onHand: 900, reserved: 100 }]))).toBe(
      state,
    );
    expect(applyMenuEvent(state, { ...stockEvent([]), data: { items: 'nonsense' } })).toBe(state);
  });

  it('keeps everything at 0 for a shop that is not open yet', () => {
    const state = menuFromSnapshot(menuSnapshot(levels), false);
    const next = applyMenuEvent(state, stockEvent([{ ingredientId: PATON, onHand: 99, reserved: 0 }]));
    expect(available(next)).toEqual({ margherita: 0, reine: 0, cola: 0 });
  });
});
