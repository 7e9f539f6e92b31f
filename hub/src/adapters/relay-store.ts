import pg from 'pg';
import type { EventEnvelope, EventType } from '../contract/index.js';

/** Any fixed 64-bit key shared by every hub process: whoever holds it is the relay. */
const RELAY_LOCK_KEY = '7262002001';

type OutboxRow = {
  seq: string;
  type: string;
  shop_id: number;
  order_id: string | null;
  courier_id: string | null;
  version: number | null;
  data: Record<string, unknown>;
  created_at: Date;
};

export function toEnvelope(row: OutboxRow): EventEnvelope {
  return {
    seq: Number(row.seq),
    type: row.type as EventType,
    shopId: row.shop_id,
    ...(row.order_id ? { orderId: row.order_id } : {}),
    ...(row.courier_id ? { courierId: row.courier_id } : {}),
    ...(row.version !== null ? { version: row.version } : {}),
    at: row.created_at.toISOString(),
    data: row.data,
  };
}

const RETURNING = 'seq, type, shop_id, order_id, courier_id, version, data, created_at';

export type RelayStore = Awaited<ReturnType<typeof openRelayStore>>;

/**
 * The relay's own PostgreSQL session. Leadership is a session advisory lock on this connection,
 * and every sequencing transaction runs on it too: if the connection dies, the lock is released
 * by PostgreSQL and this node can no longer assign seqs, so two relays never assign at once.
 */
export async function openRelayStore(connectionUri: string, onLost: (error: Error) => void) {
  const client = new pg.Client({
    connectionString: connectionUri,
    keepAlive: true,
    application_name: 'ocp-relay',
  });
  let lost = false;
  const lose = (error: Error) => {
    if (lost) return;
    lost = true;
    onLost(error);
  };
  client.on('error', lose);
  client.on('end', () => lose(new Error('relay connection ended')));
  await client.connect();
  // One session, one thing at a time: the leadership check, housekeeping and sequencing all use
  // this connection, and a statement slipped into another's BEGIN…COMMIT would commit half of it.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
  // A stuck query must not hold leadership forever. A leader cut off from PostgreSQL without a
  // FIN (network partition) would keep the lock until TCP keepalive gives up (hours by
  // default): the leader queries several times a second, so a session idle for 5 s is a dead
  // one, and PostgreSQL ends it, releasing the lock for another node.
  await client.query(`set statement_timeout = '10s'`);
  await client.query(`set idle_session_timeout = '5s'`);
  await client.query(`set idle_in_transaction_session_timeout = '5s'`);

  return {
    tryLead(): Promise<boolean> {
      return serial(async () => {
        const res = await client.query<{ locked: boolean }>(
          'select pg_try_advisory_lock($1::bigint) as locked',
          [RELAY_LOCK_KEY],
        );
        return res.rows[0]?.locked === true;
      });
    },

    ping(): Promise<void> {
      return serial(async () => {
        await client.query('select 1');
      });
    },

    /** Events a previous leader sequenced but may not have published: published again, in seq order. */
    unpublished(limit: number): Promise<EventEnvelope[]> {
      return serial(async () => {
        const res = await client.query<OutboxRow>(
          `select ${RETURNING} from outbox
           where seq > (select published_up_to from relay_state where id = 1)
           order by seq limit $1`,
          [limit],
        );
        return res.rows.map(toEnvelope);
      });
    },

    /**
     * Gives the next committed events their delivery seq, in (xid, id) order. Only rows whose
     * transaction id is below the oldest running transaction are taken: an event whose id was
     * allocated early but committed late is still in a running transaction, so it holds the
     * horizon back instead of being skipped (STACK.md: sequences commit out of order).
     */
    sequenceNext(limit: number): Promise<EventEnvelope[]> {
      return serial(async () => {
        await client.query('begin');
        try {
          const ids = await client.query<{ id: string }>(
            `select id from outbox
             where seq is null and xid < pg_snapshot_xmin(pg_current_snapshot())
             order by xid, id limit $1`,
            [limit],
          );
          if (ids.rows.length === 0) {
            await client.query('commit');
            return [];
          }
          const n = ids.rows.length;
          const last = await client.query<{ last_seq: string }>(
            'update relay_state set last_seq = last_seq + $1 returning last_seq',
            [n],
          );
          const first = Number(last.rows[0]!.last_seq) - n + 1;
          const rows = await client.query<OutboxRow>(
            `update outbox o set seq = v.seq
             from unnest($1::bigint[], $2::bigint[]) as v(id, seq)
             where o.id = v.id
             returning ${RETURNING.split(', ')
               .map((c) => `o.${c}`)
               .join(', ')}`,
            [ids.rows.map((r) => r.id), ids.rows.map((_, i) => first + i)],
          );
          await client.query('commit');
          return rows.rows.map(toEnvelope).sort((a, b) => a.seq - b.seq);
        } catch (error) {
          await client.query('rollback').catch(() => {});
          throw error;
        }
      });
    },

    markPublished(seqs: readonly number[]): Promise<void> {
      return serial(async () => {
        if (seqs.length === 0) return;
        await client.query(
          'update relay_state set published_up_to = greatest(published_up_to, $1) where id = 1',
          [Math.max(...seqs)],
        );
      });
    },

    /** Committed events still waiting for a seq (relay lag in events). */
    backlog(): Promise<number> {
      return serial(async () => {
        const res = await client.query<{ n: number }>(
          'select count(*)::int as n from outbox where seq is null',
        );
        return res.rows[0]?.n ?? 0;
      });
    },

    /** Deletes published events older than the replay window; clients behind it reload their snapshot. */
    purge(olderThanMs: number): Promise<number> {
      return serial(async () => {
        await client.query('begin');
        try {
          const res = await client.query<{ max: string | null; n: number }>(
            `with gone as (
               delete from outbox
               where seq <= (select published_up_to from relay_state where id = 1)
                 and created_at < now() - make_interval(secs => $1::double precision / 1000)
               returning seq)
             select max(seq)::text as max, count(*)::int as n from gone`,
            [olderThanMs],
          );
          const max = res.rows[0]?.max;
          if (max)
            await client.query('update relay_state set purged_up_to = greatest(purged_up_to, $1)', [max]);
          await client.query('commit');
          return res.rows[0]?.n ?? 0;
        } catch (error) {
          await client.query('rollback').catch(() => {});
          throw error;
        }
      });
    },

    async close(): Promise<void> {
      lost = true;
      await client.end().catch(() => {});
    },
  };
}
