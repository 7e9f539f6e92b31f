import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { room } from '../../hub/src/contract/index.js';
import { eventsForRooms, spawnHubNode, type HubNode, type OutboxEvent } from '../helpers/cluster.js';
import { orderBody } from '../helpers/orders.js';
import { appliedOf, startObserver, type Observer } from '../helpers/realtime-observer.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * One hub node loses Redis while another (the relay) keeps it. Events published while the node
 * is cut off never reach it. A first design told the node's screens to resync once its
 * subscriber was back; live events arriving between the resubscription and that resync moved
 * the screens' seq past the lost events, which no replay then brought back. Now the node sends
 * its screens away as soon as its subscriber drops and serves none until its subscription is
 * whole again; they resume from their last applied seq.
 *
 * The proxy makes the dangerous moment deterministic by holding back the PING that confirms the
 * resubscription until a live event got through.
 */

const GIVE_UP_MS = 20_000;

let database: TestDatabase;
let redis: RedisServer;
let proxy: TcpProxy;
let sqlClient: pg.Client;
const nodes: HubNode[] = [];
const observers: Observer[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  redis = await startRedisServer();
  proxy = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
  sqlClient = new pg.Client({ connectionString: database.url });
  await sqlClient.connect();
});

afterAll(async () => {
  for (const o of observers) o.stop();
  await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
  await proxy?.close();
  await redis?.stop('SIGKILL');
  await sqlClient?.end();
  await database?.drop();
});

async function isRelayLeader(node: HubNode): Promise<boolean> {
  return (await node.metrics()).get('ocp_relay_leader') === 1;
}

describe('a node cut off from Redis, then resubscribed', () => {
  it('its screens still get every event published while it was cut off', async () => {
    // The relay's node talks to Redis directly; the other node goes through the proxy.
    const relayNode = await spawnHubNode({ name: 'relay', databaseUrl: database.url, redisUrl: redis.url });
    nodes.push(relayNode);
    // Nothing event-driven says who leads at LOG_LEVEL=warn: the gauge is re-read, bounded.
    let leads = false;
    for (let attempt = 0; attempt < 500 && !leads; attempt++) {
      leads = await isRelayLeader(relayNode);
      if (!leads) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(leads).toBe(true);
    const cutNode = await spawnHubNode({ name: 'cut-off', databaseUrl: database.url, redisUrl: proxy.url });
    nodes.push(cutNode);
    expect(await isRelayLeader(cutNode)).toBe(false);

    const shopA = (await sqlClient.query<{ id: number }>(`select id from shops where code_letter = 'A'`))
      .rows[0]!.id;
    const margherita = (
      await sqlClient.query<{ id: number }>(`select id from products where slug = 'margherita'`)
    ).rows[0]!.id;
    const login = await relayNode.request('POST', '/api/auth/login', {
      email: 'kitchen.a@demo.ocpizza.fr',
      password: 'pizza-demo-2026',
    });
    const cookie = login.setCookie!.split(';')[0]!;
    const order = async () => {
      const res = await relayNode.request<{ order: { id: string } }>(
        'POST',
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: margherita, quantity: 1 }] }),
      );
      expect(res.status).toBe(201);
      return res.body.order.id;
    };
    const screen = (name: string, node: HubNode) =>
      startObserver({
        name,
        urls: [node.baseUrl],
        rooms: [room.kitchen(shopA), room.menu(shopA)],
        snapshotPath: `/api/shops/${shopA}/kitchen`,
        cookie,
      }).then((o) => {
        observers.push(o);
        return o;
      });
    const onCutNode = await screen('kitchen A on the node cut off', cutNode);
    const onRelayNode = await screen('kitchen A on the relay node', relayNode);
    const has = (o: Observer, orderId: string) => () => o.applied.some((e) => e.orderId === orderId);

    const first = await order();
    expect(await onCutNode.sees(has(onCutNode, first), GIVE_UP_MS)).toBe(true);

    // The node loses Redis; an order is published meanwhile (the relay node's screen has it).
    proxy.cut();
    const whileCut = await order();
    expect(await onRelayNode.sees(has(onRelayNode, whileCut), GIVE_UP_MS)).toBe(true);
    expect(onCutNode.applied.some((e) => e.orderId === whileCut)).toBe(false);

    // Redis is reachable again: the node resubscribes; its PING is held for now.
    const healing = proxy.heal();
    await healing.subscribedAndHeld;
    const afterResubscribe = await order();
    expect(await onRelayNode.sees(has(onRelayNode, afterResubscribe), GIVE_UP_MS)).toBe(true);
    // Either the live event reached the screen, or (a fixed hub) the screen is not live yet.
    await onCutNode.until(
      () => has(onCutNode, afterResubscribe)() || onCutNode.client.link().status !== 'live',
    );

    // The PING answer arrives: the node asks its screens to resync from PostgreSQL.
    const before = onCutNode.syncs.resyncs + onCutNode.syncs.connects;
    healing.release();
    await onCutNode.until(() => onCutNode.syncs.resyncs + onCutNode.syncs.connects > before);
    // Committed after the resync began: once applied, that resubscription is over.
    const last = await order();
    expect(await onCutNode.sees(has(onCutNode, last), GIVE_UP_MS)).toBe(true);
    expect(await onRelayNode.sees(has(onRelayNode, last), GIVE_UP_MS)).toBe(true);

    const since = Math.min(onCutNode.since(), onRelayNode.since());
    const res = await sqlClient.query<{
      seq: string;
      type: string;
      shop_id: number;
      order_id: string | null;
      courier_id: string | null;
      version: number | null;
      data: Record<string, unknown>;
    }>(
      'select seq, type, shop_id, order_id, courier_id, version, data from event_log where seq > $1 order by seq',
      [since],
    );
    const outbox: OutboxEvent[] = res.rows.map((r) => ({
      seq: Number(r.seq),
      type: r.type,
      shopId: r.shop_id,
      orderId: r.order_id,
      courierId: r.courier_id,
      version: r.version,
      data: r.data,
    }));
    for (const o of [onRelayNode, onCutNode]) {
      const expected = eventsForRooms(
        outbox.filter((e) => e.seq > o.since()),
        o.rooms,
      ).map(appliedOf);
      expect(expected.some((e) => e.orderId === whileCut)).toBe(true);
      // The last order's stock.changed follows its order.created (reserved last, before the commit).
      await o.sees(() => o.applied.length >= expected.length, GIVE_UP_MS);
      expect(o.applied, `${o.name}: exactly the events of its rooms`).toEqual(expected);
    }
  });
});
