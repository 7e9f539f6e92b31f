import type { Logger } from 'pino';
import type { EventEnvelope } from '../contract/index.js';
import type { RelayStore } from '../adapters/relay-store.js';
import { reportError } from '../adapters/sentry.js';
import type { Metrics } from './metrics.js';

export type Relay = ReturnType<typeof createRelay>;

export type RelayOptions = {
  openStore: (onLost: (error: Error) => void) => Promise<RelayStore>;
  /** Emits events to their rooms, on every node (through the Socket.IO adapter). */
  publish: (events: readonly EventEnvelope[]) => void;
  /** Tells the other nodes' relays that something committed (only the leader acts on it). */
  wakeOthers: () => void;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
  /** How often a follower tries to become leader, and the leader checks its connection. */
  leaderCheckMs?: number;
  /** Fallback poll for writers that do not wake the relay (any SQL client). */
  pollMs?: number;
  batchSize?: number;
  retentionMs?: number;
};

/**
 * The outbox relay: one leader among all hub processes (PostgreSQL advisory lock) publishes
 * committed events exactly once in one total order, assigning `seq` as it goes. Publishing is
 * at-least-once (a leader dying between publishing and recording it is followed by one that
 * publishes again); screens drop duplicates by seq.
 */
export function createRelay(options: RelayOptions) {
  const { logger, metrics } = options;
  const now = options.now ?? Date.now;
  const leaderCheckMs = options.leaderCheckMs ?? 1000;
  const pollMs = options.pollMs ?? 250;
  const batchSize = options.batchSize ?? 500;
  const retentionMs = options.retentionMs ?? 48 * 3600 * 1000;

  let store: RelayStore | undefined;
  let leader = false;
  /**
   * What this leader has published (seq). Null until it has read the watermark a previous leader
   * left: it first publishes again whatever was moved to the event log after that watermark.
   */
  let publishedUpTo: number | null = null;
  let catchingUp = true;
  let stopped = false;
  let draining: Promise<void> | undefined;
  let again = false;
  let wakeQueued = false;
  let lastPurge = 0;
  const timers: NodeJS.Timeout[] = [];
  const leadershipListeners = new Set<(leader: boolean) => void>();
  const publishedListeners = new Set<(events: readonly EventEnvelope[]) => void>();

  const setLeader = (value: boolean) => {
    if (leader === value) return;
    leader = value;
    // A new term starts from the watermark in PostgreSQL, whatever this node knew before.
    publishedUpTo = null;
    catchingUp = true;
    metrics.relayLeader.set(value ? 1 : 0);
    logger.info({ leader: value }, value ? 'this node is now the relay' : 'this node is no longer the relay');
    for (const l of leadershipListeners) l(value);
  };

  /** Reported once per outage (the leadership check retries every second while it lasts). */
  let outageReported = false;

  async function demote(error: unknown) {
    if (stopped) return;
    logger.warn({ err: error }, 'relay connection lost');
    if (!outageReported) {
      outageReported = true;
      reportError(error, { source: 'relay', level: 'warning', tags: { leader } });
    }
    setLeader(false);
    const old = store;
    store = undefined;
    await old?.close();
  }

  let checking: Promise<void> | undefined;
  let checkAgain = false;

  /** One check at a time (the timer and a handover may ask together): never two stores. */
  function checkLeadership(): Promise<void> {
    if (checking) {
      checkAgain = true;
      return checking;
    }
    checking = (async () => {
      do {
        checkAgain = false;
        await checkLeadershipOnce();
      } while (checkAgain && !stopped);
    })().finally(() => {
      checking = undefined;
    });
    return checking;
  }

  async function checkLeadershipOnce() {
    if (stopped) return;
    try {
      if (!store) store = await options.openStore((error) => void demote(error));
      if (leader) {
        await store.ping();
        outageReported = false;
        return;
      }
      const led = await store.tryLead();
      outageReported = false;
      if (led) {
        setLeader(true);
        poke();
      }
    } catch (error) {
      await demote(error);
    }
  }

  async function drainOnce(s: RelayStore): Promise<boolean> {
    let batch: readonly EventEnvelope[];
    const recovering = catchingUp;
    if (catchingUp) {
      const pending = await s.unpublished(publishedUpTo, batchSize);
      publishedUpTo ??= pending.publishedUpTo;
      batch = pending.events;
      if (batch.length < batchSize) catchingUp = false;
    } else {
      // The watermark of the previous batch is folded into this one's statement.
      batch = await s.sequenceNext(batchSize, publishedUpTo ?? 0);
    }
    if (batch.length === 0) return recovering;
    options.publish(batch);
    const t = now();
    for (const e of batch) metrics.relayLagSeconds.observe(Math.max(0, t - Date.parse(e.at)) / 1000);
    metrics.eventsRelayed.inc(batch.length);
    publishedUpTo = batch[batch.length - 1]!.seq;
    for (const l of publishedListeners) l(batch);
    // A full batch (or a recovery) may have more right away.
    return recovering || batch.length === batchSize;
  }

  async function drain() {
    do {
      again = false;
      const s = store;
      if (!leader || !s || stopped) return;
      try {
        while (await drainOnce(s)) {
          // a full batch: there may be more right away
        }
      } catch (error) {
        await demote(error);
        return;
      }
    } while (again);
  }

  /** Something committed: run now (coalesced with a run in progress). */
  function poke(): void {
    if (!leader) return;
    if (draining) {
      again = true;
      return;
    }
    draining = drain().finally(() => {
      draining = undefined;
    });
  }

  async function housekeeping() {
    const s = store;
    if (!leader || !s) return;
    try {
      metrics.relayBacklog.set(await s.backlog());
      if (now() - lastPurge > 10 * 60 * 1000) {
        lastPurge = now();
        const n = await s.purge(retentionMs);
        if (n > 0) logger.info({ purged: n }, 'purged events older than the replay window');
      }
    } catch (error) {
      await demote(error);
    }
  }

  return {
    start() {
      void checkLeadership();
      timers.push(setInterval(() => void checkLeadership(), leaderCheckMs));
      timers.push(setInterval(() => poke(), pollMs));
      timers.push(setInterval(() => void housekeeping(), 5000));
    },
    /** Called after this node's own commits: the leader runs at once, followers wake it. */
    committed(): void {
      if (leader) {
        poke();
        return;
      }
      if (wakeQueued) return;
      // One bus message for all the commits that end in this turn of the event loop: they have
      // all committed before it is sent, and the leader's run reads whatever committed before
      // it starts. At 500 commits/s a follower otherwise publishes 500 wake-ups the leader parses.
      wakeQueued = true;
      setImmediate(() => {
        wakeQueued = false;
        if (!stopped) options.wakeOthers();
      });
    },
    /** A wake-up from another node. */
    poke,
    /** Another node's relay stopped and released the lock: try to lead now, not at the next check. */
    takeOver(): void {
      if (!stopped && !leader) void checkLeadership();
    },
    /** Runs the relay now (if leader) and resolves when this run is over. */
    async drainNow(): Promise<void> {
      poke();
      while (draining) await draining;
    },
    isLeader: () => leader,
    onLeadership(listener: (leader: boolean) => void) {
      leadershipListeners.add(listener);
      return () => leadershipListeners.delete(listener);
    },
    /** After each batch is published and recorded (tests and diagnostics wait on it). */
    onPublished(listener: (events: readonly EventEnvelope[]) => void) {
      publishedListeners.add(listener);
      return () => publishedListeners.delete(listener);
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await checking;
      await draining;
      // Best effort: the next leader then need not publish the last batch again.
      if (leader && store && publishedUpTo !== null) await store.markPublished(publishedUpTo).catch(() => {});
      setLeader(false);
      await store?.close();
      store = undefined;
    },
  };
}
