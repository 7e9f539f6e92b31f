import { Router } from 'express';
import { sql, type DatabasePool } from '../adapters/postgres.js';
import { migrationsUpToDate } from '../adapters/migrations.js';

export function healthRoutes(deps: {
  db: DatabasePool;
  migrationsDir: string;
  /** More dependencies to check (Redis when configured). */
  checks?: Record<string, () => Promise<boolean>>;
  metrics?: { contentType: string; metrics: () => Promise<string> };
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
  /** Prometheus scrape endpoint (keep it off the public vhost in nginx). */
  router.get('/metrics', async (_req, res) => {
    if (!deps.metrics) return res.status(404).end();
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  return router;
}
