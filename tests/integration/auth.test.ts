import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, Me } from '../../hub/src/contract/index.js';
import { facts, type Facts } from '../helpers/facts.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;
let f: Facts;

beforeAll(async () => {
  hub = await startTestHub({ env: { LOGIN_RATE_LIMIT: '5' } });
  f = facts(hub.db);
});
afterAll(() => hub?.close());

describe('staff sessions', () => {
  it('logs in with an httpOnly SameSite session cookie, knows who it is, logs out', async () => {
    const client = hub.client();
    const login = await client.post<Me>('/api/auth/login', {
      email: 'Manager.A@demo.ocpizza.fr',
      password: 'pizza-demo-2026',
    });
    expect(login.status).toBe(200);
    expect(login.body.staff).toMatchObject({ role: 'manager', shopId: await f.shopId('A') });
    expect(login.body.staff).not.toHaveProperty('passwordHash');
    expect(client.lastSetCookie).toMatch(/HttpOnly/i);
    expect(client.lastSetCookie).toMatch(/SameSite=Lax/i);

    const me = await client.get<Me>('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.staff.email).toBe('manager.a@demo.ocpizza.fr');

    expect((await client.post('/api/auth/logout')).status).toBe(204);
    const after = await client.get<ErrorBody>('/api/auth/me');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('auth/unauthenticated');
  });

  it('refuses a wrong password and an unknown e-mail with the same answer', async () => {
    const wrong = await hub
      .client()
      .post<ErrorBody>('/api/auth/login', { email: 'kitchen.a@demo.ocpizza.fr', password: 'margherita' });
    const unknown = await hub
      .client()
      .post<ErrorBody>('/api/auth/login', { email: 'nobody@demo.ocpizza.fr', password: 'margherita' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('auth/invalid_credentials');
  });

  it('stores passwords as argon2id hashes', async () => {
    const { sql } = await import('../../hub/src/adapters/postgres.js');
    const hashes = await hub.db.anyFirst(sql.unsafe`select password_hash from staff`);
    expect(hashes.length).toBeGreaterThan(10);
    for (const h of hashes) expect(String(h)).toMatch(/^\$argon2id\$/);
  });

  it('a session id planted before login is replaced at login', async () => {
    const client = hub.client();
    await client.post('/api/auth/login', { email: 'counter.a@demo.ocpizza.fr', password: 'pizza-demo-2026' });
    const first = client.lastSetCookie?.split(';')[0];
    await client.post('/api/auth/login', { email: 'counter.a@demo.ocpizza.fr', password: 'pizza-demo-2026' });
    expect(client.lastSetCookie?.split(';')[0]).not.toBe(first);
  });

  it('refuses state-changing requests with a staff session from a foreign origin, or with no origin at all', async () => {
    const manager = await hub.staff('manager.a@demo.ocpizza.fr');
    const shopA = await f.shopId('A');
    const before = await f.snapshot();
    const movement = { kind: 'restock', ingredientId: 1, quantity: 10 };
    const foreign = await manager.post<ErrorBody>(`/api/shops/${shopA}/stock/movements`, movement, {
      origin: 'https://evil.example',
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('request/cross_origin');

    // Same session, no Origin and no Referer: a browser always sends one, so this is refused.
    const cookie = manager.cookieHeader!;
    const bare = await fetch(`${hub.baseUrl}/api/shops/${shopA}/stock/movements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify(movement),
    });
    expect(bare.status).toBe(403);
    // The same cookie with a space before "=" still opens the session (express-session trims
    // names): it must be seen as a session too.
    const [name, ...value] = cookie.split('=');
    const spaced = await fetch(`${hub.baseUrl}/api/shops/${shopA}/stock/movements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `${name} =${value.join('=')}` },
      body: JSON.stringify(movement),
    });
    expect(spaced.status).toBe(403);
    expect(await f.snapshot()).toEqual(before);

    const own = await manager.post(`/api/shops/${shopA}/stock/movements`, movement);
    expect(own.status).toBe(201);
  });

  it('keeps a kitchen screen logged in for weeks, a manager for a shift', async () => {
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const manager = await hub.staff('manager.a@demo.ocpizza.fr');
    const expiry = (c: { lastSetCookie?: string }) =>
      Date.parse(/Expires=([^;]+)/i.exec(c.lastSetCookie ?? '')![1]!);
    const days = (ms: number) => (ms - Date.now()) / 86_400_000;
    expect(days(expiry(kitchen))).toBeGreaterThan(29);
    expect(days(expiry(manager))).toBeLessThan(1);
  });
  it('rate-limits login attempts', async () => {
    const client = hub.client();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push(
        (await client.post('/api/auth/login', { email: 'admin@demo.ocpizza.fr', password: `guess-${i}` }))
          .status,
      );
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const limited = await client.post<ErrorBody>('/api/auth/login', {
      email: 'admin@demo.ocpizza.fr',
      password: 'pizza-demo-2026',
    });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('auth/rate_limited');
  });

  it('sends security headers', async () => {
    const res = await fetch(`${hub.baseUrl}/api/shops`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});
