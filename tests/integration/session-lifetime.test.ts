import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieName } from '../../hub/src/http/app.js';
import { SESSION_ABSOLUTE_MS } from '../../hub/src/http/session-principal.js';
import { startSmtpSink, type SmtpSink } from '../fakes/smtp-sink.js';
import { signUp } from '../helpers/customers.js';
import { handshakeRefusal } from '../helpers/sockets.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

/**
 * A rolling session is extended by every request, so a tablet left on (or a stolen cookie) would
 * stay logged in for ever: each login has an absolute lifetime from the moment it happened. The
 * test moves the login's start back in the session store, as time passing would.
 */
let hub: TestHub;
let sql: pg.Client;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  hub = await startTestHub({ env: { SMTP_URL: sink.url } });
  sql = new pg.Client({ connectionString: hub.database.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await hub?.close();
  await sink?.close();
});

/** Moves the start of every session of this cookie `ms` into the past. */
async function startedAgo(cookieHeader: string, ms: number) {
  const sid = decodeURIComponent(cookieHeader.split('=')[1]!).replace(/^s:/, '').split('.')[0]!;
  const { rowCount } = await sql.query(
    `update session set sess = jsonb_set(sess::jsonb, '{startedAt}', to_jsonb($2::float8))::json where sid = $1`,
    [sid, Date.now() - ms],
  );
  expect(rowCount).toBe(1);
  return sid;
}

describe('a login has an absolute lifetime, however active the session', () => {
  it('a manager is logged out after a long shift, over REST and sockets, and the session is gone', async () => {
    const manager = await hub.staff('manager.a@demo.ocpizza.fr');
    expect((await manager.get('/api/auth/me')).status).toBe(200);
    const sid = await startedAgo(manager.cookieHeader!, SESSION_ABSOLUTE_MS.staff - 60_000);
    // Still within its lifetime: the rolling session carries on.
    expect((await manager.get('/api/auth/me')).status).toBe(200);

    await startedAgo(manager.cookieHeader!, SESSION_ABSOLUTE_MS.staff + 60_000);
    expect(await handshakeRefusal(hub.baseUrl, { cookie: manager.cookieHeader })).toBe(
      'auth/unauthenticated',
    );
    const sessions = await sql.query('select 1 from session where sid = $1', [sid]);
    expect(sessions.rowCount).toBe(0);
    expect((await manager.get('/api/auth/me')).status).toBe(401);
  });

  it('a kitchen wall screen lasts a month, then asks for its login again', async () => {
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    await startedAgo(kitchen.cookieHeader!, SESSION_ABSOLUTE_MS.staff + 60_000);
    expect((await kitchen.get('/api/auth/me')).status).toBe(200);
    await startedAgo(kitchen.cookieHeader!, SESSION_ABSOLUTE_MS.wallScreen + 60_000);
    expect((await kitchen.get('/api/auth/me')).status).toBe(401);
  });

  it('a customer is logged out after a week', async () => {
    const email = `lifetime-${Date.now()}@example.fr`;
    const customer = hub.client();
    await signUp(customer, sink, {
      name: 'Noé Petit',
      email,
      phone: '06 22 33 44 55',
      password: 'une-longue-phrase-secrete',
    });
    expect((await customer.get('/api/customers/me')).status).toBe(200);
    await startedAgo(customer.cookieHeader!, SESSION_ABSOLUTE_MS.customer + 60_000);
    expect((await customer.get('/api/customers/me')).status).toBe(401);
  });

  it('in production the cookie is __Host- prefixed (Secure, Path=/, no Domain)', () => {
    expect(sessionCookieName({ env: 'production' })).toBe('__Host-ocp_session');
    expect(sessionCookieName({ env: 'development' })).toBe('ocp_session');
  });
});
