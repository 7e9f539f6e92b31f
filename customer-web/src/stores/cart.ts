import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { addToCart, parseStoredCart, setNotes, setQuantity, type CartLine } from '../cart/cart';

const keyOf = (shopId: number) => `ocp.cart.${shopId}`;

/** Storage may be refused (private mode, disabled cookies): that reads as nothing saved. */
export function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/**
 * The cart of the shop being ordered from, kept in this browser per shop: switching pizzerias
 * does not mix carts, and a reload or a return visit finds the cart as it was.
 */
export const useCartStore = defineStore('cart', () => {
  const shopId = ref<number | null>(null);
  const lines = ref<CartLine[]>([]);

  function use(id: number): void {
    if (shopId.value === id) return;
    shopId.value = id;
    lines.value = parseStoredCart(readStorage(keyOf(id)));
  }

  watch(
    lines,
    (next) => {
      if (shopId.value === null) return;
      try {
        if (next.length === 0) localStorage.removeItem(keyOf(shopId.value));
        else localStorage.setItem(keyOf(shopId.value), JSON.stringify(next));
      } catch {
        // Storage refused (private mode, full): the cart lasts for this visit only.
      }
    },
    { deep: true },
  );

  return {
    shopId,
    lines,
    use,
    add: (productId: number) => (lines.value = addToCart(lines.value, productId)),
    setQuantity: (productId: number, quantity: number) =>
      (lines.value = setQuantity(lines.value, productId, quantity)),
    remove: (productId: number) => (lines.value = setQuantity(lines.value, productId, 0)),
    setNotes: (productId: number, notes: string) => (lines.value = setNotes(lines.value, productId, notes)),
    clear: () => (lines.value = []),
  };
});
