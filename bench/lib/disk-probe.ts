import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/** How long the disk takes to make 8 kB durable: what every commit waits for (synchronous_commit on). */
export type DiskSyncProbe = {
  directory: string;
  seconds: number;
  syncs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** Syncs slower than 50 ms (the realtime p99 goal): every commit of that moment waits as long. */
  stallsOver50Ms: number;
  /** Share of the probe's time spent inside those slow syncs. */
  stallShare: number;
};

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Writes and fdatasyncs one 8 kB page in a loop for `seconds` on the filesystem of `dir` (the
 * one the benchmark's PostgreSQL writes its WAL to), synchronously: run it before anything else
 * starts. Commit latency cannot be lower than this: a 100 ms sync holds every commit of that
 * moment, and a p99 goal of 50 ms is out of reach once more than 1 % of the time is inside one.
 */
export function probeDiskSync(seconds: number, dir = os.tmpdir()): DiskSyncProbe {
  const workDir = mkdtempSync(path.join(dir, 'ocp-disk-probe-'));
  const fd = openSync(path.join(workDir, 'probe'), 'w');
  const page = Buffer.alloc(8192, 7);
  const times: number[] = [];
  try {
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const t0 = performance.now();
      writeSync(fd, page, 0, page.length, 0);
      fdatasyncSync(fd);
      times.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(workDir, { recursive: true, force: true });
  }
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const slow = times.filter((t) => t > 50);
  return {
    directory: dir,
    seconds,
    syncs: times.length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    p999Ms: round(at(0.999)),
    maxMs: round(sorted.at(-1) ?? 0, 1),
    stallsOver50Ms: slow.length,
    stallShare: round(slow.reduce((a, b) => a + b, 0) / (seconds * 1000), 4),
  };
}

/** One sentence for the logs and the Markdown. */
export function diskSyncText(p: DiskSyncProbe): string {
  return (
    `disk (${p.directory}): fdatasync of 8 kB p50 ${p.p50Ms} ms, p99 ${p.p99Ms}, p99.9 ${p.p999Ms}, ` +
    `max ${p.maxMs} ms over ${p.syncs.toLocaleString('en-US')} syncs in ${p.seconds} s; ` +
    `${p.stallsOver50Ms} longer than 50 ms (${round(p.stallShare * 100, 2)} % of the time inside one)`
  );
}
