import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CreatedOrder,
  CustomerMe,
  CustomerOrders,
  ErrorBody,
  PhoneLookup,
} from '../../hub/src/contract/index.js';
import { startSmtpSink, type SmtpSink } from '../fakes/smtp-sink.js';
import { confirmationToken, signUp } from '../helpers/customers.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody, orderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;
let f: Facts;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  hub = await startTestHub({ env: { SMTP_URL: sink.url } });
  f = facts(hub.db);
});
afterAll(async () => {
  await hub?.close();
  await sink?.close();
});

describe('customer accounts', () => {
  it('registers, orders with the account, finds the order in its history, logs out', async () => {
    const client = hub.client();
    const body = {
      name: 'Inès Bernard',
      email: 'Ines.Bernard@example.fr',
      phone: '06 98 76 54 32',
      password: 'une-longue-phrase',
    };
    // Before its link is opened, the account does not log in, even with the right password.
    const pending = await client.post('/api/customers', body);
    expect(pending.status).toBe(202);
    expect(client.lastSetCookie).toBeUndefined();
    const early = await hub
      .client()
      .post<ErrorBody>('/api/customers/login', { email: body.email, password: body.password });
    expect(early.status).toBe(403);
    expect(early.body.error.code).toBe('auth/email_unverified');
    const token = await confirmationToken(sink, 'ines.bernard@example.fr');
    const registered = await client.post<CustomerMe>('/api/customers/verify', { token });
    expect(registered.status).toBe(200);
    expect(registered.body.customer.email).toBe('ines.bernard@example.fr');
    expect(client.lastSetCookie).toMatch(/HttpOnly/i);
    // The link works once.
    const reused = await hub.client().post<ErrorBody>('/api/customers/verify', { token });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('auth/link_invalid');

    const shopA = await f.shopId('A');
    const order = await client.post<CreatedOrder>(
      '/api/orders',
      orderBody({ shopId: shopA, lines: [{ productId: await f.productId('margherita'), quantity: 1 }] }),
    );
    expect(order.status).toBe(201);
    const anonymous = await hub
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: await f.productId('margherita'), quantity: 1 }] }),
      );
    expect(anonymous.status).toBe(201);

    const history = await client.get<CustomerOrders>('/api/customers/me/orders');
    expect(history.status).toBe(200);
    expect(history.body.orders.map((o) => o.id)).toEqual([order.body.order.id]);

    expect((await client.post('/api/auth/logout')).status).toBe(204);
    expect((await client.get<ErrorBody>('/api/customers/me')).status).toBe(401);

    const again = await hub.client().post<CustomerMe>('/api/customers/login', {
      email: 'ines.bernard@example.fr',
      password: 'une-longue-phrase',
    });
    expect(again.status).toBe(200);
    expect(again.body.customer.name).toBe('Inès Bernard');
  });

  it('refuses a second account with the same e-mail, a short password, and a wrong password', async () => {
    const body = { name: 'Paul', email: 'paul@example.fr', password: 'assez-longue' };
    await signUp(hub.client(), sink, body);
    // A sign-up with a known address answers exactly as a new one: only the mailbox differs.
    const fresh = await hub.client().post('/api/customers', { ...body, email: 'paula@example.fr' });
    const twice = await hub
      .client()
      .post('/api/customers', { ...body, email: 'PAUL@example.fr', password: 'autre-phrase-longue' });
    expect(twice.status).toBe(fresh.status);
    expect(twice.body).toEqual({ ...(fresh.body as object), email: 'PAUL@example.fr' });
    const note = await sink.nextMessage((m) => m.subject === 'Vous avez déjà un compte OC Pizza');
    expect(note.to && 'text' in note.to ? note.to.text : '').toContain('paul@example.fr');
    // …and the existing account is unchanged: its password still works, the other does not.
    const original = await hub
      .client()
      .post('/api/customers/login', { email: 'paul@example.fr', password: 'assez-longue' });
    expect(original.status).toBe(200);
    const short = await hub
      .client()
      .post<ErrorBody>('/api/customers', { ...body, email: 'paul2@example.fr', password: 'court' });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('request/invalid');
    const wrong = await hub
      .client()
      .post<ErrorBody>('/api/customers/login', { email: 'paul@example.fr', password: 'pas-la-bonne' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('auth/invalid_credentials');
  });

  it('a customer session gives no staff rights', async () => {
    const client = hub.client();
    await signUp(client, sink, { name: 'Zoé', email: 'zoe@example.fr', password: 'assez-longue' });
    expect((await client.get('/api/customers/me')).status).toBe(200);
    const shopA = await f.shopId('A');
    expect((await client.get<ErrorBody>('/api/auth/me')).status).toBe(401);
    expect((await client.get<ErrorBody>(`/api/shops/${shopA}/stock`)).status).toBe(401);
    const phone = await client.post<ErrorBody>(
      '/api/orders',
      orderBody({
        shopId: shopA,
        channel: 'phone',
        lines: [{ productId: await f.productId('margherita'), quantity: 1 }],
      }),
    );
    expect(phone.status).toBe(401);
  });

  it('the counter finds a returning customer by phone however it is typed, within its own shop', async () => {
    const shopA = await f.shopId('A');
    const margherita = await f.productId('margherita');
    const placed = await hub.client().post<CreatedOrder>(
      '/api/orders',
      deliveryOrderBody({
        shopId: shopA,
        lines: [{ productId: margherita, quantity: 1 }],
        customer: { name: 'Jules Fontaine', phone: '06 55 44 33 22' },
      }),
    );
    expect(placed.status).toBe(201);
    const counter = await hub.staff('counter.a@demo.ocpizza.fr');
    const found = await counter.get<PhoneLookup>(
      `/api/customers/lookup?phone=${encodeURIComponent('06.55.44.33.22')}`,
    );
    expect(found.status).toBe(200);
    expect(found.body.customers).toHaveLength(1);
    expect(found.body.customers[0]).toMatchObject({
      name: 'Jules Fontaine',
      orders: 1,
      lastAddress: { postcode: '75011' },
    });

    const otherShop = await hub.staff('counter.b@demo.ocpizza.fr');
    expect(
      (await otherShop.get<PhoneLookup>('/api/customers/lookup?phone=0655443322')).body.customers,
    ).toEqual([]);
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    expect((await kitchen.get('/api/customers/lookup?phone=0655443322')).status).toBe(403);
    expect((await counter.get('/api/customers/lookup?phone=abc')).status).toBe(400);
  });
});
