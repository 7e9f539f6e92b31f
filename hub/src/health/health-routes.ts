import { Router } from 'express';
import { sql, type DatabasePool } from '../adapters/postgres.js';
import { migrationsUpToDate } from '../adapters/migrations.js';

export function healthRoutes(deps: { db: DatabasePool; migrationsDir: string }): Router {
  const router = Router();
  /** The process is up: for the supervisor's liveness check. */
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  /** Can serve traffic: the database answers and its schema is the one the code expects. */
  router.get('/readyz', async (_req, res) => {
    const checks: Record<string, 'ok' | 'failing' | 'pending'> = {};
    try {
      await deps.db.query(sql.unsafe`select 1`);
      checks.database = 'ok';
      checks.migrations = (await migrationsUpToDate(deps.db, deps.migrationsDir)) ? 'ok' : 'pending';
    } catch {
      checks.database = 'failing';
    }
    const ready = Object.values(checks).every((c) => c === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  return router;
}
