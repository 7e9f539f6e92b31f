import type { Shop } from '@ocp/hub/contract';
import type { LinkState, RealtimeClient } from '@ocp/hub/realtime-client';
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { hub } from '../api/hub';
import { ApiError } from '../api/http';
import { applyMenuEvent, menuFromSnapshot, type MenuState } from '../menu/menu-state';
import { connectLive, firstThenFresh, initialLink, refusedForGood } from './live';

/** A shop's menu, live: availability follows the kitchen's stock as orders come in. */
export const useMenuStore = defineStore('menu', () => {
  const state = shallowRef<MenuState | null>(null);
  const link = ref<LinkState>(initialLink());
  const refused = ref<ApiError | null>(null);
  /** The first snapshot failed (hub unreachable): the page says so while the client retries. */
  const error = ref<ApiError | null>(null);
  let client: RealtimeClient<MenuState> | undefined;
  let current: Shop | null = null;
  let releaseTimer: ReturnType<typeof setTimeout> | undefined;

  async function load(shop: Shop): Promise<{ state: MenuState; seq: number }> {
    const snapshot = await hub.menuSnapshot(shop.id);
    return { state: menuFromSnapshot(snapshot, shop.status === 'open'), seq: snapshot.seq };
  }

  function start(shop: Shop): void {
    clearTimeout(releaseTimer);
    if (current?.id === shop.id && client) return;
    stop();
    current = shop;
    state.value = null;
    error.value = null;
    refused.value = null;
    const loadSnapshot = async () => {
      try {
        const loaded = await load(shop);
        error.value = null;
        return loaded;
      } catch (e) {
        if (state.value === null) {
          error.value = e instanceof ApiError ? e : new ApiError(0, 'service/unavailable', String(e));
        }
        throw e;
      }
    };
    const initial = loadSnapshot();
    initial.then(
      (loaded) => {
        if (current?.id === shop.id && state.value === null) state.value = loaded.state;
      },
      (e: unknown) => {
        if (current?.id !== shop.id || !refusedForGood(e)) return;
        refused.value = e;
        stop();
      },
    );
    client = connectLive<MenuState>({
      state,
      link,
      refused,
      auth: { menuShopId: shop.id },
      loadSnapshot: firstThenFresh(initial, loadSnapshot),
      apply: applyMenuEvent,
    });
    void client.start();
  }

  /**
   * A page no longer needs the menu: the link is kept a little while, so going from the menu to
   * the checkout (and back) does not reconnect and reload it.
   */
  function release(): void {
    clearTimeout(releaseTimer);
    releaseTimer = setTimeout(stop, 10_000);
  }

  function stop(): void {
    clearTimeout(releaseTimer);
    client?.stop();
    client = undefined;
    current = null;
  }

  /**
   * After the hub said `stock/insufficient`: the levels it judged by may be newer than what the
   * socket brought so far, so read them again now. Later events carry absolute levels, so one
   * that the fresh snapshot already reflects changes nothing.
   */
  async function refresh(): Promise<void> {
    if (!current) return;
    const shop = current;
    try {
      const loaded = await load(shop);
      if (current?.id === shop.id) state.value = loaded.state;
    } catch {
      // The live link keeps trying; the levels on screen stay meanwhile.
    }
  }

  return { state, link, refused, error, start, release, stop, refresh };
});
