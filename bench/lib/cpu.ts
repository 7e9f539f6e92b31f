import os from 'node:os';
import { cpuSeconds, cpuSecondsByName, machineCpu } from './processes.js';

type PgProcesses = {
  name: string;
  postmasterPid: number | null;
  pids: Map<number, { cpu: number; marked: boolean; ppid: number }>;
};
export type CpuSample = {
  wallS: number;
  parts: Record<string, number>;
  pg?: PgProcesses;
  machineBusy: number;
};

/**
 * CPU seconds used so far by each part of the benchmark (our processes by pid, the PostgreSQL
 * backends of our database, the background processes of the benchmark's own cluster — autovacuum,
 * WAL writer, checkpointer — when it runs one, and every other postgres process of the machine)
 * and by the whole machine. Two samples give the average number of cores each part used in
 * between; "other" is what the machine spent outside our parts.
 */
export function cpuSampler(
  parts: Record<string, number | { postgresDatabase: string; postmasterPid?: number | null } | 'self'>,
) {
  return {
    sample(): CpuSample {
      const values: Record<string, number> = {};
      let pg: PgProcesses | undefined;
      for (const [name, source] of Object.entries(parts)) {
        if (typeof source === 'object') {
          pg = {
            name,
            postmasterPid: source.postmasterPid ?? null,
            pids: cpuSecondsByName('postgres', ` ${source.postgresDatabase} `),
          };
        } else if (source === 'self') {
          const u = process.cpuUsage();
          values[name] = (u.user + u.system) / 1e6;
        } else values[name] = cpuSeconds(source);
      }
      return { wallS: performance.now() / 1000, parts: values, pg, machineBusy: machineCpu().busy };
    },
  };
}

export function coresBetween(a: CpuSample, b: CpuSample): Record<string, number> {
  const wall = b.wallS - a.wallS;
  const out: Record<string, number> = {};
  const used: Record<string, number> = {};
  // A process gone in between reads as 0 s: never a negative share.
  for (const name of Object.keys(b.parts))
    used[name] = Math.max(0, (b.parts[name] ?? 0) - (a.parts[name] ?? 0));
  if (a.pg && b.pg) {
    // Per process: PostgreSQL backends come and go (pools close idle connections); a process
    // that started in between counts from zero, one that ended in between is not seen.
    let ours = 0;
    let cluster = 0;
    let rest = 0;
    const postmaster = b.pg.postmasterPid;
    for (const [pid, p] of b.pg.pids) {
      const d = p.cpu - (a.pg.pids.get(pid)?.cpu ?? 0);
      if (p.marked) ours += d;
      else if (postmaster !== null && (pid === postmaster || p.ppid === postmaster)) cluster += d;
      else rest += d;
    }
    used[b.pg.name] = ours;
    if (postmaster !== null) used['postgres (our cluster, background)'] = cluster;
    // Other work: the machine's shared server (or, with BENCH_PG_ADMIN_URL, the rest of that server).
    used['postgres (rest of server)'] = rest;
  }
  let ours = 0;
  for (const [name, seconds] of Object.entries(used)) {
    ours += seconds;
    out[name] = Math.round((seconds / wall) * 100) / 100;
  }
  const busy = b.machineBusy - a.machineBusy;
  out.other = Math.round((Math.max(0, busy - ours) / wall) * 100) / 100;
  out['machine busy'] = Math.round((busy / wall) * 100) / 100;
  return out;
}

/** Cores the whole machine keeps busy over `ms` (before the benchmark starts anything: others' load). */
export async function machineBusyCores(ms = 3000): Promise<number> {
  const a = machineCpu();
  await new Promise((r) => setTimeout(r, ms));
  const b = machineCpu();
  return Math.round(((b.busy - a.busy) / ((b.total - a.total) / Math.max(1, os.cpus().length))) * 100) / 100;
}

/**
 * Waits (up to `maxWaitS`) until the machine is quiet: other work sharing the 2 cores (a test
 * suite, a build) would be measured as the hub's latency. Returns the last measurement.
 */
export async function waitForQuietMachine(
  maxWaitS: number,
  report: (busy: number, waitedS: number) => void,
  thresholdCores = 0.3,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    const busy = await machineBusyCores();
    const waited = (Date.now() - started) / 1000;
    report(busy, waited);
    if (busy <= thresholdCores || waited >= maxWaitS) return busy;
  }
}
