import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../hub/src/contract/index.js';
import {
  openRelayStore,
  SEQUENCE_NEXT,
  toEnvelope,
  type RelayStore,
} from '../../hub/src/adapters/relay-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

// The relay commits with synchronous_commit off: a PostgreSQL crash may lose its last batches,
// never the writers' rows. This is the guarantee that makes it safe: a batch whose commit is lost
// is numbered again into the same seqs and the same envelopes, so what screens already got stays
// true and they drop the repeat by seq. The lost commit is a batch run inside a rolled-back
// transaction, the same statement the relay sends.

let database: TestDatabase;
let writer: pg.Client;
let store: RelayStore;

beforeAll(async () => {
  database = await createTestDatabase();
  writer = new pg.Client({ connectionString: database.url });
  await writer.connect();
  store = await openRelayStore(database.url, () => {});
});
afterAll(async () => {
  await store?.close();
  await writer?.end().catch(() => {});
  await database?.drop();
});

async function append(mark: string): Promise<void> {
  const shop = await writer.query<{ id: number }>('select id from shops order by id limit 1');
  await writer.query(`insert into outbox (type, shop_id, data) values ('stock.changed', $1, $2)`, [
    shop.rows[0]!.id,
    { items: [], mark },
  ]);
}

/** The relay's batch in a transaction that never commits: what a crash leaves of an async commit. */
async function lostBatch(): Promise<EventEnvelope[]> {
  await writer.query('begin');
  try {
    const res = await writer.query(SEQUENCE_NEXT, [100, 0]);
    return res.rows.map(toEnvelope);
  } finally {
    await writer.query('rollback');
  }
}

describe('relay commit lost in a crash', () => {
  it('numbers the same outbox rows again into the same seqs and envelopes', async () => {
    const before = await writer.query<{ last_seq: string }>('select last_seq from relay_state where id = 1');
    for (const mark of ['a', 'b', 'c', 'd', 'e']) await append(mark);
    // Other test files' transactions hold the server-wide horizon back for a moment: the batch
    // takes our five rows once every transaction older than them has ended.
    let lost: EventEnvelope[] = [];
    while (lost.length < 5) lost = await lostBatch();
    expect(lost.map((e) => e.data.mark)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(lost[0]!.seq).toBe(Number(before.rows[0]!.last_seq) + 1);

    // Nothing of the lost batch remains; the rows wait in the outbox, and more arrive after it.
    const left = await writer.query<{ n: number }>('select count(*)::int as n from outbox');
    expect(left.rows[0]!.n).toBe(5);
    const logged = await writer.query<{ n: number }>('select count(*)::int as n from event_log');
    expect(logged.rows[0]!.n).toBe(0);
    for (const mark of ['f', 'g']) await append(mark);

    const again = await store.sequenceNext(100, 0);
    expect(again.length).toBeGreaterThanOrEqual(5);
    expect(again.slice(0, 5)).toEqual(lost);
    // What came after the crash is numbered after, never in between.
    for (const e of again.slice(5)) expect(['f', 'g']).toContain(e.data.mark);
  });
});
