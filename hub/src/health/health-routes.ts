import { Router } from 'express';
import { sql, type DatabasePool } from '../adapters/postgres.js';
import { migrationsUpToDate } from '../adapters/migrations.js';
import { Liveness, Readiness } from '../contract/index.js';
import { apiRoute } from '../http/api-route.js';

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
  apiRoute(
    router,
    {
      method: 'get',
      path: '/healthz',
      tag: 'Operations',
      summary: 'Liveness: the process is up',
      access: 'public',
      response: { status: 200, description: 'Up.', schema: Liveness },
    },
    (_req, res) => {
      const body: Liveness = { status: 'ok' };
      res.json(body);
    },
  );
  /** Can serve traffic: the database answers and its schema is the one the code expects. */
  apiRoute(
    router,
    {
      method: 'get',
      path: '/readyz',
      tag: 'Operations',
      summary: 'Readiness: the database answers, migrations are applied, Redis (when configured) answers',
      description:
        'Answers 503 with the same body when a check fails or while the node drains for a shutdown.',
      access: 'public',
      response: { status: 200, description: 'Ready.', schema: Readiness },
      otherResponses: [{ status: 503, description: 'Not ready, or draining.', schema: Readiness }],
    },
    async (_req, res) => {
      if (deps.draining?.()) {
        res.setHeader('Connection', 'close');
        const body: Readiness = { status: 'draining', checks: {} };
        res.status(503).json(body);
        return;
      }
      const checks: Readiness['checks'] = {};
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
      const body: Readiness = { status: ready ? 'ready' : 'not_ready', checks };
      res.status(ready ? 200 : 503).json(body);
    },
  );
  /** Prometheus scrape endpoint (keep it off the public vhost in nginx). */
  apiRoute(
    router,
    {
      method: 'get',
      path: '/metrics',
      tag: 'Operations',
      summary: 'Prometheus metrics',
      description: 'Keep it off the public virtual host in nginx. 404 when metrics are off.',
      access: 'public',
      response: { status: 200, description: 'The Prometheus text format.', contentType: 'text/plain' },
      otherResponses: [{ status: 404, description: 'Metrics are off on this node.' }],
    },
    async (_req, res) => {
      if (!deps.metrics) return res.status(404).end();
      res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
    },
  );
  return router;
}
