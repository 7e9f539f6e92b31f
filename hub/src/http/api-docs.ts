import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router, type Express } from 'express';
import { z } from 'zod';
import { apiRoute } from './api-route.js';
import { openApiDocument } from './openapi.js';

/** Swagger UI's prebuilt files, served by the hub itself: the docs page works offline, under our CSP. */
const SWAGGER_UI_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const SWAGGER_UI_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']);

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OC Pizza hub API</title>
<link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
<div id="api-docs"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
`;

// A file of its own, not an inline script: helmet's CSP allows scripts from 'self' only.
// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#api-docs',
  deepLinking: true,
  validatorUrl: null,
  withCredentials: true,
  displayRequestDuration: true,
  presets: [SwaggerUIBundle.presets.apis],
});
`;

/** The docs page and its assets; mounted at /api/docs before the session (it is the same for everyone). */
export function apiDocsPage(): Router {
  const router = Router();
  apiRoute(
    router,
    {
      method: 'get',
      path: '/',
      tag: 'Documentation',
      summary: 'This page: the API document rendered by Swagger UI',
      description: 'Served with its assets by the hub from node_modules (swagger-ui-dist): it works offline.',
      access: 'public',
      response: { status: 200, description: 'The HTML page.', contentType: 'text/html' },
    },
    (_req, res) => {
      res.type('html').send(PAGE);
    },
  );
  // Middleware, not routes: assets are not API operations.
  router.use('/init.js', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.type('js').send(INIT);
  });
  const assets = express.static(SWAGGER_UI_DIR, { index: false, maxAge: '1d', fallthrough: false });
  router.use('/assets', (req, res, next) => {
    if (!SWAGGER_UI_FILES.has(req.path.slice(1))) return next();
    assets(req, res, next);
  });
  return router;
}

const OpenApiJson = z.looseObject({
  openapi: z.string(),
  info: z.object({}).loose(),
  paths: z.object({}).loose(),
});

/**
 * `GET /api/openapi.json`, mounted after the session: a logged-in admin or manager also gets the
 * back-office operations, which the public document leaves out (the back-office is hidden, and its
 * page's secret path is in no document at all). `app` is read at the first request, once every
 * route is mounted.
 */
export function openApiRoutes(getApp: () => Express, rootDir: string, backOfficeOn: boolean): Router {
  const router = Router();
  const version = (
    JSON.parse(readFileSync(path.join(rootDir, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const cache = new Map<boolean, string>();
  const documentJson = (includeBackOffice: boolean) => {
    let json = cache.get(includeBackOffice);
    if (json === undefined) {
      json = JSON.stringify(openApiDocument(getApp(), { version, includeBackOffice }));
      cache.set(includeBackOffice, json);
    }
    return json;
  };
  apiRoute(
    router,
    {
      method: 'get',
      path: '/openapi.json',
      tag: 'Documentation',
      summary: 'The OpenAPI 3.1 document of this API',
      description:
        'Generated from the zod contract and the routes mounted. Admins and managers, logged in, also see the ' +
        'back-office operations (when the back-office is enabled).',
      access: ['public', 'staff'],
      response: { status: 200, description: 'The OpenAPI document.', schema: OpenApiJson },
    },
    (req, res) => {
      const role = req.staff?.role;
      const includeBackOffice = backOfficeOn && (role === 'admin' || role === 'manager');
      // The answer depends on the session: no shared cache may keep one for another person.
      res.set('Cache-Control', 'private, no-cache').set('Vary', 'Cookie');
      res.type('json').send(documentJson(includeBackOffice));
    },
  );
  return router;
}
