import { readFileSync } from 'node:fs';
import path from 'node:path';
import { initSentry, sentryRelease } from './adapters/sentry.js';
import { loadConfig } from './config.js';
import { ROOT_DIR } from './paths.js';

/**
 * Loaded before the hub itself: `node --import tsx --import ./hub/src/instrument.ts hub/src/main.ts`.
 * Sentry must be initialised before http, express and the rest are imported, so it is set up here
 * rather than in main.ts. The environment is read through config.ts all the same (pure, cheap, and
 * loading it first instruments nothing): with no SENTRY_DSN nothing happens, and an invalid
 * configuration is left for main.ts to report (exit code 78) — this file never stops a start.
 */
try {
  const config = loadConfig(process.env);
  if (config.sentryDsn) {
    const pkg = JSON.parse(readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')) as {
      name?: string;
      version?: string;
    };
    initSentry({
      dsn: config.sentryDsn,
      environment: config.env,
      release: sentryRelease(config, pkg),
      tracesSampleRate: config.sentryTracesSampleRate,
    });
  }
} catch {
  // main.ts loads the configuration again and says what is wrong with it.
}
