import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { recordRoute } from '../health/http-metrics.js';

/** Screens of the staff app (displays/); everything else that is not /api belongs to the customer site. */
const STAFF_PATHS = ['/kitchen', '/counter', '/courier', '/manager', '/login'];

/**
 * Serves the built Vue apps. Before `npm run build` has produced them, a short page says so
 * instead of a bare 404, so a newcomer knows what to run.
 */
export function frontEnds(rootDir: string): Router {
  const router = Router();
  const staffDist = path.join(rootDir, 'displays', 'dist');
  const customerDist = path.join(rootDir, 'customer-web', 'dist');
  const notBuilt = (name: string) =>
    `<!doctype html><html lang="fr"><meta charset="utf-8"><title>OC Pizza</title>` +
    `<p>${name} n'est pas encore construit : lancez <code>npm run build</code>.</p></html>`;

  router.use('/staff', express.static(staffDist, { index: false, maxAge: '1y', immutable: true }));
  for (const p of STAFF_PATHS) {
    router.get([p, `${p}/{*rest}`], recordRoute(`${p}|${p}/{*rest}`), (_req, res) => {
      const index = path.join(staffDist, 'index.html');
      if (existsSync(index)) res.sendFile(index);
      else res.status(503).type('html').send(notBuilt("L'application du personnel"));
    });
  }
  router.use(express.static(customerDist, { index: false, maxAge: '1h' }));
  router.get('/{*splat}', recordRoute('/{*splat}'), (req, res, next) => {
    if (req.path.startsWith('/api/')) return next();
    const index = path.join(customerDist, 'index.html');
    if (existsSync(index)) res.sendFile(index);
    else res.status(503).type('html').send(notBuilt('Le site client'));
  });
  return router;
}
