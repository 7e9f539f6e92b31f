import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Every process the benchmark starts is registered here, so that a failure, Ctrl-C or a normal
 * end stops all of them (SIGTERM, then SIGKILL after a grace period), and a hard exit of the
 * benchmark still SIGKILLs what is left. Only our own children, by pid.
 */
const children = new Map<number, { name: string; child: ChildProcess }>();

export function track(name: string, child: ChildProcess): ChildProcess {
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  const pid = child.pid;
  children.set(pid, { name, child });
  child.once('exit', () => children.delete(pid));
  return child;
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** SIGTERM, then SIGKILL if it is still there after `graceMs`; resolves once it is gone. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (!alive(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (alive(child)) child.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAllChildren(graceMs = 5000): Promise<void> {
  await Promise.all([...children.values()].map(({ child }) => stopChild(child, graceMs)));
}

process.on('exit', () => {
  for (const { child } of children.values()) if (alive(child)) child.kill('SIGKILL');
});

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `child` printed a line matching `pattern` on stdout; rejects if it exits first. */
function waitForLine(
  name: string,
  child: ChildProcess,
  pattern: RegExp,
  output: () => string,
  timeoutMs: number,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = output().match(pattern);
      if (m) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${output().slice(-4000)}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${name} was not ready within ${timeoutMs} ms:\n${output().slice(-4000)}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', check);
    child.once('exit', onExit);
    check();
  });
}

export type RedisServer = { port: number; url: string; pid: number; stop: () => Promise<void> };

/** A redis-server of the benchmark's own on a free loopback port, keeping nothing on disk. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  if (port === 6379) throw new Error('the benchmark never touches the Redis on 6379');
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.once('error', () => {});
  track('redis-server', child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  // With --loglevel warning the "Ready" line is not printed: wait until the port answers PING.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (!alive(child)) throw new Error(`redis-server exited before it was ready:\n${out}`);
    if (await redisPing(port)) break;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${port}:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, url: `redis://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child, 3000) };
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      answer += d.toString();
      if (answer.includes('\r\n')) {
        socket.end();
        resolve(answer.startsWith('+PONG'));
      }
    });
  });
}

const READY_LINE = /OC Pizza hub is running on \S+ \(port (\d+)\)/;

export type HubProcess = {
  name: string;
  pid: number;
  port: number;
  baseUrl: string;
  output: () => string;
  stop: () => Promise<void>;
};

/** One hub process as production starts it (`node --import tsx hub/src/main.ts`). */
export async function spawnHub(options: {
  name: string;
  databaseUrl: string;
  redisUrl: string;
  env?: Record<string, string>;
}): Promise<HubProcess> {
  // Diagnostics: BENCH_HUB_CPU_PROF_DIR=<dir> writes a V8 CPU profile of each hub when it stops.
  const profile = process.env.BENCH_HUB_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_HUB_CPU_PROF_DIR}`]
    : [];
  // Experiments: BENCH_HUB_NODE_FLAGS="--max-semi-space-size=64" adds V8/Node flags to each hub.
  const flags = (process.env.BENCH_HUB_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...flags, ...profile, '--import', 'tsx', 'hub/src/main.ts'], {
    cwd: ROOT_DIR,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'test',
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      // As production runs: rows are not re-checked against their zod schemas (config.ts).
      DB_VALIDATE_ROWS: 'false',
      // 10,000 screens from one loopback address: the per-client cap is for real clients.
      SOCKETS_PER_CLIENT: '1000000',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(options.name, child);
  let out = '';
  // Diagnostics: BENCH_HUB_LOG_DIR=<dir> keeps each hub's whole output (with --trace-gc, its pauses).
  const logFile = process.env.BENCH_HUB_LOG_DIR
    ? path.join(process.env.BENCH_HUB_LOG_DIR, `${options.name}.log`)
    : undefined;
  const keep = (d: Buffer) => {
    if (logFile) appendFileSync(logFile, d);
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const m = await waitForLine(options.name, child, READY_LINE, () => out, 60_000);
  const port = Number(m[1]);
  return {
    name: options.name,
    pid: child.pid!,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => out,
    stop: () => stopChild(child, 8000),
  };
}

/** A TypeScript child of the benchmark with an IPC channel (advanced serialization: typed arrays). */
export function forkBenchChild(name: string, script: string, args: string[] = []): ChildProcess {
  const child = fork(path.join(ROOT_DIR, script), args, {
    cwd: ROOT_DIR,
    execArgv: ['--import', 'tsx', '--max-old-space-size=8192'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return track(name, child);
}

/** Resident memory of a process in KB (VmRSS of /proc/<pid>/status). */
export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = status.match(/^VmRSS:\s+(\d+) kB/m);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/** CPU time (user + system) of a process so far, in seconds (/proc/<pid>/stat, 100 ticks/s). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds so far of every process whose command name starts with `prefix` (e.g. all
 * postgres processes), by pid, each marked when its command line contains `marker` (a PostgreSQL
 * backend shows its database there: `postgres: 15/main: postgres ocp_bench_… 127.0.0.1(…) idle`),
 * with its parent pid (a cluster's processes are the postmaster's children).
 */
export function cpuSecondsByName(
  prefix: string,
  marker?: string,
): Map<number, { cpu: number; marked: boolean; ppid: number }> {
  const out = new Map<number, { cpu: number; marked: boolean; ppid: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (!comm.startsWith(prefix)) continue;
      const marked = marker ? readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker) : false;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(Number(entry), { cpu: cpuSeconds(Number(entry)), marked, ppid });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Machine-wide busy and total CPU seconds so far (/proc/stat, all cores). */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

const cleanups: Array<() => Promise<void>> = [];

/** Something to undo at the end whatever happens (drop the database…), after the children stop. */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

let cleaning: Promise<void> | undefined;

/** Stops every child, then runs the cleanups (last registered first). Safe to call twice. */
export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    await stopAllChildren();
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        process.stderr.write(`cleanup failed: ${(error as Error).message}\n`);
      }
    }
  })();
  return cleaning;
}

/** Ctrl-C or a TERM: everything started is stopped and removed before exiting. */
export function cleanupOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping everything the benchmark started…\n`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
}
