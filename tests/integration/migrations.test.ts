import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MigrationError, readMigrations } from '../../hub/src/adapters/migrations.js';
import { MIGRATIONS_DIR } from '../../hub/src/paths.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let database: TestDatabase;
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  dir = await mkdtemp(path.join(os.tmpdir(), 'ocp-migrations-'));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
});
afterAll(async () => {
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function appliedNames(): Promise<string[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (
      await client.query<{ name: string }>('select name from schema_migrations order by name')
    ).rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  it('three hubs migrating at once (three connections) apply each migration exactly once', async () => {
    const results = await Promise.all([
      migrate(database.url, dir),
      migrate(database.url, dir),
      migrate(database.url, dir),
    ]);
    const files = (await readMigrations(dir)).map((m) => m.name);
    expect(files.length).toBeGreaterThan(1);
    const appliedByAll = results.flatMap((r) => r.applied).sort();
    expect(appliedByAll).toEqual(files);
    expect(await appliedNames()).toEqual(files);
    // Running again is a no-op.
    expect((await migrate(database.url, dir)).applied).toEqual([]);
  });

  it('refuses a migration edited after it was applied, naming it', async () => {
    await appendFile(path.join(dir, '001_initial_schema.sql'), '\n-- a later edit\n');
    const error = await migrate(database.url, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe('migration/edited');
    expect((error as MigrationError).message).toContain('001_initial_schema.sql');
  });

  it('a failing migration leaves no trace and says which one failed', async () => {
    const fresh = await createTestDatabase({ empty: true });
    try {
      const broken = await mkdtemp(path.join(os.tmpdir(), 'ocp-migrations-broken-'));
      await cp(MIGRATIONS_DIR, broken, { recursive: true });
      await appendFile(
        path.join(broken, '999_broken.sql'),
        'create table half_done (id int);\nselect * from no_such_table;\n',
      );
      const error = await migrate(fresh.url, broken).catch((e: unknown) => e);
      expect((error as MigrationError).code).toBe('migration/failed');
      expect((error as MigrationError).message).toContain('999_broken.sql');
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      const names = (await client.query('select name from schema_migrations order by name')).rows.map(
        (r) => r.name,
      );
      const halfDone = (await client.query("select to_regclass('half_done') as t")).rows[0].t;
      await client.end();
      expect(names).toEqual((await readMigrations(MIGRATIONS_DIR)).map((m) => m.name));
      expect(halfDone).toBeNull();
      await rm(broken, { recursive: true, force: true });
    } finally {
      await fresh.drop();
    }
  });
});
