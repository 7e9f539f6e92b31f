import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder } from '../../hub/src/contract/index.js';
import { startSmtpSink } from '../fakes/smtp-sink.js';
import { facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let hub: TestHub;
let noMailServer: TestHub;
let shopA: number;
let reine: number;

/** A loopback port nobody listens on: an SMTP server that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  hub = await startTestHub({ env: { SMTP_URL: sink.url, MAIL_FROM: 'OC Pizza <commandes@ocpizza.test>' } });
  noMailServer = await startTestHub({
    database: hub.database,
    env: { SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` },
  });
  const f = facts(hub.db);
  shopA = await f.shopId('A');
  reine = await f.productId('reine');
});
afterAll(async () => {
  await noMailServer?.close();
  await hub?.close();
  await sink?.close();
});

describe('order confirmation e-mail', () => {
  it('sends the customer the tracking link, the lines and the total', async () => {
    const res = await hub.client().post<CreatedOrder>(
      '/api/orders',
      orderBody({
        shopId: shopA,
        lines: [{ productId: reine, quantity: 2 }],
        customer: { name: 'Léa Dupont', phone: '0611223344', email: 'lea@example.fr' },
      }),
    );
    expect(res.status).toBe(201);
    const mail = await sink.nextMessage((m) => m.subject?.includes(res.body.order.shortCode) ?? false);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain('lea@example.fr');
    expect(mail.from?.text).toContain('commandes@ocpizza.test');
    expect(mail.text).toContain(res.body.trackingUrl);
    expect(mail.text).toContain('2 × Reine');
    expect(mail.html).toContain(`href="${res.body.trackingUrl}"`);
  });

  it('sends nothing to a customer who gave no e-mail', async () => {
    const before = sink.messages.length;
    const silent = await hub.client().post<CreatedOrder>(
      '/api/orders',
      orderBody({
        shopId: shopA,
        lines: [{ productId: reine, quantity: 1 }],
        customer: { name: 'Sans Mail', phone: '0611223344' },
      }),
    );
    const next = await hub
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
      );
    const mail = await sink.nextMessage((m) => m.subject?.includes(next.body.order.shortCode) ?? false);
    expect(mail.subject).not.toContain(silent.body.order.shortCode);
    // Only the second order's mail arrived, though the first was created before it.
    expect(sink.messages.length).toBe(before + 1);
  });

  it('a mail server that is down never fails an order', async () => {
    const res = await noMailServer
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 1 }] }),
      );
    expect(res.status).toBe(201);
    expect(res.body.order.status).toBe('received');
  });
});
