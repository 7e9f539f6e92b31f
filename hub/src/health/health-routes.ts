import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { sql, type DatabasePool } from '../adapters/postgres.js';
import { migrationsUpToDate } from '../adapters/migrations.js';
import { Liveness, Readiness, type ErrorBody } from '../contract/index.js';
import { apiRoute } from '../http/api-route.js';

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
  // Compared as digests: equal length whatever is sent, so timingSafeEqual cannot throw or leak it.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const wanted = deps.metricsToken === undefined ? undefined : digest(`Bearer ${deps.metricsToken}`);
  /**
   * Prometheus scrape endpoint. Route names (the back-office's among them) and volumes are not
   * for the public: a bearer token in production (config.ts), and nginx refuses the path too.
   */
  apiRoute(
    router,
    {
      method: 'get',
      path: '/metrics',
      tag: 'Operations',
      summary: 'Prometheus metrics',
      description:
        'Scraped per process on its loopback port, never through the public site (nginx refuses it). ' +
        'With METRICS_TOKEN set (required in production), only `Authorization: Bearer <METRICS_TOKEN>`. ' +
        '404 when metrics are off.',
      access: 'metrics-token',
      response: { status: 200, description: 'The Prometheus text format.', contentType: 'text/plain' },
      otherResponses: [{ status: 404, description: 'Metrics are off on this node.' }],
    },
    async (req, res) => {
      if (!deps.metrics) return res.status(404).end();
      if (wanted && !timingSafeEqual(digest(req.get('authorization') ?? ''), wanted)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        const body: ErrorBody = {
          error: { code: 'auth/unauthenticated', message: 'Metrics need the bearer token of METRICS_TOKEN.' },
        };
        return res.status(401).json(body);
      }
      res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
    },
  );
  return router;
}
