import { CourierSnapshot, type Command, type EventEnvelope } from '@ocp/hub/contract';
import type { LinkState, RealtimeClient } from '@ocp/hub/realtime-client';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import { api } from '../api/http';
import {
  applyCourierEvent,
  courierViewFromSnapshot,
  deliveries,
  offers,
  sharesPosition,
  type CourierViewState,
} from '../courier/courier-view';
import { enqueue, load, pendingOrders, settle, type PendingCommand } from '../courier/pending-commands';
import { connectScreen } from './connect-screen';

const QUEUE_KEY = 'ocp.courier.pending';
const POSITION_EVERY_MS = 5000;

/**
 * The courier's phone. Commands go through a persistent queue: tapped without signal they wait,
 * shown as pending, and are sent on reconnect with the same idempotency key — applied once.
 */
export const useCourierStore = defineStore('courier', () => {
  const view = shallowRef<CourierViewState | null>(null);
  const link = ref<LinkState>({ status: 'reconnecting', since: new Date().toISOString() });
  const queue = ref<PendingCommand[]>(
    typeof localStorage === 'undefined' ? [] : load(localStorage, QUEUE_KEY),
  );
  const refused = ref<string | null>(null);
  let client: RealtimeClient<CourierViewState> | undefined;
  let flushing = false;
  let watchId: number | undefined;
  let lastPositionAt = 0;
  let onOffer: (() => void) | undefined;

  const persist = () => localStorage.setItem(QUEUE_KEY, JSON.stringify(queue.value));

  function followPosition(): void {
    const wanted = view.value !== null && sharesPosition(view.value);
    if (wanted && watchId === undefined && 'geolocation' in navigator) {
      watchId = navigator.geolocation.watchPosition(
        (p) => {
          // The hub throttles too; the phone saves its battery and data first.
          if (Date.now() - lastPositionAt < POSITION_EVERY_MS) return;
          lastPositionAt = Date.now();
          void client?.sendPosition({
            lat: p.coords.latitude,
            lng: p.coords.longitude,
            accuracyM: p.coords.accuracy,
          });
        },
        () => undefined,
        { enableHighAccuracy: true, maximumAge: 10_000 },
      );
    } else if (!wanted && watchId !== undefined) {
      navigator.geolocation.clearWatch(watchId);
      watchId = undefined;
    }
  }

  async function flush(): Promise<void> {
    if (flushing || !client) return;
    flushing = true;
    try {
      for (const item of [...queue.value]) {
        const ack = await client.command(item.command);
        if (!ack.ok && ack.error.code === 'service/unavailable') break; // still no signal: keep it
        if (!ack.ok) refused.value = ack.error.message;
        queue.value = settle(queue.value, item.command.idempotencyKey);
        persist();
      }
    } finally {
      flushing = false;
    }
  }

  // Back online: what was tapped meanwhile goes now, in order.
  watch(
    () => link.value.status,
    (status) => {
      if (status === 'live') void flush();
    },
  );

  async function start(notifyOffer: () => void): Promise<void> {
    stop();
    onOffer = notifyOffer;
    client = connectScreen<CourierViewState>({
      state: view,
      link,
      loadSnapshot: async () => {
        const snapshot = await api(CourierSnapshot, '/api/couriers/me/orders');
        return { state: courierViewFromSnapshot(snapshot), seq: snapshot.seq };
      },
      apply: (before, event: EventEnvelope) => {
        const after = applyCourierEvent(before, event);
        if (offers(after).some((o) => !before.orders[o.id]?.offer)) onOffer?.();
        return after;
      },
      changed: () => followPosition(),
    });
    await client.start();
    void flush();
  }

  function stop(): void {
    client?.stop();
    client = undefined;
    if (watchId !== undefined) navigator.geolocation.clearWatch(watchId);
    watchId = undefined;
  }

  /** Queues the command (kept across reloads) and sends it now if there is signal. */
  async function send(command: Command, label: string): Promise<void> {
    refused.value = null;
    queue.value = enqueue(queue.value, { command, label, at: new Date().toISOString() });
    persist();
    await flush();
  }

  const key = (what: string, orderId: string) => `${what}-${orderId}-${crypto.randomUUID().slice(0, 8)}`;

  return {
    view,
    link,
    queue,
    refused,
    start,
    stop,
    offers: computed(() => (view.value ? offers(view.value) : [])),
    deliveries: computed(() => (view.value ? deliveries(view.value) : [])),
    pending: computed(() => pendingOrders(queue.value)),
    accept: (orderId: string, label: string) =>
      send(
        { name: 'order:accept_offer', idempotencyKey: key('accept', orderId), payload: { orderId } },
        label,
      ),
    decline: (orderId: string, label: string) =>
      send(
        { name: 'order:decline_offer', idempotencyKey: key('decline', orderId), payload: { orderId } },
        label,
      ),
    pickedUp: (orderId: string, label: string) =>
      send(
        {
          name: 'order:transition',
          idempotencyKey: key('pickup', orderId),
          payload: { orderId, to: 'out_for_delivery' },
        },
        label,
      ),
    delivered: (orderId: string, collected: 'cash' | 'card' | null, label: string) =>
      send(
        {
          name: 'order:transition',
          idempotencyKey: key('delivered', orderId),
          payload: { orderId, to: 'delivered', ...(collected ? { collected } : {}) },
        },
        label,
      ),
    failed: (orderId: string, reason: string, label: string) =>
      send(
        {
          name: 'order:transition',
          idempotencyKey: key('failed', orderId),
          payload: { orderId, to: 'delivery_failed', reason },
        },
        label,
      ),
  };
});
