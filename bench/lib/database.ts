import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../hub/src/adapters/migrations.js';
import { AROUND_THE_CLOCK } from '../../hub/src/domain/opening-hours.js';
import { createDatabasePool } from '../../hub/src/adapters/postgres.js';
import { DEMO_SEED_FILE, MIGRATIONS_DIR } from '../../hub/src/paths.js';
import { seedDemo } from '../../hub/src/seed/demo-seed.js';
import type { BenchPostgres } from './pg-cluster.js';

/** Added to every ingredient of every open shop, so that no order of the benchmark runs out. */
const BENCH_RESTOCK = 1_000_000_000;

export type BenchDatabase = {
  name: string;
  url: string;
  /** The server's `postgres` database (the benchmark's own cluster, or BENCH_PG_ADMIN_URL). */
  adminUrl: string;
  openShopIds: number[];
  margheritaId: number;
  drop: () => Promise<void>;
};

function urlOf(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A database of the benchmark's own on `server` (bench/lib/pg-cluster.ts): created, migrated with the hub's
 * migrations, loaded with the demo seed, and restocked far beyond what any run can order
 * (as a ledger `restock`, so the stock still equals the sum of its ledger).
 */
export async function prepareDatabase(
  server: BenchPostgres,
  log: (m: string) => void = () => {},
): Promise<BenchDatabase> {
  const adminUrl = server.adminUrl;
  const name = `ocp_bench_${randomBytes(5).toString('hex')}`;
  await withClient(adminUrl, (admin) => admin.query(`create database ${name}`));
  const url = urlOf(adminUrl, name);
  const drop = () =>
    withClient(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`)).then(
      () => {},
    );
  try {
    await migrate(url, MIGRATIONS_DIR, log);
    const pool = await createDatabasePool(url);
    try {
      await seedDemo(pool, DEMO_SEED_FILE, log);
    } finally {
      await pool.end();
    }
    return await withClient(url, async (client) => {
      // The benchmark orders "as soon as possible" at whatever hour it runs: shops never close.
      await client.query(`update shops set opening_hours = $1`, [JSON.stringify(AROUND_THE_CLOCK)]);
      await client.query(
        `with raised as (
           update stock s set on_hand = s.on_hand + $1
           from shops sh where sh.id = s.shop_id and sh.status = 'open'
           returning s.shop_id, s.ingredient_id)
         insert into stock_ledger (shop_id, ingredient_id, kind, quantity, on_hand_delta, reserved_delta, note)
         select shop_id, ingredient_id, 'restock', $1, $1, 0, 'benchmark restock' from raised`,
        [BENCH_RESTOCK],
      );
      const shops = await client.query<{ id: number }>(
        `select id from shops where status = 'open' order by id`,
      );
      const product = await client.query<{ id: number }>(`select id from products where slug = 'margherita'`);
      if (shops.rows.length === 0 || !product.rows[0])
        throw new Error('the demo seed has no open shop or no margherita');
      return {
        name,
        url,
        adminUrl,
        openShopIds: shops.rows.map((r) => r.id),
        margheritaId: product.rows[0].id,
        drop,
      };
    });
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
}
