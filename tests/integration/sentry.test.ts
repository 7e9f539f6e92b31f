import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sentryRelease } from '../../hub/src/adapters/sentry.js';
import type { CreatedOrder, ErrorBody } from '../../hub/src/contract/index.js';
import { ROOT_DIR } from '../../hub/src/paths.js';
import { startSentryIngest, type SentryEvent, type SentryIngest } from '../fakes/sentry-ingest.js';
import { spawnHubNode, type HubNode } from '../helpers/cluster.js';
import { orderBody } from '../helpers/orders.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * A hub PROCESS started as production starts it (instrument.ts loaded with --import) with
 * SENTRY_DSN pointing at a fake Sentry ingest on loopback. Its database is reached through a TCP
 * proxy the test cuts: from then on routes and socket handlers fail for real (the database is
 * gone). They answer 503 / service/unavailable, and each outage reaches the ingest once — tagged
 * with where it was met, under the release and environment — without the customer's tracking
 * token, cookies or contact details. The proxy heals: the node serves again by itself.
 */

/** A guard so a missing event fails with what did arrive instead of hanging; never a condition. */
const GIVE_UP_MS = 20_000;
const GIT_SHA = '0123456789abcdef';
const CUSTOMER = { name: 'Camille Martin', phone: '06 12 34 56 78', email: 'camille@example.fr' };
/** Not the session cookie (which would fail in the session middleware, before any route). */
const OTHER_COOKIE = 'consent=analytics-7f3a9c2e';

let ingest: SentryIngest;
let database: TestDatabase;
let proxy: TcpProxy;
let hub: HubNode;
let staffSocket: Socket;
let staffCookie: string;
let order: { id: string; token: string };

const pkg = JSON.parse(readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')) as {
  name?: string;
  version?: string;
};
const expectedRelease = sentryRelease({ release: undefined, gitSha: GIT_SHA }, pkg);

beforeAll(async () => {
  ingest = await startSentryIngest();
  database = await createTestDatabase();
  const direct = new URL(database.url);
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const proxied = new URL(database.url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  hub = await spawnHubNode({
    name: 'sentry-hub',
    databaseUrl: proxied.toString(),
    // No background jobs: the offer-expiry job's query each second would otherwise meet the cut
    // database before the test's own request at times, and report the outage in its place.
    env: { SENTRY_DSN: ingest.dsn, GIT_SHA, BACKGROUND_JOBS: 'false' },
  });

  // While the database is there: an order (its tracking token) and a kitchen screen's socket.
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  const shop = await sql.query<{ id: number }>("select id from shops where code_letter = 'A'");
  const product = await sql.query<{ id: number }>("select id from products where slug = 'margherita'");
  await sql.end();
  const created = await hub.request<CreatedOrder>(
    'POST',
    '/api/orders',
    orderBody({
      shopId: shop.rows[0]!.id,
      customer: CUSTOMER,
      lines: [{ productId: product.rows[0]!.id, quantity: 1 }],
    }),
  );
  expect(created.status).toBe(201);
  order = { id: created.body.order.id, token: created.body.trackingToken };
  const login = await hub.request('POST', '/api/auth/login', {
    email: 'kitchen.a@demo.ocpizza.fr',
    password: 'pizza-demo-2026',
  });
  expect(login.status).toBe(200);
  staffCookie = login.setCookie!.split(';')[0]!;
  staffSocket = io(hub.baseUrl, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { cookie: staffCookie, origin: hub.baseUrl },
  });
  await new Promise<void>((resolve, reject) => {
    staffSocket.once('connect', () => resolve());
    staffSocket.once('connect_error', reject);
  });

  // Client mistakes (4xx) are answered, not reported: checked at the end, once all is flushed.
  expect((await hub.request('GET', `/api/orders/track/${'x'.repeat(43)}`)).status).toBe(404);
  expect((await hub.request('POST', '/api/orders', { shopId: 'nope' })).status).toBe(400);

  // The database goes away: every query of this hub fails from now on.
  proxy.cut();
});

afterAll(async () => {
  staffSocket?.disconnect();
  await hub?.kill('SIGKILL');
  await proxy?.close();
  await ingest?.close();
  await database?.drop();
});

const waitFor = async (what: string, predicate: (e: SentryEvent) => boolean) => {
  const hit = await ingest.waitForEvent(predicate, GIVE_UP_MS);
  const seen = ingest
    .events()
    .map((e) => ({ tags: e.event.tags, exception: e.event.exception?.values?.[0]?.value }));
  expect(
    hit,
    `${what} never reached the ingest; it got ${JSON.stringify(seen)}\n${hub.output().stderr}`,
  ).not.toBeNull();
  return hit!;
};

describe('errors reach Sentry (a fake ingest on loopback), scrubbed', () => {
  it('the database gone: routes answer 503 with Retry-After, and the outage is reported once, scrubbed', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await fetch(`${hub.baseUrl}/api/orders/track/${order.token}`, {
        headers: { cookie: OTHER_COOKIE, referer: `${hub.baseUrl}/track/${order.token}` },
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as ErrorBody).error.code).toBe('service/unavailable');
    }

    const { event, envelope } = await waitFor(
      'the outage',
      (e) => e.tags?.source === 'http' && e.tags.route === '/api/orders/track/:token',
    );
    expect(envelope.project).toBe('1');
    expect(envelope.publicKey).toBe('publickey');
    expect(event.environment).toBe('test');
    expect(event.release).toBe(expectedRelease);
    // An outage is an operations matter, not a bug: a warning, tagged as such.
    expect(event.level).toBe('warning');
    expect(event.tags?.outage).toBe('database');
    expect(event.tags?.method).toBe('GET');
    // The database's failure, as the route met it.
    expect(event.exception?.values?.map((v) => v.value).join('\n')).toMatch(
      /Connection terminated|ECONNREFUSED|ECONNRESET|connect/i,
    );
    expect(event.request?.method).toBe('GET');
    expect(event.request?.url).toBe(`${hub.baseUrl}/api/orders/track/[token]`);
    expect(event.request?.cookies).toBeUndefined();
    expect(Object.keys(event.request?.headers ?? {}).map((h) => h.toLowerCase())).not.toContain('cookie');
    // Nowhere in what was sent: not in the URL, the referer, breadcrumbs or the transaction name.
    expect(envelope.raw).not.toContain(order.token);
    expect(envelope.raw).not.toContain('analytics-7f3a9c2e');

    // A socket command during the same outage: answered service/unavailable, not reported again.
    const ack = (await staffSocket.timeout(GIVE_UP_MS).emitWithAck('command', {
      name: 'order:transition',
      idempotencyKey: 'sentry-test-bump-0',
      payload: { orderId: order.id, to: 'preparing' },
    })) as { ok: boolean; error?: { code: string } };
    expect(ack).toEqual({ ok: false, error: expect.objectContaining({ code: 'service/unavailable' }) });
  });

  it('the database back: the node answers again by itself; the next outage is a new report, from a socket handler', async () => {
    const back = hub.printsLater(/database back after/, GIVE_UP_MS);
    proxy.heal();
    expect(await back, hub.output().stdout).toBe(true);
    const res = await fetch(`${hub.baseUrl}/api/orders/track/${order.token}`);
    expect(res.status).toBe(200);

    proxy.cut();
    const ack = (await staffSocket.timeout(GIVE_UP_MS).emitWithAck('command', {
      name: 'order:transition',
      idempotencyKey: 'sentry-test-bump-1',
      payload: { orderId: order.id, to: 'preparing' },
    })) as { ok: boolean; error?: { code: string } };
    expect(ack).toEqual({ ok: false, error: expect.objectContaining({ code: 'service/unavailable' }) });

    const { event, envelope } = await waitFor(
      'the socket handler error',
      (e) => e.tags?.source === 'socket' && e.tags.handler === 'command',
    );
    expect(event.tags?.command).toBe('order:transition');
    expect(event.tags?.screen).toBe('kitchen');
    expect(event.tags?.outage).toBe('database');
    expect(event.environment).toBe('test');
    expect(event.release).toBe(expectedRelease);
    expect(event.exception?.values?.map((v) => v.value).join('\n')).toMatch(
      /Connection terminated|ECONNREFUSED|ECONNRESET|connect/i,
    );
    expect(envelope.raw).not.toContain(staffCookie.split('=')[1]!);
  });

  it('on SIGTERM the hub sends what it captured before exiting: no 4xx among it, no personal data anywhere', async () => {
    const exit = await hub.kill('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    // Everything reported has been flushed by now: the whole of it can be checked.
    const events = ingest.events().map((e) => e.event);
    // Two outages, two reports: however many requests and commands met each of them.
    const outages = events.filter((e) => e.tags?.outage === 'database');
    expect(outages.map((e) => e.tags?.source)).toEqual(['http', 'socket']);
    // The 404 and the 400 sent before the outage (AppErrors: the client's mistakes) are not there.
    const exceptions = events.flatMap((e) => e.exception?.values ?? []);
    expect(exceptions.filter((v) => v.type === 'AppError')).toEqual([]);
    expect(exceptions.map((v) => v.value)).not.toContain('No order has this tracking link.');
    const everything = ingest.envelopes.map((e) => e.raw).join('\n');
    for (const secret of [
      order.token,
      staffCookie.split('=')[1]!,
      'analytics-7f3a9c2e',
      CUSTOMER.name,
      CUSTOMER.phone,
      CUSTOMER.email,
    ]) {
      expect(everything, `sent to Sentry: ${secret}`).not.toContain(secret);
    }
    expect(ingest.problems).toEqual([]);
  });
});
