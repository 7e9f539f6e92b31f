import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedOrder } from '../../hub/src/contract/index.js';
import { facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

const lines: string[] = [];
const waiters: Array<{ match: string; resolve: () => void }> = [];
let hub: TestHub;

/** Resolves when a log line containing `match` is written (event-driven). */
const logged = (match: string) =>
  new Promise<void>((resolve) => {
    if (lines.some((l) => l.includes(match))) resolve();
    else waiters.push({ match, resolve });
  });

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      for (const w of [...waiters]) {
        if (lines.some((l) => l.includes(w.match))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
      done();
    },
  });
  hub = await startTestHub({ logger: pino({ level: 'info' }, sink) });
});
afterAll(async () => {
  await hub?.close();
});

describe('request logs', () => {
  it('keep no cookie, no session and no tracking token', async () => {
    const f = facts(hub.db);
    const created = await hub.client().post<CreatedOrder>(
      '/api/orders',
      orderBody({
        shopId: await f.shopId('A'),
        lines: [{ productId: await f.productId('reine'), quantity: 1 }],
      }),
    );
    const token = created.body.trackingToken;
    const staff = await hub.staff('kitchen.a@demo.ocpizza.fr');
    const session = staff.cookieHeader!.split('=')[1]!;
    // The request id marks this request's log line, whatever the line says of its URL.
    const res = await fetch(`${hub.baseUrl}/api/orders/track/${token}`, {
      headers: { cookie: staff.cookieHeader!, 'x-request-id': 'logs-test-1' },
    });
    expect(res.status).toBe(200);
    await logged('logs-test-1');
    const all = lines.join('\n');
    expect(all).toContain('/api/orders/track/[token]');
    expect(all).not.toContain(token);
    expect(all).not.toContain(session);
    expect(all).not.toMatch(/"cookie"/);
    expect(all).not.toMatch(/set-cookie/i);
  });
});
