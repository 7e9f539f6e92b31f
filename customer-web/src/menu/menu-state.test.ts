import type { EventEnvelope, MenuProduct } from '@ocp/hub/contract';
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

describe('applyMenuEvent: the back-office changed the menu', () => {
  const menuChanged = (products: unknown[], shopId = 1): EventEnvelope => ({
    ...stockEvent([]),
    type: 'menu.changed',
    shopId,
    data: { products },
  });
  const asAdmin = (p: MenuProduct, changes: Partial<MenuProduct> & { active?: boolean } = {}) => {
    const { available: _available, ...rest } = p;
    return { ...rest, active: true, position: 0, ...changes };
  };

  it('shows the allergens as they are now, keeping availability from the levels it holds', () => {
    const state = menuFromSnapshot(menuSnapshot(levels));
    const margherita = state.products.find((p) => p.slug === 'margherita')!;
    const next = applyMenuEvent(
      state,
      menuChanged([asAdmin(margherita, { allergens: ['gluten', 'milk', 'celery'], mayContain: ['fish'] })]),
    );
    expect(next.products.find((p) => p.slug === 'margherita')).toMatchObject({
      allergens: ['gluten', 'milk', 'celery'],
      mayContain: ['fish'],
      available: 5,
    });
    // The others are the same objects: nothing else re-renders.
    expect(next.products.find((p) => p.slug === 'reine')).toBe(
      state.products.find((p) => p.slug === 'reine'),
    );
  });

  it('drops a product taken off the menu, adds a new one, ignores other shops', () => {
    const state = menuFromSnapshot(menuSnapshot(levels));
    const cola = state.products.find((p) => p.slug === 'cola')!;
    const next = applyMenuEvent(
      state,
      menuChanged([asAdmin(cola, { active: false }), asAdmin({ ...cola, id: 99, slug: 'limonade' })]),
    );
    expect(next.products.map((p) => p.slug)).toEqual(['margherita', 'reine', 'limonade']);
    expect(applyMenuEvent(state, menuChanged([asAdmin(cola, { active: false })], 2))).toBe(state);
    expect(applyMenuEvent(state, menuChanged(['nonsense' as unknown]))).toBe(state);
  });
});
