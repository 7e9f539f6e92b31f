/**
 * Backup file names: `OCPDB_<UTC time>` + what the file is. One backup is a set of files sharing
 * that stamp, made and pruned together:
 *   OCPDB_20261125T030000Z.dump            pg_dump custom format (the backup itself)
 *   OCPDB_20261125T030000Z_globals.sql     pg_dumpall --globals-only (roles), when permitted
 *   OCPDB_20261125T030000Z.manifest.json   what the dump holds (row counts, newest order,
 *                                          orders checksum, file SHA-256): written last, so a
 *                                          backup without it did not finish
 * A file still being written ends in `.part`.
 */
export const BACKUP_PREFIX = 'OCPDB_';

export type BackupFileKind = 'dump' | 'globals' | 'manifest';

export type BackupFile = {
  name: string;
  /** `20261125T030000Z`: the UTC time the backup was taken, to the second. */
  stamp: string;
  takenAt: Date;
  kind: BackupFileKind;
  /** Still being written (or left behind by a run that died). */
  partial: boolean;
};

const SUFFIX: Record<BackupFileKind, string> = {
  dump: '.dump',
  globals: '_globals.sql',
  manifest: '.manifest.json',
};

const NAME =
  /^OCPDB_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(\.dump|_globals\.sql|\.manifest\.json)(\.part)?$/;

/** `2026-11-25T03:00:00.123Z` -> `20261125T030000Z` (UTC, whole seconds). */
export function backupStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export function backupFileNames(stamp: string): Record<BackupFileKind, string> {
  return {
    dump: `${BACKUP_PREFIX}${stamp}${SUFFIX.dump}`,
    globals: `${BACKUP_PREFIX}${stamp}${SUFFIX.globals}`,
    manifest: `${BACKUP_PREFIX}${stamp}${SUFFIX.manifest}`,
  };
}

/** The backup file a name denotes, or undefined for any other file (never touched). */
export function parseBackupFileName(name: string): BackupFile | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, suffix, part] = m;
  const takenAt = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!));
  // 20261331T…: the name looks right but is no date (Date.UTC would roll it over).
  if (backupStamp(takenAt) !== `${y}${mo}${d}T${h}${mi}${s}Z`) return undefined;
  const kind = (Object.keys(SUFFIX) as BackupFileKind[]).find((k) => SUFFIX[k] === suffix)!;
  return { name, stamp: backupStamp(takenAt), takenAt, kind, partial: part !== undefined };
}

/** The newest finished dump among these names (by the time in its name), if any. */
export function newestDump(names: readonly string[]): BackupFile | undefined {
  return names
    .map(parseBackupFileName)
    .filter((f): f is BackupFile => f !== undefined && f.kind === 'dump' && !f.partial)
    .sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime())
    .at(-1);
}
