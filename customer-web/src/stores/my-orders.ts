import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { readStorage } from './cart';
import { inProgress, parseRemembered, remember, type RememberedOrder } from '../tracking/my-orders';

const KEY = 'ocp.orders';

/** "Mes commandes en cours": the tracking links this browser was given. */
export const useMyOrdersStore = defineStore('my-orders', () => {
  const list = ref<RememberedOrder[]>(parseRemembered(readStorage(KEY), new Date()));

  function save(entry: RememberedOrder): void {
    list.value = remember(list.value, entry, new Date());
    try {
      localStorage.setItem(KEY, JSON.stringify(list.value));
    } catch {
      // Storage refused: the e-mail's link still finds the order.
    }
  }

  return { list, current: computed(() => inProgress(list.value)), save };
});
