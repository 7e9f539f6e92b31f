import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../hub/src/adapters/embedded-postgres.js';
import { migrate } from '../../hub/src/adapters/migrations.js';
import { createDatabasePool, sql } from '../../hub/src/adapters/postgres.js';
import { AROUND_THE_CLOCK } from '../../hub/src/domain/opening-hours.js';
import { MIGRATIONS_DIR, DEMO_SEED_FILE } from '../../hub/src/paths.js';
import { seedDemo } from '../../hub/src/seed/demo-seed.js';
import { freePort } from './free-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL of the PostgreSQL server the tests use (its `postgres` database). */
    pgAdminUrl: string;
    /** A migrated, demo-seeded database each test file copies its own database from. */
    templateDatabase: string;
  }
}

const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Finds a real PostgreSQL: DATABASE_URL's server, else the machine's local one, else an embedded
 * one started for this run. Then builds the template every test file clones its database from.
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedDatabase | undefined;
  let tmpDir: string | undefined;
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = withDatabase(process.env.DATABASE_URL, 'postgres');
  } else if (await reachable(LOCAL_SERVER)) {
    adminUrl = LOCAL_SERVER;
  } else {
    tmpDir = await mkdtemp(path.join(os.tmpdir(), 'ocp-test-pg-'));
    embedded = await startEmbeddedPostgres({
      dataDir: tmpDir,
      port: await freePort(),
      database: 'ocpizza',
      log: () => {},
    });
    adminUrl = withDatabase(embedded.connectionUri, 'postgres');
  }

  const template = `ocp_test_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  const templateUrl = withDatabase(adminUrl, template);
  await migrate(templateUrl, MIGRATIONS_DIR);
  const pool = await createDatabasePool(templateUrl);
  await seedDemo(pool, DEMO_SEED_FILE);
  // Tests create orders "as soon as possible" at whatever hour the suite runs: the template's
  // shops are open around the clock. Tests about opening hours set a shop's hours and the hub's
  // clock themselves (tests/integration/opening-hours.test.ts).
  await pool.query(sql.unsafe`update shops set opening_hours = ${sql.jsonb(AROUND_THE_CLOCK)}`);
  await pool.end();

  project.provide('pgAdminUrl', adminUrl);
  project.provide('templateDatabase', template);

  return async () => {
    await admin.query(`drop database if exists ${template} with (force)`);
    await admin.end();
    if (embedded) await embedded.stop();
    if (tmpDir) await rm(tmpDir, { recursive: true, force: true });
  };
}
