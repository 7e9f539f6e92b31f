import type { AdminIngredient, AdminShop } from '@ocp/hub/contract';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { backOfficeApi } from '../api/back-office';

/**
 * What many screens pick from: the shops the user may see and the ingredients. Loaded once, and
 * refreshed by the screens that change them.
 */
export const useReferenceStore = defineStore('reference', () => {
  const shops = ref<AdminShop[]>([]);
  const ingredients = ref<AdminIngredient[]>([]);
  let loading: Promise<void> | null = null;

  async function refreshShops(): Promise<void> {
    shops.value = await backOfficeApi.shops();
  }
  async function refreshIngredients(): Promise<void> {
    ingredients.value = await backOfficeApi.ingredients();
  }
  function ensure(): Promise<void> {
    loading ??= Promise.all([refreshShops(), refreshIngredients()]).then(
      () => undefined,
      (error: unknown) => {
        loading = null;
        throw error;
      },
    );
    return loading;
  }

  const shopName = (id: number | null) =>
    id === null ? null : (shops.value.find((s) => s.id === id)?.name ?? `#${id}`);
  const ingredientById = computed(() => new Map(ingredients.value.map((i) => [i.id, i])));

  return { shops, ingredients, ensure, refreshShops, refreshIngredients, shopName, ingredientById };
});
