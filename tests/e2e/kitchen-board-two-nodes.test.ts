import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder } from '../../hub/src/contract/index.js';
import { launchBrowser, staffPage } from '../helpers/browser.js';
import { facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let database: TestDatabase;
let redis: RedisServer;
let nodes: TestHub[] = [];
let browser: Browser;

beforeAll(async () => {
  database = await createTestDatabase();
  redis = await startRedisServer();
  const env = { REDIS_URL: `redis://127.0.0.1:${redis.port}` };
  nodes = [await startTestHub({ database, env }), await startTestHub({ database, env })];
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const n of nodes) await n.close().catch(() => {});
  await redis?.stop();
  await database?.drop();
});

describe('kitchen boards on two hub nodes with Redis', () => {
  it('an order placed on one node and bumped on a board of the other reaches both boards of the shop', async () => {
    const [one, two] = nodes as [TestHub, TestHub];
    const f = facts(one.db);
    const shopA = await f.shopId('A');
    const boardOne = await staffPage(browser, one.baseUrl, 'kitchen.a@demo.ocpizza.fr', { path: '/kitchen' });
    const boardTwo = await staffPage(browser, two.baseUrl, 'kitchen.a@demo.ocpizza.fr', { path: '/kitchen' });
    for (const b of [boardOne, boardTwo]) await b.page.getByText('En direct').waitFor();

    const created = await two
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: await f.productId('diavola'), quantity: 2 }] }),
      );
    const code = created.body.order.shortCode;
    await boardOne.page.getByTestId(`ticket-${code}`).waitFor();
    await boardTwo.page.getByTestId(`ticket-${code}`).waitFor();

    await boardTwo.page.getByTestId(`bump-${code}`).click();
    await boardOne.page.locator(`[data-testid="ticket-${code}"][data-status="preparing"]`).waitFor();
    await boardTwo.page.locator(`[data-testid="ticket-${code}"][data-status="preparing"]`).waitFor();
    expect(await f.order(created.body.order.id)).toEqual({ status: 'preparing', version: 2 });
    for (const b of [boardOne, boardTwo]) await b.context.close();
  });
});
