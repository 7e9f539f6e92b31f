import type { Allergen, MenuProduct } from '@ocp/hub/contract';
import { allergenVerdict } from '@ocp/hub/domain/allergens';

export type FilteredProduct = {
  product: MenuProduct;
  /** The avoided allergens it may contain as traces: shown as a warning on its card. */
  traces: Allergen[];
};

/**
 * The menu for a customer avoiding `avoided`: what contains one of them is hidden (and counted,
 * so the page can say how many), what may contain one as a trace stays, with a warning.
 */
export function filterByAllergens(
  products: readonly MenuProduct[],
  avoided: readonly Allergen[],
): { shown: FilteredProduct[]; hidden: number } {
  const shown: FilteredProduct[] = [];
  let hidden = 0;
  for (const product of products) {
    const verdict = allergenVerdict(product, avoided);
    if (verdict === 'contains') {
      hidden++;
      continue;
    }
    shown.push({ product, traces: product.mayContain.filter((a) => avoided.includes(a)) });
  }
  return { shown, hidden };
}
