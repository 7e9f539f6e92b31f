import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isDatabaseUnavailable } from '../adapters/postgres.js';
import { createOutage } from './outage.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('a database outage', () => {
  it('is counted once however many requests meet it, and ends when the probe answers', async () => {
    vi.useFakeTimers();
    let answers = false;
    const probe = vi.fn(() => (answers ? Promise.resolve() : Promise.reject(new Error('ECONNREFUSED'))));
    let outages = 0;
    const outage = createOutage({
      probe,
      logger: pino({ level: 'silent' }),
      metrics: { databaseOutages: { inc: () => void outages++ } as never },
      probeMs: 1000,
    });
    const lost = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    for (let i = 0; i < 5; i++) outage.record(lost, { source: 'http' });
    expect(outages).toBe(1);
    expect(outage.isDown()).toBe(true);

    await vi.advanceTimersByTimeAsync(3000);
    expect(probe).toHaveBeenCalledTimes(3);
    expect(outage.isDown()).toBe(true);

    answers = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(outage.isDown()).toBe(false);
    outage.record(lost, { source: 'socket' });
    expect(outages).toBe(2);
    outage.stop();
  });

  it('is told from failures of the query itself', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('wrapped'), { cause: refused }))).toBe(true);
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error('the database system is shutting down'), { code: '57P03' }),
      ),
    ).toBe(true);
    // A bad query or a broken constraint is a bug or a conflict, not an outage.
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    // A missing unix socket is; a missing file is not.
    const noSocket = { code: 'ENOENT', syscall: 'connect' };
    expect(
      isDatabaseUnavailable(Object.assign(new Error('connect ENOENT /run/pg/.s.PGSQL.5432'), noSocket)),
    ).toBe(true);
    const noFile = { code: 'ENOENT', syscall: 'stat' };
    expect(isDatabaseUnavailable(Object.assign(new Error("ENOENT: no such file 'index.html'"), noFile))).toBe(
      false,
    );
  });
});
