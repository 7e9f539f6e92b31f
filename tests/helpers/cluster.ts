import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import pg from 'pg';
import { ROOT_DIR } from '../../hub/src/paths.js';
import { roomsForEvent, type CreatedOrder } from '../../hub/src/contract/index.js';
import { orderBody } from './orders.js';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

// The base URL is PUBLIC_URL when a node has one (behind nginx), else http://localhost:<port>.
const READY_LINE = /OC Pizza hub is running on \S+ \(port (\d+)\)/;

export type HubNode = Awaited<ReturnType<typeof spawnHubNode>>;

/**
 * One hub PROCESS, started as production starts it (`npm run start:hub`: instrument.ts, main.ts) with
 * exactly this environment. Resolves once it printed its "running" line (event-driven).
 */
export async function spawnHubNode(options: {
  name: string;
  databaseUrl: string;
  /** Absent: no REDIS_URL, the node runs alone on its in-process bus. */
  redisUrl?: string;
  /** A fixed port (e.g. one of nginx's upstreams); 0 or absent lets the OS pick one. */
  port?: number;
  /** More environment for this process (e.g. TRUST_PROXY, PUBLIC_URL behind nginx). */
  env?: Record<string, string>;
}) {
  // As `npm run start:hub` runs it: instrument.ts first (Sentry, when SENTRY_DSN is set).
  const args = ['--import', 'tsx', '--import', './hub/src/instrument.ts', 'hub/src/main.ts'];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT_DIR,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'test',
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      PORT: String(options.port ?? 0),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));

  const port = await new Promise<number>((resolve, reject) => {
    const check = () => {
      const m = stdout.match(READY_LINE);
      if (m) {
        child.stdout!.off('data', check);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) =>
      reject(
        new Error(`${options.name} exited (${code ?? signal}) before it was running:\n${stdout}\n${stderr}`),
      ),
    );
    check();
  });
  // The node listens on 127.0.0.1 only: "localhost" could resolve to ::1 first.
  const baseUrl = `http://127.0.0.1:${port}`;
  let dead = false;
  void exited.then(() => (dead = true));

  return {
    name: options.name,
    port,
    baseUrl,
    pid: child.pid!,
    exited,
    alive: () => !dead,
    output: () => ({ stdout, stderr }),
    /**
     * Resolves true once this node prints a line matching `pattern` from now on (event-driven on
     * its stdout), false if it has not within `giveUpMs` or exits first.
     */
    printsLater(pattern: RegExp, giveUpMs: number): Promise<boolean> {
      const from = stdout.length;
      return new Promise<boolean>((resolve) => {
        const done = (result: boolean) => {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          resolve(result);
        };
        const check = () => {
          if (pattern.test(stdout.slice(from))) done(true);
        };
        const timer = setTimeout(() => done(false), giveUpMs);
        child.stdout!.on('data', check);
        void exited.then(() => done(false));
      });
    },
    /** Sends `signal` (SIGKILL: `kill -9`) and resolves once the process is gone. */
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (dead) return exited;
      child.kill(signal);
      return exited;
    },
    /** An HTTP request as this node's own site would send it (its Origin, the staff cookie if any). */
    async request<T = unknown>(method: string, path: string, body?: unknown, cookie?: string) {
      const headers: Record<string, string> = { origin: baseUrl };
      if (cookie) headers.cookie = cookie;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: (text ? JSON.parse(text) : undefined) as T,
        setCookie: res.headers.get('set-cookie'),
      };
    },
    /** This node's Prometheus metrics, parsed into name{labels} -> value. */
    async metrics(): Promise<Map<string, number>> {
      const res = await fetch(`${baseUrl}/metrics`);
      if (res.status !== 200) throw new Error(`${options.name}: GET /metrics answered ${res.status}`);
      const values = new Map<string, number>();
      for (const line of (await res.text()).split('\n')) {
        const m = line.match(/^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/);
        if (m) values.set(m[1]!, Number(m[2]));
      }
      return values;
    },
  };
}

export type Cluster = Awaited<ReturnType<typeof startCluster>>;

/** A row of the outbox, as the tests compare it with what screens applied. */
export type OutboxEvent = {
  seq: number;
  type: string;
  shopId: number;
  orderId: string | null;
  courierId: string | null;
  version: number | null;
  data: Record<string, unknown>;
};

/**
 * A hub cluster of its own: a database copied from the demo-seeded template, a Redis server
 * started for it, and `size` hub processes on both. Nodes can be killed and replaced.
 */
export async function startCluster(options: {
  size: number;
  /** Fixed ports: the i-th node started listens on ports[i] (the others on a port the OS picks). */
  ports?: readonly number[];
  /** More environment for every node of this cluster. */
  env?: Record<string, string>;
}) {
  const database: TestDatabase = await createTestDatabase();
  let redis: RedisServer | undefined;
  const everyNode: HubNode[] = [];
  let counter = 0;
  const sqlClient = new pg.Client({ connectionString: database.url });
  try {
    redis = await startRedisServer();
    await sqlClient.connect();
  } catch (error) {
    redis?.kill();
    await sqlClient.end().catch(() => {});
    await database.drop();
    throw error;
  }
  const theRedis = redis;

  async function spawnNode(port?: number): Promise<HubNode> {
    counter += 1;
    const node = await spawnHubNode({
      name: `node${counter}`,
      databaseUrl: database.url,
      redisUrl: theRedis.url,
      port: port ?? options.ports?.[counter - 1],
      ...(options.env ? { env: options.env } : {}),
    });
    everyNode.push(node);
    return node;
  }

  const cluster = {
    database,
    redis: theRedis,
    /** The nodes alive now, in the order they were started. */
    nodes: () => everyNode.filter((n) => n.alive()),
    /** Starts nodes until `size` are alive (after a test killed some). */
    async ensure(size: number): Promise<HubNode[]> {
      const missing = size - cluster.nodes().length;
      if (missing > 0) await Promise.all(Array.from({ length: missing }, () => spawnNode()));
      return cluster.nodes();
    },
    /**
     * Restarts a node as a supervisor does (`systemctl restart`): `signal` (SIGTERM by default),
     * waits for the process to be gone, then starts a new one on the same port.
     */
    async restart(node: HubNode, signal: NodeJS.Signals = 'SIGTERM'): Promise<HubNode> {
      await node.kill(signal);
      return spawnNode(node.port);
    },
    /** The nodes whose relay is the leader right now, by their `ocp_relay_leader` gauge. */
    async relayLeaders(): Promise<HubNode[]> {
      const nodes = cluster.nodes();
      const gauges = await Promise.all(nodes.map((n) => n.metrics().then((m) => m.get('ocp_relay_leader'))));
      return nodes.filter((_, i) => gauges[i] === 1);
    },
    /** Logs a staff member in (through any node: sessions live in PostgreSQL) and returns the cookie. */
    async login(email: string, password = 'pizza-demo-2026'): Promise<string> {
      const node = cluster.nodes()[0]!;
      const res = await node.request('POST', '/api/auth/login', { email, password });
      if (res.status !== 200 || !res.setCookie) throw new Error(`login ${email} failed: ${res.status}`);
      return res.setCookie.split(';')[0]!;
    },
    async shopId(letter: string): Promise<number> {
      const res = await sqlClient.query<{ id: number }>('select id from shops where code_letter = $1', [
        letter,
      ]);
      return res.rows[0]!.id;
    },
    async productId(slug: string): Promise<number> {
      const res = await sqlClient.query<{ id: number }>('select id from products where slug = $1', [slug]);
      return res.rows[0]!.id;
    },
    /** The event log as PostgreSQL has it: every sequenced event after `since`, in seq order. */
    async outboxAfter(since: number): Promise<OutboxEvent[]> {
      const res = await sqlClient.query<{
        seq: string;
        type: string;
        shop_id: number;
        order_id: string | null;
        courier_id: string | null;
        version: number | null;
        data: Record<string, unknown>;
      }>(
        `select seq, type, shop_id, order_id, courier_id, version, data
         from event_log where seq > $1 order by seq`,
        [since],
      );
      return res.rows.map((r) => ({
        seq: Number(r.seq),
        type: r.type,
        shopId: r.shop_id,
        orderId: r.order_id,
        courierId: r.courier_id,
        version: r.version,
        data: r.data,
      }));
    },
    /** Events the relay has not given a seq yet (still in the outbox). */
    async unsequenced(): Promise<number> {
      const res = await sqlClient.query<{ n: number }>('select count(*)::int as n from outbox');
      return res.rows[0]!.n;
    },
    /** Every process (hub nodes, Redis) SIGKILLed, the database dropped. */
    async close(): Promise<void> {
      await Promise.all(everyNode.map((n) => n.kill('SIGKILL')));
      await theRedis.stop('SIGKILL').catch(() => theRedis.kill());
      await sqlClient.end().catch(() => {});
      await database.drop();
    },
    /** What each node printed (for failure messages). */
    logs(): string {
      return everyNode
        .map((n) => `--- ${n.name} (${n.baseUrl}) ---\n${n.output().stdout}${n.output().stderr}`)
        .join('\n');
    },
  };
  try {
    await cluster.ensure(options.size);
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}

/** The events of the outbox that a screen in `rooms` must receive (the rule the hub emits by). */
export function eventsForRooms(events: readonly OutboxEvent[], rooms: readonly string[]): OutboxEvent[] {
  const mine = new Set(rooms);
  return events.filter((e) => roomsForEvent(e).some((r) => mine.has(r)));
}

/** Writes as the shops' people make them: customers order, kitchens bump, through any node. */
export function writers(cluster: Cluster, staff: { kitchenCookies: Map<number, string> }) {
  let margherita: number | undefined;
  return {
    /** A customer's pick-up order (paid at the counter: it starts `received`). */
    async createOrder(node: HubNode, shopId: number): Promise<{ id: string; token: string }> {
      margherita ??= await cluster.productId('margherita');
      const res = await node.request<CreatedOrder>(
        'POST',
        '/api/orders',
        orderBody({ shopId, lines: [{ productId: margherita, quantity: 1 }] }),
      );
      if (res.status !== 201) {
        throw new Error(`${node.name}: create order answered ${res.status} ${JSON.stringify(res.body)}`);
      }
      return { id: res.body.order.id, token: res.body.trackingToken };
    },
    /** The shop's kitchen moves the order one step. */
    async bump(node: HubNode, shopId: number, orderId: string, to: 'preparing' | 'baking' | 'ready') {
      const cookie = staff.kitchenCookies.get(shopId);
      if (!cookie) throw new Error(`no kitchen login for shop ${shopId}`);
      const res = await node.request('POST', `/api/orders/${orderId}/transitions`, { to }, cookie);
      if (res.status !== 200) {
        throw new Error(
          `${node.name}: ${to} of ${orderId} answered ${res.status} ${JSON.stringify(res.body)}`,
        );
      }
    },
  };
}

export type Writers = ReturnType<typeof writers>;
