import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';

/**
 * Paths people and scanners try when they look for an admin area (/admin, /backoffice,
 * /kitchen/admin, /admin-<a guess of the secret>…). The SPA fallbacks would answer them 200 with
 * their own page; the hub answers 404 instead, so nothing looks like an admin area anywhere but at
 * the secret path.
 */
const ADMIN_GUESS =
  /^\/(?:.*\/)?(?:admin[\w-]*|administration|administrateur|back-?office|back_office|wp-admin|wp-login\.php)(?:\/.*)?$/i;

const notFound: RequestHandler = (_req, res) => {
  res
    .status(404)
    .type('html')
    .send('<!doctype html><html lang="fr"><meta charset="utf-8"><title>404</title>');
};

/**
 * The back-office app (backoffice/), served only at `secretPath` and below it: its page, and its
 * assets under `${secretPath}/assets/`. Nothing of it is served anywhere else, not even its code.
 * The path is compared exactly (Express routes would match it case-insensitively). Without a
 * secret path (development without SECRET_ADMIN_URL) the back-office is off.
 */
export function backOfficeFront(rootDir: string, secretPath: string | undefined): Router {
  const router = Router();
  const dist = path.join(rootDir, 'backoffice', 'dist');
  const assets = express.static(path.join(dist, 'assets'), {
    index: false,
    maxAge: '1y',
    immutable: true,
    fallthrough: false,
  });

  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const p = req.path;
    const ours = secretPath !== undefined && (p === secretPath || p.startsWith(`${secretPath}/`));
    if (!ours) return ADMIN_GUESS.test(p) ? notFound(req, res, next) : next();

    // Never cached by a proxy, never indexed, never sent on as a referrer.
    res.set('X-Robots-Tag', 'noindex, nofollow');
    res.set('Referrer-Policy', 'no-referrer');
    const rest = p.slice(secretPath.length);
    if (rest.startsWith('/assets/')) {
      const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
      const original = req.url;
      req.url = rest.slice('/assets'.length) + query;
      return assets(req, res, (error?: unknown) => {
        req.url = original;
        if (error) return notFound(req, res, next);
        next();
      });
    }
    void sendIndex(dist, secretPath, res).catch(next);
  });
  return router;
}

/**
 * The app's page, with a <base> naming the secret path: the build uses relative URLs (base './'),
 * so its assets resolve under the secret path at any depth, and the router reads its base from it.
 */
async function sendIndex(dist: string, secretPath: string, res: express.Response): Promise<void> {
  const file = path.join(dist, 'index.html');
  res.set('Cache-Control', 'no-store');
  if (!existsSync(file)) {
    res
      .status(503)
      .type('html')
      .send(
        '<!doctype html><html lang="fr"><meta charset="utf-8"><title>OC Pizza</title>' +
          "<p>Le back-office n'est pas encore construit : lancez <code>npm run build</code>.</p></html>",
      );
    return;
  }
  const html = await readFile(file, 'utf8');
  res.type('html').send(html.replace('<head>', `<head><base href="${secretPath}/">`));
}
