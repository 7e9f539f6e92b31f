import { performance } from 'node:perf_hooks';

/**
 * Wall-clock milliseconds with sub-millisecond resolution. Every process of the benchmark runs on
 * the same machine, so `timeOrigin + now()` of one process is comparable with another's: this is
 * how a write acknowledged in one process is matched with its delivery in another.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
