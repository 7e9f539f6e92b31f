import type { Logger } from 'pino';
import { reportError, type ErrorContext } from '../adapters/sentry.js';
import { AppError } from '../errors.js';
import type { Metrics } from '../realtime/metrics.js';

/** What a client is told while the database is away; Retry-After says when to try again. */
export const RETRY_AFTER_SECONDS = 5;

export const databaseUnavailable = () =>
  new AppError(
    'service/unavailable',
    'The service is briefly unavailable (its database does not answer): try again in a few seconds.',
  );

export type Outage = ReturnType<typeof createOutage>;

/**
 * One database outage, one Sentry report: every request that meets it answers 503, but only the
 * first is reported (as a warning, with where it was met); then a probe runs every `probeMs`
 * until the database answers again, and the recovery is logged with how long it lasted. A
 * per-request report would send thousands of copies of one event in a minute and hide the rest.
 */
export function createOutage(deps: {
  /** Resolves when the database answers (`select 1`). */
  probe: () => Promise<unknown>;
  logger: Logger;
  metrics?: Pick<Metrics, 'databaseOutages'>;
  probeMs?: number;
  now?: () => number;
}) {
  const probeMs = deps.probeMs ?? 2000;
  const now = deps.now ?? Date.now;
  let downSince: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      deps.probe().then(
        () => {
          const lasted = downSince === null ? 0 : now() - downSince;
          downSince = null;
          deps.logger.warn({ outageMs: lasted }, `database back after ${Math.round(lasted / 1000)} s`);
        },
        () => schedule(),
      );
    }, probeMs);
    timer.unref();
  };

  return {
    /** A request or handler met the outage: reported if it is the first of this outage. */
    record(error: unknown, context: ErrorContext): void {
      if (downSince !== null) return;
      downSince = now();
      deps.metrics?.databaseOutages.inc();
      deps.logger.error(
        { err: error, ...context.tags },
        'database unavailable: answering 503 until it is back',
      );
      reportError(error, { ...context, level: 'warning', tags: { ...context.tags, outage: 'database' } });
      schedule();
    },
    isDown: () => downSince !== null,
    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
