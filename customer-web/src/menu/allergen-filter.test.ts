import { describe, expect, it } from 'vitest';
import { product } from '../testing/fixtures.js';
import { filterByAllergens } from './allergen-filter.js';

const margherita = { ...product(1, 'margherita', 990, [], 10), allergens: ['gluten', 'milk'] as const };
const menu = [
  { ...margherita, allergens: [...margherita.allergens], mayContain: ['eggs' as const, 'fish' as const] },
  { ...product(2, 'thon', 1290, [], 10), allergens: ['gluten' as const, 'fish' as const], mayContain: [] },
  { ...product(3, 'cola', 350, [], 10), allergens: [], mayContain: [] },
];

describe('filterByAllergens', () => {
  it('hides what contains an avoided allergen and warns about what may contain it as a trace', () => {
    const { shown, hidden } = filterByAllergens(menu, ['fish']);
    expect(hidden).toBe(1);
    expect(shown.map((s) => [s.product.slug, s.traces])).toEqual([
      ['margherita', ['fish']],
      ['cola', []],
    ]);
  });

  it('avoiding several allergens hides what contains any of them', () => {
    expect(filterByAllergens(menu, ['milk', 'fish']).shown.map((s) => s.product.slug)).toEqual(['cola']);
  });

  it('without a filter shows everything, without warnings', () => {
    const { shown, hidden } = filterByAllergens(menu, []);
    expect(hidden).toBe(0);
    expect(shown.every((s) => s.traces.length === 0)).toBe(true);
    expect(shown).toHaveLength(3);
  });
});
