import type { CourierPosition, Eta, ModifyOrderBody, OrderStatus, TrackedOrder } from '@ocp/hub/contract';
import type { LinkState, RealtimeClient } from '@ocp/hub/realtime-client';
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { hub } from '../api/hub';
import { ApiError } from '../api/http';
import {
  applyCourierPosition,
  applyTrackingEvent,
  FINISHED,
  trackingFromSnapshot,
  type TrackingState,
} from '../tracking/tracking-state';
import { connectLive, firstThenFresh, initialLink, refusedForGood } from './live';
import { useMyOrdersStore } from './my-orders';

/** How often the ETA is asked again without any event, and at most how often a moving courier asks. */
export const ETA_EVERY_MS = 60_000;
export const ETA_COURIER_MIN_MS = 30_000;

/** `live`: the hub told us (notify the customer); false for the customer's own change. */
export type StatusChange = { from: OrderStatus; to: OrderStatus; at: number; live: boolean };

/** One order's tracking page: the order live, the courier on the map, the ETA kept fresh. */
export const useTrackingStore = defineStore('tracking', () => {
  const state = shallowRef<TrackingState | null>(null);
  const link = ref<LinkState>(initialLink());
  /** The hub does not know this link: retrying will not help. */
  const refused = ref<ApiError | null>(null);
  /** The first snapshot failed for another reason (offline): the client keeps trying. */
  const error = ref<ApiError | null>(null);
  const eta = ref<Eta | null>(null);
  /** The last status change seen on this page, for the stepper's animation and the notification. */
  const lastChange = ref<StatusChange | null>(null);

  /** The tracking link this store follows ('' when stopped). */
  const following = ref('');
  let token = '';
  let client: RealtimeClient<TrackingState> | undefined;
  let stopPositions: (() => void) | undefined;
  let etaTimer: ReturnType<typeof setInterval> | undefined;
  let lastEtaAt = 0;
  let etaRequest: Promise<void> | null = null;

  function remember(order: TrackedOrder): void {
    useMyOrdersStore().save({
      token,
      shortCode: order.shortCode,
      shopName: order.shopName,
      mode: order.mode,
      createdAt: order.createdAt,
      status: order.status,
    });
  }

  function changed(after: TrackingState, before: TrackingState | null, live: boolean): void {
    if (!before || before.order.status !== after.order.status) {
      if (before)
        lastChange.value = { from: before.order.status, to: after.order.status, at: Date.now(), live };
      remember(after.order);
      void fetchEta();
    }
  }

  function start(next: string): void {
    if (token === next && client) return;
    stop();
    token = next;
    following.value = next;
    state.value = null;
    eta.value = null;
    refused.value = null;
    error.value = null;
    lastChange.value = null;
    const load = async () => {
      try {
        const snapshot = await hub.trackingSnapshot(next);
        error.value = null;
        return { state: trackingFromSnapshot(snapshot), seq: snapshot.seq };
      } catch (e) {
        if (state.value === null) {
          error.value = e instanceof ApiError ? e : new ApiError(0, 'service/unavailable', String(e));
        }
        throw e;
      }
    };
    const initial = load();
    initial.then(
      (loaded) => {
        if (token !== next || state.value !== null) return;
        state.value = loaded.state;
        changed(loaded.state, null, false);
      },
      (e: unknown) => {
        if (token !== next || !refusedForGood(e)) return;
        refused.value = e;
        stop();
      },
    );
    client = connectLive<TrackingState>({
      state,
      link,
      refused,
      auth: { trackingToken: next },
      loadSnapshot: firstThenFresh(initial, load),
      apply: applyTrackingEvent,
      // News from the hub, live or caught up after a reconnect: both are worth a notification.
      changed: (after, before) => changed(after, before, true),
    });
    stopPositions = client.on('courier:position', onCourierPosition);
    etaTimer = setInterval(() => void fetchEta(), ETA_EVERY_MS);
    void client.start();
  }

  function stop(): void {
    stopPositions?.();
    stopPositions = undefined;
    client?.stop();
    client = undefined;
    clearInterval(etaTimer);
    etaTimer = undefined;
    token = '';
    following.value = '';
  }

  /** The courier moved: the marker follows, and the ETA is asked again at most every 30 s. */
  function onCourierPosition(position: Pick<CourierPosition, 'position' | 'at'>): void {
    if (!state.value) return;
    state.value = applyCourierPosition(state.value, position);
    if (Date.now() - lastEtaAt >= ETA_COURIER_MIN_MS) void fetchEta();
  }

  function fetchEta(): Promise<void> {
    const order = state.value?.order;
    if (!order || FINISHED.includes(order.status)) {
      eta.value = null;
      return Promise.resolve();
    }
    // One request at a time: a burst of events asks once.
    etaRequest ??= (async () => {
      const asked = token;
      lastEtaAt = Date.now();
      try {
        const next = await hub.eta(asked);
        if (asked === token) eta.value = next;
      } catch {
        // The last ETA stays shown; the next event or tick asks again.
      } finally {
        etaRequest = null;
      }
    })();
    return etaRequest;
  }

  /** An answer from the hub to the customer's own change: newer than the page, never older. */
  function setOrder(order: TrackedOrder): void {
    const before = state.value;
    if (!before || order.version < before.order.version) return;
    const after: TrackingState = { ...before, order };
    state.value = after;
    changed(after, before, false);
  }

  async function cancel(reason: string): Promise<void> {
    const trimmed = reason.trim();
    setOrder(await hub.cancelOrder(token, trimmed ? { reason: trimmed } : {}));
  }

  async function modify(body: ModifyOrderBody): Promise<void> {
    setOrder(await hub.modifyOrder(token, body));
  }

  return {
    following,
    state,
    link,
    refused,
    error,
    eta,
    lastChange,
    start,
    stop,
    onCourierPosition,
    fetchEta,
    cancel,
    modify,
  };
});
