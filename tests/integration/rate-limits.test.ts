import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, ErrorBody } from '../../hub/src/contract/index.js';
import { once } from 'node:events';
import { startSmtpSink, type SmtpSink } from '../fakes/smtp-sink.js';
import { signUp } from '../helpers/customers.js';
import { facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { openSocket } from '../helpers/sockets.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

/**
 * The limits of the HTTP API: each answers 429 with a code and Retry-After, and each has its own
 * counters, so a shop behind one address (one NAT for the counter, the kitchen and the customers
 * on its Wi-Fi) does not lock itself out of everything by one person mistyping a password.
 */
let hub: TestHub;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  hub = await startTestHub({ env: { LOGIN_RATE_LIMIT: '3', SMTP_URL: sink.url } });
});
afterAll(async () => {
  await hub?.close();
  await sink?.close();
});

const STAFF_PASSWORD = 'pizza-demo-2026';

describe('rate limits', () => {
  it('failed staff logins lock that account from this address only: other staff and customers still log in', async () => {
    const client = hub.client();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await client.post('/api/auth/login', {
        email: 'counter.a@demo.ocpizza.fr',
        password: `guess-${i}`,
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await client.post<ErrorBody>('/api/auth/login', {
      email: 'counter.a@demo.ocpizza.fr',
      password: STAFF_PASSWORD,
    });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('auth/rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    // The same address, another account: the kitchen of the same shop logs in.
    const kitchen = await hub.client().post('/api/auth/login', {
      email: 'kitchen.a@demo.ocpizza.fr',
      password: STAFF_PASSWORD,
    });
    expect(kitchen.status).toBe(200);
    // And customers have counters of their own.
    const email = `rl-${Date.now()}@example.fr`;
    await signUp(hub.client(), sink, {
      name: 'Alix Martin',
      email,
      phone: '06 11 22 33 44',
      password: 'une-longue-phrase-secrete',
    });
    const customer = await hub
      .client()
      .post('/api/customers/login', { email, password: 'une-longue-phrase-secrete' });
    expect(customer.status).toBe(200);
  });

  it('one address trying many accounts is stopped too', async () => {
    const statuses: number[] = [];
    // 10 × the per-account limit of failures from one address, spread so no account hits its own.
    for (let i = 0; i < 31; i++) {
      const res = await hub
        .client()
        .post('/api/customers/login', { email: `nobody-${i % 15}@example.fr`, password: 'wrong-password-1' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it('account creation is limited per address', async () => {
    const statuses: number[] = [];
    // One account was created above; the limit is 10 an hour.
    for (let i = 0; i < 10; i++) {
      const res = await hub.client().post('/api/customers', {
        name: 'Script Kiddie',
        email: `bulk-${i}-${Date.now()}@example.fr`,
        phone: '06 11 22 33 44',
        password: 'une-longue-phrase-secrete',
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 9).every((s) => s === 202)).toBe(true);
    expect(statuses[9]).toBe(429);
  });

  it('real tracking links in flight together from one address are never refused', async () => {
    // A carrier's NAT puts many phones behind one address; each honest request must cost nothing,
    // also while 60 of them are still running (counting first and taking back later refused them).
    const f = facts(hub.db);
    const order = await hub.client().post<CreatedOrder>(
      '/api/orders',
      orderBody({
        shopId: await f.shopId('A'),
        lines: [{ productId: await f.productId('reine'), quantity: 1 }],
      }),
    );
    expect(order.status).toBe(201);
    const statuses = await Promise.all(
      Array.from({ length: 60 }, () =>
        fetch(`${hub.baseUrl}/api/orders/track/${order.body.trackingToken}/snapshot`).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it('unknown tracking links are limited; nothing is counted against a real one', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const token = `${String(i).padStart(2, '0')}${'x'.repeat(41)}`;
      statuses.push((await fetch(`${hub.baseUrl}/api/orders/track/${token}`)).status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 404)).toBe(true);
    expect(statuses[30]).toBe(429);
    const res = await fetch(`${hub.baseUrl}/api/orders/track/${'y'.repeat(43)}`);
    expect(res.status).toBe(429);
    expect(((await res.json()) as ErrorBody).error.code).toBe('request/rate_limited');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('sockets per client address are capped on a node; closing one makes room', async () => {
    const capped = await startTestHub({ env: { SOCKETS_PER_CLIENT: '2' } });
    try {
      const kitchen = await capped.staff('kitchen.a@demo.ocpizza.fr');
      const first = await openSocket(capped.baseUrl, { cookie: kitchen.cookieHeader });
      const second = await openSocket(capped.baseUrl, { cookie: kitchen.cookieHeader });
      const refused = await openSocket(capped.baseUrl, { cookie: kitchen.cookieHeader }).then(
        () => null,
        (e: { message: string; data?: { code?: string } }) => e,
      );
      expect(refused?.message).toBe('request/rate_limited');
      expect(refused?.data?.code).toBe('request/rate_limited');

      // The server sees the first one go, then a new one is let in.
      const [serverSide] = await capped.hub.io.fetchSockets();
      const gone = once(capped.hub.io.sockets.sockets.get(serverSide!.id)!, 'disconnect');
      if (serverSide!.id === first.socket.id) first.close();
      else second.close();
      await gone;
      const third = await openSocket(capped.baseUrl, { cookie: kitchen.cookieHeader });
      expect(third.socket.connected).toBe(true);
      for (const s of [first, second, third]) s.close();
    } finally {
      await capped.close();
    }
  });
});
