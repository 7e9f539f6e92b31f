import { z } from 'zod';

/**
 * What a database holds, in a form two databases can be compared by: exact row counts of every
 * table, the newest order, and a checksum of every order row (md5 over the rows in id order,
 * read with fixed output settings so two sessions print the same text).
 */
export const DatabaseFacts = z.object({
  /** `orders`, or `schema.table` outside public -> exact row count. */
  tables: z.record(z.string(), z.number().int().nonnegative()),
  newestOrder: z
    .object({
      id: z.string(),
      version: z.number().int(),
      totalCents: z.number().int(),
      createdAt: z.string(),
    })
    .nullable(),
  ordersChecksum: z.string().regex(/^[0-9a-f]{32}$/),
  /** The relay's bookkeeping at that moment (for the operator; not compared). */
  relay: z.object({ lastSeq: z.number(), publishedUpTo: z.number(), purgedUpTo: z.number() }).nullable(),
});
export type DatabaseFacts = z.infer<typeof DatabaseFacts>;

/** Written next to the dump when it is complete: what verify-backup checks a restore against. */
export const BackupManifest = z.object({
  format: z.literal(1),
  dump: z.string(),
  globals: z.string().nullable(),
  takenAt: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  database: z.string(),
  serverVersion: z.string(),
  pgDumpVersion: z.string(),
  dumpBytes: z.number().int().nonnegative(),
  dumpSha256: z.string().regex(/^[0-9a-f]{64}$/),
  facts: DatabaseFacts,
});
export type BackupManifest = z.infer<typeof BackupManifest>;

export type ComparisonRow = { check: string; expected: string; actual: string; ok: boolean };

const orderText = (o: DatabaseFacts['newestOrder']) =>
  o ? `${o.id} v${o.version} ${(o.totalCents / 100).toFixed(2)} €` : '(no orders)';

/** Row by row: what the backup says it holds against what a restore of it holds. */
export function compareFacts(expected: DatabaseFacts, actual: DatabaseFacts): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const tables = [...new Set([...Object.keys(expected.tables), ...Object.keys(actual.tables)])].sort();
  for (const t of tables) {
    const e = expected.tables[t];
    const a = actual.tables[t];
    rows.push({
      check: `${t} rows`,
      expected: e === undefined ? '(no table)' : String(e),
      actual: a === undefined ? '(no table)' : String(a),
      ok: e === a,
    });
  }
  const eo = expected.newestOrder;
  const ao = actual.newestOrder;
  rows.push({
    check: 'newest order',
    expected: orderText(eo),
    actual: orderText(ao),
    ok: eo?.id === ao?.id && eo?.version === ao?.version && eo?.totalCents === ao?.totalCents,
  });
  rows.push({
    check: 'orders checksum',
    expected: expected.ordersChecksum,
    actual: actual.ordersChecksum,
    ok: expected.ordersChecksum === actual.ordersChecksum,
  });
  return rows;
}

/** A plain-text table of the comparison, one row per check. */
export function formatComparison(rows: readonly ComparisonRow[], headings = ['backup', 'restored']): string {
  const header: ComparisonRow = { check: 'check', expected: headings[0]!, actual: headings[1]!, ok: true };
  const all = [header, ...rows];
  const w = (key: 'check' | 'expected' | 'actual') => Math.max(...all.map((r) => r[key].length));
  const [wc, we, wa] = [w('check'), w('expected'), w('actual')];
  return all
    .map((r, i) =>
      [
        r.check.padEnd(wc),
        r.expected.padStart(we),
        r.actual.padStart(wa),
        i === 0 ? '' : r.ok ? 'ok' : 'DIFFERS',
      ]
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
