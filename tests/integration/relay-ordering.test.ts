import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../hub/src/contract/index.js';
import { facts } from '../helpers/facts.js';
import { openSocket } from '../helpers/sockets.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

let hub: TestHub;
const clients: pg.Client[] = [];

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  for (const c of clients) await c.end().catch(() => {});
  await hub?.close();
});

async function sqlClient(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: hub.database.url });
  await c.connect();
  clients.push(c);
  return c;
}

/** Becomes leader: the test hub is alone on its database, so it wins the lock within a check. */
function leader(): Promise<void> {
  if (hub.hub.relay.isLeader()) return Promise.resolve();
  return new Promise((resolve) => {
    const off = hub.hub.relay.onLeadership((isLeader) => {
      if (isLeader) {
        off();
        resolve();
      }
    });
  });
}

describe('relay ordering', () => {
  it('publishes an event whose lower id commits last, in one order, and no screen misses it', async () => {
    await leader();
    const shopA = await facts(hub.db).shopId('A');
    const manager = await hub.staff('manager.a@demo.ocpizza.fr');
    const screen = await openSocket(hub.baseUrl, { cookie: manager.cookieHeader });
    const sub = await screen.subscribe(0);
    expect(sub.ok).toBe(true);
    await hub.hub.relay.drainNow();

    const published: EventEnvelope[] = [];
    hub.hub.relay.onPublished((events) => published.push(...events));

    // Two outside SQL clients: the first takes the lower id and commits last.
    const early = await sqlClient();
    const late = await sqlClient();
    await early.query('begin');
    const a = await early.query(
      `insert into outbox (type, shop_id, data) values ('stock.changed', $1, '{"items":[],"mark":"A"}') returning id`,
      [shopA],
    );
    await late.query('begin');
    const b = await late.query(
      `insert into outbox (type, shop_id, data) values ('stock.changed', $1, '{"items":[],"mark":"B"}') returning id`,
      [shopA],
    );
    expect(Number(a.rows[0].id)).toBeLessThan(Number(b.rows[0].id));
    await late.query('commit');

    // The relay runs while A is still open: B must wait behind A's transaction, not overtake it
    // (a reader following `id > last` would publish B now and skip A forever).
    await hub.hub.relay.drainNow();
    expect(published.filter((e) => e.data.mark)).toEqual([]);

    // Once A commits both go, A first. Not at once: the horizon is the oldest transaction of the
    // whole PostgreSQL server, and other test files' transactions come and go on it.
    const bothOut = hub.published((e) => e.data.mark === 'B');
    await early.query('commit');
    await bothOut;
    const marks = published.filter((e) => e.data.mark);
    expect(marks.map((e) => e.data.mark)).toEqual(['A', 'B']);
    expect(marks[0]!.seq).toBeLessThan(marks[1]!.seq);

    await screen.until((events) => events.filter((e) => e.data.mark).length === 2);
    expect(screen.events.filter((e) => e.data.mark).map((e) => e.data.mark)).toEqual(['A', 'B']);
    screen.close();
  });

  it('catches events written by an outside SQL client without any wake-up', async () => {
    await leader();
    const shopA = await facts(hub.db).shopId('A');
    const outside = await sqlClient();
    const seen = hub.published((e) => e.data.mark === 'outside');
    await outside.query(
      `insert into outbox (type, shop_id, data) values ('stock.changed', $1, '{"items":[],"mark":"outside"}')`,
      [shopA],
    );
    // Only the relay's polling can find it: nothing in this process was told of the commit.
    const event = await seen;
    expect(event.type).toBe('stock.changed');
    expect(event.seq).toBeGreaterThan(0);
  });

  it('publishes again what a dead leader sequenced but never recorded as published', async () => {
    await leader();
    const shopA = await facts(hub.db).shopId('A');
    const writer = await sqlClient();
    // A leader that died between moving a batch and publishing it leaves this behind: the event
    // in the log with its seq, the watermark not moved. Only a new term of leadership looks back.
    await writer.query('begin');
    const { rows } = await writer.query<{ seq: string }>(
      'update relay_state set last_seq = last_seq + 1 where id = 1 returning last_seq as seq',
    );
    await writer.query(
      `insert into event_log (seq, outbox_id, xid, type, shop_id, data, created_at)
       values ($2, 0, pg_current_xact_id(), 'stock.changed', $1, '{"items":[],"mark":"orphan"}', now())`,
      [shopA, rows[0]!.seq],
    );
    const republished = hub.published((e) => e.data.mark === 'orphan');
    await writer.query('commit');
    // This node's relay session is cut (as when its connection dies): it leads again, afresh.
    const lost = new Promise<void>((resolve) => {
      const off = hub.hub.relay.onLeadership((isLeader) => {
        if (!isLeader) {
          off();
          resolve();
        }
      });
    });
    await writer.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where application_name = 'ocp-relay' and datname = current_database()`,
    );
    await lost;
    await leader();
    const event = await republished;
    expect(event.seq).toBe(Number(rows[0]!.seq));
  });
});
