import { parseBackupFileName, type BackupFile } from './naming.js';

const DAY_MS = 24 * 3600 * 1000;
/** A `.part` file this old belongs to a run that died: no backup takes a day to write. */
const PARTIAL_MAX_AGE_MS = DAY_MS;

export type RetentionPlan = {
  /** Backup files to delete, oldest first. */
  prune: string[];
  /** Backup files kept. Files that are not backups are in neither list: never touched. */
  keep: string[];
};

/**
 * Which backup files to delete, given the names in the backup directory and the time now.
 * - A backup (every file sharing its stamp: dump, globals, manifest) taken more than `keepDays`
 *   × 24 h before `now` is pruned as a whole.
 * - The newest complete backup (finished dump and manifest) is always kept, however old: a
 *   timer that stopped for weeks, or a clock set wrong, never leaves the directory empty.
 * - A `.part` file older than a day is a leftover of a run that died: pruned.
 * - Names that are not backup files are never touched. Pure: the dates are the caller's.
 */
export function planRetention(names: readonly string[], now: Date, keepDays: number): RetentionPlan {
  if (!Number.isFinite(keepDays) || keepDays < 1) throw new RangeError('keepDays must be at least 1');
  const files = names.map(parseBackupFileName).filter((f): f is BackupFile => f !== undefined);
  const sets = new Map<string, BackupFile[]>();
  for (const f of files) sets.set(f.stamp, [...(sets.get(f.stamp) ?? []), f]);

  const complete = [...sets.entries()]
    .filter(([, set]) => ['dump', 'manifest'].every((k) => set.some((f) => f.kind === k && !f.partial)))
    .map(([stamp]) => stamp)
    .sort();
  const newestComplete = complete.at(-1);

  const cutoff = now.getTime() - keepDays * DAY_MS;
  const prune: BackupFile[] = [];
  const keep: BackupFile[] = [];
  for (const [stamp, set] of sets) {
    const expired = set[0]!.takenAt.getTime() < cutoff && stamp !== newestComplete;
    for (const f of set) {
      const deadPartial = f.partial && now.getTime() - f.takenAt.getTime() > PARTIAL_MAX_AGE_MS;
      (expired || deadPartial ? prune : keep).push(f);
    }
  }
  const byTimeThenName = (a: BackupFile, b: BackupFile) =>
    a.takenAt.getTime() - b.takenAt.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    prune: prune.sort(byTimeThenName).map((f) => f.name),
    keep: keep.sort(byTimeThenName).map((f) => f.name),
  };
}
