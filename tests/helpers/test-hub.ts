import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { loadConfig } from '../../hub/src/config.js';
import { createDatabasePool, sql, type DatabasePool } from '../../hub/src/adapters/postgres.js';
import { createHub } from '../../hub/src/hub.js';
import type { Clock } from '../../hub/src/orders/orders-service.js';
import { ApiClient } from './api-client.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export type TestHub = Awaited<ReturnType<typeof startTestHub>>;

/**
 * The real hub (services, HTTP, sessions) on its own database and a free port. Nothing of ours is
 * stubbed: tests talk HTTP to it and read PostgreSQL directly to check what it stored.
 */
export async function startTestHub(options: { clock?: Clock; env?: Record<string, string> } = {}) {
  const database: TestDatabase = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    ...options.env,
  });
  const db: DatabasePool = await createDatabasePool(database.url, { maximumPoolSize: 20 });
  const hub = createHub({
    config,
    db,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    clock: options.clock,
  });
  const server = hub.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    db,
    services: hub.services,
    client: (origin: string | null = baseUrl) => new ApiClient(baseUrl, origin),
    staff: (email: string) => new ApiClient(baseUrl).login(email),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await hub.close();
      await db.end();
      await database.drop();
    },
  };
}

export { sql };
