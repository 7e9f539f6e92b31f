import pg from 'pg';
import type { DatabaseFacts } from '../backup/manifest.js';
import { withDatabase } from './pg-tools.js';

/**
 * The SQL side of backups: server version, the facts a backup is checked by, creating and
 * dropping databases, and moving the relay's cursor after a restore.
 */

async function connect(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    application_name: 'ocp-backup',
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  return client;
}

async function withClient<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(databaseUrl);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A database name we create, drop and quote: plain identifiers only. */
export function assertDatabaseName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name)) {
    throw new Error(
      `"${name}" is not a usable database name (letters, digits, _ and -, starting with a letter or _, 63 at most).`,
    );
  }
}

export type ServerVersion = { text: string; num: number; major: number };

/** The server's version (through its maintenance database when this one does not exist yet). */
export async function serverVersion(databaseUrl: string): Promise<ServerVersion> {
  try {
    return await withClient(databaseUrl, (client) => readServerVersion(client));
  } catch (error) {
    if (pgCode(error) !== '3D000') throw error;
    return withMaintenance(databaseUrl, (client) => readServerVersion(client));
  }
}

async function readServerVersion(client: pg.Client): Promise<ServerVersion> {
  const res = await client.query<{ text: string; num: string }>(
    `select current_setting('server_version') as text, current_setting('server_version_num') as num`,
  );
  const num = Number(res.rows[0]!.num);
  return { text: res.rows[0]!.text.split(' ')[0]!, num, major: Math.floor(num / 10000) };
}

/** Whether anything answers at this URL (e.g. an embedded PostgreSQL already started by the hub). */
export async function canConnect(databaseUrl: string): Promise<boolean> {
  try {
    await withClient(databaseUrl, (c) => c.query('select 1'));
    return true;
  } catch {
    return false;
  }
}

/**
 * The facts, read in the caller's transaction with fixed output settings: the checksum hashes
 * each order row's text, which would otherwise depend on the session's time zone and styles.
 */
async function readFacts(client: pg.Client): Promise<DatabaseFacts> {
  for (const setting of [
    `set local timezone = 'UTC'`,
    `set local datestyle = 'ISO, YMD'`,
    `set local intervalstyle = 'postgres'`,
    `set local extra_float_digits = 1`,
    `set local bytea_output = 'hex'`,
  ]) {
    await client.query(setting);
  }
  // Every table pg_dump dumps the data of: user schemas, not those of extensions.
  const tables = await client.query<{ label: string; ident: string }>(`
    select case when n.nspname = 'public' then c.relname else n.nspname || '.' || c.relname end as label,
           format('%I.%I', n.nspname, c.relname) as ident
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p')
      and n.nspname not in ('pg_catalog', 'information_schema')
      and n.nspname !~ '^pg_(toast|temp)'
      and not exists (select 1 from pg_depend d
                      where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
    order by 1`);
  const counts: Record<string, number> = {};
  for (const t of tables.rows) {
    const res = await client.query<{ n: string }>(`select count(*)::text as n from ${t.ident}`);
    counts[t.label] = Number(res.rows[0]!.n);
  }
  let newestOrder: DatabaseFacts['newestOrder'] = null;
  let ordersChecksum = 'd41d8cd98f00b204e9800998ecf8427e'; // md5('')
  if ('orders' in counts) {
    const newest = await client.query<{
      id: string;
      version: number;
      total_cents: number;
      created_at: string;
    }>(
      `select id::text, version, total_cents, created_at::text from public.orders
       order by created_at desc, id desc limit 1`,
    );
    const o = newest.rows[0];
    newestOrder = o
      ? { id: o.id, version: o.version, totalCents: o.total_cents, createdAt: o.created_at }
      : null;
    const sum = await client.query<{ md5: string }>(
      `select md5(coalesce(string_agg(o::text, E'\\n' order by o.id), '')) as md5 from public.orders o`,
    );
    ordersChecksum = sum.rows[0]!.md5;
  }
  let relay: DatabaseFacts['relay'] = null;
  if ('relay_state' in counts) {
    const r = await client.query<{ state: Record<string, string | number | undefined> | null }>(
      'select to_jsonb(r) as state from public.relay_state r where id = 1',
    );
    const s = r.rows[0]?.state;
    if (s) {
      relay = {
        lastSeq: Number(s.last_seq ?? 0),
        publishedUpTo: Number(s.published_up_to ?? 0),
        purgedUpTo: Number(s.purged_up_to ?? 0),
      };
    }
  }
  return { tables: counts, newestOrder, ordersChecksum, relay };
}

/** The facts of a database as it is now (one consistent snapshot). */
export async function databaseFacts(databaseUrl: string): Promise<DatabaseFacts> {
  return withClient(databaseUrl, async (client) => {
    await client.query('begin transaction isolation level repeatable read, read only');
    try {
      return await readFacts(client);
    } finally {
      await client.query('rollback').catch(() => {});
    }
  });
}

export type ExportedSnapshot = {
  /** For `pg_dump --snapshot`: the dump then sees exactly what `facts` describe. */
  id: string;
  facts: DatabaseFacts;
  server: ServerVersion;
  /** Ends the transaction holding the snapshot (after pg_dump is done with it). */
  release: () => Promise<void>;
};

/**
 * Opens a repeatable-read transaction, exports its snapshot and reads the facts in it, so the
 * manifest describes the dump exactly even while the hub keeps writing.
 */
export async function exportSnapshot(databaseUrl: string): Promise<ExportedSnapshot> {
  const client = await connect(databaseUrl);
  try {
    const server = await readServerVersion(client);
    await client.query('begin transaction isolation level repeatable read, read only');
    const snap = await client.query<{ id: string }>('select pg_export_snapshot() as id');
    const facts = await readFacts(client);
    return {
      id: snap.rows[0]!.id,
      facts,
      server,
      release: async () => {
        await client.query('rollback').catch(() => {});
        await client.end().catch(() => {});
      },
    };
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

/** A connection for creating and dropping databases: the server's `postgres` database, else template1. */
async function withMaintenance<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  try {
    return await withClient(withDatabase(databaseUrl, 'postgres'), fn);
  } catch (error) {
    if (pgCode(error) !== '3D000') throw error;
    return withClient(withDatabase(databaseUrl, 'template1'), fn);
  }
}

/** Whether the database of this URL exists, and how many tables it holds. */
export async function databaseState(
  databaseUrl: string,
): Promise<{ exists: false } | { exists: true; tables: number }> {
  try {
    return await withClient(databaseUrl, async (client) => {
      const res = await client.query<{ n: number }>(`
        select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
          and n.nspname !~ '^pg_(toast|temp)'`);
      return { exists: true as const, tables: res.rows[0]!.n };
    });
  } catch (error) {
    if (pgCode(error) === '3D000') return { exists: false };
    throw error;
  }
}

export async function createDatabase(databaseUrl: string, name: string): Promise<void> {
  assertDatabaseName(name);
  await withMaintenance(databaseUrl, async (client) => {
    await client.query(`create database ${client.escapeIdentifier(name)}`);
  });
}

/**
 * Drops a database. `force` also ends its sessions (scratch databases); without it a database in
 * use is refused by PostgreSQL, which is what a restore over a live database should get.
 */
/** Renames a database (nobody may be connected to it). */
export async function renameDatabase(databaseUrl: string, from: string, to: string): Promise<void> {
  assertDatabaseName(from);
  assertDatabaseName(to);
  await withMaintenance(databaseUrl, async (client) => {
    await client.query(
      `alter database ${client.escapeIdentifier(from)} rename to ${client.escapeIdentifier(to)}`,
    );
  });
}

export async function dropDatabase(
  databaseUrl: string,
  name: string,
  options: { force?: boolean } = {},
): Promise<void> {
  assertDatabaseName(name);
  await withMaintenance(databaseUrl, async (client) => {
    await client.query(
      `drop database if exists ${client.escapeIdentifier(name)}${options.force ? ' with (force)' : ''}`,
    );
  });
}

/** Names of the databases whose name starts with `prefix` (scratch databases left behind). */
export async function databasesNamed(databaseUrl: string, prefix: string): Promise<string[]> {
  return withMaintenance(databaseUrl, async (client) => {
    const res = await client.query<{ datname: string }>(
      `select datname from pg_database where starts_with(datname, $1) order by 1`,
      [prefix],
    );
    return res.rows.map((r) => r.datname);
  });
}

/** Planner statistics for the freshly restored tables (pg_restore leaves none). */
export async function analyzeDatabase(databaseUrl: string): Promise<void> {
  await withClient(databaseUrl, (client) => client.query('analyze'));
}

export type RelayCursor = { lastSeq: number; publishedUpTo: number | null; purgedUpTo: number };
export type RelayReset = { before: RelayCursor; after: RelayCursor; sequenced: number };

/**
 * After a restore, moves the relay's cursor so it neither replays nor stalls (relay-store.ts):
 * - restored events still without a seq get one now, above every restored seq: their changes
 *   are in the restored rows, which the screens' snapshots will show;
 * - every restored event then counts as published: the relay does not send it again;
 * - the next seq jumps `gap` past the highest restored one, beyond any seq a screen may have
 *   seen before the restore (events after the backup are lost, but their seqs were seen);
 * - purged_up_to moves to the same point: a screen resuming from any older seq is told to reload
 *   its snapshot instead of skipping, or replaying, events.
 * Returns null when the database has no relay_state (not a hub database).
 */
export async function resetRelayCursor(databaseUrl: string, gap: number): Promise<RelayReset | null> {
  if (!Number.isSafeInteger(gap) || gap < 1) throw new RangeError('gap must be a positive integer');
  return withClient(databaseUrl, async (client) => {
    const columns = await client.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
       where table_schema = 'public' and table_name in ('relay_state', 'outbox', 'event_log')`,
    );
    const has = (table: string, column: string) =>
      columns.rows.some((r) => r.table_name === table && r.column_name === column);
    // Since migration 009 delivered events live in event_log and the outbox holds only pending ones.
    const log = has('event_log', 'seq') ? 'event_log' : 'outbox';
    if (!has('relay_state', 'last_seq') || !has(log, 'seq')) return null;
    const watermark = has('relay_state', 'published_up_to');
    const cursor = has('relay_state', 'cursor_xid');

    await client.query('begin');
    try {
      await client.query(
        `lock table public.relay_state, public.outbox${log === 'event_log' ? ', public.event_log' : ''} in exclusive mode`,
      );
      await client.query('insert into public.relay_state (id) values (1) on conflict do nothing');
      const state = await client.query<{
        last_seq: string;
        purged_up_to: string;
        published_up_to: string | null;
      }>(
        `select last_seq::text, purged_up_to::text, ${watermark ? 'published_up_to::text' : 'null'} as published_up_to
         from public.relay_state where id = 1`,
      );
      const s = state.rows[0]!;
      const before: RelayCursor = {
        lastSeq: Number(s.last_seq),
        publishedUpTo: s.published_up_to === null ? null : Number(s.published_up_to),
        purgedUpTo: Number(s.purged_up_to),
      };
      const max = await client.query<{ max: string }>(
        `select coalesce(max(seq), 0)::text as max from public.${log}`,
      );
      const base = Math.max(before.lastSeq, Number(max.rows[0]!.max));
      // The restored cluster's transaction ids need not continue the backed-up one's: pending
      // rows are moved now, and the relay's (xid, id) cursor starts again from the beginning.
      const sequenced = await client.query(
        log === 'event_log'
          ? `with todo as (
               delete from public.outbox returning id, xid, type, shop_id, order_id, courier_id, version, data, created_at)
             insert into public.event_log (seq, outbox_id, xid, type, shop_id, order_id, courier_id, version, data, created_at)
             select $1::bigint + row_number() over (order by xid, id), id, xid, type, shop_id, order_id, courier_id, version,
                    data, created_at
             from todo`
          : `with todo as (
               select id, row_number() over (order by xid, id) as n from public.outbox where seq is null)
             update public.outbox o set seq = $1::bigint + todo.n from todo where o.id = todo.id`,
        [base],
      );
      const n = sequenced.rowCount ?? 0;
      const next = base + n + gap;
      if (!Number.isSafeInteger(next)) throw new RangeError(`the relay's next seq ${next} would not fit`);
      await client.query(
        `update public.relay_state set last_seq = $1, purged_up_to = $1${watermark ? ', published_up_to = $1' : ''}
           ${cursor ? `, cursor_xid = '0', cursor_id = 0` : ''}
         where id = 1`,
        [next],
      );
      // A schema from before migration 006 marks each published event instead of a watermark.
      if (has('outbox', 'published_at')) {
        await client.query('update public.outbox set published_at = now() where published_at is null');
      }
      await client.query('commit');
      return {
        before,
        after: { lastSeq: next, publishedUpTo: watermark ? next : null, purgedUpTo: next },
        sequenced: n,
      };
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  });
}
