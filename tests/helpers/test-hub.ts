import { pino, type Logger } from 'pino';
import { loadConfig } from '../../hub/src/config.js';
import { createDatabasePool, sql, type DatabasePool } from '../../hub/src/adapters/postgres.js';
import { createHub } from '../../hub/src/hub.js';
import type { EventEnvelope } from '../../hub/src/contract/index.js';
import type { Clock } from '../../hub/src/orders/orders-service.js';
import { ApiClient } from './api-client.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export type TestHub = Awaited<ReturnType<typeof startTestHub>>;

/**
 * The real hub (services, HTTP, sessions, Socket.IO, relay) on its own database and a free port.
 * Nothing of ours is stubbed: tests talk HTTP and sockets to it and read PostgreSQL directly.
 * Pass `database` to start a second node on the same database.
 */
export async function startTestHub(
  options: {
    clock?: Clock;
    env?: Record<string, string>;
    database?: TestDatabase;
    port?: number;
    /** Where the hub logs (default: silent, or TEST_LOG_LEVEL). */
    logger?: Logger;
  } = {},
) {
  const ownsDatabase = !options.database;
  const database: TestDatabase = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    // No street tiles unless a test serves them (tests/fakes/tile-server.ts): nothing leaves the machine.
    MAP_TILES_URL: '',
    // DB_VALIDATE_ROWS=false npm test runs the suite as production runs (rows unchecked).
    ...(process.env.DB_VALIDATE_ROWS ? { DB_VALIDATE_ROWS: process.env.DB_VALIDATE_ROWS } : {}),
    ...options.env,
  });
  const db: DatabasePool = await createDatabasePool(database.url, {
    maximumPoolSize: 20,
    validateRows: config.validateRows,
  });
  const hub = await createHub({
    config,
    db,
    logger: options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    clock: options.clock,
    relay: { leaderCheckMs: 200, pollMs: 100 },
    // A minute: a second position in the same test is throttled whatever the machine's speed.
    positionIntervalMs: 60_000,
  });
  const port = await hub.listen(options.port ?? 0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    port,
    db,
    database,
    hub,
    services: hub.services,
    /** Resolves when this hub's relay has published an event matching `predicate`. */
    published(predicate: (event: EventEnvelope) => boolean): Promise<EventEnvelope> {
      return new Promise((resolve) => {
        const off = hub.relay.onPublished((events) => {
          const hit = events.find(predicate);
          if (hit) {
            off();
            resolve(hit);
          }
        });
      });
    },
    client: (origin: string | null = baseUrl) => new ApiClient(baseUrl, origin),
    staff: (email: string) => new ApiClient(baseUrl).login(email),
    async close() {
      await hub.close();
      await db.end();
      if (ownsDatabase) await database.drop();
    },
  };
}

export { sql };
