/** Nearest-rank percentile of an ascending-sorted array (NaN when empty). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export type LatencySummary = { count: number; p50: number; p95: number; p99: number; max: number };

export function summarize(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

/** Rounds for the results files: 2 decimals, NaN as null (JSON has no NaN). */
export function round(value: number, decimals = 2): number | null {
  if (!Number.isFinite(value)) return null;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** A growable Float64Array of fixed-width records (receipts, emit logs) that crosses IPC cheaply. */
export class RecordBuffer {
  private data: Float64Array;
  private used = 0;
  constructor(
    readonly width: number,
    initialRecords = 4096,
  ) {
    this.data = new Float64Array(width * initialRecords);
  }
  push(...values: number[]): void {
    if (this.used + this.width > this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    for (let i = 0; i < this.width; i++) this.data[this.used + i] = values[i]!;
    this.used += this.width;
  }
  get records(): number {
    return this.used / this.width;
  }
  /** The records so far, then starts empty again. */
  take(): Float64Array {
    const out = this.data.slice(0, this.used);
    this.used = 0;
    return out;
  }
}
