import { ManagerSnapshot, ShopList, SiteConfig, type MapTiles, type Shop } from '@ocp/hub/contract';
import type { LinkState, RealtimeClient } from '@ocp/hub/realtime-client';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { api, ApiError } from '../api/http';
import {
  applyCourierPosition,
  applyManagerEvent,
  managerBoardFromSnapshot,
  type ManagerBoardState,
} from '../manager/manager-board';
import { connectScreen } from './connect-screen';

/**
 * The manager board of one shop. The state lives here; the realtime client only sequences events
 * (snapshot, replay, live, dedupe by seq). Courier positions are not events: they come through the
 * client's `courier:position` listener and update the same state.
 */
export const useManagerBoardStore = defineStore('manager-board', () => {
  const board = shallowRef<ManagerBoardState | null>(null);
  /** Every shop of the group (the admin's selector); the board's own shop is `shop`. */
  const shops = ref<Shop[]>([]);
  const shopId = ref<number | null>(null);
  const link = ref<LinkState>({ status: 'reconnecting', since: new Date().toISOString() });
  /** The snapshot was refused (not allowed, unknown shop): retrying will not help. */
  const refused = ref<ApiError | null>(null);
  /** The map's street tiles (the site configuration); null: its plain background only. */
  const tiles = ref<MapTiles | null>(null);
  let client: RealtimeClient<ManagerBoardState> | undefined;
  let offPositions: (() => void) | undefined;

  /** The shop's settings (position, zone, lead time) are not in the snapshot: the shop list has them. */
  async function loadShops(): Promise<void> {
    if (shops.value.length === 0) shops.value = (await api(ShopList, '/api/shops')).shops;
  }

  async function start(id: number, options: { admin?: boolean } = {}): Promise<void> {
    stop();
    shopId.value = id;
    refused.value = null;
    board.value = null;
    link.value = { status: 'reconnecting', since: new Date().toISOString() };
    await loadShops().catch(() => undefined);
    // The map works without tiles: a configuration that cannot be read leaves it plain.
    void api(SiteConfig, '/api/site-config').then(
      (config) => (tiles.value = config.mapTiles),
      () => undefined,
    );
    const own = connectScreen<ManagerBoardState>({
      state: board,
      link,
      refused,
      // Admins may follow every shop: the handshake names the one this board shows.
      ...(options.admin ? { auth: { shopId: id } } : {}),
      loadSnapshot: async () => {
        if (shops.value.length === 0) await loadShops();
        const snapshot = await api(ManagerSnapshot, `/api/shops/${id}/manager`);
        const fresh = managerBoardFromSnapshot(snapshot);
        // Positions are not replayed: a fresher one already received survives a reload.
        const previous = board.value;
        if (previous?.shopId === id) {
          for (const held of Object.values(previous.couriers)) {
            if (held.positionAt && fresh.couriers[held.courierId]) {
              fresh.couriers = applyCourierPosition(fresh, {
                courierId: held.courierId,
                shopId: id,
                position: held.position,
                accuracyM: null,
                at: held.positionAt,
              }).couriers;
            }
          }
        }
        return { state: fresh, seq: snapshot.seq };
      },
      apply: applyManagerEvent,
    });
    client = own;
    offPositions = own.on('courier:position', (position) => {
      if (board.value) board.value = applyCourierPosition(board.value, position);
    });
    await own.start();
  }

  function stop(): void {
    offPositions?.();
    offPositions = undefined;
    client?.stop();
    client = undefined;
  }

  return {
    board,
    shops,
    shopId,
    link,
    refused,
    tiles,
    loadShops,
    start,
    stop,
    ready: computed(() => board.value !== null),
    shop: computed(() => shops.value.find((s) => s.id === shopId.value) ?? null),
  };
});
