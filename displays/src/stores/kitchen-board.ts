import {
  KitchenSnapshot,
  type Ack,
  type EventEnvelope,
  type Order,
  type OrderStatus,
} from '@ocp/hub/contract';
import type { LinkState, RealtimeClient } from '@ocp/hub/realtime-client';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { api } from '../api/http';
import type { Chime } from '../composables/use-chime';
import { connectScreen } from './connect-screen';
import {
  applyKitchenEvent,
  clearRecall,
  dismissTicket,
  kitchenBoardFromSnapshot,
  recallLast,
  toggleLine,
  type KitchenBoardState,
} from '../kitchen/kitchen-board';

export type BumpOutcome = 'done' | 'conflict' | 'offline' | 'refused';

/**
 * The kitchen board of one shop. The board state lives here (the realtime client only sequences
 * events: snapshot, replay, live, dedupe), so that local gestures — a tick, "seen" — and events
 * apply to the same state.
 */
export const useKitchenBoardStore = defineStore('kitchen-board', () => {
  const board = shallowRef<KitchenBoardState | null>(null);
  const link = ref<LinkState>({ status: 'reconnecting', since: new Date().toISOString() });
  const selected = ref<string | null>(null);
  const busy = ref<Set<string>>(new Set());
  let client: RealtimeClient<KitchenBoardState> | undefined;
  let chimeListener: ((chime: Chime) => void) | undefined;

  function onEvent(event: EventEnvelope, before: KitchenBoardState, after: KitchenBoardState): void {
    if (!event.orderId || before === after) return;
    const was = before.tickets[event.orderId];
    const now = after.tickets[event.orderId];
    if (now?.mark && now.mark !== was?.mark) chimeListener?.(now.mark);
    else if (now?.mark === 'modified' && event.type === 'order.modified') chimeListener?.('modified');
  }

  async function start(shopId: number, onChime: (chime: Chime) => void): Promise<void> {
    stop();
    chimeListener = onChime;
    client = connectScreen<KitchenBoardState>({
      state: board,
      link,
      loadSnapshot: async () => {
        const snapshot = await api(KitchenSnapshot, `/api/shops/${shopId}/kitchen`);
        // A reload after a long outage starts again from the truth; local ticks are kept where
        // the ticket is still there.
        const fresh = kitchenBoardFromSnapshot(snapshot);
        const previous = board.value;
        if (previous) {
          for (const [id, ticket] of Object.entries(fresh.tickets)) {
            ticket.checked = previous.tickets[id]?.checked ?? [];
          }
        }
        return { state: fresh, seq: snapshot.seq };
      },
      apply: (before, event) => {
        const after = applyKitchenEvent(before, event);
        onEvent(event, before, after);
        return after;
      },
    });
    await client.start();
  }

  function stop(): void {
    client?.stop();
    client = undefined;
  }

  const update = (fn: (s: KitchenBoardState) => KitchenBoardState) => {
    if (board.value) board.value = fn(board.value);
  };

  /**
   * One tap: the next step of the ticket. The command carries the version the cook saw; if
   * another screen moved it first, the hub refuses and this screen says so. A retry of the same
   * tap (lost ack) reuses its idempotency key, so it is never applied twice.
   */
  async function bump(orderId: string, to: OrderStatus): Promise<BumpOutcome> {
    const ticket = board.value?.tickets[orderId];
    if (!client || !ticket || busy.value.has(orderId)) return 'refused';
    busy.value = new Set(busy.value).add(orderId);
    const idempotencyKey = `bump-${crypto.randomUUID()}`;
    try {
      const ack: Ack<Order> = await client.command<Order>({
        name: 'order:transition',
        idempotencyKey,
        payload: { orderId, to, expectedVersion: ticket.order.version },
      });
      if (ack.ok) return 'done';
      if (ack.error.code === 'service/unavailable') return 'offline';
      if (ack.error.code === 'order/version_conflict' || ack.error.code === 'order/transition_not_allowed') {
        return 'conflict';
      }
      return 'refused';
    } finally {
      const next = new Set(busy.value);
      next.delete(orderId);
      busy.value = next;
    }
  }

  return {
    board,
    link,
    selected,
    busy,
    start,
    stop,
    bump,
    dismiss: (orderId: string) => update((s) => dismissTicket(s, orderId)),
    toggleLine: (orderId: string, line: number) => update((s) => toggleLine(s, orderId, line)),
    recall: () => update(recallLast),
    clearRecall: () => update(clearRecall),
    ready: computed(() => board.value !== null),
  };
});
