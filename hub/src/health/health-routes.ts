import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { sql, type DatabasePool } from '../adapters/postgres.js';
import { migrationsUpToDate } from '../adapters/migrations.js';

export function healthRoutes(deps: {
  db: DatabasePool;
  migrationsDir: string;
  /** More dependencies to check (Redis when configured). */
  checks?: Record<string, () => Promise<boolean>>;
  metrics?: { contentType: string; metrics: () => Promise<string> };
  /** When set, /metrics answers only `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** True once this node shuts down: the balancer must stop sending it anything. */
  draining?: () => boolean;
}): Router {
  const router = Router();
  /** The process is up: for the supervisor's liveness check. */
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  /** Can serve traffic: the database answers and its schema is the one the code expects. */
  router.get('/readyz', async (_req, res) => {
    if (deps.draining?.()) {
      res.setHeader('Connection', 'close');
      res.status(503).json({ status: 'draining', checks: {} });
      return;
    }
    const checks: Record<string, 'ok' | 'failing' | 'pending'> = {};
    try {
      await deps.db.query(sql.unsafe`select 1`);
      checks.database = 'ok';
      checks.migrations = (await migrationsUpToDate(deps.db, deps.migrationsDir)) ? 'ok' : 'pending';
    } catch {
      checks.database = 'failing';
    }
    for (const [name, check] of Object.entries(deps.checks ?? {})) {
      checks[name] = (await check().catch(() => false)) ? 'ok' : 'failing';
    }
    const ready = Object.values(checks).every((c) => c === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  // Compared as digests: equal length whatever is sent, so timingSafeEqual cannot throw or leak it.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const wanted = deps.metricsToken === undefined ? undefined : digest(`Bearer ${deps.metricsToken}`);
  /**
   * Prometheus scrape endpoint. Route names (the back-office's among them) and volumes are not
   * for the public: a bearer token in production (config.ts), and nginx refuses the path too.
   */
  router.get('/metrics', async (req, res) => {
    if (!deps.metrics) return res.status(404).end();
    if (wanted && !timingSafeEqual(digest(req.get('authorization') ?? ''), wanted)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      return res.status(401).json({
        error: { code: 'auth/unauthenticated', message: 'Metrics need the bearer token of METRICS_TOKEN.' },
      });
    }
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  return router;
}
