import { loadConfig } from '../config.js';
import { createDatabasePool } from '../adapters/postgres.js';
import { DEMO_SEED_FILE } from '../paths.js';
import { seedDemo } from '../seed/demo-seed.js';

/** `npm run seed`: loads the demo group into DATABASE_URL if it has no shops yet. */
const config = loadConfig(process.env);
if (!config.databaseUrl) {
  process.stderr.write('npm run seed needs DATABASE_URL (npm start seeds its embedded database itself).\n');
  process.exit(78);
}
const pool = await createDatabasePool(config.databaseUrl);
try {
  const { seeded } = await seedDemo(pool, DEMO_SEED_FILE, (m) => process.stdout.write(`${m}\n`));
  process.stdout.write(seeded ? 'demo data loaded\n' : 'the database already has shops: nothing seeded\n');
} finally {
  await pool.end();
}
