import type { MenuProduct } from '@ocp/hub/contract';

/**
 * A drawing for products without a photo, made from what is in them: the sauce and toppings of a
 * pizza come from its recipe, so a Diavola looks spicy and a Savoyarde creamy. Deterministic (the
 * same product is drawn the same way on every visit), pure, and tested without a browser.
 */
export type Topping = { x: number; y: number; r: number; color: string; shape: 'dot' | 'leaf' | 'ring' };

export type ProductArt =
  | { kind: 'pizza'; sauce: string; cheese: string; toppings: Topping[] }
  | { kind: 'drink'; liquid: string; label: string; bubbles: boolean }
  | { kind: 'dessert'; layers: string[]; topping: string };

const SAUCES: Array<[RegExp, string]> = [
  [/nutella|chocolat/i, '#5a3220'],
  [/crème|creme/i, '#f6ecd2'],
  [/tomate/i, '#c8402b'],
];

const TOPPINGS: Array<[RegExp, string, Topping['shape']]> = [
  [/jambon/i, '#e9a3a0', 'dot'],
  [/chorizo|salami|pepperoni/i, '#a3261b', 'dot'],
  [/merguez/i, '#7c3318', 'dot'],
  [/lardon/i, '#d9796a', 'dot'],
  [/thon/i, '#d8b79a', 'dot'],
  [/anchois/i, '#6b4a3a', 'leaf'],
  [/champignon/i, '#b9946d', 'dot'],
  [/oignon/i, '#c77fb5', 'ring'],
  [/poivron/i, '#3f9c4a', 'leaf'],
  [/olive/i, '#2a2522', 'ring'],
  [/câpre|capre/i, '#60793a', 'dot'],
  [/artichaut/i, '#94ad6a', 'leaf'],
  [/pomme/i, '#ecd59a', 'dot'],
  [/roquette/i, '#4e8a3a', 'leaf'],
  [/basilic/i, '#3b8a35', 'leaf'],
  [/chèvre|chevre/i, '#fffaf0', 'dot'],
  [/gorgonzola/i, '#dfe3c9', 'dot'],
  [/reblochon/i, '#f1dc9c', 'dot'],
  [/œuf|oeuf/i, '#ffc93c', 'dot'],
  [/miel/i, '#e6a52a', 'dot'],
];

const DRINKS: Array<[RegExp, string, string]> = [
  [/coca|cola/i, '#3b1d12', '#d7261e'],
  [/eau|water/i, '#a9d8ec', '#2a7ab8'],
  [/bière|biere|beer/i, '#e6a532', '#1f4e8c'],
  [/limonade|lemon/i, '#f1e48a', '#2f6b3a'],
];

/** FNV-1a then mulberry32: a small, stable random source seeded by the product's slug. */
function seeded(text: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Drawable = Pick<MenuProduct, 'slug' | 'kind' | 'name'> & {
  recipe: ReadonlyArray<{ ingredientName: string }>;
};

export function productArt(product: Drawable): ProductArt {
  const names = product.recipe.map((r) => r.ingredientName);
  const words = [product.slug, product.name, ...names].join(' ');
  const random = seeded(product.slug);
  const isPizza = product.kind === 'pizza' || names.some((n) => /pâton|paton/i.test(n));

  if (isPizza) {
    const sauce = SAUCES.find(([pattern]) => names.some((n) => pattern.test(n)))?.[1] ?? SAUCES[2]![1];
    const kinds = TOPPINGS.filter(([pattern]) => names.some((n) => pattern.test(n)));
    const toppings: Topping[] = [];
    // Around 7 pieces of each topping, scattered over the cheese but off the crust.
    for (const [, color, shape] of kinds) {
      for (let i = 0; i < 7; i++) {
        const angle = random() * Math.PI * 2;
        const distance = Math.sqrt(random()) * 30;
        toppings.push({
          x: Math.round((50 + Math.cos(angle) * distance) * 10) / 10,
          y: Math.round((50 + Math.sin(angle) * distance) * 10) / 10,
          r: shape === 'leaf' ? 4 : 3 + Math.round(random() * 2),
          color,
          shape,
        });
      }
    }
    const cheese = names.some((n) => /mozzarella|emmental|fromage/i.test(n)) ? '#fbe9b7' : sauce;
    return { kind: 'pizza', sauce, cheese, toppings };
  }
  if (product.kind === 'drink') {
    const [, liquid, label] = DRINKS.find(([pattern]) => pattern.test(words)) ?? [null, '#e9b86a', '#b3261e'];
    return { kind: 'drink', liquid, label, bubbles: !/eau|water/i.test(words) || /gazeuse/i.test(words) };
  }
  if (/panna/i.test(words))
    return { kind: 'dessert', layers: ['#fbf6ea', '#fbf6ea', '#f7f0e0'], topping: '#b3261e' };
  if (/tiramisu/i.test(words))
    return { kind: 'dessert', layers: ['#6b4226', '#f3e6c9', '#6b4226'], topping: '#4a2c17' };
  return { kind: 'dessert', layers: ['#f3e6c9', '#c98a3e', '#f3e6c9'], topping: '#b3261e' };
}
