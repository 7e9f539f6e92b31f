import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder, ErrorBody, TrackedOrder } from '../../hub/src/contract/index.js';
import type { ApiClient } from '../helpers/api-client.js';
import { facts, type Facts } from '../helpers/facts.js';
import { deliveryOrderBody, orderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;
let f: Facts;
let shopA: number;
let reine: number;
let manager: ApiClient;
let kitchen: ApiClient;
let existing: CreatedOrder;

beforeAll(async () => {
  hub = await startTestHub();
  f = facts(hub.db);
  shopA = await f.shopId('A');
  reine = await f.productId('reine');
  manager = await hub.staff('manager.a@demo.ocpizza.fr');
  kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
  existing = (
    await hub
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
      )
  ).body;
});
afterAll(() => hub?.close());

const good = () => deliveryOrderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] });
const sqlish = '1; DROP TABLE orders; --';

type Case = [
  name: string,
  send: () => Promise<{ status: number; body: unknown }>,
  status: number,
  code: string,
];

const cases: Case[] = [
  [
    'wrong type for quantity',
    () => hub.client().post('/api/orders', { ...good(), lines: [{ productId: reine, quantity: '2' }] }),
    400,
    'request/invalid',
  ],
  [
    'negative quantity',
    () => hub.client().post('/api/orders', { ...good(), lines: [{ productId: reine, quantity: -3 }] }),
    400,
    'request/invalid',
  ],
  [
    'zero quantity',
    () => hub.client().post('/api/orders', { ...good(), lines: [{ productId: reine, quantity: 0 }] }),
    400,
    'request/invalid',
  ],
  [
    'fractional quantity',
    () => hub.client().post('/api/orders', { ...good(), lines: [{ productId: reine, quantity: 1.5 }] }),
    400,
    'request/invalid',
  ],
  ['no lines', () => hub.client().post('/api/orders', { ...good(), lines: [] }), 400, 'request/invalid'],
  [
    'unknown product',
    () => hub.client().post('/api/orders', { ...good(), lines: [{ productId: 99999, quantity: 1 }] }),
    422,
    'menu/product_unknown',
  ],
  [
    'product id as SQL',
    () => hub.client().post('/api/orders', { ...good(), lines: [{ productId: sqlish, quantity: 1 }] }),
    400,
    'request/invalid',
  ],
  [
    'shop id as SQL',
    () => hub.client().post('/api/orders', { ...good(), shopId: '1 OR 1=1' }),
    400,
    'request/invalid',
  ],
  [
    'unknown shop',
    () => hub.client().post('/api/orders', { ...good(), shopId: 424242 }),
    404,
    'shop/not_found',
  ],
  [
    'shop not open yet',
    async () => hub.client().post('/api/orders', { ...good(), shopId: await f.shopId('H') }),
    409,
    'shop/not_open',
  ],
  [
    'delivery without address',
    () => hub.client().post('/api/orders', { ...good(), deliveryAddress: undefined }),
    400,
    'request/invalid',
  ],
  [
    'cash at the door for a pick-up',
    () =>
      hub.client().post(
        '/api/orders',
        orderBody({
          shopId: shopA,
          lines: [{ productId: reine, quantity: 1 }],
          paymentMethod: 'cash_at_door',
        }),
      ),
    400,
    'request/invalid',
  ],
  [
    'promised time in the past',
    () => hub.client().post('/api/orders', { ...good(), promisedAt: '2020-01-01T12:00:00Z' }),
    422,
    'order/invalid',
  ],
  [
    'promised time as free text',
    () => hub.client().post('/api/orders', { ...good(), promisedAt: 'tonight' }),
    400,
    'request/invalid',
  ],
  [
    'unknown field',
    () => hub.client().post('/api/orders', { ...good(), totalCents: 1 }),
    400,
    'request/invalid',
  ],
  [
    'phone order without staff',
    () => hub.client().post('/api/orders', { ...good(), channel: 'phone' }),
    401,
    'auth/unauthenticated',
  ],
  [
    'counter order by the kitchen',
    () => kitchen.post('/api/orders', { ...good(), channel: 'counter' }),
    403,
    'auth/forbidden',
  ],
  [
    'malformed JSON',
    () => hub.client().post('/api/orders', '{"shopId": 1,', { 'content-type': 'application/json' }),
    400,
    'request/malformed_json',
  ],
  [
    'body that is not an object',
    () => hub.client().post('/api/orders', '[1,2,3]', { 'content-type': 'application/json' }),
    400,
    'request/invalid',
  ],
  [
    '10 MB body',
    () =>
      hub.client().post('/api/orders', JSON.stringify({ ...good(), notes: 'x'.repeat(10 * 1024 * 1024) }), {
        'content-type': 'application/json',
      }),
    413,
    'request/too_large',
  ],
  [
    'tracking token as SQL',
    () => hub.client().get(`/api/orders/track/${encodeURIComponent("' OR '1'='1")}`),
    400,
    'request/invalid',
  ],
  [
    'order id as SQL',
    () => kitchen.post(`/api/orders/${encodeURIComponent(sqlish)}/transitions`, { to: 'preparing' }),
    400,
    'request/invalid',
  ],
  [
    'unknown status',
    () => kitchen.post(`/api/orders/${existing.order.id}/transitions`, { to: 'eaten' }),
    400,
    'request/invalid',
  ],
  [
    'transition without session',
    () => hub.client().post(`/api/orders/${existing.order.id}/transitions`, { to: 'preparing' }),
    401,
    'auth/unauthenticated',
  ],
  [
    'modify with nothing to change',
    () => hub.client().patch(`/api/orders/track/${existing.trackingToken}`, {}),
    400,
    'request/invalid',
  ],
  [
    'modify with negative quantity',
    () =>
      hub.client().patch(`/api/orders/track/${existing.trackingToken}`, {
        lines: [{ productId: reine, quantity: -1 }],
      }),
    400,
    'request/invalid',
  ],
  [
    'restock of a negative quantity',
    () =>
      manager.post(`/api/shops/${shopA}/stock/movements`, { kind: 'restock', ingredientId: 1, quantity: -5 }),
    400,
    'request/invalid',
  ],
  [
    'adjustment below what orders hold',
    () =>
      manager.post(`/api/shops/${shopA}/stock/movements`, {
        kind: 'adjustment',
        ingredientId: 1,
        quantity: -1_000_000,
        note: 'x',
      }),
    409,
    'stock/insufficient',
  ],
  [
    'restock of an unknown ingredient',
    () =>
      manager.post(`/api/shops/${shopA}/stock/movements`, {
        kind: 'restock',
        ingredientId: 9999,
        quantity: 5,
      }),
    404,
    'stock/not_found',
  ],
  [
    'restock by the kitchen',
    () =>
      kitchen.post(`/api/shops/${shopA}/stock/movements`, { kind: 'restock', ingredientId: 1, quantity: 5 }),
    403,
    'auth/forbidden',
  ],
  [
    'menu of a shop id as SQL',
    () => hub.client().get(`/api/shops/${encodeURIComponent(sqlish)}/menu`),
    400,
    'request/invalid',
  ],
  ['unknown API route', () => hub.client().get('/api/nope'), 404, 'request/not_found'],
];

describe('bad input', () => {
  it.each(cases)('%s: answered with a 4xx and a code, nothing changed', async (_name, send, status, code) => {
    const before = await f.snapshot();
    const res = await send();
    expect(res.status).toBe(status);
    const body = res.body as ErrorBody;
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(10);
    expect(await f.snapshot()).toEqual(before);
  });

  it('stores SQL-looking text verbatim as data, never as SQL', async () => {
    const name = "Robert'); DROP TABLE orders; --";
    const res = await hub
      .client()
      .post<CreatedOrder>('/api/orders', { ...good(), customer: { name, phone: '06 11 22 33 44' } });
    expect(res.status).toBe(201);
    const tracked = await hub.client().get<TrackedOrder>(`/api/orders/track/${res.body.trackingToken}`);
    expect(tracked.body.customer.name).toBe(name);
    expect((await f.snapshot()).orders).toBeGreaterThan(1);
  });
});
