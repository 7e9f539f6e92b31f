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

/**
 * The relay's batch (migration 009). The window is numbered after the limit, so seqs follow
 * (xid, id) order without gaps; relay_state is written only when rows moved or the watermark is
 * behind, so an idle poll writes nothing. The row comparison matches outbox_pending_idx (xid, id).
 */
export const SEQUENCE_NEXT = `
  with state as (
    select last_seq, cursor_xid, cursor_id from relay_state where id = 1
  ), picked as (
    select p.*, (select last_seq from state) + row_number() over (order by p.xid, p.id) as seq
    from (
      select o.id, o.xid, o.type, o.shop_id, o.order_id, o.courier_id, o.version, o.data, o.created_at
      from outbox o
      where (o.xid, o.id) > ((select cursor_xid from state), (select cursor_id from state))
        and o.xid < pg_snapshot_xmin(pg_current_snapshot())
      order by o.xid, o.id
      limit $1
    ) p
  ), moved as (
    insert into event_log (seq, outbox_id, xid, type, shop_id, order_id, courier_id, version, data, created_at)
    select seq, id, xid, type, shop_id, order_id, courier_id, version, data, created_at from picked
    returning seq, type, shop_id, order_id, courier_id, version, data, created_at
  ), gone as (
    -- By primary key whatever the backlog (a join would hash the whole outbox).
    delete from outbox o where o.id = any(array(select id from picked))
  ), last as (
    select seq, xid, id from picked order by seq desc limit 1
  ), bumped as (
    update relay_state r set
      last_seq = coalesce(l.seq, r.last_seq),
      cursor_xid = coalesce(l.xid, r.cursor_xid),
      cursor_id = coalesce(l.id, r.cursor_id),
      published_up_to = greatest(r.published_up_to, $2::bigint)
    from (select 1) one left join last l on true
    where r.id = 1 and (l.seq is not null or r.published_up_to < $2::bigint)
  )
  select * from moved order by seq`;

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
  // The relay's own commits need not wait for the disk. What it writes (seqs, the event log, the
  // watermark) is a pure function of outbox rows whose commits were durable before it could see
  // them (the hub's writes commit with synchronous_commit on, deploy/'s setting): if PostgreSQL crashes and loses the relay's last batches, they are still in the outbox,
  // and the next leader numbers them again from the last durable cursor into the same seqs with
  // the same envelopes, so what screens got stays true and they drop the repeat by seq
  // (tests/integration/relay-lost-commit.test.ts). Waiting for the flush put every disk stall
  // (100 ms fdatasyncs measured) into the latency of every event of that moment.
  await client.query(`set synchronous_commit = off`);

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

    /**
     * Events a previous leader moved to the event log but may not have published: published
     * again, in seq order (at-least-once; screens drop what they already have by seq).
     * `after`: the seq to resume after; null = the recorded watermark.
     */
    unpublished(
      after: number | null,
      limit: number,
    ): Promise<{ publishedUpTo: number; events: EventEnvelope[] }> {
      return serial(async () => {
        const res = await client.query<OutboxRow & { published_up_to: string }>(
          `with s as (select coalesce($1::bigint, published_up_to) as after, published_up_to from relay_state where id = 1)
           select s.published_up_to, e.seq, e.type, e.shop_id, e.order_id, e.courier_id, e.version, e.data, e.created_at
           from s left join lateral (
             select * from event_log where seq > s.after order by seq limit $2) e on true
           order by e.seq`,
          [after, limit],
        );
        const publishedUpTo = Number(res.rows[0]?.published_up_to ?? 0);
        return { publishedUpTo, events: res.rows.filter((r) => r.seq !== null).map(toEnvelope) };
      });
    },

    /**
     * One statement per batch: takes the next committed outbox rows in (xid, id) order, gives
     * them their seq, moves them to event_log, deletes them from the outbox, advances the cursor
     * and records `publishedUpTo` (what this leader already published) as the watermark.
     * Only rows whose transaction is below the oldest one still running are taken: an event
     * whose id was allocated early but committed late is still in a running transaction, so it
     * holds the horizon back instead of being skipped (STACK.md: sequences commit out of order).
     */
    sequenceNext(limit: number, publishedUpTo: number): Promise<EventEnvelope[]> {
      return serial(async () => {
        const res = await client.query<OutboxRow>({
          name: 'relay_sequence_next',
          text: SEQUENCE_NEXT,
          values: [limit, publishedUpTo],
        });
        return res.rows.map(toEnvelope);
      });
    },

    /** Records the watermark (at stop: the next leader need not publish this batch again). */
    markPublished(upTo: number): Promise<void> {
      return serial(async () => {
        await client.query(
          'update relay_state set published_up_to = $1 where id = 1 and published_up_to < $1',
          [upTo],
        );
      });
    },

    /** Committed or running events still waiting in the outbox (relay lag in events). */
    backlog(): Promise<number> {
      return serial(async () => {
        const res = await client.query<{ n: number }>('select count(*)::int as n from outbox');
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
               delete from event_log
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
