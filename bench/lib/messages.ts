import type { ChildProcess } from 'node:child_process';
import type { RateRun } from './rate.js';

/**
 * Width of a receipt record in the screens process: socket, order, version, seq, received at (ms),
 * and the event's own `at` (ms; the hub's outbox row time, or the baseline's emit time).
 */
export const RECEIPT_WIDTH = 6;
/** Width of an emit record of the baseline server: order, version, emitted at (ms). */
export const EMIT_WIDTH = 3;

export type ScreensRequest =
  | {
      type: 'connect';
      id: number;
      system: 'hub' | 'baseline';
      urls: string[];
      count: number;
      perOrder: number;
      orderIds: string[];
      /** Hub only: the tracking token of each order. */
      tokens?: string[];
      concurrency: number;
    }
  | { type: 'collect'; id: number }
  | { type: 'sample'; id: number }
  /**
   * From now on a socket that loses its hub reconnects as the tracking page does: after a backoff
   * delay, to the next URL, subscribing from the last seq it saw (replay, then live, seq-deduped).
   */
  | { type: 'arm-reconnect'; id: number }
  | { type: 'storm-status'; id: number }
  | { type: 'close'; id: number };

/** The screens' view of a reconnect storm (times: nowMs clock, comparable across processes). */
export type StormStatus = {
  /** Sockets that lost their hub since `arm-reconnect` (each counted once). */
  lostHub: number;
  /** Of those, how many are connected and subscribed again. */
  back: number;
  /** Not back yet (waiting for the backoff, connecting or subscribing). */
  pending: number;
  /** Connection or subscribe attempts that failed and were retried. */
  failedAttempts: number;
  /** Subscribes answered "reload the snapshot" (the page would reload it: its events are not replayed). */
  reloads: number;
  /** Replay/live overlap the page's seq check drops after a resubscribe ("overlap is possible, a gap is not"). */
  overlapDroppedBySeq: number;
  /** Events received through the replays. */
  replayed: number;
  firstLostAtMs: number | null;
  lastBackAtMs: number | null;
  errors: string[];
};

export type ScreensReply =
  | { type: 'progress'; connected: number; failed: number; total: number }
  | {
      type: 'connected';
      id: number;
      connected: number;
      failed: number;
      failedSockets: number[];
      errors: string[];
      ms: number;
    }
  | {
      type: 'collected';
      id: number;
      receipts: Float64Array;
      disconnects: number;
      resyncs: number;
      reasons: string[];
    }
  | { type: 'sample'; id: number; event: Record<string, unknown> | null; averageBytes: number }
  | { type: 'armed'; id: number }
  | ({ type: 'storm-status'; id: number } & StormStatus)
  | { type: 'closed'; id: number };

export type BaselineRequest =
  | {
      type: 'run';
      id: number;
      rate: number;
      durationMs: number;
      template: Record<string, unknown>;
      orderIds: string[];
    }
  | { type: 'sockets'; id: number };

export type BaselineReply =
  | { type: 'ready'; port: number }
  | { type: 'ran'; id: number; log: Float64Array; run: RateRun; messageBytes: number }
  | { type: 'sockets'; id: number; count: number };

/** Omit over each member of a union (the built-in Omit merges the union first). */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Request/answer over a child's IPC channel: each request carries an id, the answer with the same
 * id resolves it. Other messages (progress) go to `onMessage`. A child that exits fails every
 * pending request instead of leaving the benchmark waiting.
 */
export function ipcPeer<Req extends { type: string; id: number }, Rep extends { type: string }>(
  name: string,
  child: ChildProcess,
  onMessage: (message: Rep) => void = () => {},
) {
  let nextId = 1;
  const pending = new Map<number, { resolve: (m: Rep) => void; reject: (e: Error) => void }>();
  child.on('message', (raw) => {
    const message = raw as Rep & { id?: number };
    if (typeof message.id === 'number' && pending.has(message.id)) {
      const p = pending.get(message.id)!;
      pending.delete(message.id);
      p.resolve(message);
    } else {
      onMessage(message);
    }
  });
  child.once('exit', (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`${name} exited (${code ?? signal})`));
    pending.clear();
  });
  return {
    request<T extends Rep>(message: OmitEach<Req, 'id'>, timeoutMs: number): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: no answer to ${message.type} in ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ ...message, id });
      });
    },
  };
}

/** In a child: waits for the parent's messages; answers with `process.send`. */
export function reply(message: ScreensReply | BaselineReply): void {
  process.send?.(message);
}
