/**
 * `npm run bench:writes` — order writes/s through the API, what the transactional outbox costs
 * them (issue 3), and how far they are from PostgreSQL's own speed (issue 11).
 *
 * 16 concurrent clients create orders through the API (POST /api/orders, as customers' browsers
 * do) on 2 hub processes, for a fixed duration: `hub` with the outbox, `hub-no-outbox` without it
 * (BENCH_DISABLE_OUTBOX=true on the hub processes: the writes skip the outbox INSERT). The
 * `sql-floor` rounds send the same order transaction's statements straight to PostgreSQL from 16
 * connections (bench/lib/sql-floor.ts). Rounds alternate so that a drift of the machine favours
 * none. All on the benchmark's own PostgreSQL cluster (bench/lib/pg-cluster.ts). Results in
 * bench/results/<date>-writes.json and the lines in <date>-realtime.md.
 */
import pg from 'pg';
import { nowMs, sleep } from './lib/clock.js';
import { coresBetween, cpuSampler, waitForQuietMachine } from './lib/cpu.js';
import { prepareDatabase, type BenchDatabase } from './lib/database.js';
import { jsonClient } from './lib/http.js';
import { startBenchPostgres, type PostgresSettings } from './lib/pg-cluster.js';
import {
  cleanupAll,
  cleanupOnSignals,
  onCleanup,
  spawnHub,
  startRedisServer,
  type RedisServer,
} from './lib/processes.js';
import { diskSyncText, probeDiskSync } from './lib/disk-probe.js';
import { createProgress, type Step } from './lib/progress.js';
import { machineFacts, saveWrites, type WritesRow, type WritesSystem } from './lib/report.js';
import { loadSqlFloorMenu, runSqlFloorOrder, sqlFloorOrder, type SqlFloorMenu } from './lib/sql-floor.js';
import { round, summarize } from './lib/stats.js';

const quick = process.argv.includes('--quick');
const settings = {
  /** Closed-loop clients; BENCH_WRITES_CLIENTS=2 measures each statement without CPU queueing. */
  clients: Number(process.env.BENCH_WRITES_CLIENTS ?? 16),
  hubNodes: 2,
  seconds: Number(process.env.BENCH_WRITES_SECONDS ?? (quick ? 4 : 15)),
  warmupSeconds: quick ? 1 : 3,
  rounds: (quick
    ? ['hub', 'hub-no-outbox', 'sql-floor']
    : ['hub', 'hub-no-outbox', 'sql-floor', 'sql-floor', 'hub-no-outbox', 'hub']) as WritesSystem[],
  /** Wait up to this long for other work on the machine to stop, before starting and between retries. */
  quietWaitSeconds: Number(process.env.BENCH_QUIET_WAIT_SECONDS ?? 0),
  /** A round during which other work kept more than `noiseCores` busy is measured again (at most this often). */
  noisyRetries: Number(process.env.BENCH_NOISY_RETRIES ?? 0),
  noiseCores: 0.5,
};
const machine = machineFacts();

const roundLabel = (system: WritesSystem) =>
  system === 'sql-floor'
    ? `sql-floor, ${settings.clients} PostgreSQL connections`
    : `${system}, ${settings.clients} clients over ${settings.hubNodes} hub processes`;

const steps: Step[] = [
  {
    key: 'postgres',
    label: 'start a private PostgreSQL cluster (deploy/postgresql/ocpizza.conf)',
    estimateS: 4,
  },
  { key: 'prepare', label: 'database (migrate + demo seed + restock) and redis-server', estimateS: 12 },
  ...settings.rounds.map((system, i) => ({
    key: `round-${i}`,
    label: `round ${i + 1}/${settings.rounds.length}: ${roundLabel(system)}`,
    estimateS: settings.seconds + settings.warmupSeconds + (system === 'sql-floor' ? 3 : 10),
  })),
  { key: 'report', label: 'write results', estimateS: 1 },
];
const progress = createProgress('bench:writes', steps);

type Round = {
  system: WritesSystem;
  seconds: number;
  orders: number;
  errors: number;
  errorSamples: string[];
  latencies: number[];
  cpuCores: Record<string, number>;
  attempts?: number;
};

/** One order written by a client; resolves to null when it was created, else an error text. */
type Write = (client: number) => Promise<string | null>;

/** `clients` closed loops (each waits for its answer, then writes again) until `untilMs`. */
async function closedLoops(write: Write, untilMs: number, record: Round | null): Promise<void> {
  await Promise.all(
    Array.from({ length: settings.clients }, async (_, c) => {
      while (nowMs() < untilMs) {
        const sent = nowMs();
        let error: string | null;
        try {
          error = await write(c);
        } catch (e) {
          error = (e as Error).message;
        }
        const took = nowMs() - sent;
        if (!record) continue;
        if (error === null) {
          record.orders++;
          record.latencies.push(took);
        } else {
          record.errors++;
          if (record.errorSamples.length < 5) record.errorSamples.push(error);
        }
      }
    }),
  );
}

/** Warm-up, then a recorded round of closed loops; the CPU of each part over the recorded part. */
async function measureRound(
  system: WritesSystem,
  write: Write,
  sampler: ReturnType<typeof cpuSampler>,
): Promise<Round> {
  progress.update('warm-up (not recorded)');
  await closedLoops(write, nowMs() + settings.warmupSeconds * 1000, null);
  const r: Round = {
    system,
    seconds: 0,
    orders: 0,
    errors: 0,
    errorSamples: [],
    latencies: [],
    cpuCores: {},
  };
  const started = nowMs();
  const cpu0 = sampler.sample();
  const ticker = setInterval(() => {
    const elapsed = (nowMs() - started) / 1000;
    progress.update(
      `${system}: ${r.orders.toLocaleString('en-US')} orders, ${(r.orders / elapsed).toFixed(0)}/s`,
      { stepRemainingS: settings.seconds - elapsed + 6 },
    );
  }, 500);
  await closedLoops(write, started + settings.seconds * 1000, r);
  clearInterval(ticker);
  r.seconds = (nowMs() - started) / 1000;
  r.cpuCores = coresBetween(cpu0, sampler.sample());
  return r;
}

async function hubRound(
  system: 'hub' | 'hub-no-outbox',
  database: BenchDatabase,
  redis: RedisServer,
  postmasterPid: number | null,
): Promise<Round> {
  const hubs = await Promise.all(
    Array.from({ length: settings.hubNodes }, (_, i) =>
      spawnHub({
        name: `hub${i + 1}-${system}`,
        databaseUrl: database.url,
        redisUrl: redis.url,
        env: system === 'hub-no-outbox' ? { BENCH_DISABLE_OUTBOX: 'true' } : {},
      }),
    ),
  );
  const http = hubs.map((h) => jsonClient(h.baseUrl, { maxSockets: settings.clients }));
  const sampler = cpuSampler({
    ...Object.fromEntries(hubs.map((h, i) => [`hub${i + 1}`, h.pid])),
    'postgres (our db)': { postgresDatabase: database.name, postmasterPid },
    redis: redis.pid,
    'clients (load)': 'self',
  });
  let shopTurn = 0;
  const body = () => ({
    channel: 'web',
    mode: 'pickup',
    customer: { name: 'Camille Martin', phone: '06 12 34 56 78', email: 'camille@example.fr' },
    paymentMethod: 'at_counter',
    shopId: database.openShopIds[shopTurn++ % database.openShopIds.length],
    lines: [{ productId: database.margheritaId, quantity: 1 }],
  });
  try {
    return await measureRound(
      system,
      async (c) => {
        const res = await http[c % http.length]!.request('POST', '/api/orders', body());
        return res.status === 201 ? null : `${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
      },
      sampler,
    );
  } finally {
    for (const c of http) c.close();
    await Promise.all(hubs.map((h) => h.stop()));
  }
}

/**
 * 16 connections, each sending one order's statements after the other (bench/lib/sql-floor.ts).
 * Nothing relays the events these orders append: they are deleted after the round, so the next
 * hub round's relay does not start with a backlog that is not its own.
 */
async function sqlFloorRound(database: BenchDatabase, postmasterPid: number | null): Promise<Round> {
  const clients = Array.from(
    { length: settings.clients },
    () => new pg.Client({ connectionString: database.url, application_name: 'ocp-bench-sql-floor' }),
  );
  await Promise.all(clients.map((c) => c.connect()));
  try {
    const menus: SqlFloorMenu[] = [];
    for (const shopId of database.openShopIds) {
      menus.push(await loadSqlFloorMenu(clients[0]!, shopId, database.margheritaId));
    }
    const before = await clients[0]!.query<{ max: string | null }>('select max(id)::text as max from outbox');
    const sampler = cpuSampler({
      'postgres (our db)': { postgresDatabase: database.name, postmasterPid },
      'clients (load)': 'self',
    });
    let n = 0;
    const r = await measureRound(
      'sql-floor',
      async (c) => {
        const i = n++;
        await runSqlFloorOrder(clients[c]!, sqlFloorOrder(menus[i % menus.length]!, i));
        return null;
      },
      sampler,
    );
    progress.update('deleting the events of the sql-floor orders (nothing relays them)');
    await clients[0]!.query('delete from outbox where id > $1', [before.rows[0]?.max ?? '0']);
    await clients[0]!.query('vacuum (analyze) outbox');
    return r;
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}

async function main(): Promise<void> {
  cleanupOnSignals();
  progress.note(
    `${settings.clients} clients, ${settings.seconds} s per round, rounds: ${settings.rounds.join(', ')}; ` +
      `${machine.cores} cores, ${machine.ramGb} GB, Node ${machine.node}, load average ${machine.loadAverageAtStart.join(' ')}`,
  );
  const rounds: Round[] = [];
  const notes: string[] = [];
  machine.busyCoresBeforeStart = await waitForQuietMachine(settings.quietWaitSeconds, (busy, waited) =>
    progress.note(
      `other work on the machine: ${busy} cores busy${waited > 0 ? ` (waited ${Math.round(waited)} s)` : ''}`,
    ),
  );
  if (machine.busyCoresBeforeStart > 0.3) {
    notes.push(
      `WARNING: ${machine.busyCoresBeforeStart} cores were busy with other work when the run started ` +
        '(see "other" in the rounds\' cpuCores).',
    );
  }
  // The disk's commit floor, measured before anything else runs (BENCH_DISK_PROBE_SECONDS=0 skips it).
  const probeSeconds = Number(process.env.BENCH_DISK_PROBE_SECONDS ?? (quick ? 0 : 10));
  if (probeSeconds > 0) {
    progress.note(`probing the disk's fdatasync latency for ${probeSeconds} s`);
    machine.diskSync = probeDiskSync(probeSeconds);
    progress.note(diskSyncText(machine.diskSync));
  }
  let postgres: PostgresSettings | undefined;
  try {
    progress.step('postgres');
    const server = await startBenchPostgres(progress);
    postgres = await server.settings();
    progress.note(
      `PostgreSQL ${postgres.serverVersion}: ${server.own ? `own cluster on ${server.where}` : 'BENCH_PG_ADMIN_URL'}` +
        (postgres.differsFromFile.length
          ? `; differs from ${postgres.settingsFile}: ${postgres.differsFromFile.join(', ')}`
          : `, settings of ${postgres.settingsFile}`),
    );
    progress.step('prepare');
    const database = await prepareDatabase(server);
    onCleanup(() => database.drop());
    const redis = await startRedisServer();

    for (const [index, system] of settings.rounds.entries()) {
      for (let attempt = 1; ; attempt++) {
        progress.step(
          `round-${index}`,
          `${attempt > 1 ? `attempt ${attempt}, ` : ''}${system === 'sql-floor' ? 'connecting' : 'starting hubs'}`,
        );
        const r =
          system === 'sql-floor'
            ? await sqlFloorRound(database, server.postmasterPid)
            : await hubRound(system, database, redis, server.postmasterPid);
        progress.note(
          `round ${index + 1} ${system}: ${(r.orders / r.seconds).toFixed(1)} orders/s, ` +
            `p50 ${summarize(r.latencies).p50.toFixed(1)} ms, errors ${r.errors}` +
            (r.errorSamples[0] ? ` (${r.errorSamples[0]})` : ''),
        );
        await sleep(500);
        const other =
          Math.round(((r.cpuCores.other ?? 0) + (r.cpuCores['postgres (rest of server)'] ?? 0)) * 100) / 100;
        if (other > settings.noiseCores && attempt <= settings.noisyRetries) {
          progress.note(`round ${index + 1}: other work kept ${other} cores busy: measuring it again`);
          await waitForQuietMachine(settings.quietWaitSeconds, () => {});
          continue;
        }
        r.attempts = attempt;
        if (other > settings.noiseCores) {
          notes.push(`round ${index + 1} (${system}): other work kept ${other} cores busy during it.`);
        }
        rounds.push(r);
        break;
      }
    }
    await redis.stop();
  } finally {
    await cleanupAll();
  }

  progress.step('report');
  const systems = [...new Set(settings.rounds)];
  const rows: WritesRow[] = systems.map((system) => {
    const mine = rounds.filter((r) => r.system === system);
    const orders = mine.reduce((s, r) => s + r.orders, 0);
    const seconds = mine.reduce((s, r) => s + r.seconds, 0);
    const lat = summarize(mine.flatMap((r) => r.latencies));
    return {
      system,
      clients: settings.clients,
      ordersPerSecond: round(orders / seconds, 1) ?? 0,
      p50Ms: round(lat.p50),
      p99Ms: round(lat.p99),
    };
  });
  const rate = (system: WritesSystem) => rows.find((r) => r.system === system)?.ordersPerSecond ?? Number.NaN;
  const outboxRatio = rate('hub') / rate('hub-no-outbox');
  const floorRatio = rate('hub') / rate('sql-floor');
  const written = saveWrites(machine.date, rows, {
    machine,
    settings: { ...settings, quick },
    postgres,
    rounds: rounds.map((r) => ({
      system: r.system,
      seconds: round(r.seconds, 2),
      orders: r.orders,
      ordersPerSecond: round(r.orders / r.seconds, 1),
      errors: r.errors,
      errorSamples: r.errorSamples,
      latencyMs: summarize(r.latencies),
      cpuCores: r.cpuCores,
      attempts: r.attempts,
    })),
    notes: [
      ...notes,
      `hub / sql-floor = ${floorRatio.toFixed(3)} (goal ≥ 0.5); hub / hub-no-outbox = ${outboxRatio.toFixed(3)} (goal ≥ 0.8).`,
      'Each hub order is one POST /api/orders (web, pick-up, pay at the counter, one margherita): a transaction that ' +
        'numbers the order, inserts it and its line, reserves stock and appends 2 outbox events (order.created, ' +
        'stock.changed).',
      'hub-no-outbox: the hub processes run with BENCH_DISABLE_OUTBOX=true, which skips only the outbox INSERTs; ' +
        'the difference is the INSERTs plus the relay sequencing and publishing them (on the same machine).',
      `sql-floor: the same transaction's statements (bench/lib/sql-floor.ts: BEGIN, the order with its number, its ` +
        "line, its status history, order.created with the order as jsonb, the recipe's stock rows locked FOR UPDATE " +
        'in ingredient order, reserved, the ledger lines, stock.changed, COMMIT) sent straight to PostgreSQL as named ' +
        `prepared statements from ${settings.clients} connections, one round trip each: no HTTP, no hub, no relay.`,
      `Rounds alternate (${settings.rounds.join(', ')}), ${settings.seconds} s each after a ${settings.warmupSeconds} s ` +
        'warm-up, hub rounds on fresh hub processes, all over the same database; figures are over all rounds of a system.',
    ],
  });
  progress.note(`results: ${written.join(', ')}`);
  process.stdout.write(
    `${rows.map((r) => `${r.system.padEnd(13)} ${r.clients} clients  ${r.ordersPerSecond} orders/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms`).join('\n')}\n` +
      `hub / sql-floor: ${floorRatio.toFixed(3)} (goal >= 0.5); hub / hub-no-outbox: ${outboxRatio.toFixed(3)} (goal >= 0.8)\n`,
  );
  progress.done();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `\nbench:writes failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
