import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createDatabase, databaseFacts, dropDatabase, serverVersion } from '../adapters/backup-database.js';
import { findPgTools, pgRestore, pgRestoreList, withDatabase } from '../adapters/pg-tools.js';
import { manifestPathOf, readManifest, sha256File } from './files.js';
import { compareFacts, type ComparisonRow } from './manifest.js';
import { backupStamp, newestDump } from './naming.js';
import { formatBytes, tableProgress } from './progress.js';

export const SCRATCH_PREFIX = 'ocp_verify_';

export type VerifyOptions = {
  /** The server the scratch database is made on (the database itself is not touched). */
  databaseUrl: string;
  dir: string;
  /** A given dump instead of the newest in `dir`. */
  file?: string;
  now: Date;
  binDir?: string;
  say: (line: string) => void;
};

export type VerifyResult = {
  file: string;
  scratch: string;
  rows: ComparisonRow[];
  /** Every reason the backup cannot be trusted; empty when it verified. */
  problems: string[];
};

/**
 * `npm run db:verify-backup`: restores the newest backup into a scratch database and compares
 * it with what its manifest says the dump holds (row counts, newest order, orders checksum),
 * and the file with the SHA-256 recorded when it was written. The scratch database is dropped
 * whatever happens. Throws only when there is nothing to verify.
 */
export async function runVerify(options: VerifyOptions): Promise<VerifyResult> {
  const { say } = options;
  let file: string;
  if (options.file) {
    file = path.resolve(options.file);
  } else {
    let names: string[];
    try {
      names = await readdir(options.dir);
    } catch {
      throw new Error(`The backup directory ${options.dir} does not exist: there is no backup to verify.`);
    }
    const newest = newestDump(names);
    if (!newest) throw new Error(`There is no backup (OCPDB_*.dump) in ${options.dir} to verify.`);
    file = path.join(options.dir, newest.name);
  }
  const problems: string[] = [];
  const rows: ComparisonRow[] = [];

  const size = await stat(file).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined) throw new Error(`${file} does not exist.`);
  say(`verifying ${file} (${formatBytes(size)})`);

  const found = await readManifest(manifestPathOf(file));
  const manifest = 'manifest' in found ? found.manifest : undefined;
  if ('problem' in found) problems.push(found.problem);
  if (manifest) {
    const sha = await sha256File(file);
    rows.push({
      check: 'file size',
      expected: String(manifest.dumpBytes),
      actual: String(size),
      ok: manifest.dumpBytes === size,
    });
    rows.push({
      check: 'file SHA-256',
      expected: manifest.dumpSha256.slice(0, 16),
      actual: sha.slice(0, 16),
      ok: sha === manifest.dumpSha256,
    });
    if (sha !== manifest.dumpSha256) {
      problems.push(
        'the file is not the one written at backup time (its SHA-256 differs from the manifest): corrupt or truncated',
      );
    }
  }

  const scratch = `${SCRATCH_PREFIX}${backupStamp(options.now).toLowerCase()}_${randomBytes(3).toString('hex')}`;
  const server = await serverVersion(options.databaseUrl);
  const tools = await findPgTools(server.major, { binDir: options.binDir });
  let created = false;
  try {
    const { tablesWithData } = await pgRestoreList(tools, file);
    await createDatabase(options.databaseUrl, scratch);
    created = true;
    say(`restoring into scratch database ${scratch} with pg_restore ${tools.version}`);
    const scratchUrl = withDatabase(options.databaseUrl, scratch);
    await pgRestore(tools, {
      databaseUrl: scratchUrl,
      file,
      onLine: tableProgress('restoring', tablesWithData, say),
    });
    const restored = await databaseFacts(scratchUrl);
    if (manifest) {
      const compared = compareFacts(manifest.facts, restored);
      rows.push(...compared);
      const differing = compared
        .filter((r) => !r.ok)
        .map((r) => `${r.check}: ${r.expected} in the backup, ${r.actual} restored`);
      if (differing.length)
        problems.push(`the restored data differs from the manifest (${differing.join('; ')})`);
    }
  } catch (error) {
    problems.push(`it cannot be restored (${error instanceof Error ? error.message : String(error)})`);
  } finally {
    if (created) {
      await dropDatabase(options.databaseUrl, scratch, { force: true }).then(
        () => say(`dropped scratch database ${scratch}`),
        (error: unknown) =>
          problems.push(
            `the scratch database ${scratch} could not be dropped (${error instanceof Error ? error.message : String(error)}): drop it by hand`,
          ),
      );
    }
  }
  return { file, scratch, rows, problems };
}
