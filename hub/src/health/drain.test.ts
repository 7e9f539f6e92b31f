import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createDrain } from './drain.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** An app behind the drain whose /slow answers only when the test says so. */
async function appWithSlowRoute() {
  const drain = createDrain();
  const reached = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  const app = express();
  app.use(drain.http);
  app.get('/slow', async (_req, res) => {
    reached.resolve();
    await release.promise;
    res.json({ done: true });
  });
  app.get('/fast', (_req, res) => res.json({ fast: true }));
  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  server = createServer(app);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { drain, base, reached: reached.promise, release: () => release.resolve() };
}

describe('the drain of a stopping node', () => {
  it('waits for the request in flight, answers it, and refuses new ones with 503 and Connection: close', async () => {
    const { drain, base, reached, release } = await appWithSlowRoute();
    const slow = fetch(`${base}/slow`);
    await reached;
    expect(drain.inFlight()).toEqual({ http: 1, commands: 0 });

    drain.begin();
    let settled = false;
    const done = drain.settled().then(() => (settled = true));

    const refused = await fetch(`${base}/fast`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('connection')).toBe('close');
    expect(await refused.json()).toEqual({
      error: { code: 'service/unavailable', message: expect.stringMatching(/shutting down/) },
    });
    // Liveness is still answered: the process is alive, only busy leaving.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(settled).toBe(false);

    release();
    const answered = await slow;
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({ done: true });
    // It was in flight when the drain began: its connection is not kept for another request.
    expect(answered.headers.get('connection')).toBe('close');
    await done;
    expect(drain.inFlight()).toEqual({ http: 0, commands: 0 });
  });

  it('is settled at once with nothing in flight', async () => {
    const drain = createDrain();
    drain.begin();
    await drain.settled();
    expect(drain.isDraining()).toBe(true);
  });

  it('counts socket commands until their ack, and answers new ones service/unavailable while draining', async () => {
    const drain = createDrain();
    const acks: unknown[] = [];
    const ack = (answer: unknown) => acks.push(answer);
    const packet: unknown[] = ['command', { name: 'order:transition' }, ack];
    let handled = 0;
    drain.socketPackets(packet, () => handled++);
    expect(handled).toBe(1);
    expect(drain.inFlight().commands).toBe(1);

    drain.begin();
    let settled = false;
    const done = drain.settled().then(() => (settled = true));
    const late: unknown[] = ['command', { name: 'order:transition' }, ack];
    drain.socketPackets(late, () => handled++);
    expect(handled).toBe(1);
    expect(acks).toEqual([{ ok: false, error: expect.objectContaining({ code: 'service/unavailable' }) }]);
    // An event without an ack, or one the hub does not answer, is never waited for.
    drain.socketPackets(['ping'], () => handled++);
    expect(handled).toBe(2);
    await Promise.resolve();
    expect(settled).toBe(false);

    // The handler answers the command it had started (through the wrapped ack).
    (packet.at(-1) as (answer: unknown) => void)({ ok: true, data: {} });
    expect(acks.at(-1)).toEqual({ ok: true, data: {} });
    await done;
    expect(drain.inFlight().commands).toBe(0);
  });
});
