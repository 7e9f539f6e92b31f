import { describe, expect, it } from 'vitest';
import { allergenVerdict, inRegulationOrder, productAllergens } from './allergens.js';

describe('productAllergens', () => {
  it('is the union of its ingredients’ allergens, once each, in the regulation’s order', () => {
    const recipe = [
      { allergens: ['milk' as const] },
      { allergens: ['gluten' as const] },
      { allergens: [] },
      { allergens: ['eggs' as const, 'milk' as const] },
    ];
    expect(productAllergens(recipe, [])).toEqual({ allergens: ['gluten', 'eggs', 'milk'], mayContain: [] });
  });

  it('keeps traces apart and drops a trace the recipe already contains', () => {
    const recipe = [{ allergens: ['gluten' as const, 'milk' as const] }];
    expect(productAllergens(recipe, ['sesame', 'milk', 'nuts', 'nuts'])).toEqual({
      allergens: ['gluten', 'milk'],
      mayContain: ['nuts', 'sesame'],
    });
  });

  it('declares nothing for a product without a recipe but its traces', () => {
    expect(productAllergens([], ['nuts'])).toEqual({ allergens: [], mayContain: ['nuts'] });
  });
});

describe('allergenVerdict', () => {
  const pizza = { allergens: ['gluten', 'milk'] as const, mayContain: ['nuts'] as const };
  const product = { allergens: [...pizza.allergens], mayContain: [...pizza.mayContain] };

  it('hides what contains an avoided allergen, warns about a trace, passes the rest', () => {
    expect(allergenVerdict(product, ['milk'])).toBe('contains');
    expect(allergenVerdict(product, ['nuts', 'fish'])).toBe('may_contain');
    expect(allergenVerdict(product, ['nuts', 'gluten'])).toBe('contains');
    expect(allergenVerdict(product, ['fish'])).toBe('ok');
    expect(allergenVerdict(product, [])).toBe('ok');
  });
});

describe('inRegulationOrder', () => {
  it('orders and dedupes codes', () => {
    expect(inRegulationOrder(['molluscs', 'gluten', 'molluscs', 'milk'])).toEqual([
      'gluten',
      'milk',
      'molluscs',
    ]);
  });
});
