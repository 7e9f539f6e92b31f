import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { room } from '../../hub/src/contract/index.js';
import {
  eventsForRooms,
  startCluster,
  writers,
  type Cluster,
  type HubNode,
  type Writers,
} from '../helpers/cluster.js';
import { appliedOf, startObserver, type Applied, type Observer } from '../helpers/realtime-observer.js';

/**
 * Three hub PROCESSES on one PostgreSQL database and one Redis server of the test's own: screens
 * spread over the nodes get every event of their rooms exactly once, in seq order, while orders
 * change through every node, a node dies (kill -9), Redis restarts, and the relay's node dies.
 * What each screen must have applied is computed from PostgreSQL's outbox (the truth) with the
 * same room rule the hub emits by.
 */

/**
 * How long a screen may take to catch up before the comparison that follows shows what it lacks
 * (a guard so a lost event fails with a diff instead of a hang; never a success condition).
 */
const GIVE_UP_MS = 20_000;

let cluster: Cluster;
let write: Writers;
let shopA: number;
let shopB: number;
const cookies = new Map<string, string>();
let observers: Observer[] = [];

beforeAll(async () => {
  cluster = await startCluster({ size: 3 });
  shopA = await cluster.shopId('A');
  shopB = await cluster.shopId('B');
  for (const email of [
    'kitchen.a@demo.ocpizza.fr',
    'kitchen.b@demo.ocpizza.fr',
    'manager.a@demo.ocpizza.fr',
    'manager.b@demo.ocpizza.fr',
  ]) {
    cookies.set(email, await cluster.login(email));
  }
  write = writers(cluster, {
    kitchenCookies: new Map([
      [shopA, cookies.get('kitchen.a@demo.ocpizza.fr')!],
      [shopB, cookies.get('kitchen.b@demo.ocpizza.fr')!],
    ]),
  });
});

afterEach(() => {
  for (const o of observers) o.stop();
  observers = [];
});

afterAll(async () => {
  for (const o of observers) o.stop();
  await cluster?.close();
});

// ---- screens -------------------------------------------------------------------------------

const urlsOf = (nodes: readonly HubNode[]) => nodes.map((n) => n.baseUrl);

async function watch(o: Promise<Observer>): Promise<Observer> {
  const observer = await o;
  observers.push(observer);
  return observer;
}

function kitchenScreen(name: string, shopId: number, nodes: readonly HubNode[]) {
  const letter = shopId === shopA ? 'a' : 'b';
  return watch(
    startObserver({
      name,
      urls: urlsOf(nodes),
      rooms: [room.kitchen(shopId), room.menu(shopId)],
      snapshotPath: `/api/shops/${shopId}/kitchen`,
      cookie: cookies.get(`kitchen.${letter}@demo.ocpizza.fr`)!,
    }),
  );
}

function managerScreen(name: string, shopId: number, nodes: readonly HubNode[]) {
  const letter = shopId === shopA ? 'a' : 'b';
  return watch(
    startObserver({
      name,
      urls: urlsOf(nodes),
      rooms: [room.manager(shopId), room.menu(shopId)],
      snapshotPath: `/api/shops/${shopId}/manager`,
      cookie: cookies.get(`manager.${letter}@demo.ocpizza.fr`)!,
    }),
  );
}

function trackingScreen(name: string, order: { id: string; token: string }, nodes: readonly HubNode[]) {
  return watch(
    startObserver({
      name,
      urls: urlsOf(nodes),
      rooms: [room.order(order.id)],
      snapshotPath: `/api/orders/track/${order.token}/snapshot`,
      auth: { trackingToken: order.token },
    }),
  );
}

// ---- the stream of changes -----------------------------------------------------------------

type Job = { shopId: number; order?: { id: string; token: string } };

/**
 * Orders made and bumped received -> preparing -> baking -> ready, `lanes` at a time, each
 * request through the next node of `through()` (read at each request: a dead node drops out).
 * Jobs with an order only bump it; the others create theirs first.
 */
async function stream(jobs: readonly Job[], through: () => readonly HubNode[], lanes = 3): Promise<number> {
  let turn = 0;
  let writes = 0;
  const next = () => {
    const nodes = through();
    if (nodes.length === 0) throw new Error('no node to write through');
    return nodes[turn++ % nodes.length]!;
  };
  const queue = [...jobs];
  const lane = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const order = job.order ?? (await write.createOrder(next(), job.shopId));
      if (!job.order) writes++;
      for (const to of ['preparing', 'baking', 'ready'] as const) {
        await write.bump(next(), job.shopId, order.id, to);
        writes++;
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return writes;
}

const newOrders = (shopId: number, n: number): Job[] => Array.from({ length: n }, () => ({ shopId }));

// ---- checks --------------------------------------------------------------------------------

/**
 * Ends a scenario: one last order (the sentinel) committed after every write, seen by `witness`,
 * proves the relay has sequenced everything before it; then every screen must have applied
 * exactly the outbox events of its rooms after its snapshot, in seq order, each once.
 */
async function expectEveryScreenComplete(
  screens: readonly Observer[],
  sentinel: { through: HubNode; witness: Observer },
): Promise<Map<Observer, Applied[]>> {
  const last = await write.createOrder(sentinel.through, shopA);
  const sentinelSeen = await sentinel.witness.sees(
    () => sentinel.witness.applied.some((e) => e.orderId === last.id),
    GIVE_UP_MS,
  );
  expect(sentinelSeen, `${sentinel.witness.name} never applied the sentinel order\n${cluster.logs()}`).toBe(
    true,
  );
  expect(await cluster.unsequenced()).toBe(0);

  const since = Math.min(...screens.map((s) => s.since()));
  const outbox = await cluster.outboxAfter(since);
  const expected = new Map<Observer, Applied[]>();
  for (const s of screens) {
    const mine = eventsForRooms(
      outbox.filter((e) => e.seq > s.since()),
      s.rooms,
    ).map(appliedOf);
    expected.set(s, mine);
    expect(mine.length, `${s.name} has events to receive`).toBeGreaterThan(0);
    // Caught up and live again: a screen whose node went away may hold every event already and
    // still be on its way back.
    await s.sees(
      () => s.client.lastSeq() >= mine.at(-1)!.seq && s.client.link().status === 'live',
      GIVE_UP_MS,
    );
  }
  for (const s of screens) {
    expect(s.snapshotSeqs, `${s.name} loaded one snapshot, never had to reload`).toHaveLength(1);
    const seqs = s.applied.map((e) => e.seq);
    expect(
      seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!),
      `${s.name}: strictly increasing seq`,
    ).toBe(true);
    expect(new Set(seqs).size, `${s.name}: no event applied twice`).toBe(seqs.length);
    expect(s.applied, `${s.name}: exactly the events of ${s.rooms.join(', ')}`).toEqual(expected.get(s));
    expect(s.client.link().status, `${s.name} is live`).toBe('live');
  }
  return expected;
}

/** Two screens of the same rooms applied the same (seq, orderId, version), from where both started. */
function expectSameApplied(moved: Observer, stayed: Observer) {
  const from = Math.max(moved.since(), stayed.since());
  const key = (e: Applied) => ({ seq: e.seq, orderId: e.orderId, version: e.version });
  const a = moved.applied.filter((e) => e.seq > from).map(key);
  const b = stayed.applied.filter((e) => e.seq > from).map(key);
  expect(b.length, `${stayed.name} applied events`).toBeGreaterThan(0);
  expect(a, `${moved.name} applied what ${stayed.name} applied`).toEqual(b);
}

/** A screen that never lost its link: one "reconnecting" at start, then live for good. */
function expectNeverDisconnected(s: Observer) {
  expect(s.links, `${s.name} never lost its node`).toEqual(['reconnecting', 'live']);
}

/** A screen that lost its node and came back live on another one. */
function expectReconnected(s: Observer) {
  const lost = s.links.indexOf('reconnecting', 2);
  expect(lost, `${s.name} lost its node (links: ${s.links.join(' > ')})`).toBeGreaterThan(1);
  expect(s.links.at(-1)).toBe('live');
}

/** The relay leader now, read from each node's `ocp_relay_leader` gauge. */
async function currentLeader(): Promise<HubNode> {
  // Nothing event-driven says who leads (the hub logs it at info, these nodes log at warn): the
  // gauges are re-read, a bounded number of times, while a leadership change may be under way.
  for (let attempt = 0; attempt < 500; attempt++) {
    const leaders = await cluster.relayLeaders();
    if (leaders.length === 1) return leaders[0]!;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('no single relay leader among the nodes');
}

// ---- the scenarios -------------------------------------------------------------------------

describe('three hub processes behind one Redis', () => {
  it('screens spread over the 3 nodes receive every event of their rooms, in seq order, while orders change through all 3', async () => {
    const nodes = await cluster.ensure(3);
    const [n1, n2, n3] = nodes as [HubNode, HubNode, HubNode];
    const tracked = [
      await write.createOrder(n1, shopA),
      await write.createOrder(n2, shopB),
      await write.createOrder(n3, shopA),
    ];

    const screens: Observer[] = [];
    for (const [i, node] of nodes.entries()) {
      screens.push(await kitchenScreen(`kitchen A on ${node.name}`, shopA, [node]));
      screens.push(await managerScreen(`manager B on ${node.name}`, shopB, [node]));
      screens.push(await trackingScreen(`customer ${i + 1} on ${node.name}`, tracked[(i + 1) % 3]!, [node]));
    }
    screens.push(await kitchenScreen(`kitchen B on ${n2.name}`, shopB, [n2]));
    screens.push(await managerScreen(`manager A on ${n3.name}`, shopA, [n3]));

    const jobs: Job[] = [
      ...tracked.map((order, i) => ({ shopId: i === 1 ? shopB : shopA, order })),
      ...newOrders(shopA, 5),
      ...newOrders(shopB, 5),
    ];
    const writes = await stream(jobs, () => cluster.nodes(), 4);
    expect(writes).toBe(3 * 3 + 10 * 4);

    await expectEveryScreenComplete(screens, { through: n2, witness: screens[0]! });
    for (const s of screens) expectNeverDisconnected(s);
    // The same rooms seen from three different nodes: the same events.
    expectSameApplied(screens[0]!, screens[3]!);
    expectSameApplied(screens[0]!, screens[6]!);
    expectSameApplied(screens[1]!, screens[4]!);
    expectSameApplied(screens[1]!, screens[7]!);
  });

  it('kill -9 of a node mid-stream: its screens resume on the others with exactly what a screen that stayed applied', async () => {
    const nodes = await cluster.ensure(3);
    const leader = await currentLeader();
    // Not the relay's node: this is about the node's screens (the relay's death is the last test).
    const victim = nodes.find((n) => n !== leader)!;
    const [s1, s2] = nodes.filter((n) => n !== victim) as [HubNode, HubNode];
    const survivors = () => cluster.nodes().filter((n) => n !== victim);
    const orderA = await write.createOrder(s1, shopA);
    const orderB = await write.createOrder(s2, shopB);

    const onVictim = {
      kitchen: await kitchenScreen(`kitchen A on ${victim.name}`, shopA, [victim, s1, s2]),
      manager: await managerScreen(`manager B on ${victim.name}`, shopB, [victim, s2, s1]),
      customerA: await trackingScreen(`customer A on ${victim.name}`, orderA, [victim, s2, s1]),
      customerB: await trackingScreen(`customer B on ${victim.name}`, orderB, [victim, s1, s2]),
    };
    const stayed = {
      kitchen: await kitchenScreen(`kitchen A on ${s1.name}`, shopA, [s1]),
      manager: await managerScreen(`manager B on ${s2.name}`, shopB, [s2]),
      customerA: await trackingScreen(`customer A on ${s1.name}`, orderA, [s1]),
      customerB: await trackingScreen(`customer B on ${s2.name}`, orderB, [s2]),
    };

    const firstPart = stream(
      [
        { shopId: shopA, order: orderA },
        ...newOrders(shopA, 5),
        ...newOrders(shopB, 5),
        { shopId: shopB, order: orderB },
      ],
      survivors,
    );
    // Mid-stream: once the victim's kitchen screen has applied some of it.
    firstPart.catch(() => {}); // awaited below; a failed write must not go unhandled meanwhile
    expect(await onVictim.kitchen.sees(() => onVictim.kitchen.applied.length >= 8, GIVE_UP_MS)).toBe(true);
    const seqAtKill = onVictim.kitchen.client.lastSeq();
    const death = await victim.kill('SIGKILL');
    expect(death.signal).toBe('SIGKILL');
    await firstPart;
    await stream([...newOrders(shopA, 4), ...newOrders(shopB, 4)], survivors);

    const screens = [...Object.values(onVictim), ...Object.values(stayed)];
    await expectEveryScreenComplete(screens, { through: s1, witness: stayed.kitchen });

    // The kill did happen mid-stream for the victim's screens, which moved to the survivors.
    expect(onVictim.kitchen.applied.some((e) => e.seq <= seqAtKill)).toBe(true);
    expect(onVictim.kitchen.applied.some((e) => e.seq > seqAtKill)).toBe(true);
    for (const s of Object.values(onVictim)) expectReconnected(s);
    for (const s of Object.values(stayed)) expectNeverDisconnected(s);
    expectSameApplied(onVictim.kitchen, stayed.kitchen);
    expectSameApplied(onVictim.manager, stayed.manager);
    expectSameApplied(onVictim.customerA, stayed.customerA);
    expectSameApplied(onVictim.customerB, stayed.customerB);
  });

  it('Redis restarted mid-stream: REST writes go on, and afterwards no screen lacks an event', async () => {
    const nodes = await cluster.ensure(3);
    const tracked = [
      await write.createOrder(nodes[0]!, shopA),
      await write.createOrder(nodes[1]!, shopB),
      await write.createOrder(nodes[2]!, shopA),
    ];
    const rotate = (i: number) => [...nodes.slice(i), ...nodes.slice(0, i)];
    const screens: Observer[] = [];
    for (let i = 0; i < 3; i++) {
      screens.push(await kitchenScreen(`kitchen A via ${rotate(i)[0]!.name}`, shopA, rotate(i)));
      screens.push(await managerScreen(`manager B via ${rotate(i)[0]!.name}`, shopB, rotate(i)));
      screens.push(
        await trackingScreen(`customer ${i + 1} via ${rotate(i + 1)[0]!.name}`, tracked[i]!, rotate(i + 1)),
      );
    }
    const cutOff = nodes.map((n) => n.printsLater(/redis subscriber lost/, GIVE_UP_MS * 2));
    const back = nodes.map((n) => n.printsLater(/redis subscriber back/, GIVE_UP_MS * 2));

    const beforeOutage = stream(
      [
        ...tracked.map((order, i) => ({ shopId: i === 1 ? shopB : shopA, order })),
        ...newOrders(shopA, 3),
        ...newOrders(shopB, 3),
      ],
      () => cluster.nodes(),
    );
    beforeOutage.catch(() => {}); // awaited below
    expect(await screens[0]!.sees(() => screens[0]!.applied.length >= 6, GIVE_UP_MS)).toBe(true);
    await cluster.redis.stop();
    await beforeOutage;
    // Redis is down: PostgreSQL is the truth, writes through every node still succeed.
    const duringOutage = await stream([...newOrders(shopA, 3), ...newOrders(shopB, 3)], () =>
      cluster.nodes(),
    );
    expect(duringOutage).toBe(6 * 4);
    await Promise.all([
      cluster.redis.start(),
      stream([...newOrders(shopA, 3), ...newOrders(shopB, 3)], () => cluster.nodes()),
    ]);

    await expectEveryScreenComplete(screens, { through: nodes[0]!, witness: screens[0]! });
    // Every node noticed the outage, sent its screens away while it could not hear the others,
    // and served them again once its subscription was whole; they resumed from PostgreSQL.
    expect(await Promise.all(cutOff)).toEqual([true, true, true]);
    expect(await Promise.all(back)).toEqual([true, true, true]);
    for (const s of screens) expectReconnected(s);
    expect(cluster.nodes()).toHaveLength(3);
  });

  it("the relay's node killed mid-stream: another node takes over, no screen lacks an event or applies one twice", async () => {
    const nodes = await cluster.ensure(3);
    const leader = await currentLeader();
    const [o1, o2] = nodes.filter((n) => n !== leader) as [HubNode, HubNode];
    const others = () => cluster.nodes().filter((n) => n !== leader);
    const orderA = await write.createOrder(o1, shopA);
    const orderB = await write.createOrder(o2, shopB);

    const onLeader = {
      kitchen: await kitchenScreen(`kitchen A on ${leader.name} (relay)`, shopA, [leader, o1, o2]),
      manager: await managerScreen(`manager B on ${leader.name} (relay)`, shopB, [leader, o2, o1]),
      customerA: await trackingScreen(`customer A on ${leader.name} (relay)`, orderA, [leader, o2, o1]),
      customerB: await trackingScreen(`customer B on ${leader.name} (relay)`, orderB, [leader, o1, o2]),
    };
    const stayed = {
      kitchen: await kitchenScreen(`kitchen A on ${o1.name}`, shopA, [o1]),
      manager: await managerScreen(`manager B on ${o2.name}`, shopB, [o2]),
      customerA: await trackingScreen(`customer A on ${o2.name}`, orderA, [o2]),
      customerB: await trackingScreen(`customer B on ${o1.name}`, orderB, [o1]),
    };

    const firstPart = stream(
      [
        { shopId: shopA, order: orderA },
        ...newOrders(shopA, 5),
        ...newOrders(shopB, 5),
        { shopId: shopB, order: orderB },
      ],
      others,
    );
    firstPart.catch(() => {}); // awaited below; a failed write must not go unhandled meanwhile
    expect(await onLeader.kitchen.sees(() => onLeader.kitchen.applied.length >= 8, GIVE_UP_MS)).toBe(true);
    const seqAtKill = onLeader.kitchen.client.lastSeq();
    const death = await leader.kill('SIGKILL');
    expect(death.signal).toBe('SIGKILL');
    await firstPart;
    // Written after the relay died: delivered only if another node took the relay over.
    await stream([...newOrders(shopA, 4), ...newOrders(shopB, 4)], others);

    const screens = [...Object.values(onLeader), ...Object.values(stayed)];
    await expectEveryScreenComplete(screens, { through: o2, witness: stayed.kitchen });

    const newLeader = await currentLeader();
    expect([o1, o2]).toContain(newLeader);
    expect((await newLeader.metrics()).get('ocp_relay_events_published_total')).toBeGreaterThan(0);
    expect(onLeader.kitchen.applied.some((e) => e.seq <= seqAtKill)).toBe(true);
    expect(onLeader.kitchen.applied.some((e) => e.seq > seqAtKill)).toBe(true);
    for (const s of Object.values(onLeader)) expectReconnected(s);
    for (const s of Object.values(stayed)) expectNeverDisconnected(s);
    expectSameApplied(onLeader.kitchen, stayed.kitchen);
    expectSameApplied(onLeader.manager, stayed.manager);
    expectSameApplied(onLeader.customerA, stayed.customerA);
    expectSameApplied(onLeader.customerB, stayed.customerB);
  });
});
