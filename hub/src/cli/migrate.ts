import { loadConfig } from '../config.js';
import { migrate } from '../adapters/migrations.js';
import { MIGRATIONS_DIR } from '../paths.js';

/** `npm run migrate`: applies pending migrations to DATABASE_URL (deploys run it before starting nodes). */
const config = loadConfig(process.env);
if (!config.databaseUrl) {
  process.stderr.write(
    'npm run migrate needs DATABASE_URL (npm start migrates its embedded database itself).\n',
  );
  process.exit(78);
}
try {
  const { applied } = await migrate(config.databaseUrl, MIGRATIONS_DIR, (m) =>
    process.stdout.write(`${m}\n`),
  );
  process.stdout.write(
    applied.length ? `applied ${applied.length} migration(s)\n` : 'schema already up to date\n',
  );
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
