import { RECEIPT_WIDTH } from './messages.js';
import { summarize, type LatencySummary } from './stats.js';

/** (order, version) as one number: versions stay far below 2^21. */
const keyOf = (orderIdx: number, version: number) => orderIdx * 2 ** 21 + version;
/** (socket, seq) as one number, for duplicate detection. */
const seenKeyOf = (socketIdx: number, seq: number) => socketIdx * 2 ** 32 + seq;

type Expected = {
  refMs: number;
  sentMs: number;
  phase: number;
  got: number;
  orderIdx: number;
  lastMs: number;
};

export type PhaseResult = {
  writes: number;
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** Delivered before the write's HTTP response was read (counted as 0 ms). */
  beforeReference: number;
  latency: LatencySummary;
  /** From when the write was sent (an upper bound of commit → received, whatever the HTTP path costs). */
  latencyFromSend: LatencySummary;
  /**
   * From the event's own `at`: for the hub the outbox row's time (clock_timestamp() of the INSERT,
   * just before the commit; ms precision), so outbox insert → screen without the HTTP answer.
   */
  latencyFromEventAt: LatencySummary;
  firstReferenceMs: number;
  lastReceiptMs: number;
  /** Deliveries of this phase's events that came after its drain ended (already counted lost). */
  lateAfterDrain: number;
  /** A few of the duplicates: which socket got which seq twice. */
  duplicateSamples: Array<{ socket: number; seq: number }>;
};

/**
 * Matches what the screens received with what was written. Each write (or baseline emit) is
 * expected by every connected socket watching its order, identified by (order, version); its
 * reference time is when its HTTP response arrived (hub) or when it was emitted (baseline).
 * Receipts that come before their write is known (the event can beat the HTTP response) wait
 * and are matched later.
 */
export class DeliveryLedger {
  private expected = new Map<number, Expected>();
  private seen = new Set<number>();
  private pending: number[][] = [];
  private phases = new Map<
    number,
    {
      writes: number;
      expected: number;
      delivered: number;
      duplicated: number;
      beforeReference: number;
      latencies: number[];
      fromSend: number[];
      fromEventAt: number[];
      firstReferenceMs: number;
      lastReceiptMs: number;
      closed: boolean;
      lateAfterDrain: number;
      duplicateSamples: Array<{ socket: number; seq: number }>;
    }
  >();
  /** Receipts that match no write (a write that failed on our side but committed, or a stray event). */
  unmatched = 0;
  /** Duplicates that could not be attributed to a phase. */
  strayDuplicates = 0;

  constructor(
    /** How many connected sockets watch an order (what each of its events must reach). */
    private readonly watchers: (orderIdx: number) => number,
    /** Which order a socket watches. */
    private readonly orderOfSocket: (socketIdx: number) => number,
  ) {}

  openPhase(phase: number): void {
    this.phases.set(phase, {
      writes: 0,
      expected: 0,
      delivered: 0,
      duplicated: 0,
      beforeReference: 0,
      latencies: [],
      fromSend: [],
      fromEventAt: [],
      firstReferenceMs: Number.POSITIVE_INFINITY,
      lastReceiptMs: 0,
      closed: false,
      lateAfterDrain: 0,
      duplicateSamples: [],
    });
  }

  /** `refMs`: the write acknowledged (hub) or emitted (baseline); `sentMs`: the write sent. */
  expect(phase: number, orderIdx: number, version: number, refMs: number, sentMs = refMs): void {
    const p = this.phases.get(phase)!;
    p.writes++;
    p.expected += this.watchers(orderIdx);
    p.firstReferenceMs = Math.min(p.firstReferenceMs, refMs);
    this.expected.set(keyOf(orderIdx, version), { refMs, sentMs, phase, got: 0, orderIdx, lastMs: 0 });
  }

  /** Adds receipts (flat records from the screens process), plus any still waiting for their write. */
  add(receipts: Float64Array): void {
    const retry = this.pending;
    this.pending = [];
    for (const r of retry) this.one(r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!);
    for (let i = 0; i < receipts.length; i += RECEIPT_WIDTH) {
      this.one(
        receipts[i]!,
        receipts[i + 1]!,
        receipts[i + 2]!,
        receipts[i + 3]!,
        receipts[i + 4]!,
        receipts[i + 5]!,
      );
    }
  }

  private one(
    socketIdx: number,
    orderIdx: number,
    version: number,
    seq: number,
    receivedMs: number,
    eventAtMs: number,
  ): void {
    const e = orderIdx >= 0 && version >= 0 ? this.expected.get(keyOf(orderIdx, version)) : undefined;
    const seenKey = seenKeyOf(socketIdx, seq);
    if (!e) {
      // Not known yet (its HTTP response is still on its way) or never: decided at the end.
      this.pending.push([socketIdx, orderIdx, version, seq, receivedMs, eventAtMs]);
      return;
    }
    const p = this.phases.get(e.phase)!;
    if (this.seen.has(seenKey)) {
      p.duplicated++;
      if (p.duplicateSamples.length < 10) p.duplicateSamples.push({ socket: socketIdx, seq });
      return;
    }
    this.seen.add(seenKey);
    if (this.orderOfSocket(socketIdx) !== orderIdx) {
      this.unmatched++; // an event of an order this socket does not watch: never expected
      return;
    }
    if (p.closed) {
      p.lateAfterDrain++;
      return;
    }
    e.got++;
    e.lastMs = Math.max(e.lastMs, receivedMs);
    p.delivered++;
    const latency = receivedMs - e.refMs;
    if (latency < 0) p.beforeReference++;
    p.latencies.push(Math.max(0, latency));
    p.fromSend.push(receivedMs - e.sentMs);
    if (Number.isFinite(eventAtMs)) p.fromEventAt.push(receivedMs - eventAtMs);
    p.lastReceiptMs = Math.max(p.lastReceiptMs, receivedMs);
  }

  /** Deliveries still missing for this phase. */
  missing(phase: number): number {
    const p = this.phases.get(phase)!;
    return p.expected - p.delivered;
  }

  /** Ends the phase's drain: what has not arrived now is lost. */
  close(phase: number): PhaseResult {
    const p = this.phases.get(phase)!;
    p.closed = true;
    return {
      writes: p.writes,
      expected: p.expected,
      delivered: p.delivered,
      lost: p.expected - p.delivered,
      duplicated: p.duplicated,
      beforeReference: p.beforeReference,
      latency: summarize(p.latencies),
      latencyFromSend: summarize(p.fromSend),
      latencyFromEventAt: summarize(p.fromEventAt),
      firstReferenceMs: p.firstReferenceMs,
      lastReceiptMs: p.lastReceiptMs,
      lateAfterDrain: p.lateAfterDrain,
      duplicateSamples: p.duplicateSamples,
    };
  }

  /**
   * The writes of `phase` with a reference time (acknowledged) up to `untilRefMs`: whether every
   * watching socket received each of them, and when the last of those deliveries arrived.
   */
  deliveredUpTo(
    phase: number,
    untilRefMs: number,
  ): { writes: number; complete: boolean; lastReceiptMs: number } {
    let writes = 0;
    let complete = true;
    let lastReceiptMs = 0;
    for (const e of this.expected.values()) {
      if (e.phase !== phase || e.refMs > untilRefMs) continue;
      writes++;
      if (e.got < this.watchers(e.orderIdx)) complete = false;
      lastReceiptMs = Math.max(lastReceiptMs, e.lastMs);
    }
    return { writes, complete, lastReceiptMs };
  }

  /** Late arrivals are recorded on the closed phase (for the details), not in its result. */
  lateAfterDrain(phase: number): number {
    return this.phases.get(phase)?.lateAfterDrain ?? 0;
  }

  /** At the very end: receipts that never found their write. */
  finish(): { unmatched: number; pendingNeverMatched: number } {
    this.add(new Float64Array(0));
    const pendingNeverMatched = this.pending.length;
    return { unmatched: this.unmatched, pendingNeverMatched };
  }
}
