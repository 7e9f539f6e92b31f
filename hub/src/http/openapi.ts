import type { Express } from 'express';
import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import * as contract from '../contract/index.js';
import { ErrorBody, errorHttpStatus, type ErrorCode } from '../contract/index.js';
import { API_TAGS, operationOf, type ApiAccess, type ApiOperation } from './api-route.js';

/** A route as Express has it mounted: its full path (`/api/orders/:id`) and its route object. */
export type MountedRoute = { method: string; path: string; route: object };

type Layer = {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
};

function joinPath(prefix: string, path: string): string {
  const joined = `${prefix.replace(/\/$/, '')}/${path.replace(/^\//, '')}`;
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

/**
 * Every route of the app with its full path, found by walking Express's router stack (router 2's
 * `rawPath` gives each sub-router's mount path). Conditional middleware and static files are not
 * routes and are not listed.
 */
export function mountedRoutes(app: Express): MountedRoute[] {
  const found: MountedRoute[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) {
          for (const p of paths) found.push({ method, path: joinPath(prefix, p), route: layer.route });
        }
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' ? layer.rawPath : '/';
        walk(layer.handle.stack, joinPath(prefix, mount));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '/');
  return found;
}

/** Express `:param` → OpenAPI `{param}`. */
export const toOpenApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

const SECURITY_SCHEMES = {
  staffSession: {
    type: 'apiKey',
    in: 'cookie',
    name: 'ocp_session',
    description:
      'The session cookie set by `POST /api/auth/login` (httpOnly, SameSite=Lax). The roles an ' +
      'operation lists are those that may call it. A request carrying it must name its Origin (CSRF).',
  },
  customerSession: {
    type: 'apiKey',
    in: 'cookie',
    name: 'ocp_session',
    description:
      'The same cookie, set by `POST /api/customers` or `POST /api/customers/login` for a customer account.',
  },
  metricsToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'METRICS_TOKEN, sent by Prometheus (required in production; without it /metrics is open).',
  },
  stripeSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Stripe-Signature',
    description: 'Stripe’s signature of the raw body with the webhook secret (`STRIPE_WEBHOOK_SECRET`).',
  },
} as const;

const DESCRIPTION = `The HTTP API of the OC Pizza hub. Real-time updates come over Socket.IO on the same origin
(see docs/realtime-protocol.md): a screen loads its snapshot here, then subscribes from its \`seq\`.

**Credentials.** Staff and customer sessions are the \`ocp_session\` cookie. A **tracking link** is its own
credential: the 43-character \`{token}\` in the path of the \`/api/orders/track/{token}\` operations (no cookie
needed; OpenAPI has no security scheme for a path, so those operations declare no credential and describe
the token as their parameter). The Stripe webhook is authenticated by its \`Stripe-Signature\` header.

**Errors** are always \`{ "error": { "code": "order/locked", "message": "…" } }\`, with the HTTP status of the code
(one table, \`errorHttpStatus\` in hub/src/contract/errors.ts); each operation lists the codes it may answer.
A refused request changes nothing.`;

const CREDENTIAL_SUMMARY: Record<ApiAccess, string> = {
  public: 'anyone',
  staff: 'staff',
  customer: 'a logged-in customer',
  'tracking-link': 'whoever holds the tracking link',
  'stripe-signature': 'Stripe (signed)',
  'metrics-token': 'Prometheus (bearer token)',
};

const list = <T>(value: T | readonly T[]): readonly T[] =>
  Array.isArray(value) ? (value as readonly T[]) : [value as T];

function security(op: ApiOperation): Record<string, string[]>[] {
  return list(op.access).map((a): Record<string, string[]> => {
    if (a === 'staff') return { staffSession: [...(op.roles ?? [])] };
    if (a === 'customer') return { customerSession: [] };
    if (a === 'stripe-signature') return { stripeSignature: [] };
    if (a === 'metrics-token') return { metricsToken: [] };
    return {};
  });
}

/** The codes every operation of its kind may answer, besides its own. */
function errorCodes(op: ApiOperation, path: string): ErrorCode[] {
  const access = list(op.access);
  const codes = new Set<ErrorCode>(op.errors ?? []);
  if (op.params || op.query || op.headers || op.body) codes.add('request/invalid');
  if (op.body) {
    codes.add('request/too_large');
    if ((op.bodyContentType ?? 'application/json') === 'application/json')
      codes.add('request/malformed_json');
  }
  // sameOrigin guards the /api router's writes; the webhook is mounted before it.
  if (op.method !== 'get' && path.startsWith('/api/') && !access.includes('stripe-signature'))
    codes.add('request/cross_origin');
  if (!access.includes('public') && (access.includes('staff') || access.includes('customer')))
    codes.add('auth/unauthenticated');
  if (access.includes('staff') && !access.includes('public')) codes.add('auth/forbidden');
  if (access.includes('metrics-token')) codes.add('auth/unauthenticated');
  if (access.includes('tracking-link')) codes.add('request/rate_limited');
  if (op.tag !== 'Operations') codes.add('service/unavailable');
  codes.add('internal/unexpected');
  return [...codes];
}

function errorResponses(codes: ErrorCode[]): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = errorHttpStatus[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status) as `${1 | 2 | 3 | 4 | 5}${string}`] = {
      description: group.map((c) => `\`${c}\``).join(', '),
      content: {
        'application/json': {
          schema: ErrorBody,
          examples: Object.fromEntries(
            group.map((code) => [
              code.replace('/', '_'),
              { summary: code, value: { error: { code, message: 'A sentence saying what to do.' } } },
            ]),
          ),
        },
      },
    };
  }
  return responses;
}

function operationId(op: ApiOperation, path: string): string {
  const words = path
    .replace(/^\/api\//, '/')
    .split(/[/-]/)
    .filter(Boolean)
    .map((w) => (w.startsWith(':') ? `by-${w.slice(1)}` : w))
    .flatMap((w) => w.split('-'));
  return [op.method, ...words].map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('');
}

function operationObject(op: ApiOperation, path: string): ZodOpenApiOperationObject {
  const who =
    list(op.access)
      .map((a) => (a === 'staff' && op.roles ? `staff (${op.roles.join(', ')})` : CREDENTIAL_SUMMARY[a]))
      .join(' or ') + '.';
  const jsonOrOther = op.response.contentType ?? 'application/json';
  return {
    operationId: operationId(op, path),
    tags: [op.tag],
    summary: op.summary,
    description: [op.description, `**Who:** ${who}`].filter(Boolean).join('\n\n'),
    security: security(op),
    requestParams: {
      ...(op.params ? { path: op.params } : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(op.headers ? { header: op.headers } : {}),
    },
    ...(op.body
      ? {
          requestBody: {
            required: !op.bodyOptional,
            content: {
              [op.bodyContentType ?? 'application/json']: {
                schema: op.body,
                ...(op.example?.body !== undefined ? { example: op.example.body } : {}),
              },
            },
          },
        }
      : {}),
    responses: {
      [String(op.response.status)]: {
        description: op.response.description,
        ...(op.response.schema ? { content: { [jsonOrOther]: { schema: op.response.schema } } } : {}),
      },
      ...errorResponses(errorCodes(op, path)),
      ...Object.fromEntries(
        (op.otherResponses ?? []).map((r) => [
          String(r.status),
          {
            description: r.description,
            ...(r.schema ? { content: { 'application/json': { schema: r.schema } } } : {}),
          },
        ]),
      ),
    },
  };
}

/** Every zod schema the contract exports, by its export name: used ones become `#/components/schemas/Name`. */
function contractSchemas(): Record<string, z.ZodType> {
  return Object.fromEntries(Object.entries(contract).filter(([, v]) => v instanceof z.ZodType)) as Record<
    string,
    z.ZodType
  >;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Drops the contract schemas no operation reaches (events, rooms… belong to the socket protocol). */
function pruneComponents(document: { [key: string]: Json }): void {
  const components = document.components as { schemas?: Record<string, Json> } | undefined;
  const schemas = components?.schemas;
  if (!schemas) return;
  const reached = new Set<string>();
  const visit = (node: Json) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        const name = value.slice('#/components/schemas/'.length);
        if (!reached.has(name) && schemas[name] !== undefined) {
          reached.add(name);
          visit(schemas[name]);
        }
      } else visit(value);
    }
  };
  visit(document.paths ?? null);
  for (const name of Object.keys(schemas)) if (!reached.has(name)) delete schemas[name];
}

/**
 * zod-openapi names a schema's response rendering `<Name>Output` when it differs from its request
 * rendering (zod closes output objects with `additionalProperties: false`). Where only the
 * response rendering is used, it keeps the contract's name.
 */
function dropOutputSuffixes(document: { [key: string]: Json }): { [key: string]: Json } {
  const components = document.components as { schemas?: Record<string, Json> } | undefined;
  const schemas = components?.schemas;
  if (!components || !schemas) return document;
  const renamed = new Map<string, string>();
  components.schemas = Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => {
      const base = name.replace(/Output$/, '');
      if (base === name || base in schemas) return [name, schema];
      renamed.set(`#/components/schemas/${name}`, `#/components/schemas/${base}`);
      return [base, schema];
    }),
  );
  const rewrite = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [
        key,
        key === '$ref' && typeof value === 'string' ? (renamed.get(value) ?? value) : rewrite(value),
      ]),
    );
  };
  return rewrite(document) as { [key: string]: Json };
}

/** Puts each operation's example path and query values on its parameters, for the docs page's "Try it out". */
function addParameterExamples(
  document: { paths?: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> },
  examples: Map<string, ApiOperation['example']>,
): void {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      const example = examples.get(`${method} ${path}`);
      for (const parameter of operation.parameters ?? []) {
        const source =
          parameter.in === 'path' ? example?.params : parameter.in === 'query' ? example?.query : undefined;
        if (source?.[parameter.name] !== undefined)
          (parameter as { example?: unknown }).example = source[parameter.name];
      }
    }
  }
}

export type OpenApiOptions = {
  version: string;
  /** Include the back-office operations (for a logged-in admin or manager). */
  includeBackOffice: boolean;
};

/**
 * The OpenAPI 3.1 document of the API, read from the routes mounted on `app` and the operation
 * each of them recorded with `apiRoute`: a route mounted without one is missing here, and the
 * route-coverage test fails.
 */
export function openApiDocument(app: Express, options: OpenApiOptions): Record<string, unknown> {
  const paths: ZodOpenApiPathsObject = {};
  const examples = new Map<string, ApiOperation['example']>();
  const usedTags = new Set<string>();
  for (const { path, route } of mountedRoutes(app)) {
    const op = operationOf(route);
    if (!op || (op.audience === 'back-office' && !options.includeBackOffice)) continue;
    const openApiPath = toOpenApiPath(path);
    paths[openApiPath] = { ...paths[openApiPath], [op.method]: operationObject(op, path) };
    examples.set(`${op.method} ${openApiPath}`, op.example);
    usedTags.add(op.tag);
  }
  const document = createDocument({
    openapi: '3.1.1',
    info: {
      title: 'OC Pizza hub API',
      version: options.version,
      description: DESCRIPTION,
    },
    tags: Object.entries(API_TAGS)
      .filter(([name]) => usedTags.has(name))
      .map(([name, description]) => ({ name, description })),
    paths,
    components: { schemas: contractSchemas(), securitySchemes: SECURITY_SCHEMES },
  }) as unknown as { [key: string]: Json };
  pruneComponents(document);
  const named = dropOutputSuffixes(document);
  addParameterExamples(named as Parameters<typeof addParameterExamples>[0], examples);
  return named;
}
