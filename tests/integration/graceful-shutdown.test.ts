import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { room, type CreatedOrder } from '../../hub/src/contract/index.js';
import { eventsForRooms, startCluster, type Cluster, type HubNode } from '../helpers/cluster.js';
import { orderBody } from '../helpers/orders.js';
import { appliedOf, startObserver, type Observer } from '../helpers/realtime-observer.js';
import { ALL_EVENTS } from '../helpers/all-events.js';

/**
 * SIGTERM to a hub PROCESS under a steady stream of writes and events, with another node on the
 * same PostgreSQL and Redis. The writers are clients behind a balancer: each request goes to one
 * node, and a failure a balancer retries elsewhere (connection refused or reset, 503) is retried on
 * the other node, transitions with the same Idempotency-Key. The node must drain: answer what it
 * had started, hand the relay over, send its screens away, and exit 0 by itself within
 * SHUTDOWN_TIMEOUT_MS. Nothing may fail but retriable failures, every write must be applied
 * exactly once, and every screen must end with every event of its rooms exactly once, in seq order.
 */

/** The shutdown bound given to the nodes (SHUTDOWN_TIMEOUT_MS): past it a node exits with code 1. */
const BOUND_MS = 10_000;
/** Guards so that a lost event or a stuck node fails with a diff instead of a hang; never a condition. */
const GIVE_UP_MS = 20_000;
const RUN = randomUUID().slice(0, 8);

let cluster: Cluster;
let sql: pg.Client;
let shopA: number;
let margherita: number;
const cookies = { kitchen: '', manager: '' };
const observers: Observer[] = [];

beforeAll(async () => {
  // One node first: it takes the relay, so the node stopped below is the relay's.
  cluster = await startCluster({
    size: 1,
    env: { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: String(BOUND_MS) },
  });
  await cluster.ensure(2);
  sql = new pg.Client({ connectionString: cluster.database.url });
  await sql.connect();
  shopA = await cluster.shopId('A');
  margherita = await cluster.productId('margherita');
  cookies.kitchen = await cluster.login('kitchen.a@demo.ocpizza.fr');
  cookies.manager = await cluster.login('manager.a@demo.ocpizza.fr');
});

afterAll(async () => {
  for (const o of observers) o.stop();
  await sql?.end();
  await cluster?.close();
});

// ---- a client behind a balancer --------------------------------------------------------------

type Failure = { node: string; what: string; retriable: boolean };

/** Every failed attempt, retriable or not: the test fails on any that is not retriable. */
const failures: Failure[] = [];
/** Requests sent to the stopped node before its SIGTERM and answered by it after (in flight). */
let answeredAcrossSigterm = 0;
let sigtermSent = false;

/**
 * Sends a request to `nodes[first]`, and on a failure a balancer would retry (no connection,
 * connection reset, 503 service/unavailable) sends it again to the other node, and so on.
 * Resolves with the answer of the node that answered; any other failure is recorded and thrown.
 */
async function send<T>(
  nodes: readonly HubNode[],
  first: number,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T; node: HubNode }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const node = nodes[(first + attempt) % nodes.length]!;
    const sentBeforeSigterm = !sigtermSent;
    let res: Response;
    try {
      res = await fetch(`${node.baseUrl}${path}`, {
        method,
        headers: { origin: node.baseUrl, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      failures.push({
        node: node.name,
        what: `${method} ${path}: ${cause?.code ?? cause?.message ?? String(error)}`,
        retriable: true,
      });
      continue;
    }
    const text = await res.text();
    const parsed = (text ? JSON.parse(text) : undefined) as T;
    if (
      res.status === 503 &&
      (parsed as { error?: { code?: string } })?.error?.code === 'service/unavailable'
    ) {
      failures.push({ node: node.name, what: `${method} ${path}: 503`, retriable: true });
      continue;
    }
    if (node === victim && sentBeforeSigterm && sigtermSent) answeredAcrossSigterm++;
    return { status: res.status, body: parsed, node };
  }
  throw new Error(`${method} ${path}: no node answered`);
}

function expectStatus(what: string, status: number, expected: number, node: HubNode, body: unknown) {
  if (status !== expected) {
    failures.push({ node: node.name, what: `${what}: ${status} ${JSON.stringify(body)}`, retriable: false });
    throw new Error(`${what} answered ${status} on ${node.name}: ${JSON.stringify(body)}`);
  }
}

// ---- the stream ------------------------------------------------------------------------------

let victim: HubNode | undefined;
/** Each order the stream made, by the unique customer name it was made with. */
const made = new Map<string, string>();
let turn = 0;

/** A customer orders (no idempotency key: a retry after a refused connection is a new try). */
async function createOrder(nodes: readonly HubNode[], name: string): Promise<{ id: string; token: string }> {
  const res = await send<CreatedOrder>(
    nodes,
    turn++,
    'POST',
    '/api/orders',
    orderBody({
      shopId: shopA,
      customer: { name, phone: '06 12 34 56 78', email: 'flux@example.fr' },
      lines: [{ productId: margherita, quantity: 1 }],
    }),
  );
  expectStatus(`create ${name}`, res.status, 201, res.node, res.body);
  made.set(name, res.body.order.id);
  return { id: res.body.order.id, token: res.body.trackingToken };
}

/** The kitchen bumps the order, with an Idempotency-Key: retried anywhere, applied once. */
async function bump(nodes: readonly HubNode[], orderId: string, to: string): Promise<void> {
  const key = `gs-${orderId}-${to}`;
  const res = await send(
    nodes,
    turn++,
    'POST',
    `/api/orders/${orderId}/transitions`,
    { to },
    {
      cookie: cookies.kitchen,
      'idempotency-key': key,
    },
  );
  expectStatus(`${to} of ${orderId}`, res.status, 200, res.node, res.body);
}

/**
 * The same bump sent as a socket command by a kitchen screen; refused as `service/unavailable`
 * (its node drains, or it is reconnecting), it is sent again through REST with the same key.
 */
async function bumpBySocket(nodes: readonly HubNode[], screen: Observer, orderId: string, to: string) {
  const idempotencyKey = `gs-${orderId}-${to}`;
  const ack = await screen.client.command({
    name: 'order:transition',
    idempotencyKey,
    payload: { orderId, to: to as 'preparing' },
  });
  if (ack.ok) return;
  if (ack.error.code !== 'service/unavailable') {
    failures.push({
      node: 'socket',
      what: `command ${to} of ${orderId}: ${ack.error.code}`,
      retriable: false,
    });
    throw new Error(`command ${to} of ${orderId}: ${ack.error.code} ${ack.error.message}`);
  }
  failures.push({ node: 'socket', what: `command ${to}: service/unavailable`, retriable: true });
  await bump(nodes, orderId, to);
}

/** `count` orders made and bumped to ready, `lanes` at a time; one lane bumps over its socket. */
async function stream(
  nodes: () => readonly HubNode[],
  jobs: { name: string; order?: { id: string } }[],
  kitchenScreen: Observer,
  lanes = 4,
): Promise<void> {
  const queue = [...jobs];
  const lane = async (index: number) => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const order = job.order ?? (await createOrder(nodes(), job.name));
      for (const to of ['preparing', 'baking', 'ready']) {
        if (index === 0) await bumpBySocket(nodes(), kitchenScreen, order.id, to);
        else await bump(nodes(), order.id, to);
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
}

const jobsNamed = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `Flux ${RUN} ${prefix}${i + 1}` }));

/** The relay leader, read from each node's `ocp_relay_leader` gauge (bounded re-reads). */
async function currentLeader(): Promise<HubNode> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const leaders = await cluster.relayLeaders();
    if (leaders.length === 1) return leaders[0]!;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('no single relay leader among the nodes');
}

// ---- the scenario ----------------------------------------------------------------------------

describe('SIGTERM to a hub under a steady stream of requests and events', () => {
  it('no request fails without a retry succeeding, every write applies once, no screen misses an event, the node exits 0 by itself', async () => {
    const leader = await currentLeader();
    victim = leader;
    const survivor = cluster.nodes().find((n) => n !== leader)!;
    const both = [victim, survivor];
    const tracked = await createOrder(both, `Flux ${RUN} tracked`);

    const screen = async (o: Parameters<typeof startObserver>[0]) => {
      const observer = await startObserver(o);
      observers.push(observer);
      return observer;
    };
    const urls = [victim.baseUrl, survivor.baseUrl];
    const onVictim = {
      kitchen: await screen({
        name: `kitchen A on ${victim.name}`,
        urls,
        rooms: [room.kitchen(shopA), room.menu(shopA)],
        snapshotPath: `/api/shops/${shopA}/kitchen`,
        cookie: cookies.kitchen,
      }),
      manager: await screen({
        name: `manager A on ${victim.name}`,
        urls,
        rooms: [room.manager(shopA), room.menu(shopA)],
        snapshotPath: `/api/shops/${shopA}/manager`,
        cookie: cookies.manager,
      }),
      customer: await screen({
        name: `customer on ${victim.name}`,
        urls,
        rooms: [room.order(tracked.id)],
        snapshotPath: `/api/orders/track/${tracked.token}/snapshot`,
        auth: { trackingToken: tracked.token },
      }),
    };
    const stayed = await screen({
      name: `kitchen A on ${survivor.name}`,
      urls: [survivor.baseUrl],
      rooms: [room.kitchen(shopA), room.menu(shopA)],
      snapshotPath: `/api/shops/${shopA}/kitchen`,
      cookie: cookies.kitchen,
    });
    const screens = [...Object.values(onVictim), stayed];

    // The survivor says when it takes the relay over (it logs at info in this test).
    const takeover = survivor.printsLater(/this node is now the relay/, GIVE_UP_MS);

    // While the stream runs: SIGTERM once the victim's screens are live with part of it applied.
    const firstPart = stream(
      () => both,
      [{ name: 'tracked', order: tracked }, ...jobsNamed('a', 24)],
      onVictim.kitchen,
    );
    firstPart.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
    expect(await onVictim.kitchen.sees(() => onVictim.kitchen.applied.length >= 16, GIVE_UP_MS)).toBe(true);
    const seqAtSigterm = onVictim.kitchen.client.lastSeq();
    const signalledAt = Date.now();
    sigtermSent = true;
    const exit = await victim.kill('SIGTERM');
    const tookMs = Date.now() - signalledAt;
    await firstPart;
    // After the node is gone: every other request meets a refused connection first.
    await stream(() => both, jobsNamed('b', 8), onVictim.kitchen);

    const logs = cluster.logs();
    expect(exit, `exit after ${tookMs} ms\n${logs}`).toEqual({ code: 0, signal: null });
    // The drain, phase by phase, as the node logged it (in order of the time each line gives: the
    // last lines may reach the pipe out of order, flushed as the process exits).
    const out = victim.output().stdout;
    const logged = out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; elapsedMs?: number })
      .filter((line) => line.msg?.startsWith('shutdown: '));
    const phases = [
      /SIGTERM received/,
      /jobs stopped/,
      /draining/,
      /no longer accepting connections/,
      /in-flight requests and socket commands answered/,
      /relay stopped and handed over/,
      /screens disconnected/,
      /database closed/,
      /^shutdown: stopped$/,
    ].map((p) => logged.find((line) => p.test(line.msg!))?.elapsedMs ?? -1);
    const summary = logged.map((l) => `${l.elapsedMs} ms ${l.msg}`).join('\n');
    expect(
      phases.every((ms, i) => ms >= 0 && (i === 0 || ms >= phases[i - 1]!)),
      summary,
    ).toBe(true);
    expect(out).not.toMatch(/exiting without waiting/);

    // No request failed but in a way a balancer retries, and each was retried to success.
    expect(
      failures.filter((f) => !f.retriable),
      `${JSON.stringify(failures)}; answered across the SIGTERM: ${answeredAcrossSigterm}`,
    ).toEqual([]);
    // The dead node was tried (and refused) after it was gone: the retries did happen.
    expect(failures.some((f) => f.node === victim!.name)).toBe(true);

    // Every write applied exactly once: one order per customer name, each bumped once per step.
    const names = [...made.keys()];
    expect(names).toHaveLength(1 + 24 + 8);
    const rows = await sql.query<{ customer_name: string; n: number; status: string }>(
      `select customer_name, count(*)::int as n, min(status::text) as status
       from orders where customer_name like $1 group by customer_name`,
      [`Flux ${RUN} %`],
    );
    expect(rows.rows.map((r) => r.customer_name).sort()).toEqual(names.sort());
    for (const r of rows.rows)
      expect({ name: r.customer_name, n: r.n, status: r.status }).toEqual({
        name: r.customer_name,
        n: 1,
        status: 'ready',
      });
    const changes = await sql.query<{ order_id: string; n: number }>(
      `select order_id, count(*)::int as n from ${ALL_EVENTS} e
       where type = 'order.status_changed' and order_id = any($1::uuid[]) group by order_id`,
      [[...made.values()]],
    );
    expect(changes.rows).toHaveLength(made.size);
    for (const c of changes.rows) expect(c.n, `status changes of ${c.order_id}`).toBe(3);

    // The relay went over to the survivor, which published what came after.
    expect(await takeover, `the survivor never took the relay over\n${logs}`).toBe(true);
    expect(await currentLeader()).toBe(survivor);

    // Every screen: exactly the outbox events of its rooms after its snapshot, once, in seq order.
    const sentinel = await createOrder([survivor], `Flux ${RUN} sentinel`);
    expect(await stayed.sees(() => stayed.applied.some((e) => e.orderId === sentinel.id), GIVE_UP_MS)).toBe(
      true,
    );
    expect(await cluster.unsequenced()).toBe(0);
    const outbox = await cluster.outboxAfter(Math.min(...screens.map((s) => s.since())));
    for (const s of screens) {
      const expected = eventsForRooms(
        outbox.filter((e) => e.seq > s.since()),
        s.rooms,
      ).map(appliedOf);
      expect(expected.length, `${s.name} has events to receive`).toBeGreaterThan(0);
      await s.sees(
        () => s.client.lastSeq() >= expected.at(-1)!.seq && s.client.link().status === 'live',
        GIVE_UP_MS,
      );
      const seqs = s.applied.map((e) => e.seq);
      expect(
        seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!),
        `${s.name}: strictly increasing seq`,
      ).toBe(true);
      expect(s.applied, `${s.name}: exactly the events of ${s.rooms.join(', ')}`).toEqual(expected);
      expect(s.snapshotSeqs, `${s.name} loaded one snapshot, never had to reload`).toHaveLength(1);
      expect(s.client.link().status).toBe('live');
    }
    // The victim's screens were sent away mid-stream and resumed on the survivor.
    for (const s of Object.values(onVictim)) {
      expect(s.links.indexOf('reconnecting', 2), `${s.name} links: ${s.links.join(' > ')}`).toBeGreaterThan(
        1,
      );
      expect(s.applied.some((e) => e.seq <= seqAtSigterm)).toBe(true);
    }
    expect(onVictim.kitchen.applied.some((e) => e.seq > seqAtSigterm)).toBe(true);
    expect(stayed.links, `${stayed.name} never lost its node`).toEqual(['reconnecting', 'live']);
  });
});
