import { ALLERGENS, type Allergen } from '@ocp/hub/contract';
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

const KEY = 'ocp.avoidedAllergens';

function saved(): Allergen[] {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(raw) ? ALLERGENS.filter((a) => raw.includes(a)) : [];
  } catch {
    return [];
  }
}

/**
 * The allergens this customer avoids. Remembered on the device: someone allergic to nuts is
 * allergic at every visit and in every shop, and should not have to tick it again.
 */
export const useAllergenFilterStore = defineStore('allergen-filter', () => {
  const avoided = ref<Allergen[]>(typeof localStorage === 'undefined' ? [] : saved());
  watch(avoided, (list) => localStorage.setItem(KEY, JSON.stringify(list)), { deep: true });

  function toggle(allergen: Allergen): void {
    avoided.value = avoided.value.includes(allergen)
      ? avoided.value.filter((a) => a !== allergen)
      : ALLERGENS.filter((a) => a === allergen || avoided.value.includes(a));
  }

  function clear(): void {
    avoided.value = [];
  }

  return { avoided, toggle, clear };
});
