import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  chownSync,
  closeSync,
  copyFileSync,
  appendFileSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { sleep } from './clock.js';
import { freePort, onCleanup, ROOT_DIR } from './processes.js';
import type { Progress } from './progress.js';

const run = promisify(execFile);

/** The PostgreSQL binaries the private cluster is made with (Debian's postgresql-15). */
export const PG_BIN_DIR = process.env.BENCH_PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
/** The recommended production settings (deploy/README.md): the benchmark's cluster runs with them. */
export const SETTINGS_FILE = path.join(ROOT_DIR, 'deploy', 'postgresql', 'ocpizza.conf');

/** The names set in a postgresql.conf-style file (`name = value` lines), in file order. */
export function settingNames(file = SETTINGS_FILE): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .map((line) => line.match(/^([a-z_][a-z0-9_.]*)\s*=?/i)?.[1])
    .filter((name): name is string => name !== undefined && name !== 'include' && name !== 'include_dir');
}

export type PostgresSettings = {
  /** `own`: the benchmark's private cluster; `BENCH_PG_ADMIN_URL`: an existing server. */
  server: 'own cluster' | 'BENCH_PG_ADMIN_URL';
  /** How the hub and the benchmark reach it (absent in results of before 2026-12-04: tcp). */
  transport?: 'unix socket' | 'tcp';
  serverVersion: string;
  settingsFile: string;
  /** What the server runs with, for each name in the settings file (`pg_settings`). */
  settings: Array<{ name: string; setting: string; unit: string | null; source: string }>;
  /** Settings of the file the server runs with a different value (only possible with an existing server). */
  differsFromFile: string[];
};

export type BenchPostgres = {
  /** `postgres` database of the server, as a superuser with trust authentication. */
  adminUrl: string;
  /** Where the URL points, for the logs: `127.0.0.1:5432` or `/tmp/dir (unix socket)`. */
  where: string;
  own: boolean;
  /** The cluster's postmaster (its children are the cluster's processes); null for an existing server. */
  postmasterPid: number | null;
  settings: () => Promise<PostgresSettings>;
};

/** The value a `name = value` line gives, as pg_settings shows it (units are compared loosely). */
function fileValues(file = SETTINGS_FILE): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const m = raw
      .replace(/#.*/, '')
      .trim()
      .match(/^([a-z_][a-z0-9_.]*)\s*=?\s*(.+)$/i);
    if (m) out.set(m[1]!, m[2]!.trim().replace(/^'(.*)'$/, '$1'));
  }
  return out;
}

const UNIT_FACTORS: Record<string, number> = {
  B: 1,
  kB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
  us: 0.001,
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A value with its unit in base units (bytes or ms), e.g. '16MB' → 16777216; NaN when not a quantity. */
function quantity(value: string, defaultUnit: string | null): number {
  const m = value.match(/^(-?\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/);
  if (!m) return Number.NaN;
  let unit = m[2] || defaultUnit || '';
  // pg_settings units can carry a multiplier: "8kB" (pages), "16MB" (WAL segments).
  let multiplier = 1;
  const um = unit.match(/^(\d+)([a-zA-Z]+)$/);
  if (um) {
    multiplier = Number(um[1]);
    unit = um[2]!;
  }
  const factor = unit === '' ? 1 : UNIT_FACTORS[unit];
  return factor === undefined ? Number.NaN : Number(m[1]) * multiplier * factor;
}

/** A unix-socket URL has the socket directory, percent-encoded, as its host (libpq and node-postgres). */
export function isUnixSocketUrl(url: string): boolean {
  return decodeURIComponent(new URL(url).hostname).startsWith('/');
}

function whereOf(url: string): string {
  const u = new URL(url);
  const host = decodeURIComponent(u.hostname);
  return host.startsWith('/') ? `${host} (unix socket, port ${u.port || 5432})` : u.host;
}

async function readSettings(adminUrl: string, own: boolean): Promise<PostgresSettings> {
  const names = settingNames();
  const wanted = fileValues();
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'ocp-bench-settings' });
  await client.connect();
  try {
    const { rows } = await client.query<{
      name: string;
      setting: string;
      unit: string | null;
      source: string;
    }>(
      `select name, setting, unit, source from pg_settings where name = any($1::text[])
       union all select 'server_version', setting, unit, source from pg_settings where name = 'server_version'`,
      [names],
    );
    const byName = new Map(rows.map((r) => [r.name, r]));
    const settings = [...names, 'server_version'].flatMap((n) => (byName.has(n) ? [byName.get(n)!] : []));
    const differsFromFile = names.filter((n) => {
      const got = byName.get(n);
      const want = wanted.get(n);
      if (!got || want === undefined) return true;
      if (got.setting === want) return false;
      const a = quantity(want, got.unit);
      const b = quantity(got.setting, got.unit);
      if (Number.isFinite(a) && Number.isFinite(b)) return Math.abs(a - b) > 1e-9;
      const bool = (v: string) =>
        ({ on: 'on', true: 'on', yes: 'on', off: 'off', false: 'off', no: 'off' })[v];
      return (bool(want.toLowerCase()) ?? want) !== (bool(got.setting.toLowerCase()) ?? got.setting);
    });
    return {
      server: own ? 'own cluster' : 'BENCH_PG_ADMIN_URL',
      transport: isUnixSocketUrl(adminUrl) ? 'unix socket' : 'tcp',
      serverVersion: byName.get('server_version')?.setting ?? 'unknown',
      settingsFile: path.relative(ROOT_DIR, SETTINGS_FILE),
      settings,
      differsFromFile,
    };
  } finally {
    await client.end().catch(() => {});
  }
}

/** `[command, args]` that run `command` as the OS user `postgres` when we are root (initdb refuses root). */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const f = line?.split(':');
  if (!f) throw new Error('running as root, but there is no OS user "postgres" to run PostgreSQL as');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The PostgreSQL the benchmark measures on. By default a private cluster of its own: `initdb`
 * in a fresh directory under /tmp, `postgres` on a free loopback port (unix socket in the same
 * directory, trust authentication) with deploy/postgresql/ocpizza.conf included, so the figures
 * are those of the recommended production settings (autovacuum on) and not of the machine's
 * shared server. It is stopped (fast shutdown, then SIGQUIT/SIGKILL) and its directory deleted at
 * the end, also on failure or Ctrl-C (a cleanup of processes.ts; a hard exit still SIGKILLs it).
 * The hub and the benchmark reach it through its unix socket, as a hub on the database's host
 * should (deploy/README.md: the socket costs the hubs ~20% less CPU than loopback TCP, measured in
 * bench/results/2026-12-04-realtime.md); `BENCH_PG_TRANSPORT=tcp` measures over 127.0.0.1.
 * `BENCH_PG_ADMIN_URL=postgres://user@host:port/postgres` uses an existing server instead.
 */
export async function startBenchPostgres(progress?: Progress): Promise<BenchPostgres> {
  const override = process.env.BENCH_PG_ADMIN_URL;
  if (override) {
    progress?.update(`using the existing server of BENCH_PG_ADMIN_URL (${new URL(override).host})`);
    return {
      adminUrl: override,
      where: whereOf(override),
      own: false,
      postmasterPid: null,
      settings: () => readSettings(override, false),
    };
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'ocp-bench-pg-'));
  const dataDir = path.join(root, 'data');
  const proc: { child?: ChildProcess } = {};
  let postmasterPid: number | null = null;
  let log = '';
  // Diagnostics: BENCH_PG_LOG_FILE=<path> keeps all the server logged (slow statements, lock
  // waits…), written as it comes: a log_min_duration_statement=0 run is far more than memory keeps.
  const logFile = process.env.BENCH_PG_LOG_FILE ? openSync(process.env.BENCH_PG_LOG_FILE, 'w') : undefined;
  let stopped = false;

  const removeDir = () => rmSync(root, { recursive: true, force: true });
  // A hard exit (process.exit after an uncaught error): nothing of the cluster stays behind.
  const onExit = () => {
    if (!stopped && postmasterPid !== null && alive(postmasterPid)) process.kill(postmasterPid, 'SIGKILL');
    if (!stopped) removeDir();
  };
  process.on('exit', onExit);

  async function stop(): Promise<void> {
    if (stopped) return;
    try {
      if (postmasterPid !== null && alive(postmasterPid)) {
        const [cmd, args] = asPostgres(path.join(PG_BIN_DIR, 'pg_ctl'), [
          'stop',
          '-D',
          dataDir,
          '-m',
          'fast',
          '-w',
          '-t',
          '20',
        ]);
        await run(cmd, args).catch(() => {});
        for (const signal of ['SIGQUIT', 'SIGKILL'] as const) {
          if (!alive(postmasterPid)) break;
          process.kill(postmasterPid, signal);
          for (let i = 0; i < 50 && alive(postmasterPid); i++) await sleep(100);
        }
      }
      const child = proc.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    } finally {
      if (logFile !== undefined) closeSync(logFile);
      stopped = true;
      process.off('exit', onExit);
      removeDir();
    }
  }
  onCleanup(stop);

  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresIds();
    chownSync(root, uid, gid);
  }
  progress?.update(`initdb in ${dataDir}`);
  const [initCmd, initArgs] = asPostgres(path.join(PG_BIN_DIR, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    // The cluster lives for one run: its files need not reach the disk at init (the running
    // server still fsyncs every commit: synchronous_commit and fsync are on).
    '--no-sync',
  ]);
  try {
    await run(initCmd, initArgs, { maxBuffer: 10 * 1024 * 1024 });
  } catch (error) {
    const e = error as Error & { stderr?: string };
    throw new Error(`initdb failed: ${e.stderr ?? e.message}`, { cause: error });
  }
  const port = await freePort();
  // The settings file is copied next to postgresql.conf (the postgres user need not read the
  // checkout) and included; only where to listen comes after it.
  copyFileSync(SETTINGS_FILE, path.join(dataDir, 'ocpizza.conf'));
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresIds();
    chownSync(path.join(dataDir, 'ocpizza.conf'), uid, gid);
  }
  appendFileSync(
    path.join(dataDir, 'postgresql.conf'),
    [
      '',
      '# bench/lib/pg-cluster.ts: the recommended settings, then where this private cluster listens.',
      "include 'ocpizza.conf'",
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${root}'`,
      // Diagnostics: BENCH_PG_EXTRA_SETTINGS="log_min_duration_statement=20ms;…" (recorded with the rest).
      ...(process.env.BENCH_PG_EXTRA_SETTINGS ?? '').split(';').filter((l) => l.trim() !== ''),
      '',
    ].join('\n'),
  );

  progress?.update(`starting postgres on 127.0.0.1:${port}`);
  const [pgCmd, pgArgs] = asPostgres(path.join(PG_BIN_DIR, 'postgres'), ['-D', dataDir]);
  const child = spawn(pgCmd, pgArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.child = child;
  child.once('error', () => {});
  const keep = (d: Buffer) => {
    if (logFile !== undefined) writeSync(logFile, d);
    log += d.toString();
    if (log.length > 2_000_000) log = log.slice(-1_000_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);

  const transport = process.env.BENCH_PG_TRANSPORT ?? 'unix';
  if (transport !== 'unix' && transport !== 'tcp')
    throw new Error(`BENCH_PG_TRANSPORT must be "unix" or "tcp", not "${transport}"`);
  const host = transport === 'unix' ? encodeURIComponent(root) : '127.0.0.1';
  const adminUrl = `postgres://postgres@${host}:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited before it was ready:\n${log.slice(-4000)}`);
    }
    try {
      const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) postmasterPid = pid;
    } catch {
      // not written yet
    }
    if (postmasterPid !== null) {
      const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
      const ok = await client.connect().then(
        () => true,
        () => false,
      );
      await client.end().catch(() => {});
      if (ok) break;
    }
    if (Date.now() > deadline)
      throw new Error(`postgres did not accept connections in 30 s:\n${log.slice(-4000)}`);
    await sleep(50);
  }
  progress?.update(`postgres ready on ${whereOf(adminUrl)} (pid ${postmasterPid})`);
  return {
    adminUrl,
    where: whereOf(adminUrl),
    own: true,
    postmasterPid,
    settings: () => readSettings(adminUrl, true),
  };
}
