import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './adapters/embedded-postgres.js';
import { migrate } from './adapters/migrations.js';
import { createDatabasePool, type DatabasePool } from './adapters/postgres.js';
import { createHub } from './hub.js';
import { DEMO_SEED_FILE, MIGRATIONS_DIR } from './paths.js';
import { DEMO_PASSWORD, demoStaffEmail, seedDemo } from './seed/demo-seed.js';

/** Composition root: config -> adapters -> services -> http (DESIGN.md section 7). */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for what each variable means.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel });
  const say = (message: string) => logger.info(message);

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    say(`no DATABASE_URL: starting an embedded PostgreSQL (data in ${config.dataDir}/postgres)`);
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      database: 'ocpizza',
      log: say,
    });
    databaseUrl = embedded.connectionUri;
  }
  const runtime: Config = { ...config, databaseUrl };

  await migrate(databaseUrl, MIGRATIONS_DIR, say);
  const db: DatabasePool = await createDatabasePool(databaseUrl);
  if (runtime.seedDemo) {
    const { seeded } = await seedDemo(db, DEMO_SEED_FILE, say);
    say(seeded ? 'demo data loaded' : 'demo data already present');
  }

  const hub = await createHub({ config: runtime, db, logger });
  const port = await hub.listen(runtime.port, runtime.host);
  const base = runtime.publicUrl ?? `http://localhost:${port}`;

  const expiry = setInterval(() => {
    hub.services.orders.expireUnpaid().then(
      (n) => n > 0 && logger.info({ expired: n }, 'cancelled unpaid online orders'),
      (error: unknown) => logger.error({ err: error }, 'payment expiry job failed'),
    );
  }, 30_000);
  // Refunds Stripe did not answer at the time of the cancellation are retried.
  const refunding = setInterval(() => void hub.services.payments.processRefunds(), 60_000);
  // Offers left unanswered move on; ready deliveries waiting for a courier get another try.
  const dispatching = setInterval(() => {
    hub.services.dispatch
      .tick()
      .catch((error: unknown) => logger.error({ err: error }, 'dispatch job failed'));
  }, 5_000);

  if (runtime.seedDemo) {
    process.stdout.write(
      [
        '',
        `OC Pizza hub is running on ${base}`,
        `  customer site   ${base}/`,
        `  kitchen board   ${base}/kitchen`,
        `  counter         ${base}/counter`,
        `  shop stock      ${base}/kitchen/stock`,
        `  courier view    ${base}/courier`,
        `  manager board   ${base}/manager`,
        `  health          ${base}/healthz  ${base}/readyz`,
        '',
        runtime.stripe
          ? 'Online card payment: Stripe is configured.'
          : 'Online card payment: off (set STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET); customers pay at the door or the counter.',
        runtime.maps
          ? 'Maps: Google geocoding and route times.'
          : 'Maps: no MAPS_API_KEY, addresses are not verified and ETAs are straight-line estimates.',
        '',
        `Demo staff logins (password ${DEMO_PASSWORD}):`,
        `  admin           ${demoStaffEmail('admin')}`,
        `  manager         ${demoStaffEmail('manager', 'A')}   (shop A; .b … .h for the others)`,
        `  kitchen         ${demoStaffEmail('kitchen', 'A')}`,
        `  counter         ${demoStaffEmail('counter', 'A')}`,
        `  courier         ${demoStaffEmail('courier', 'A')}   ${demoStaffEmail('courier', 'A', 2)}`,
        '',
        'Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
  } else {
    process.stdout.write(`OC Pizza hub is running on ${base} (port ${port})\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    clearInterval(expiry);
    clearInterval(dispatching);
    clearInterval(refunding);
    await hub.close();
    await db.end();
    if (embedded) await embedded.stop();
    say('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `The hub could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
