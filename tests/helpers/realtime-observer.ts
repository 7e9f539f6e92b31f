import { io } from 'socket.io-client';
import {
  createRealtimeClient,
  type LinkState,
  type RealtimeClient,
  type RealtimeSocket,
} from '../../hub/src/contract/realtime-client.js';
import type { EventEnvelope, HandshakeAuth } from '../../hub/src/contract/index.js';

/** What a screen applied, as the tests compare it: one line per event. */
export type Applied = { seq: number; type: string; orderId: string | null; version: number | null };

export const appliedOf = (e: {
  seq: number;
  type: string;
  orderId?: string | null;
  version?: number | null;
}): Applied => ({ seq: e.seq, type: e.type, orderId: e.orderId ?? null, version: e.version ?? null });

export type Observer = Awaited<ReturnType<typeof startObserver>>;

/**
 * A screen built on the project's real-time client (`createRealtimeClient`), recording every
 * event it applies, every snapshot it loads and every link state it shows.
 *
 * Staff screens send their session cookie. The client library passes the same `extraHeaders`
 * to every URL, but a hub only accepts a cookie-carrying socket whose Origin is its own; so the
 * socket factory (`createSocket`, part of the client's options) sets the Origin of the URL it
 * connects to. Customer screens send neither cookie nor Origin: the hub accepts those anywhere.
 */
export async function startObserver(options: {
  name: string;
  /** Hub base URLs, tried in this order (then round-robin after a failure). */
  urls: string[];
  /** The rooms this screen must be in: what it must receive is computed from them. */
  rooms: string[];
  /** GET path of the screen's snapshot (its answer carries `seq`). */
  snapshotPath: string;
  cookie?: string;
  auth?: HandshakeAuth;
}) {
  const applied: Applied[] = [];
  const snapshotSeqs: number[] = [];
  const links: LinkState['status'][] = [];
  /** Socket connections made and 'resync' notices received: each starts a subscribe. */
  const syncs = { connects: 0, resyncs: 0 };
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };

  async function loadSnapshot(): Promise<{ state: number; seq: number }> {
    const failures: string[] = [];
    for (const url of options.urls) {
      try {
        const headers: Record<string, string> = {};
        if (options.cookie) headers.cookie = options.cookie;
        const res = await fetch(`${url}${options.snapshotPath}`, { headers });
        if (res.status !== 200) {
          failures.push(`${url}: ${res.status}`);
          continue;
        }
        const body = (await res.json()) as { seq: number };
        snapshotSeqs.push(body.seq);
        return { state: 0, seq: body.seq };
      } catch (error) {
        failures.push(`${url}: ${(error as Error).message}`);
      }
    }
    throw new Error(`${options.name}: no node gave a snapshot (${failures.join('; ')})`);
  }

  const client: RealtimeClient<number> = createRealtimeClient<number>({
    urls: options.urls,
    ...(options.auth ? { auth: options.auth } : {}),
    loadSnapshot,
    apply: (count) => count + 1,
    onChange: (_state, event: EventEnvelope | null) => {
      if (event) applied.push(appliedOf(event));
      notify();
    },
    onLink: (link) => {
      links.push(link.status);
      notify();
    },
    createSocket: (url, socketOptions) => {
      const extraHeaders: Record<string, string> = { ...socketOptions.extraHeaders };
      if (options.cookie) {
        extraHeaders.cookie = options.cookie;
        extraHeaders.origin = new URL(url).origin;
      }
      const socket = io(url, { ...socketOptions, extraHeaders }) as RealtimeSocket;
      // Counted besides the client's own listeners: each makes the client (re)subscribe.
      socket.on('connect', () => {
        syncs.connects++;
        notify();
      });
      socket.on('resync', () => {
        syncs.resyncs++;
        notify();
      });
      return socket;
    },
  });

  /** Resolves once `condition` holds, re-checked at each applied event or link change. */
  function until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (condition()) {
          waiters.delete(check);
          resolve();
        }
      };
      waiters.add(check);
    });
  }

  await client.start();
  return {
    name: options.name,
    rooms: options.rooms,
    client,
    applied,
    snapshotSeqs,
    links,
    syncs,
    /** The seq of the snapshot this screen started from (the only one, unless it had to reload). */
    since: () => snapshotSeqs[0] ?? 0,
    until,
    /**
     * Resolves true once `condition` holds, or false if it has not within `giveUpMs`: a guard so
     * that a screen lacking an event fails the comparison that follows (showing what is missing)
     * instead of hanging the test. Never a success condition by itself.
     */
    sees(condition: () => boolean, giveUpMs: number): Promise<boolean> {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        until(condition).then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), giveUpMs);
        }),
      ]).finally(() => clearTimeout(timer));
    },
    stop: () => client.stop(),
  };
}
