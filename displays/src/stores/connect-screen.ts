import type { EventEnvelope, HandshakeAuth } from '@ocp/hub/contract';
import { createRealtimeClient, type LinkState, type RealtimeClient } from '@ocp/hub/realtime-client';
import type { Ref, ShallowRef } from 'vue';
import { ApiError } from '../api/http';

/**
 * The wiring every staff screen shares. The screen's state lives in its store, so local gestures
 * (a tick, "seen") and events change the same state; the realtime client only sequences events
 * (snapshot, replay, live, dedupe by seq). A snapshot the hub refuses for good (not logged in, not
 * allowed, unknown shop) stops the client: retrying would not help.
 */
export function connectScreen<S>(options: {
  state: ShallowRef<S | null>;
  link: Ref<LinkState>;
  refused?: Ref<ApiError | null>;
  /** Admins follow one shop of many: the handshake names it. */
  auth?: HandshakeAuth;
  loadSnapshot: () => Promise<{ state: S; seq: number }>;
  /** Pure reducer, given the store's current state (with any local gestures). */
  apply: (state: S, event: EventEnvelope) => S;
  /** After the store's state changed: `event` is null for a snapshot. */
  changed?: (state: S, event: EventEnvelope | null) => void;
}): RealtimeClient<S> {
  const client: RealtimeClient<S> = createRealtimeClient<S>({
    urls: [window.location.origin],
    withCredentials: true,
    ...(options.auth ? { auth: options.auth } : {}),
    loadSnapshot: async () => {
      try {
        const loaded = await options.loadSnapshot();
        options.state.value = loaded.state;
        options.changed?.(loaded.state, null);
        return loaded;
      } catch (error) {
        if (options.refused && error instanceof ApiError && [401, 403, 404].includes(error.status)) {
          options.refused.value = error;
          client.stop();
        }
        throw error;
      }
    },
    apply: (_clientCopy, event) => {
      const after = options.apply(options.state.value!, event);
      options.state.value = after;
      options.changed?.(after, event);
      return after;
    },
    onLink: (next) => (options.link.value = next),
  });
  return client;
}
