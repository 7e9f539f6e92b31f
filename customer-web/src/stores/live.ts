import type { EventEnvelope, HandshakeAuth } from '@ocp/hub/contract';
import { createRealtimeClient, type LinkState, type RealtimeClient } from '@ocp/hub/realtime-client';
import type { Ref, ShallowRef } from 'vue';
import { ApiError } from '../api/http';

/**
 * The wiring every live page shares (as the staff screens do). The page's state lives in its
 * store; the realtime client only sequences events (snapshot, replay, live, dedupe by seq). A
 * snapshot the hub refuses for good (unknown order or shop, malformed link) stops the client:
 * retrying would not help.
 */
export function connectLive<S>(options: {
  state: ShallowRef<S | null>;
  link: Ref<LinkState>;
  refused?: Ref<ApiError | null>;
  auth: HandshakeAuth;
  loadSnapshot: () => Promise<{ state: S; seq: number }>;
  apply: (state: S, event: EventEnvelope) => S;
  /** After the store's state changed: `event` is null for a snapshot. */
  changed?: (after: S, before: S | null, event: EventEnvelope | null) => void;
}): RealtimeClient<S> {
  const client: RealtimeClient<S> = createRealtimeClient<S>({
    urls: [window.location.origin],
    withCredentials: true,
    auth: options.auth,
    loadSnapshot: async () => {
      try {
        const loaded = await options.loadSnapshot();
        const before = options.state.value;
        options.state.value = loaded.state;
        if (options.refused) options.refused.value = null;
        options.changed?.(loaded.state, before, null);
        return loaded;
      } catch (error) {
        if (options.refused && refusedForGood(error)) {
          options.refused.value = error;
          client.stop();
        }
        throw error;
      }
    },
    apply: (_clientCopy, event) => {
      const before = options.state.value!;
      const after = options.apply(before, event);
      options.state.value = after;
      if (after !== before) options.changed?.(after, before, event);
      return after;
    },
    onLink: (next) => (options.link.value = next),
  });
  return client;
}

/**
 * A snapshot loaded over REST as soon as the page opens, handed to the realtime client as its
 * first one; later (re)loads fetch afresh. The page shows the state before the socket is up,
 * and a link the hub refuses (its socket handshake is refused too, so the client would never
 * ask for a snapshot) is known at once.
 */
export function firstThenFresh<T>(initial: Promise<T>, load: () => Promise<T>): () => Promise<T> {
  let first: Promise<T> | null = initial;
  return () => {
    const next = first ?? load();
    first = null;
    return next;
  };
}

/** Refusals that retrying will not change: unknown or malformed link, unknown shop. */
export function refusedForGood(error: unknown): error is ApiError {
  return error instanceof ApiError && [400, 403, 404].includes(error.status);
}

export function initialLink(): LinkState {
  return { status: 'reconnecting', since: new Date().toISOString() };
}
