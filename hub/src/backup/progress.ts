/**
 * Progress of pg_dump / pg_restore, read from their `--verbose` lines on stderr:
 *   pg_dump: dumping contents of table "public.orders"
 *   pg_restore: processing data for table "public.orders"
 * become `dumping table orders (8/21)` / `restoring table orders (8/21)`.
 */
const TABLE_LINE = /^(?:pg_dump: dumping contents of table|pg_restore: processing data for table) "(.+)"$/;

/** The table a verbose line starts working on (`public.` left out), if it is such a line. */
export function tableOfVerboseLine(line: string): string | undefined {
  const m = TABLE_LINE.exec(line.trim());
  if (!m) return undefined;
  return m[1]!.replace(/^public\./, '');
}

/**
 * Feeds verbose lines, writes one progress line per table. `total` is the number of tables with
 * data, known beforehand (catalogue or archive listing); the count never shows more than it.
 */
export function tableProgress(verb: 'dumping' | 'restoring', total: number, write: (line: string) => void) {
  let done = 0;
  return (line: string): void => {
    const table = tableOfVerboseLine(line);
    if (table === undefined) return;
    done += 1;
    write(`${verb} table ${table} (${Math.min(done, Math.max(total, done))}/${Math.max(total, done)})`);
  };
}

/** 1536 -> `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** 1234 -> `1.2 s`; 83_000 -> `1 min 23 s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}
