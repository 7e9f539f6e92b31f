import { describe, expect, it } from 'vitest';
import { productArt } from './product-art.js';

const pizza = (slug: string, ingredients: string[]) => ({
  slug,
  name: slug,
  kind: 'pizza' as const,
  recipe: ['Pâton de pâte à pizza', 'Mozzarella fior di latte', ...ingredients].map((ingredientName) => ({
    ingredientName,
  })),
});

describe('productArt', () => {
  it('draws a pizza from its recipe: sauce, cheese and toppings', () => {
    const art = productArt(pizza('diavola', ['Sauce tomate San Marzano', 'Chorizo fort en tranches']));
    expect(art.kind).toBe('pizza');
    if (art.kind !== 'pizza') return;
    expect(art.sauce).toBe('#c8402b');
    expect(art.toppings).toHaveLength(7);
    expect(new Set(art.toppings.map((t) => t.color))).toEqual(new Set(['#a3261b']));
    // Every piece lands on the pizza, inside the crust.
    for (const t of art.toppings) expect(Math.hypot(t.x - 50, t.y - 50)).toBeLessThanOrEqual(30.1);
  });

  it('uses a cream base for white pizzas and chocolate for the sweet one', () => {
    const savoyarde = productArt(pizza('savoyarde', ['Crème fraîche épaisse', 'Lardons fumés']));
    expect(savoyarde.kind === 'pizza' && savoyarde.sauce).toBe('#f6ecd2');
    const nutella = productArt({
      slug: 'pizza-nutella',
      name: 'Pizza Nutella',
      kind: 'dessert',
      recipe: [{ ingredientName: 'Pâton de pâte à pizza' }, { ingredientName: 'Pâte à tartiner Nutella' }],
    });
    expect(nutella.kind === 'pizza' && nutella.sauce).toBe('#5a3220');
  });

  it('draws the same product the same way every time', () => {
    const a = productArt(pizza('reine', ['Jambon blanc supérieur', 'Champignons de Paris émincés']));
    const b = productArt(pizza('reine', ['Jambon blanc supérieur', 'Champignons de Paris émincés']));
    expect(a).toEqual(b);
  });

  it('draws drinks and desserts in their colours', () => {
    const cola = productArt({ slug: 'coca-cola', name: 'Coca-Cola', kind: 'drink', recipe: [] });
    expect(cola).toEqual({ kind: 'drink', liquid: '#3b1d12', label: '#d7261e', bubbles: true });
    const water = productArt({ slug: 'eau-minerale', name: 'Eau minérale', kind: 'drink', recipe: [] });
    expect(water.kind === 'drink' && water.bubbles).toBe(false);
    expect(productArt({ slug: 'tiramisu', name: 'Tiramisu', kind: 'dessert', recipe: [] }).kind).toBe(
      'dessert',
    );
  });
});
