import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { ConfigError, loadConfig, tileSource, type Config } from './config.js';
import { assertPortFree, explainStartupFailure, StartupError, type StartupFacts } from './startup-failure.js';
import type { EmbeddedDatabase } from './adapters/embedded-postgres.js';
import { migrate } from './adapters/migrations.js';
import { createDatabasePool, isDatabaseUnavailable, type DatabasePool } from './adapters/postgres.js';
import type { Outage } from './health/outage.js';
import { flushErrors, reportError } from './adapters/sentry.js';
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
  startupFacts = { databaseUrl: config.databaseUrl, port: config.port, host: config.host };
  const logger = pino({ level: config.logLevel });
  const say = (message: string) => logger.info(message);
  // A promise nobody awaited failed: a bug to fix, not a reason to drop every screen of this node.
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
    reportError(reason, { source: 'process', tags: { kind: 'unhandledRejection' } });
  });

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    say(`no DATABASE_URL: starting an embedded PostgreSQL (data in ${config.dataDir}/postgres)`);
    // Loaded only when used: the library hooks the process's signals (see below).
    const { startEmbeddedPostgres } = await import('./adapters/embedded-postgres.js');
    await assertPortFree(config.embeddedPgPort, '127.0.0.1', {
      code: 'startup/embedded_port_taken',
      sentence:
        `Port ${config.embeddedPgPort}, where the embedded PostgreSQL listens, is taken by another program ` +
        '(a hub already running?): stop it, or set EMBEDDED_PG_PORT to a free port.',
    });
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      database: 'ocpizza',
      log: say,
    }).catch((error: unknown) => {
      throw new StartupError(
        'startup/embedded_database',
        `The embedded PostgreSQL did not start${error instanceof Error ? ` (${error.message})` : ''}: ` +
          `its files are in ${config.dataDir}/postgres; move them aside to start afresh, or set DATABASE_URL.`,
        { cause: error },
      );
    });
    databaseUrl = embedded.connectionUri;
  }
  // The demo gets a back-office too: a fresh secret path each start, printed below. Production
  // requires SECRET_ADMIN_URL (config.ts), so this never applies there.
  const secretAdminUrl =
    config.secretAdminUrl ??
    (config.seedDemo && config.env === 'development'
      ? `/admin-${randomBytes(12).toString('hex')}`
      : undefined);
  const runtime: Config = { ...config, databaseUrl, secretAdminUrl };

  await migrate(databaseUrl, MIGRATIONS_DIR, say);
  const db: DatabasePool = await createDatabasePool(databaseUrl, { validateRows: runtime.validateRows });
  if (runtime.seedDemo) {
    const { seeded } = await seedDemo(db, DEMO_SEED_FILE, say);
    say(seeded ? 'demo data loaded' : 'demo data already present');
  }

  const hub = await createHub({ config: runtime, db, logger });
  const jobHub = { logger, outage: hub.outage };
  const port = await hub.listen(runtime.port, runtime.host);
  const base = runtime.publicUrl ?? `http://localhost:${port}`;

  const jobs = !runtime.backgroundJobs
    ? []
    : [
        every('payment expiry', 30_000, jobHub, async () => {
          const n = await hub.services.orders.expireUnpaid();
          if (n > 0) logger.info({ expired: n }, 'cancelled unpaid online orders');
        }),
        // Refunds Stripe did not answer at the time of the cancellation are retried.
        every('refunds', 60_000, jobHub, () => hub.services.payments.processRefunds()),
        // An offer left unanswered moves on within a second of its end (shops give 20 s by default).
        every('offer expiry', 1_000, jobHub, () => hub.services.dispatch.expireOffers()),
        // Ready deliveries waiting for a courier get another try (a connecting courier gets one at once).
        every('dispatch', 5_000, jobHub, () => hub.services.dispatch.offerWaiting()),
      ];

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
        ...(runtime.secretAdminUrl
          ? [`  back-office     ${base}${runtime.secretAdminUrl}   (admin, managers)`]
          : []),
        `  health          ${base}/healthz  ${base}/readyz`,
        `  API reference   ${base}/api/docs  (OpenAPI: ${base}/api/openapi.json)`,
        '',
        runtime.stripe
          ? 'Online card payment: Stripe is configured.'
          : 'Online card payment: off (set STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET); customers pay at the door or the counter.',
        runtime.maps
          ? 'Maps: Google geocoding; route times from the Routes API (traffic-aware).'
          : 'Maps: no MAPS_API_KEY, addresses are not verified and ETAs are straight-line estimates.',
        runtime.mapTiles
          ? `Street tiles: ${tileSource(runtime.mapTiles.urlTemplate)} (MAP_TILES_URL; empty for none).`
          : 'Street tiles: off (MAP_TILES_URL is empty), the maps have a plain background.',
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

  /**
   * Graceful shutdown, bounded by SHUTDOWN_TIMEOUT_MS: jobs first, then the hub drains (not
   * ready, no new connections, in-flight requests and commands answered, relay handed over,
   * screens sent elsewhere), then the pools close. Exit code 0; 1 if the bound is passed.
   */
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting now, without waiting for the shutdown to finish`);
      process.exit(1);
    }
    stopping = true;
    const started = Date.now();
    const boundMs = runtime.shutdownTimeoutMs;
    const phase = (message: string, details: Record<string, unknown> = {}) =>
      logger.info({ ...details, elapsedMs: Date.now() - started }, `shutdown: ${message}`);
    // Not unref'd: a shutdown stuck on a promise that nothing keeps alive must still end here.
    setTimeout(() => {
      logger.error(
        { boundMs },
        `shutdown: not finished after ${boundMs} ms (SHUTDOWN_TIMEOUT_MS): exiting without waiting further`,
      );
      process.exit(1);
    }, boundMs);
    try {
      phase(`${signal} received: stopping within ${boundMs} ms`);
      await Promise.all(jobs.map((job) => job.stop()));
      phase('jobs stopped (payment expiry, refunds, dispatch)');
      await hub.shutdown(phase);
      await db.end();
      if (embedded) await embedded.stop();
      phase('database closed');
      await flushErrors(Math.max(100, Math.min(2000, boundMs - (Date.now() - started) - 500)));
      phase('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown: failed');
      reportError(error, { source: 'process', tags: { kind: 'shutdown' } });
      await flushErrors(1000);
      process.exit(1);
    }
  };
  // embedded-postgres hooks SIGINT and SIGTERM (async-exit-hook) to stop its databases and exit
  // (130 / 143) on its own schedule, which would cut the drain short: this process handles them
  // itself, and stops the embedded database last.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stop(signal));
  }
}

/**
 * A periodic job: one run at a time, its failures logged and reported to Sentry; `stop()` clears
 * the timer and waits for a run in progress.
 */
/**
 * A job run every `intervalMs`, never two at once. While the database is away a failure is the
 * outage's (reported once, like requests), not one report a second.
 */
function every(
  name: string,
  intervalMs: number,
  hub: { logger: Logger; outage: Outage },
  run: () => Promise<unknown>,
) {
  const { logger } = hub;
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = run()
      .then(
        () => undefined,
        (error: unknown) => {
          if (isDatabaseUnavailable(error))
            return hub.outage.record(error, { source: 'job', tags: { job: name } });
          logger.error({ err: error, job: name }, `${name} job failed`);
          reportError(error, { source: 'job', tags: { job: name } });
        },
      )
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  return {
    name,
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
}

/** What main() was started with, for the sentence when it fails (set once the config is read). */
let startupFacts: StartupFacts = { databaseUrl: undefined, port: 0, host: '' };

main().catch(async (error: unknown) => {
  const problem = explainStartupFailure(error, startupFacts);
  process.stderr.write(`The hub could not start (${problem.code}): ${problem.sentence}\n`);
  reportError(error, { source: 'process', tags: { kind: 'start', code: problem.code } });
  await flushErrors(2000);
  process.exit(1);
});
