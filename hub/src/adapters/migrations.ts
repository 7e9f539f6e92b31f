import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import pg from 'pg';
import { sql, type DatabasePool } from './postgres.js';

export type Migration = { name: string; checksum: string; text: string };

export class MigrationError extends Error {
  constructor(
    readonly code: 'migration/edited' | 'migration/unknown_applied' | 'migration/failed',
    message: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** Any fixed 64-bit key: every hub process must use the same one to queue behind the others. */
const MIGRATION_LOCK_KEY = 0x0c_91_22_a0_0001n;

export async function readMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3,}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (name) => {
      const text = await readFile(path.join(dir, name), 'utf8');
      return { name, text, checksum: createHash('sha256').update(text).digest('hex') };
    }),
  );
}

const Applied = z.object({ name: z.string(), checksum: z.string() });

/**
 * Applies pending migrations, each in its own transaction. Safe from several processes at once:
 * they queue on a session advisory lock, and a latecomer finds the work done. An applied migration
 * whose file changed since is refused: the schema would no longer be what the files say.
 * A plain pg client: migration files hold several statements (simple query protocol).
 */
export async function migrate(
  connectionUri: string,
  dir: string,
  log: (message: string) => void = () => {},
): Promise<{ applied: string[] }> {
  const migrations = await readMigrations(dir);
  const client = new pg.Client({ connectionString: connectionUri });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY.toString()]);
    await client.query(`
      create table if not exists schema_migrations (
        name text primary key,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`);
    const rows = z
      .array(Applied)
      .parse((await client.query('select name, checksum from schema_migrations')).rows);
    const applied = new Map(rows.map((r) => [r.name, r.checksum]));
    checkApplied(migrations, applied);
    const done: string[] = [];
    for (const m of migrations) {
      if (applied.has(m.name)) continue;
      log(`applying migration ${m.name}`);
      try {
        await client.query('begin');
        await client.query(m.text);
        await client.query('insert into schema_migrations (name, checksum) values ($1, $2)', [
          m.name,
          m.checksum,
        ]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new MigrationError(
          'migration/failed',
          `Migration ${m.name} failed: ${(error as Error).message}`,
        );
      }
      done.push(m.name);
    }
    return { applied: done };
  } finally {
    // Closing the session releases the advisory lock even if unlock is never reached.
    await client.end();
  }
}

function checkApplied(migrations: Migration[], applied: Map<string, string>): void {
  const byName = new Map(migrations.map((m) => [m.name, m]));
  for (const [name, checksum] of applied) {
    const file = byName.get(name);
    if (!file) {
      throw new MigrationError(
        'migration/unknown_applied',
        `Migration ${name} is applied in the database but its file is missing from sql/migrations.`,
      );
    }
    if (file.checksum !== checksum) {
      throw new MigrationError(
        'migration/edited',
        `Migration ${name} was edited after it was applied: write a new migration instead of changing it.`,
      );
    }
  }
}

/** Whether every migration file is applied (for /readyz). */
export async function migrationsUpToDate(pool: DatabasePool, dir: string): Promise<boolean> {
  const migrations = await readMigrations(dir);
  const exists = await pool.oneFirst(
    sql.type(
      z.object({ exists: z.boolean() }),
    )`select to_regclass('schema_migrations') is not null as exists`,
  );
  if (!exists) return false;
  const applied = await pool.any(sql.type(Applied)`select name, checksum from schema_migrations`);
  const map = new Map(applied.map((r) => [r.name, r.checksum]));
  return migrations.every((m) => map.get(m.name) === m.checksum);
}
