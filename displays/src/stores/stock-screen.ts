import { ShopStock, StockSnapshot } from '@ocp/hub/contract';
import type { LinkState, RealtimeClient } from '@ocp/hub/realtime-client';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { api, ApiError } from '../api/http';
import {
  applyStockEvent,
  ingredientRows,
  productRows,
  stockScreenFromSnapshot,
  type MovementKind,
  type StockScreenState,
} from '../stock/stock-screen';
import { connectScreen } from './connect-screen';

export type MovementBody = { kind: MovementKind; ingredientId: number; quantity: number; note?: string };

/**
 * The stock screen of one shop. The state lives here; the realtime client only sequences events
 * (snapshot, replay, live, dedupe by seq). A recorded movement is not applied from the REST
 * answer: its `stock.changed` event brings the new level to this screen like to every other one.
 */
export const useStockScreenStore = defineStore('stock-screen', () => {
  const state = shallowRef<StockScreenState | null>(null);
  const link = ref<LinkState>({ status: 'reconnecting', since: new Date().toISOString() });
  /** The snapshot was refused (not allowed, unknown shop): retrying will not help. */
  const refused = ref<ApiError | null>(null);
  let client: RealtimeClient<StockScreenState> | undefined;
  let shop = 0;

  async function start(shopId: number, options: { admin?: boolean } = {}): Promise<void> {
    stop();
    shop = shopId;
    refused.value = null;
    state.value = null;
    client = connectScreen<StockScreenState>({
      state,
      link,
      refused,
      // Admins see every shop: the handshake names the one this screen follows.
      ...(options.admin ? { auth: { shopId } } : {}),
      loadSnapshot: async () => {
        const snapshot = await api(StockSnapshot, `/api/shops/${shopId}/stock/snapshot`);
        return { state: stockScreenFromSnapshot(snapshot), seq: snapshot.seq };
      },
      apply: applyStockEvent,
    });
    await client.start();
  }

  function stop(): void {
    client?.stop();
    client = undefined;
  }

  /** Records a manager's movement; throws the hub's ApiError when it is refused. */
  async function record(body: MovementBody): Promise<void> {
    await api(ShopStock, `/api/shops/${shop}/stock/movements`, { method: 'POST', body });
  }

  return {
    state,
    link,
    refused,
    start,
    stop,
    record,
    ready: computed(() => state.value !== null),
    ingredients: computed(() => (state.value ? ingredientRows(state.value) : [])),
    products: computed(() => (state.value ? productRows(state.value) : [])),
  };
});
