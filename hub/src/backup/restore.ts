import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  analyzeDatabase,
  assertDatabaseName,
  createDatabase,
  databaseFacts,
  databaseState,
  dropDatabase,
  pgCode,
  renameDatabase,
  resetRelayCursor,
  serverVersion,
  type RelayReset,
} from '../adapters/backup-database.js';
import { databaseOf, findPgTools, pgRestore, pgRestoreList, withDatabase } from '../adapters/pg-tools.js';
import { manifestPathOf, readManifest } from './files.js';
import { compareFacts, type ComparisonRow, type DatabaseFacts } from './manifest.js';
import { formatDuration, tableProgress } from './progress.js';

/**
 * How far the relay's next seq jumps past the highest restored one. A screen may have seen seqs
 * beyond the backup (the events between the backup and the restore, which are lost): the jump
 * must pass all of them, so those screens are below the new purge horizon and reload their
 * snapshot. A million is months of this group's events (a busy day is a few thousand).
 */
export const RELAY_SEQ_GAP = 1_000_000;

/** The operator asked for something the command will not do; nothing was changed. */
export class RestoreRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefused';
  }
}

export type RestoreOptions = {
  /** The server (and, unless `database` is given, the database) to restore into. */
  databaseUrl: string;
  file: string;
  database?: string;
  /** Replace a database that already holds tables. */
  force: boolean;
  binDir?: string;
  seqGap?: number;
  say: (line: string) => void;
  clock?: () => number;
};

export type RestoreResult = {
  database: string;
  file: string;
  replaced: boolean;
  durationMs: number;
  facts: DatabaseFacts;
  relay: RelayReset | null;
  /** Against the manifest next to the file, when there is one. */
  comparison: ComparisonRow[] | null;
  manifestProblem: string | null;
};

/**
 * `npm run db:restore -- FILE [--database NAME] [--force]`: restores a dump into a database,
 * creating it if missing. A database that holds tables is only replaced with `force`, and then
 * the restore goes into `<name>_restoring` first: the old database is dropped only once the new
 * one is complete. Then the relay's cursor is moved past everything screens may have seen.
 */
export async function runRestore(options: RestoreOptions): Promise<RestoreResult> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const { say } = options;
  const file = path.resolve(options.file);
  try {
    if (!(await stat(file)).isFile()) throw new RestoreRefused(`${file} is not a file.`);
  } catch (error) {
    if (error instanceof RestoreRefused) throw error;
    throw new RestoreRefused(`${file} does not exist.`);
  }
  const name = options.database ?? databaseOf(options.databaseUrl);
  assertDatabaseName(name);
  const targetUrl = withDatabase(options.databaseUrl, name);

  const server = await serverVersion(targetUrl);
  const tools = await findPgTools(server.major, { binDir: options.binDir });
  // Read the whole archive's table of contents before touching any database.
  const { tablesWithData } = await pgRestoreList(tools, file);

  const state = await databaseState(targetUrl);
  let into = name;
  let created = false;
  const replacing = state.exists && state.tables > 0;
  if (replacing && !options.force) {
    throw new RestoreRefused(
      `Database ${name} already holds ${state.tables} tables: restoring over it would mix two states. ` +
        `Restore into another database with --database NAME, or pass --force to replace it ` +
        `(stop the hub nodes first).`,
    );
  }
  if (replacing) {
    into = `${name.slice(0, 52)}_restoring`;
    await dropDatabase(options.databaseUrl, into, { force: true }); // a previous attempt's leftover
    await createDatabase(options.databaseUrl, into);
    created = true;
  } else if (!state.exists) {
    await createDatabase(options.databaseUrl, into);
    created = true;
  }
  say(
    `restoring ${path.basename(file)} (${tablesWithData} tables) into database ${into} ` +
      `(PostgreSQL ${server.text}) with pg_restore ${tools.version}`,
  );

  const intoUrl = withDatabase(options.databaseUrl, into);
  let relay: RelayReset | null;
  let facts: DatabaseFacts;
  try {
    await pgRestore(tools, {
      databaseUrl: intoUrl,
      file,
      onLine: tableProgress('restoring', tablesWithData, say),
    });
    relay = await resetRelayCursor(intoUrl, options.seqGap ?? RELAY_SEQ_GAP);
    if (relay) {
      say(
        `relay cursor moved from seq ${relay.before.lastSeq} to ${relay.after.lastSeq}: restored events count as ` +
          `published${relay.sequenced ? ` (${relay.sequenced} unsequenced ones given seqs)` : ''}, ` +
          'screens resuming from an older seq reload their snapshot',
      );
    } else {
      say('warning: no relay_state table: not a hub database, relay cursor left alone');
    }
    say('analyzing the restored tables');
    await analyzeDatabase(intoUrl);
    facts = await databaseFacts(intoUrl);
  } catch (error) {
    // Leave the server as it was: a database this run created goes; one that existed empty stays empty
    // (pg_restore ran in one transaction).
    if (created) await dropDatabase(options.databaseUrl, into, { force: true }).catch(() => {});
    throw error;
  }

  if (replacing) {
    say(`replacing database ${name} with the restored ${into}`);
    try {
      await dropDatabase(options.databaseUrl, name);
    } catch (error) {
      if (pgCode(error) === '55006') {
        throw new RestoreRefused(
          `Database ${name} is in use, so it was not replaced: stop the hub nodes, then run the restore again ` +
            `(the restored copy is in database ${into}).`,
        );
      }
      throw error;
    }
    await renameDatabase(options.databaseUrl, into, name);
  }

  const found = await readManifest(manifestPathOf(file));
  const comparison = 'manifest' in found ? compareFacts(found.manifest.facts, facts) : null;
  return {
    database: name,
    file,
    replaced: replacing,
    durationMs: clock() - started,
    facts,
    relay,
    comparison,
    manifestProblem: 'problem' in found ? found.problem : null,
  };
}

export function restoreSummary(result: RestoreResult): string {
  const rows = Object.values(result.facts.tables).reduce((a, b) => a + b, 0);
  return (
    `restore done: ${path.basename(result.file)} into database ${result.database}` +
    `${result.replaced ? ' (replaced)' : ''}: ${Object.keys(result.facts.tables).length} tables, ${rows} rows in ` +
    `${formatDuration(result.durationMs)}`
  );
}
