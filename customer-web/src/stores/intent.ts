import type { OrderMode, ShopSearchBody } from '@ocp/hub/contract';
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { z } from 'zod';

const KEY = 'ocp.intent';
const Stored = z.object({
  mode: z.enum(['delivery', 'pickup']),
  address: z.object({ line1: z.string(), postcode: z.string(), city: z.string() }).nullable(),
});

/**
 * What the customer chose on the home page (delivery to an address, or pick-up), remembered in
 * this browser so the checkout is prefilled, even after a reload or on their next visit.
 */
export const useIntentStore = defineStore('intent', () => {
  let initial: z.infer<typeof Stored> = { mode: 'delivery', address: null };
  try {
    const parsed = Stored.safeParse(JSON.parse(localStorage.getItem(KEY) ?? 'null'));
    if (parsed.success) initial = parsed.data;
  } catch {
    // A corrupt entry is the same as none.
  }
  const mode = ref<OrderMode>(initial.mode);
  const address = ref<Omit<ShopSearchBody, 'position'> | null>(initial.address);

  watch([mode, address], () => {
    try {
      localStorage.setItem(KEY, JSON.stringify({ mode: mode.value, address: address.value }));
    } catch {
      // Private browsing with storage full: the choice lasts for this visit only.
    }
  });

  return { mode, address };
});
