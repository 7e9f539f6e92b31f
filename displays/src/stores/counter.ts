import {
  CreatedOrder,
  DeliveryCheck,
  KitchenSnapshot,
  Menu,
  Order,
  PhoneLookup,
  type EventEnvelope,
  type KnownCustomer,
  type MenuProduct,
} from '@ocp/hub/contract';
import type { LinkState, RealtimeClient } from '@ocp/hub/realtime-client';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { api } from '../api/http';
import { emptyDraft, toCreateOrderBody, type CounterDraft } from '../counter/counter-cart';
import {
  applyKitchenEvent,
  kitchenBoardFromSnapshot,
  type KitchenBoardState,
} from '../kitchen/kitchen-board';
import { connectScreen } from './connect-screen';

/**
 * The counter of one shop: the order being taken, the menu with live availability, and the shop's
 * orders (the same stream as the kitchen board) for hand-overs and cancellations.
 */
export const useCounterStore = defineStore('counter', () => {
  const board = shallowRef<KitchenBoardState | null>(null);
  const products = ref<MenuProduct[]>([]);
  const link = ref<LinkState>({ status: 'reconnecting', since: new Date().toISOString() });
  const draft = ref<CounterDraft>(emptyDraft(25));
  const known = ref<KnownCustomer[]>([]);
  /** Where the delivery address is and whether the shop delivers there, checked as it is typed. */
  const zone = ref<DeliveryCheck | { error: string } | null>(null);
  let shopId = 0;
  let client: RealtimeClient<KitchenBoardState> | undefined;
  let menuTimer: ReturnType<typeof setTimeout> | undefined;

  /** Stock moved: availability is recomputed by the hub; a burst of events costs one request. */
  function refreshMenuSoon(): void {
    clearTimeout(menuTimer);
    menuTimer = setTimeout(async () => {
      products.value = (await api(Menu, `/api/shops/${shopId}/menu`)).products;
    }, 250);
  }

  async function start(id: number): Promise<void> {
    stop();
    shopId = id;
    client = connectScreen<KitchenBoardState>({
      state: board,
      link,
      loadSnapshot: async () => {
        const snapshot = await api(KitchenSnapshot, `/api/shops/${id}/kitchen`);
        products.value = snapshot.products;
        if (draft.value.lines.length === 0) draft.value = emptyDraft(snapshot.shop.defaultLeadMinutes);
        return { state: kitchenBoardFromSnapshot(snapshot), seq: snapshot.seq };
      },
      apply: (before, event: EventEnvelope) => {
        if (event.type === 'stock.changed') refreshMenuSoon();
        return applyKitchenEvent(before, event);
      },
    });
    await client.start();
  }

  function stop(): void {
    client?.stop();
    client = undefined;
    clearTimeout(menuTimer);
  }

  async function lookup(phone: string): Promise<void> {
    const digits = phone.replace(/\D/g, '');
    if (digits.length < 10) {
      known.value = [];
      return;
    }
    known.value = (
      await api(PhoneLookup, `/api/customers/lookup?phone=${encodeURIComponent(phone)}`)
    ).customers;
  }

  async function checkAddress(): Promise<void> {
    const a = draft.value.address;
    if (
      draft.value.mode !== 'delivery' ||
      a.line1.trim().length < 3 ||
      !/^\d{5}$/.test(a.postcode.trim()) ||
      !a.city.trim()
    ) {
      zone.value = null;
      return;
    }
    try {
      zone.value = await api(DeliveryCheck, `/api/shops/${shopId}/delivery-check`, {
        method: 'POST',
        body: { line1: a.line1.trim(), postcode: a.postcode.trim(), city: a.city.trim() },
      });
    } catch (e) {
      zone.value = { error: e instanceof Error ? e.message : String(e) };
    }
  }

  async function submit(): Promise<CreatedOrder> {
    const created = await api(CreatedOrder, '/api/orders', {
      method: 'POST',
      body: toCreateOrderBody(draft.value, shopId, new Date()),
    });
    draft.value = emptyDraft(board.value?.shop.defaultLeadMinutes ?? 25);
    known.value = [];
    zone.value = null;
    return created;
  }

  async function handOver(orderId: string, collected?: 'cash' | 'card'): Promise<Order> {
    return api(Order, `/api/orders/${orderId}/transitions`, {
      method: 'POST',
      body: { to: 'picked_up', ...(collected ? { collected } : {}) },
      headers: { 'idempotency-key': `handover-${orderId}` },
    });
  }

  async function cancel(orderId: string, reason: string): Promise<Order> {
    return api(Order, `/api/orders/${orderId}/transitions`, {
      method: 'POST',
      body: { to: 'cancelled', reason },
      headers: { 'idempotency-key': `cancel-${orderId}` },
    });
  }

  const orders = computed(() => Object.values(board.value?.tickets ?? {}).map((t) => t.order));
  return {
    board,
    products,
    link,
    draft,
    known,
    zone,
    checkAddress,
    start,
    stop,
    lookup,
    submit,
    handOver,
    cancel,
    /** Pick-up orders ready on the pass, oldest first. */
    toHandOver: computed(() =>
      orders.value
        .filter((o) => o.mode === 'pickup' && o.status === 'ready')
        .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt)),
    ),
    /** Orders the customer may still cancel by phone. */
    cancellable: computed(() =>
      orders.value
        .filter((o) => o.status === 'received')
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
    ),
  };
});
