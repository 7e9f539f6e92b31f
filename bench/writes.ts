/**
 * `npm run bench:writes` — what the transactional outbox costs the order writes (issue 3).
 *
 * 16 concurrent clients create orders through the API (POST /api/orders, as customers' browsers
 * do) on 2 hub processes, for a fixed duration, with the outbox and without it
 * (BENCH_DISABLE_OUTBOX=true on the hub processes: the writes skip the outbox INSERT). Rounds
 * alternate outbox / no-outbox so that a drift of the machine does not favour either mode.
 * Results in bench/results/<date>-writes.json and the line in <date>-realtime.md.
 */
import { nowMs, sleep } from './lib/clock.js';
import { coresBetween, cpuSampler, waitForQuietMachine } from './lib/cpu.js';
import { prepareDatabase } from './lib/database.js';
import { jsonClient } from './lib/http.js';
import { cleanupAll, cleanupOnSignals, onCleanup, spawnHub, startRedisServer } from './lib/processes.js';
import { createProgress, type Step } from './lib/progress.js';
import { machineFacts, saveWrites, type WritesRow } from './lib/report.js';
import { round, summarize } from './lib/stats.js';

type Mode = 'outbox' | 'no-outbox';

const quick = process.argv.includes('--quick');
const settings = {
  clients: 16,
  hubNodes: 2,
  seconds: Number(process.env.BENCH_WRITES_SECONDS ?? (quick ? 4 : 15)),
  warmupSeconds: quick ? 1 : 3,
  rounds: (quick ? ['outbox', 'no-outbox'] : ['outbox', 'no-outbox', 'no-outbox', 'outbox']) as Mode[],
  /** Wait up to this long for other work on the machine to stop, before starting and between retries. */
  quietWaitSeconds: Number(process.env.BENCH_QUIET_WAIT_SECONDS ?? 0),
  /** A round during which other work kept more than `noiseCores` busy is measured again (at most this often). */
  noisyRetries: Number(process.env.BENCH_NOISY_RETRIES ?? 0),
  noiseCores: 0.5,
};
const machine = machineFacts();

const steps: Step[] = [
  { key: 'prepare', label: 'database (migrate + demo seed + restock) and redis-server', estimateS: 12 },
  ...settings.rounds.map((mode, i) => ({
    key: `round-${i}`,
    label: `round ${i + 1}/${settings.rounds.length}: ${mode}, ${settings.clients} clients`,
    estimateS: settings.seconds + settings.warmupSeconds + 10,
  })),
  { key: 'report', label: 'write results', estimateS: 1 },
];
const progress = createProgress('bench:writes', steps);

type Round = {
  mode: Mode;
  seconds: number;
  orders: number;
  errors: number;
  errorSamples: string[];
  latencies: number[];
  cpuCores: Record<string, number>;
  attempts?: number;
};

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
  try {
    progress.step('prepare');
    const database = await prepareDatabase();
    onCleanup(() => database.drop());
    const redis = await startRedisServer();

    for (const [index, mode] of settings.rounds.entries()) {
      for (let attempt = 1; ; attempt++) {
        progress.step(`round-${index}`, attempt > 1 ? `attempt ${attempt}, starting hubs` : 'starting hubs');
        const hubs = await Promise.all(
          Array.from({ length: settings.hubNodes }, (_, i) =>
            spawnHub({
              name: `hub${i + 1}-${mode}`,
              databaseUrl: database.url,
              redisUrl: redis.url,
              env: mode === 'no-outbox' ? { BENCH_DISABLE_OUTBOX: 'true' } : {},
            }),
          ),
        );
        const http = hubs.map((h) => jsonClient(h.baseUrl, { maxSockets: settings.clients }));
        const sampler = cpuSampler({
          ...Object.fromEntries(hubs.map((h, i) => [`hub${i + 1}`, h.pid])),
          'postgres (our db)': { postgresDatabase: database.name },
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

        /** `clients` closed loops (each waits for its answer, then writes again) until `untilMs`. */
        async function load(untilMs: number, record: Round | null): Promise<void> {
          await Promise.all(
            Array.from({ length: settings.clients }, async (_, c) => {
              const client = http[c % http.length]!;
              while (nowMs() < untilMs) {
                const sent = nowMs();
                try {
                  const res = await client.request('POST', '/api/orders', body());
                  const took = nowMs() - sent;
                  if (!record) continue;
                  if (res.status === 201) {
                    record.orders++;
                    record.latencies.push(took);
                  } else {
                    record.errors++;
                    if (record.errorSamples.length < 5)
                      record.errorSamples.push(`${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
                  }
                } catch (error) {
                  if (!record) continue;
                  record.errors++;
                  if (record.errorSamples.length < 5) record.errorSamples.push((error as Error).message);
                }
              }
            }),
          );
        }

        progress.update('warm-up (not recorded)');
        await load(nowMs() + settings.warmupSeconds * 1000, null);
        const round: Round = {
          mode,
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
            `${mode}: ${round.orders.toLocaleString('en-US')} orders, ${(round.orders / elapsed).toFixed(0)}/s`,
            {
              stepRemainingS: settings.seconds - elapsed + 6,
            },
          );
        }, 500);
        await load(started + settings.seconds * 1000, round);
        clearInterval(ticker);
        round.seconds = (nowMs() - started) / 1000;
        round.cpuCores = coresBetween(cpu0, sampler.sample());
        progress.note(
          `round ${index + 1} ${mode}: ${(round.orders / round.seconds).toFixed(1)} orders/s, ` +
            `p50 ${summarize(round.latencies).p50.toFixed(1)} ms, errors ${round.errors}`,
        );
        for (const c of http) c.close();
        await Promise.all(hubs.map((h) => h.stop()));
        await sleep(500);
        const other =
          Math.round(
            ((round.cpuCores.other ?? 0) + (round.cpuCores['postgres (rest of server)'] ?? 0)) * 100,
          ) / 100;
        if (other > settings.noiseCores && attempt <= settings.noisyRetries) {
          progress.note(`round ${index + 1}: other work kept ${other} cores busy: measuring it again`);
          await waitForQuietMachine(settings.quietWaitSeconds, () => {});
          continue;
        }
        round.attempts = attempt;
        if (other > settings.noiseCores) {
          notes.push(`round ${index + 1} (${mode}): other work kept ${other} cores busy during it.`);
        }
        rounds.push(round);
        break;
      }
    }
    await redis.stop();
  } finally {
    await cleanupAll();
  }

  progress.step('report');
  const rows: WritesRow[] = (['outbox', 'no-outbox'] as const).map((mode) => {
    const mine = rounds.filter((r) => r.mode === mode);
    const orders = mine.reduce((s, r) => s + r.orders, 0);
    const seconds = mine.reduce((s, r) => s + r.seconds, 0);
    const lat = summarize(mine.flatMap((r) => r.latencies));
    return {
      mode,
      clients: settings.clients,
      ordersPerSecond: round(orders / seconds, 1) ?? 0,
      p50Ms: round(lat.p50),
      p99Ms: round(lat.p99),
    };
  });
  const ratio = rows[0]!.ordersPerSecond / rows[1]!.ordersPerSecond;
  const written = saveWrites(machine.date, rows, {
    machine,
    settings: { ...settings, quick },
    rounds: rounds.map((r) => ({
      mode: r.mode,
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
      `Outbox / no-outbox = ${ratio.toFixed(3)} (goal ≥ 0.8). Each order is one POST /api/orders (web, pick-up, ` +
        'pay at the counter, one margherita): a transaction that numbers the order, inserts it and its line, reserves ' +
        'stock and appends 2 outbox events (order.created, stock.changed).',
      'no-outbox: the hub processes run with BENCH_DISABLE_OUTBOX=true, which skips only the outbox INSERTs; the order ' +
        'is still re-read for the event payload, so the difference is the INSERTs plus the relay sequencing and ' +
        'publishing them (on the same machine).',
      `Rounds alternate (${settings.rounds.join(', ')}), ${settings.seconds} s each after a ${settings.warmupSeconds} s ` +
        'warm-up, on fresh hub processes over the same database; figures are over all rounds of a mode.',
    ],
  });
  progress.note(`results: ${written.join(', ')}`);
  process.stdout.write(
    `${rows.map((r) => `${r.mode.padEnd(9)} ${r.clients} clients  ${r.ordersPerSecond} orders/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms`).join('\n')}\n` +
      `ratio outbox/no-outbox: ${ratio.toFixed(3)} (goal >= 0.8)\n`,
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
