import path from 'node:path';
import type { Config } from '../config.js';
import { canConnect } from '../adapters/backup-database.js';
import { startEmbeddedPostgres } from '../adapters/embedded-postgres.js';

/** The database the backup commands work on, and how to let go of it. */
export type DatabaseTarget = { url: string; label: string; close: () => Promise<void> };

/** The embedded database's name and password: the ones `npm start` gives it (embedded-postgres.ts). */
const EMBEDDED_DATABASE = 'ocpizza';
const EMBEDDED_PASSWORD = 'ocpizza-embedded';

/**
 * DATABASE_URL when set. Without it, the embedded PostgreSQL of `npm start`: the one already
 * running (the hub is up), else started for the command and stopped after it.
 */
export async function openDatabaseTarget(
  config: Config,
  say: (line: string) => void,
): Promise<DatabaseTarget> {
  if (config.databaseUrl) {
    const u = new URL(config.databaseUrl);
    // A unix-socket URL carries the socket directory, percent-encoded, as its host.
    const label = `${decodeURIComponent(u.hostname)}:${u.port || 5432}`;
    return { url: config.databaseUrl, label, close: async () => {} };
  }
  const running = `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${config.embeddedPgPort}/${EMBEDDED_DATABASE}`;
  const label = `embedded PostgreSQL (${path.join(config.dataDir, 'postgres')})`;
  if (await canConnect(running)) return { url: running, label, close: async () => {} };
  say(`no DATABASE_URL: starting the embedded PostgreSQL (data in ${config.dataDir}/postgres)`);
  const embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    database: EMBEDDED_DATABASE,
    log: say,
  });
  return { url: embedded.connectionUri, label, close: () => embedded.stop() };
}
