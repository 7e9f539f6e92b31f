import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export type TestDatabase = { url: string; name: string; drop: () => Promise<void> };

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function urlOf(database: string): string {
  const u = new URL(inject('pgAdminUrl'));
  u.pathname = `/${database}`;
  return u.toString();
}

/** A database of its own for one test file: a copy of the migrated, demo-seeded template. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `ocp_t_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (admin) => {
    const source = options.empty ? 'template1' : inject('templateDatabase');
    // Two files copying the template at the same moment can collide; the loser simply tries again.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${source}`);
        return;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((r) => setImmediate(r));
      }
    }
  });
  return {
    name,
    url: urlOf(name),
    drop: () =>
      withAdmin((admin) => admin.query(`drop database if exists ${name} with (force)`).then(() => {})),
  };
}
