import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportSnapshot, serverVersion } from '../adapters/backup-database.js';
import { databaseOf, findPgTools, pgDump, pgDumpGlobals } from '../adapters/pg-tools.js';
import { finish, removeQuietly, sha256File } from './files.js';
import type { BackupManifest, DatabaseFacts } from './manifest.js';
import { backupFileNames, backupStamp } from './naming.js';
import { formatBytes, formatDuration, tableProgress } from './progress.js';
import { planRetention } from './retention.js';

export type BackupOptions = {
  databaseUrl: string;
  dir: string;
  keepDays: number;
  /** The time the backup is named after and retention counts from. */
  now: Date;
  binDir?: string;
  /** Progress and warnings, one line each (stderr). */
  say: (line: string) => void;
  /** Monotonic milliseconds, for durations. */
  clock?: () => number;
};

export type BackupResult = {
  dump: string;
  globals: string | null;
  manifest: string;
  bytes: number;
  durationMs: number;
  facts: DatabaseFacts;
  pruned: string[];
  warnings: string[];
};

/**
 * `npm run db:backup`: pg_dump (custom format) of the database from one exported snapshot, whose
 * facts (row counts, newest order, orders checksum) go into the manifest; the cluster's globals
 * when permitted; then backups older than `keepDays` are pruned. Files appear under their final
 * names only when complete, the manifest last.
 */
export async function runBackup(options: BackupOptions): Promise<BackupResult> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const { say } = options;
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    say(`warning: ${message}`);
  };

  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  await chmod(options.dir, 0o700).catch(() => warn(`could not restrict ${options.dir} to its owner`));
  const names = backupFileNames(backupStamp(options.now));
  const file = (name: string) => path.join(options.dir, name);
  if (existsSync(file(names.dump))) {
    throw new Error(`${file(names.dump)} already exists: one backup per second at most.`);
  }

  const database = databaseOf(options.databaseUrl);
  const server = await serverVersion(options.databaseUrl);
  const tools = await findPgTools(server.major, { binDir: options.binDir });
  say(
    `backing up database ${database} (PostgreSQL ${server.text}) with pg_dump ${tools.version} into ${file(names.dump)}`,
  );

  const snapshot = await exportSnapshot(options.databaseUrl);
  const dumpPart = `${file(names.dump)}.part`;
  try {
    await pgDump(tools, {
      databaseUrl: options.databaseUrl,
      file: dumpPart,
      snapshot: snapshot.id,
      onLine: tableProgress('dumping', Object.keys(snapshot.facts.tables).length, say),
    });
    await finish(dumpPart, file(names.dump));
  } catch (error) {
    await removeQuietly(dumpPart);
    throw error;
  } finally {
    await snapshot.release();
  }
  const bytes = (await stat(file(names.dump))).size;
  const dumpSha256 = await sha256File(file(names.dump));

  // Roles: with their passwords when the user may read them (a superuser), else without them,
  // else not at all. Neither is needed to restore the database (objects go to the restoring user).
  let globals: string | null = names.globals;
  const globalsPart = `${file(names.globals)}.part`;
  const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
  try {
    await pgDumpGlobals(tools, { databaseUrl: options.databaseUrl, file: globalsPart });
    await finish(globalsPart, file(names.globals));
  } catch (error) {
    await removeQuietly(globalsPart);
    try {
      await pgDumpGlobals(tools, {
        databaseUrl: options.databaseUrl,
        file: globalsPart,
        noRolePasswords: true,
      });
      await finish(globalsPart, file(names.globals));
      warn(`roles were saved without their passwords (${message(error)}): that needs a superuser`);
    } catch (again) {
      await removeQuietly(globalsPart);
      globals = null;
      warn(`roles were not saved (${message(again)}); the database itself is backed up`);
    }
  }

  const durationMs = clock() - started;
  const manifest: BackupManifest = {
    format: 1,
    dump: names.dump,
    globals,
    takenAt: options.now.toISOString(),
    durationMs: Math.round(durationMs),
    database,
    serverVersion: server.text,
    pgDumpVersion: tools.version,
    dumpBytes: bytes,
    dumpSha256,
    facts: snapshot.facts,
  };
  const manifestPart = `${file(names.manifest)}.part`;
  await writeFile(manifestPart, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  await finish(manifestPart, file(names.manifest));

  const plan = planRetention(await readdir(options.dir), options.now, options.keepDays);
  const pruned: string[] = [];
  for (const name of plan.prune) {
    try {
      await rm(file(name));
      pruned.push(name);
      say(`pruned ${name} (older than ${options.keepDays} days)`);
    } catch (error) {
      warn(`could not prune ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  return {
    dump: file(names.dump),
    globals: globals && file(globals),
    manifest: file(names.manifest),
    bytes,
    durationMs,
    facts: snapshot.facts,
    pruned,
    warnings,
  };
}

/** The last line of a backup: what, how big, how long. */
export function backupSummary(result: BackupResult): string {
  const rows = Object.values(result.facts.tables).reduce((a, b) => a + b, 0);
  const tables = Object.keys(result.facts.tables).length;
  return (
    `backup done: ${result.dump} (${formatBytes(result.bytes)}, ${tables} tables, ${rows} rows) in ` +
    `${formatDuration(result.durationMs)}` +
    `${result.globals ? `; roles in ${path.basename(result.globals)}` : '; roles NOT saved'}` +
    `${result.pruned.length ? `; pruned ${result.pruned.length} old file(s)` : ''}`
  );
}
