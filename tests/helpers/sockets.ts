import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientToServerEvents,
  EventEnvelope,
  HandshakeAuth,
  ServerToClientEvents,
  SubscribeResult,
} from '../../hub/src/contract/index.js';

export type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A raw Socket.IO connection to a hub, as a screen would open it (websocket, Origin of the site,
 * the staff session cookie or a tracking token), recording every event it receives.
 */
export async function openSocket(
  baseUrl: string,
  options: { cookie?: string; auth?: HandshakeAuth; origin?: string | null } = {},
) {
  const headers: Record<string, string> = {};
  const origin = options.origin === undefined ? baseUrl : options.origin;
  if (origin) headers.origin = origin;
  if (options.cookie) headers.cookie = options.cookie;
  const socket: HubSocket = io(baseUrl, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: options.auth ?? {},
    extraHeaders: headers,
  });
  const events: EventEnvelope[] = [];
  const waiters: Array<{ predicate: (events: EventEnvelope[]) => boolean; resolve: () => void }> = [];
  socket.on('event', (e) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (w.predicate(events)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(Object.assign(e, { data: (e as { data?: unknown }).data })));
  });
  return {
    socket,
    events,
    subscribe: (since: number) =>
      socket.timeout(10_000).emitWithAck('subscribe', { since }) as Promise<Ack<SubscribeResult>>,
    /** Resolves once the received events satisfy `predicate` (event-driven, no polling). */
    until(predicate: (events: EventEnvelope[]) => boolean): Promise<void> {
      if (predicate(events)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    close: () => socket.disconnect(),
  };
}

/** Why a handshake was refused (the error code the hub gave), or null if it connected. */
export async function handshakeRefusal(
  baseUrl: string,
  options: { cookie?: string; auth?: HandshakeAuth; origin?: string | null } = {},
): Promise<string | null> {
  try {
    const s = await openSocket(baseUrl, options);
    s.close();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
