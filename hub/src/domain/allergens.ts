import { ALLERGENS, type Allergen } from '../contract/enums.js';

/** Allergen codes without duplicates, in the regulation's order (the order every screen lists them in). */
export function inRegulationOrder(codes: Iterable<Allergen>): Allergen[] {
  const present = new Set(codes);
  return ALLERGENS.filter((a) => present.has(a));
}

/**
 * What a product declares: every allergen of every ingredient of its recipe, and — apart — the
 * traces it may contain. A trace that the recipe already contains is not repeated as a trace:
 * "contient du lait, peut contenir du lait" would read as a doubt where there is none.
 */
export function productAllergens(
  recipe: readonly { allergens: readonly Allergen[] }[],
  mayContain: readonly Allergen[],
): { allergens: Allergen[]; mayContain: Allergen[] } {
  const allergens = inRegulationOrder(recipe.flatMap((line) => line.allergens));
  const contained = new Set(allergens);
  return { allergens, mayContain: inRegulationOrder(mayContain.filter((a) => !contained.has(a))) };
}

/** How a product stands for a customer avoiding `avoided`. */
export type AllergenVerdict = 'ok' | 'contains' | 'may_contain';

/**
 * A product containing an avoided allergen is hidden from a filtered menu; one that may contain
 * one as a trace stays, with a warning: the customer judges how severe their allergy is.
 */
export function allergenVerdict(
  product: { allergens: readonly Allergen[]; mayContain: readonly Allergen[] },
  avoided: readonly Allergen[],
): AllergenVerdict {
  if (product.allergens.some((a) => avoided.includes(a))) return 'contains';
  if (product.mayContain.some((a) => avoided.includes(a))) return 'may_contain';
  return 'ok';
}

/**
 * The 14 allergens by the names of Regulation 1169/2011 (Annex II): the same words on every screen
 * (the customer site, the kitchen and counter, the back-office), so they live here once.
 */
export const ALLERGEN_NAMES = {
  fr: {
    gluten: 'Gluten',
    crustaceans: 'Crustacés',
    eggs: 'Œufs',
    fish: 'Poisson',
    peanuts: 'Arachides',
    soybeans: 'Soja',
    milk: 'Lait',
    nuts: 'Fruits à coque',
    celery: 'Céleri',
    mustard: 'Moutarde',
    sesame: 'Sésame',
    sulphites: 'Sulfites',
    lupin: 'Lupin',
    molluscs: 'Mollusques',
  },
  en: {
    gluten: 'Gluten',
    crustaceans: 'Crustaceans',
    eggs: 'Eggs',
    fish: 'Fish',
    peanuts: 'Peanuts',
    soybeans: 'Soy',
    milk: 'Milk',
    nuts: 'Tree nuts',
    celery: 'Celery',
    mustard: 'Mustard',
    sesame: 'Sesame',
    sulphites: 'Sulphites',
    lupin: 'Lupin',
    molluscs: 'Molluscs',
  },
} satisfies Record<'fr' | 'en', Record<Allergen, string>>;
