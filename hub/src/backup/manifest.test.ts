import { describe, expect, it } from 'vitest';
import { compareFacts, formatComparison, type DatabaseFacts } from './manifest.js';
import { formatBytes, formatDuration, tableOfVerboseLine, tableProgress } from './progress.js';

const facts: DatabaseFacts = {
  tables: { orders: 12, order_lines: 30, 'audit.log': 4 },
  newestOrder: { id: 'a1b2', version: 3, totalCents: 2450, createdAt: '2026-11-25 02:59:00+00' },
  ordersChecksum: '0123456789abcdef0123456789abcdef',
  relay: { lastSeq: 80, publishedUpTo: 80, purgedUpTo: 0 },
};

describe('comparing a restore with its manifest', () => {
  it('agrees with identical facts, whatever the relay bookkeeping says', () => {
    const rows = compareFacts(facts, {
      ...facts,
      relay: { lastSeq: 1_000_080, publishedUpTo: 1, purgedUpTo: 1 },
    });
    expect(rows.every((r) => r.ok)).toBe(true);
    expect(rows.map((r) => r.check)).toEqual([
      'audit.log rows',
      'order_lines rows',
      'orders rows',
      'newest order',
      'orders checksum',
    ]);
  });

  it('names each difference: a row count, a missing table, the newest order, the checksum', () => {
    const rows = compareFacts(facts, {
      ...facts,
      tables: { orders: 11, order_lines: 30 },
      newestOrder: { ...facts.newestOrder!, version: 2 },
      ordersChecksum: 'ffffffffffffffffffffffffffffffff',
    });
    expect(rows.filter((r) => !r.ok).map((r) => [r.check, r.expected, r.actual])).toEqual([
      ['audit.log rows', '4', '(no table)'],
      ['orders rows', '12', '11'],
      ['newest order', 'a1b2 v3 24.50 €', 'a1b2 v2 24.50 €'],
      ['orders checksum', facts.ordersChecksum, 'ffffffffffffffffffffffffffffffff'],
    ]);
  });

  it('prints one aligned line per check, marking what differs', () => {
    const text = formatComparison(compareFacts(facts, { ...facts, tables: { ...facts.tables, orders: 11 } }));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^check\s+backup\s+restored$/);
    expect(text).toMatch(/^orders rows\s+12\s+11 {2}DIFFERS$/m);
    expect(text).toMatch(/^order_lines rows\s+30\s+30 {2}ok$/m);
    // The numbers are right-aligned under the headings.
    for (const line of lines.slice(1))
      expect(line.replace(/ {2}(ok|DIFFERS)$/, '')).toHaveLength(lines[0]!.length);
  });
});

describe('progress of pg_dump and pg_restore', () => {
  it('reads the table from their verbose lines, and nothing from other lines', () => {
    expect(tableOfVerboseLine('pg_dump: dumping contents of table "public.orders"')).toBe('orders');
    expect(tableOfVerboseLine('pg_restore: processing data for table "audit.log"')).toBe('audit.log');
    expect(tableOfVerboseLine('pg_dump: reading indexes')).toBeUndefined();
    expect(
      tableOfVerboseLine('pg_restore: error: could not read from input file: end of file'),
    ).toBeUndefined();
  });

  it('counts tables against the known total', () => {
    const lines: string[] = [];
    const feed = tableProgress('dumping', 2, (l) => lines.push(l));
    feed('pg_dump: saving encoding = UTF8');
    feed('pg_dump: dumping contents of table "public.orders"');
    feed('pg_dump: dumping contents of table "public.stock"');
    feed('pg_dump: dumping contents of table "public.late_table"'); // created during the dump
    expect(lines).toEqual([
      'dumping table orders (1/2)',
      'dumping table stock (2/2)',
      'dumping table late_table (3/3)',
    ]);
  });

  it('formats sizes and durations for people', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(60475)).toBe('59.1 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(83_000)).toBe('1 min 23 s');
  });
});
