import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, CreateOrderBody, ErrorBody } from '../../hub/src/contract/index.js';
import { startSmtpSink, type SmtpSink } from '../fakes/smtp-sink.js';
import { confirmationToken } from '../helpers/customers.js';
import { facts, type Facts } from '../helpers/facts.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

const SECRET = '/admin-Ws4nQ8rTe2vKx7Lp';

type Parameter = { in: string; name: string; required?: boolean; schema: object; example?: unknown };
type MediaType = { schema?: object; example?: unknown; examples?: Record<string, { value: unknown }> };
type Operation = {
  operationId: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, { description: string; content?: Record<string, MediaType> }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  tags: { name: string }[];
  components: { schemas: Record<string, object>; securitySchemes: Record<string, object> };
};

let hub: TestHub;
let f: Facts;
let publicDoc: Document;
let adminDoc: Document;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  hub = await startTestHub({ env: { SECRET_ADMIN_URL: SECRET, SMTP_URL: sink.url } });
  f = facts(hub.db);
  const res = await hub.client().get<Document>('/api/openapi.json');
  expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
  publicDoc = res.body;
  const admin = await hub.staff('admin@demo.ocpizza.fr');
  adminDoc = (await admin.get<Document>('/api/openapi.json')).body;
});
afterAll(async () => {
  await hub?.close();
  await sink?.close();
});

const operations = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );

// ---------------------------------------------------------------------------------------------
// The test's own walk of Express's router stack (router 2: `rawPath` is a sub-router's mount path).

type Layer = {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
};

function expressRoutes(): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = [];
  const join = (a: string, b: string) => (a + '/' + b).replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const p of [layer.route.path].flat())
          for (const method of Object.keys(layer.route.methods))
            routes.push({ method, path: join(prefix, p) });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, join(prefix, typeof layer.rawPath === 'string' ? layer.rawPath : '/'));
      }
    }
  };
  walk((hub.hub.app as unknown as { router: { stack: Layer[] } }).router.stack, '/');
  return routes;
}

/** The Vue apps' pages (front-ends.ts): HTML for people, not API operations. */
const PAGES = new Set(
  ['/kitchen', '/counter', '/courier', '/manager', '/login']
    .flatMap((p) => [p, `${p}/{*rest}`])
    .concat('/{*splat}'),
);

// ---------------------------------------------------------------------------------------------
// Schemas of the document, compiled by Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1).

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

function schemaChecker(doc: Document) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: 'urn:ocp:openapi' });
  const pointer = (parts: string[]) =>
    'urn:ocp:openapi#/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
  return (parts: string[], value: unknown): string[] => {
    const validate = ajv.compile({ $ref: pointer(parts) });
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}

/** Checks an answer of the hub against the document: its status is described, its body fits the schema. */
function expectDescribed(doc: Document, method: string, path: string, status: number, body: unknown) {
  const op = doc.paths[path]?.[method];
  expect(op, `${method} ${path} in the document`).toBeDefined();
  const response = op!.responses[String(status)];
  expect(response, `${method} ${path} documents a ${status}`).toBeDefined();
  const media = response!.content?.['application/json'];
  if (!media) return;
  expect(
    schemaChecker(doc)(
      ['paths', path, method, 'responses', String(status), 'content', 'application/json', 'schema'],
      body,
    ),
  ).toEqual([]);
  if (status >= 400) {
    const code = (body as ErrorBody).error.code;
    expect(Object.values(media.examples ?? {}).map((e) => (e.value as ErrorBody).error.code)).toContain(code);
  }
}

describe('the OpenAPI document at GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, for the public and for an admin', async () => {
    for (const doc of [publicDoc, adminDoc]) {
      expect(doc.openapi).toBe('3.1.1');
      const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
      expect(result.errors).toBeUndefined();
      expect(result.valid).toBe(true);
    }
    // The validator does refuse a broken document: a Swagger 2 style body parameter.
    const broken = structuredClone(publicDoc);
    broken.paths['/api/shops']!.get!.parameters = [{ in: 'body', name: 'shop', schema: {} }];
    expect((await new Validator().validate(broken as unknown as Record<string, unknown>)).valid).toBe(false);
    // Every tag an operation uses is declared, and every operationId is unique.
    const declared = new Set(adminDoc.tags.map((t) => t.name));
    const ids = operations(adminDoc).map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { op } of operations(adminDoc)) expect(declared.has(op.tags[0]!)).toBe(true);
  });

  it('lists every route mounted on the Express app, with its method and path, and nothing else', () => {
    const mounted = expressRoutes().filter((r) => !PAGES.has(r.path));
    expect(mounted.length).toBeGreaterThan(45);
    const documented = new Set(operations(adminDoc).map(({ method, path }) => `${method} ${path}`));
    const missing = mounted
      .map(({ method, path }) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`)
      .filter((key) => !documented.has(key));
    expect(missing).toEqual([]);
    expect(documented.size).toBe(mounted.length);
  });

  it('misses a route mounted without its description, and the coverage check says which', () => {
    const app = hub.hub.app as unknown as { get: (path: string, handler: () => void) => void };
    app.get('/api/undocumented/:thing', () => {});
    const documented = new Set(operations(adminDoc).map(({ method, path }) => `${method} ${path}`));
    const missing = expressRoutes()
      .filter((r) => !PAGES.has(r.path))
      .map(({ method, path }) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`)
      .filter((key) => !documented.has(key));
    expect(missing).toEqual(['get /api/undocumented/{thing}']);
  });

  it('leaves the back-office out of the public document and names the secret admin path nowhere', async () => {
    const adminPaths = (doc: Document) => Object.keys(doc.paths).filter((p) => p.startsWith('/api/admin'));
    expect(adminPaths(publicDoc)).toEqual([]);
    expect(publicDoc.tags.map((t) => t.name)).not.toContain('Back-office');
    expect(adminPaths(adminDoc)).toContain('/api/admin/products/{productId}');
    expect(adminDoc.paths['/api/admin/products/{productId}']!.patch!.security).toEqual([
      { staffSession: ['admin', 'manager'] },
    ]);
    // A manager uses the back-office too; a kitchen account does not see it.
    const manager = await (await hub.staff('manager.a@demo.ocpizza.fr')).get<Document>('/api/openapi.json');
    expect(adminPaths(manager.body).length).toBe(adminPaths(adminDoc).length);
    const kitchen = await (await hub.staff('kitchen.a@demo.ocpizza.fr')).get<Document>('/api/openapi.json');
    expect(adminPaths(kitchen.body)).toEqual([]);
    for (const doc of [publicDoc, adminDoc]) {
      expect(JSON.stringify(doc)).not.toContain(SECRET.slice(1));
    }
    // The answer depends on the session: no shared cache may keep it.
    const res = await hub.client().get('/api/openapi.json');
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    expect(res.headers.get('vary')).toMatch(/cookie/i);
  });

  it('describes credentials and errors from the contract', () => {
    expect(Object.keys(adminDoc.components.securitySchemes).sort()).toEqual([
      'customerSession',
      'metricsToken',
      'staffSession',
      'stripeSignature',
    ]);
    const transition = adminDoc.paths['/api/orders/{id}/transitions']!.post!;
    expect(transition.security).toEqual([{ staffSession: [] }]);
    // The codes of one status are those the contract's table maps to it.
    expect(Object.keys(transition.responses['409']!.content!['application/json']!.examples!).sort()).toEqual([
      'order_locked',
      'order_transition_not_allowed',
      'order_version_conflict',
    ]);
    expect(transition.responses['409']!.content!['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/ErrorBody',
    });
    const webhook = adminDoc.paths['/api/stripe/webhook']!.post!;
    expect(webhook.security).toEqual([{ stripeSignature: [] }]);
    expect(Object.keys(webhook.responses)).not.toContain('403');
    const track = adminDoc.paths['/api/orders/track/{token}']!.get!;
    expect(track.security).toEqual([{}]);
    expect(track.parameters).toEqual([
      expect.objectContaining({ in: 'path', name: 'token', required: true }),
    ]);
    const createOrder = adminDoc.paths['/api/orders']!.post!;
    expect(createOrder.security).toEqual([
      {},
      { customerSession: [] },
      { staffSession: ['counter', 'manager', 'admin'] },
    ]);
  });

  it('has examples that validate against the schemas they illustrate, and a broken one that does not', () => {
    const check = schemaChecker(adminDoc);
    let checked = 0;
    for (const { path, method, op } of operations(adminDoc)) {
      for (const [i, parameter] of (op.parameters ?? []).entries()) {
        if (parameter.in === 'path')
          expect(parameter.example, `${method} ${path} {${parameter.name}} example`).toBeDefined();
        if (parameter.example === undefined) continue;
        expect(check(['paths', path, method, 'parameters', String(i), 'schema'], parameter.example)).toEqual(
          [],
        );
        checked++;
      }
      const media = op.requestBody?.content['application/json'];
      if (media?.example !== undefined) {
        const where = ['paths', path, method, 'requestBody', 'content', 'application/json', 'schema'];
        expect(check(where, media.example), `${method} ${path} body example`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
    const orderSchema = [
      'paths',
      '/api/orders',
      'post',
      'requestBody',
      'content',
      'application/json',
      'schema',
    ];
    const example = adminDoc.paths['/api/orders']!.post!.requestBody!.content['application/json']!
      .example as CreateOrderBody;
    expect(check(orderSchema, { ...example, lines: [{ productId: 1, quantity: 0 }] })).not.toEqual([]);
    expect(check(orderSchema, { ...example, surprise: true })).not.toEqual([]);
  });

  it('describes what the hub really answers, successes and refusals', async () => {
    const doc = adminDoc;
    const anyone = hub.client();
    const shopA = await f.shopId('A');
    expect((await anyone.get('/healthz')).status).toBe(200);
    const shops = await anyone.get('/api/shops');
    expectDescribed(doc, 'get', '/api/shops', 200, shops.body);
    const menu = await anyone.get(`/api/shops/${shopA}/menu`);
    expectDescribed(doc, 'get', '/api/shops/{shopId}/menu', 200, menu.body);
    const ready = await anyone.get('/readyz');
    expectDescribed(doc, 'get', '/readyz', ready.status, ready.body);

    // The document's own example order, placed for real at shop A with a Margherita.
    const example = doc.paths['/api/orders']!.post!.requestBody!.content['application/json']!
      .example as CreateOrderBody;
    const margherita = await f.productId('margherita');
    const placed = await anyone.post<CreatedOrder>('/api/orders', {
      ...example,
      shopId: shopA,
      lines: example.lines.map((l) => ({ ...l, productId: margherita })),
    });
    expect(placed.status).toBe(201);
    expectDescribed(doc, 'post', '/api/orders', 201, placed.body);
    const token = placed.body.trackingToken;
    for (const suffix of ['', '/snapshot', '/eta']) {
      const res = await anyone.get(`/api/orders/track/${token}${suffix}`);
      expectDescribed(doc, 'get', `/api/orders/track/{token}${suffix}`, res.status, res.body);
    }
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const board = await kitchen.get(`/api/shops/${shopA}/kitchen`);
    expectDescribed(doc, 'get', '/api/shops/{shopId}/kitchen', 200, board.body);
    const bumped = await kitchen.post(`/api/orders/${placed.body.order.id}/transitions`, { to: 'preparing' });
    expectDescribed(doc, 'post', '/api/orders/{id}/transitions', 200, bumped.body);
    const locked = await anyone.post(`/api/orders/track/${token}/cancel`, {});
    expect(locked.status).toBe(409);
    expectDescribed(doc, 'post', '/api/orders/track/{token}/cancel', 409, locked.body);

    // Refusals: bad input, no session, the wrong role, a foreign origin.
    const invalid = await anyone.post('/api/orders', { ...example, shopId: shopA, lines: [] });
    expectDescribed(doc, 'post', '/api/orders', 400, invalid.body);
    const stranger = await anyone.get('/api/auth/me');
    expectDescribed(doc, 'get', '/api/auth/me', 401, stranger.body);
    const notManager = await kitchen.post(`/api/shops/${shopA}/stock/movements`, {
      kind: 'restock',
      ingredientId: 1,
      quantity: 5,
    });
    expectDescribed(doc, 'post', '/api/shops/{shopId}/stock/movements', notManager.status, notManager.body);
    expect(notManager.status).toBe(403);
    const foreign = await hub.client('https://evil.example').post('/api/orders', example);
    expectDescribed(doc, 'post', '/api/orders', 403, foreign.body);
    const admin = await hub.staff('admin@demo.ocpizza.fr');
    const audit = await admin.get('/api/admin/audit?limit=5');
    expectDescribed(doc, 'get', '/api/admin/audit', 200, audit.body);
  });
  it('describes the answers of every screen’s snapshot and list, for the account that uses it', async () => {
    const doc = adminDoc;
    const shopA = await f.shopId('A');
    const example = (path: string, method = 'post') =>
      doc.paths[path]![method]!.requestBody!.content['application/json']!.example;
    const accounts = {
      anyone: hub.client(),
      kitchen: await hub.staff('kitchen.a@demo.ocpizza.fr'),
      manager: await hub.staff('manager.a@demo.ocpizza.fr'),
      counter: await hub.staff('counter.a@demo.ocpizza.fr'),
      courier: await hub.staff('courier.a@demo.ocpizza.fr'),
      admin: await hub.staff('admin@demo.ocpizza.fr'),
      customer: hub.client(),
    };
    const calls: [keyof typeof accounts, string, string, string, unknown?][] = [
      ['anyone', 'get', '/api/site-config', '/api/site-config'],
      ['anyone', 'get', '/api/shops/{shopId}/menu/snapshot', `/api/shops/${shopA}/menu/snapshot`],
      ['anyone', 'post', '/api/shops/search', '/api/shops/search', example('/api/shops/search')],
      [
        'anyone',
        'post',
        '/api/shops/{shopId}/delivery-check',
        `/api/shops/${shopA}/delivery-check`,
        example('/api/shops/{shopId}/delivery-check'),
      ],
      ['customer', 'post', '/api/customers', '/api/customers', example('/api/customers')],
      ['customer', 'post', '/api/customers/verify', '/api/customers/verify', 'confirmation-token'],
      ['customer', 'get', '/api/customers/me', '/api/customers/me'],
      ['customer', 'get', '/api/customers/me/orders', '/api/customers/me/orders'],
      ['kitchen', 'get', '/api/auth/me', '/api/auth/me'],
      ['kitchen', 'get', '/api/shops/{shopId}/stock/snapshot', `/api/shops/${shopA}/stock/snapshot`],
      ['manager', 'get', '/api/shops/{shopId}/manager', `/api/shops/${shopA}/manager`],
      ['manager', 'get', '/api/shops/{shopId}/stock', `/api/shops/${shopA}/stock`],
      ['counter', 'get', '/api/customers/lookup', '/api/customers/lookup?phone=06%2012%2034%2056%2078'],
      ['courier', 'get', '/api/couriers/me/orders', '/api/couriers/me/orders'],
      ['admin', 'get', '/api/admin/shops', '/api/admin/shops'],
      ['admin', 'get', '/api/admin/products', '/api/admin/products'],
      ['admin', 'get', '/api/admin/ingredients', '/api/admin/ingredients'],
      ['admin', 'get', '/api/admin/staff', '/api/admin/staff'],
      ['admin', 'get', '/api/admin/couriers', '/api/admin/couriers'],
      ['anyone', 'post', '/api/auth/logout', '/api/auth/logout'],
    ];
    for (const [who, method, path, url, given] of calls) {
      // The sign-up's link comes by e-mail (a loopback SMTP sink here).
      const body =
        given === 'confirmation-token'
          ? { token: await confirmationToken(sink, (example('/api/customers') as { email: string }).email) }
          : given;
      const res = await accounts[who].request(method.toUpperCase(), url, body);
      expect([url, res.status < 300]).toEqual([url, true]);
      expectDescribed(doc, method, path, res.status, res.body);
    }
  });
});
