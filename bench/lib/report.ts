import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { diskSyncText, type DiskSyncProbe } from './disk-probe.js';
import path from 'node:path';
import type { PostgresSettings } from './pg-cluster.js';
import { ROOT_DIR } from './processes.js';

export const RESULTS_DIR = path.join(ROOT_DIR, 'bench', 'results');

/** One row of `<date>-realtime.json` (issue 3's format). */
export type RealtimeRow = {
  system: 'hub' | 'baseline';
  sockets: number;
  /** The target rate of the phase. */
  eventsPerSecond: number;
  /** The rate the phase achieved (acknowledged writes or emits per second of the phase). */
  achievedEventsPerSecond: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  deliveriesPerSecond: number | null;
  lost: number;
  duplicated: number;
  rssPerSocketKb: number | null;
};

/**
 * `hub`: POST /api/orders on the hub processes, with the outbox; `hub-no-outbox`: the same with
 * BENCH_DISABLE_OUTBOX; `sql-floor`: the order transaction's statements sent straight to PostgreSQL.
 */
export type WritesSystem = 'hub' | 'hub-no-outbox' | 'sql-floor';

/** One row of `<date>-writes.json`. */
export type WritesRow = {
  system: WritesSystem;
  clients: number;
  ordersPerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
};

/** Rows of older result files had `mode: 'outbox' | 'no-outbox'` instead of `system`. */
function writesRowOf(raw: WritesRow | (Omit<WritesRow, 'system'> & { mode?: string })): WritesRow {
  if ('system' in raw && raw.system) return raw;
  const mode = (raw as { mode?: string }).mode;
  const system = (mode === 'no-outbox' ? 'hub-no-outbox' : mode === 'outbox' ? 'hub' : mode) as WritesSystem;
  return { ...raw, system };
}

export type Machine = {
  date: string;
  startedAt: string;
  cores: number;
  cpuModel: string;
  ramGb: number;
  node: string;
  kernel: string;
  loadAverageAtStart: number[];
  /** Cores busy with other work just before the benchmark started anything (3 s sample). */
  busyCoresBeforeStart?: number;
  /** The commit floor of the disk, probed before the run (absent in results of before 2026-12-04). */
  diskSync?: DiskSyncProbe;
};

export function machineFacts(): Machine {
  const cpus = os.cpus();
  const now = new Date();
  return {
    date: now.toISOString().slice(0, 10),
    startedAt: now.toISOString(),
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    ramGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
}

const file = (date: string, suffix: string) => path.join(RESULTS_DIR, `${date}-${suffix}`);

function readJson<T>(p: string): T | undefined {
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : undefined;
}

function writeJson(p: string, value: unknown): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(p, `${JSON.stringify(value, null, 2)}\n`);
}

/** Details beyond the rows (achieved rates, CPU by process, errors…), kept next to them. */
export type RealtimeDetails = {
  machine: Machine;
  settings: Record<string, unknown>;
  /** The PostgreSQL measured on and its settings (absent in files older than issue 11). */
  postgres?: PostgresSettings;
  phases: unknown[];
  /** The reconnect storm phase (absent when it did not run). */
  storm?: StormResult | null;
  notes: string[];
};
export type WritesDetails = {
  machine: Machine;
  settings: Record<string, unknown>;
  postgres?: PostgresSettings;
  rounds: unknown[];
  notes: string[];
};

/**
 * The reconnect storm (bench/realtime.ts): the hub node holding half the sockets is killed -9
 * while writes go on through the other; its sockets reconnect there and resubscribe from their
 * last seq. Times are from the kill.
 */
export type StormResult = {
  sockets: number;
  killedNodeSockets: number;
  /** Every socket of the killed node reconnected and its subscribe answered (null: never). */
  secondsUntilAllBack: number | null;
  /** Every socket has every event acknowledged until all were back (null: some never arrived). */
  secondsUntilGapFree: number | null;
  lost: number;
  duplicated: number;
};

export function saveRealtime(date: string, rows: RealtimeRow[], details: RealtimeDetails): string[] {
  writeJson(file(date, 'realtime.json'), rows);
  writeJson(file(date, 'realtime-details.json'), details);
  writeFileSync(file(date, 'realtime.svg'), chartSvg(rows, details.machine, details.phases as PhaseDetail[]));
  writeMarkdown(date);
  return ['realtime.json', 'realtime-details.json', 'realtime.svg', 'realtime.md'].map((s) => file(date, s));
}

export function saveWrites(date: string, rows: WritesRow[], details: WritesDetails): string[] {
  writeJson(file(date, 'writes.json'), rows);
  writeJson(file(date, 'writes-details.json'), details);
  writeMarkdown(date);
  return ['writes.json', 'writes-details.json', 'realtime.md'].map((s) => file(date, s));
}

const num = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined || !Number.isFinite(v)
    ? '–'
    : v.toLocaleString('en-US', { maximumFractionDigits: digits });

/** A pg_settings value with its unit, readably: 131072 × 8kB → 1GB, 10 × s → 10s. */
function settingText(s: { setting: string; unit: string | null }): string {
  if (!s.unit) return s.setting;
  const n = Number(s.setting);
  const m = s.unit.match(/^(\d*)(B|kB|MB|GB)$/);
  if (m && Number.isFinite(n) && n >= 0) {
    const bytes = n * Number(m[1] || 1) * { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[m[2] as 'B'];
    for (const [unit, size] of [
      ['GB', 1024 ** 3],
      ['MB', 1024 ** 2],
      ['kB', 1024],
    ] as const) {
      if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
    }
    return `${bytes}B`;
  }
  return `${s.setting}${s.unit}`;
}

function postgresLine(p: PostgresSettings): string {
  const where =
    p.server === 'own cluster'
      ? `the benchmark's own cluster with \`${p.settingsFile}\``
      : `an existing server (BENCH_PG_ADMIN_URL; \`${p.settingsFile}\` not applied${
          p.differsFromFile.length ? `, differs in ${p.differsFromFile.join(', ')}` : ''
        })`;
  const values = p.settings
    .filter((s) => s.name !== 'server_version')
    .map((s) => `${s.name}=${settingText(s)}`)
    .join(', ');
  return `PostgreSQL ${p.serverVersion}, ${where}, reached over ${p.transport ?? 'tcp'}: ${values}.`;
}

type PhaseDetail = {
  system: string;
  idle?: boolean;
  /** The reconnect storm phase (not a rate phase). */
  storm?: boolean;
  writeTransactions?: { samples: number; otherDatabasesOver100ms: number; otherDatabasesMaxAgeMs: number };
  eventsPerSecond: number;
  achievedEventsPerSecond?: number;
  writeErrors?: number;
  cpuCores?: Record<string, number>;
  relayLag?: { p50UpToMs: number | null; p99UpToMs: number | null } | null;
  writeAckMs?: { p50: number | null; p99: number | null } | null;
  latencyFromOutboxInsertMs?: { p50: number; p99: number } | null;
  eventLoopDelayPerNode?: Array<{ p50Ms: number; p99Ms: number; maxMs: number } | null>;
  deliveredBeforeAck?: number;
};

/**
 * `<date>-realtime.md`: the realtime table, the writes line(s), the machine, and what the CPU
 * was spent on. Rebuilt from the JSON files each time either benchmark finishes.
 */
function writeMarkdown(date: string): void {
  const rt = readJson<RealtimeRow[]>(file(date, 'realtime.json'));
  const rtDetails = readJson<RealtimeDetails>(file(date, 'realtime-details.json'));
  const wr = readJson<Array<Parameters<typeof writesRowOf>[0]>>(file(date, 'writes.json'))?.map(writesRowOf);
  const wrDetails = readJson<WritesDetails>(file(date, 'writes-details.json'));
  const machine = rtDetails?.machine ?? wrDetails?.machine;
  const out: string[] = [`# OC Pizza hub benchmarks, ${date}`, ''];
  if (machine) {
    out.push(
      `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.ramGb} GB RAM, Node ${machine.node}, ` +
        `${machine.kernel}; load average when the run started ${machine.loadAverageAtStart.join(' / ')}` +
        (machine.busyCoresBeforeStart !== undefined
          ? `, ${machine.busyCoresBeforeStart} cores busy with other work just before it. `
          : '. ') +
        'Everything (PostgreSQL, Redis, hub nodes, load generator, baseline) ran on this one machine.' +
        (machine.diskSync ? ` Its ${diskSyncText(machine.diskSync)}.` : ''),
      '',
    );
  }
  const pgRt = rtDetails?.postgres;
  const pgWr = wrDetails?.postgres;
  if (pgRt && pgWr && JSON.stringify(pgRt) === JSON.stringify(pgWr)) out.push(postgresLine(pgRt), '');
  else {
    if (pgRt) out.push(`Real-time run: ${postgresLine(pgRt)}`, '');
    if (pgWr) out.push(`Writes run: ${postgresLine(pgWr)}`, '');
  }
  if (rt) {
    out.push(
      '## Real-time delivery (`npm run bench:realtime`)',
      '',
      'Latency: hub = HTTP response of the write (commit acknowledged) → event received by a screen; ' +
        'baseline = server emit → received. Over every delivery of the phase.',
      '',
      '| system | sockets | events/s (target) | events/s (achieved) | p50 ms | p95 ms | p99 ms | max ms | deliveries/s | lost | duplicated | RSS/socket KB |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    const phases = (rtDetails?.phases ?? []) as PhaseDetail[];
    // Rows older than issue 11 have no achievedEventsPerSecond: it was only in the details.
    const achievedOf = (r: RealtimeRow) =>
      r.achievedEventsPerSecond ??
      phases.find(
        (p) => p.system === r.system && p.eventsPerSecond === r.eventsPerSecond && !p.idle && !p.storm,
      )?.achievedEventsPerSecond;
    for (const r of rt) {
      out.push(
        `| ${r.system} | ${num(r.sockets, 0)} | ${num(r.eventsPerSecond, 0)} | ${num(achievedOf(r), 0)} | ` +
          `${num(r.p50Ms, 2)} | ${num(r.p95Ms, 2)} | ${num(r.p99Ms, 2)} | ${num(r.maxMs, 0)} | ` +
          `${num(r.deliveriesPerSecond, 0)} | ${r.lost} | ${r.duplicated} | ${num(r.rssPerSocketKb, 1)} |`,
      );
    }
    out.push('', `![latency vs events/s](${date}-realtime.svg)`, '');
    const goal = rt.find((r) => r.system === 'hub' && r.eventsPerSecond === 1000);
    if (goal) {
      const achieved = achievedOf(goal);
      const mark = (ok: boolean) => (ok ? 'met' : '**not met**');
      out.push(
        `Issue 3's goals for the hub at ${num(goal.sockets, 0)} sockets and 1,000 events/s ` +
          `(achieved: ${num(achieved, 0)} events/s):`,
        '',
        `- p50 ≤ 10 ms: ${num(goal.p50Ms, 2)} ms, ${mark(goal.p50Ms !== null && goal.p50Ms <= 10 && (achieved ?? 0) >= 990)}`,
        `- p99 ≤ 50 ms: ${num(goal.p99Ms, 2)} ms, ${mark(goal.p99Ms !== null && goal.p99Ms <= 50 && (achieved ?? 0) >= 990)}`,
        `- 0 lost: ${goal.lost}, ${mark(goal.lost === 0)}; 0 duplicated: ${goal.duplicated}, ${mark(goal.duplicated === 0)}`,
        `- ≤ 25 KB per socket: ${num(goal.rssPerSocketKb, 1)} KB, ${mark(goal.rssPerSocketKb !== null && goal.rssPerSocketKb <= 25)}`,
        '',
        'A latency goal counts as met only if the rate was achieved too: below the target rate, the phase ' +
          'measured an overloaded hub whose write answers come late (latency from the answer is then ' +
          'understated: see "delivered before the answer").',
        '',
      );
    }
    const storm = rtDetails?.storm;
    if (storm) {
      const ok = storm.secondsUntilGapFree !== null && storm.secondsUntilGapFree <= 10 && storm.lost === 0;
      out.push(
        `Reconnect storm: the hub node holding ${num(storm.killedNodeSockets, 0)} of the ${num(storm.sockets, 0)} ` +
          'sockets killed -9 while writes went on through the other: ' +
          `all back in ${num(storm.secondsUntilAllBack, 2)} s, gap-free in ${num(storm.secondsUntilGapFree, 2)} s ` +
          `(goal ≤ 10 s, 0 lost): ${ok ? 'met' : '**not met**'}; lost ${storm.lost}, duplicated ${storm.duplicated} ` +
          '(the same seq twice on one socket; the page drops them by seq).',
        '',
      );
    }
    const measuredPhases = phases.filter((p) => p.cpuCores);
    if (measuredPhases.length > 0) {
      out.push(
        `### Where the CPU went (cores used on average during each phase; the machine has ${machine?.cores ?? '?'})`,
        '',
        '"other" is the machine\'s busy time outside the listed processes (other work on the machine, kernel threads).',
        '',
      );
    }
    for (const system of ['hub', 'baseline']) {
      const mine = measuredPhases.filter((p) => p.system === system);
      if (mine.length === 0) continue;
      const keys = [...new Set(mine.flatMap((p) => Object.keys(p.cpuCores!)))];
      const hub = system === 'hub';
      const extra = hub
        ? [
            'write answered p50 / p99 ms',
            'delivered before the answer',
            'relay lag p50 / p99 ms (≤ bucket)',
            'outbox insert → screen p50 / p99 ms',
            'event-loop delay p99 ms per node',
            'write transactions of other databases open > 100 ms: share of time / oldest ms',
          ]
        : [];
      out.push(
        `| ${system} events/s | ${[...keys, ...extra].join(' | ')} |`,
        `|---:|${[...keys, ...extra].map(() => '---:').join('|')}|`,
      );
      for (const p of mine) {
        const cells = keys.map((k) => num(p.cpuCores![k], 2));
        if (hub) {
          const delivered = (p as { delivered?: number }).delivered ?? 0;
          cells.push(
            p.writeAckMs ? `${num(p.writeAckMs.p50, 0)} / ${num(p.writeAckMs.p99, 0)}` : '–',
            delivered ? `${num((100 * (p.deliveredBeforeAck ?? 0)) / delivered, 0)} %` : '–',
            p.relayLag ? `${num(p.relayLag.p50UpToMs, 0)} / ${num(p.relayLag.p99UpToMs, 0)}` : '–',
            p.latencyFromOutboxInsertMs
              ? `${num(p.latencyFromOutboxInsertMs.p50, 0)} / ${num(p.latencyFromOutboxInsertMs.p99, 0)}`
              : '–',
            p.eventLoopDelayPerNode ? p.eventLoopDelayPerNode.map((d) => num(d?.p99Ms, 0)).join(' / ') : '–',
            p.writeTransactions && p.writeTransactions.samples > 0
              ? `${num((100 * p.writeTransactions.otherDatabasesOver100ms) / p.writeTransactions.samples, 0)} % / ${num(p.writeTransactions.otherDatabasesMaxAgeMs, 0)}`
              : '–',
          );
        }
        out.push(
          `| ${p.idle ? 'idle, sockets connected' : p.storm ? `reconnect storm, ${num(p.eventsPerSecond, 0)}` : num(p.eventsPerSecond, 0)} | ${cells.join(' | ')} |`,
        );
      }
      out.push('');
    }
    for (const n of rtDetails?.notes ?? []) out.push(`- ${n}`);
    if (rtDetails?.notes.length) out.push('');
  }
  if (wr) {
    const rate = (system: WritesSystem) => wr.find((r) => r.system === system)?.ordersPerSecond ?? Number.NaN;
    const outboxRatio = rate('hub') / rate('hub-no-outbox');
    const floorRatio = rate('hub') / rate('sql-floor');
    const verdict = (ratio: number, goal: number) =>
      Number.isFinite(ratio) ? (ratio >= goal ? 'met' : '**not met**') : 'not measured';
    out.push('## Order writes (`npm run bench:writes`)', '');
    out.push('| system | clients | orders/s | p50 ms | p99 ms |', '|---|---:|---:|---:|---:|');
    for (const r of wr) {
      out.push(
        `| ${r.system} | ${r.clients} | ${num(r.ordersPerSecond, 1)} | ${num(r.p50Ms, 2)} | ${num(r.p99Ms, 2)} |`,
      );
    }
    out.push(
      '',
      `- hub orders/s = **${num(floorRatio, 3)}×** sql-floor (goal ≥ 0.5×: ${verdict(floorRatio, 0.5)})`,
      `- outbox vs no-outbox = **${num(outboxRatio, 3)}×** (goal ≥ 0.8×: ${verdict(outboxRatio, 0.8)})`,
      '',
    );
    const rounds = (wrDetails?.rounds ?? []) as Array<{
      system?: string;
      mode?: string;
      ordersPerSecond: number;
      cpuCores: Record<string, number>;
    }>;
    if (rounds.length > 0) {
      const keys = [...new Set(rounds.flatMap((r) => Object.keys(r.cpuCores)))];
      out.push(
        `Rounds (cores used on average; the machine has ${machine?.cores ?? '?'}):`,
        '',
        `| round | system | orders/s | ${keys.join(' | ')} |`,
        `|---:|---|---:|${keys.map(() => '---:').join('|')}|`,
        ...rounds.map(
          (r, i) =>
            `| ${i + 1} | ${r.system ?? r.mode} | ${num(r.ordersPerSecond, 1)} | ${keys.map((k) => num(r.cpuCores[k], 2)).join(' | ')} |`,
        ),
        '',
      );
    }
    for (const n of wrDetails?.notes ?? []) out.push(`- ${n}`);
    if (wrDetails?.notes.length) out.push('');
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(file(date, 'realtime.md'), `${out.join('\n')}\n`);
}

/** p50 and p99 latency against events/s, hub and baseline, log-log, with the goals drawn in. */
export function chartSvg(rows: RealtimeRow[], machine: Machine, phases: PhaseDetail[] = []): string {
  // The hub measured from its outbox INSERT too (the details): drawn thin, as a second view.
  const fromInsert = phases
    .filter((p) => p.system === 'hub' && p.latencyFromOutboxInsertMs)
    .map((p) => ({
      rate: p.eventsPerSecond,
      p50: p.latencyFromOutboxInsertMs!.p50,
      p99: p.latencyFromOutboxInsertMs!.p99,
    }));
  const W = 800;
  const H = 480;
  const m = { left: 80, right: 200, top: 56, bottom: 64 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const rates = [...new Set(rows.map((r) => r.eventsPerSecond))].sort((a, b) => a - b);
  const values = [
    ...rows.flatMap((r) => [r.p50Ms, r.p99Ms]),
    ...fromInsert.flatMap((p) => [p.p50, p.p99]),
  ].filter((v): v is number => v !== null && v > 0);
  const lo = Math.min(0.1, ...values.map((v) => 10 ** Math.floor(Math.log10(v))));
  // The top of the axis: the first 1-2-5 step at or above the largest value (at least 100 ms).
  const top = Math.max(100, ...values);
  const decade = 10 ** Math.floor(Math.log10(top));
  const hi = [1, 2, 5, 10].map((k) => k * decade).find((v) => v >= top * 0.999)!;
  const xMin = Math.log2(rates[0] ?? 1);
  const xMax = Math.log2(rates[rates.length - 1] ?? 2);
  const x = (rate: number) =>
    m.left + (xMax === xMin ? pw / 2 : ((Math.log2(rate) - xMin) / (xMax - xMin)) * pw);
  const y = (ms: number) =>
    m.top + ph - ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="13">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.left}" y="24" font-size="16" font-weight="bold">Event latency vs. event rate (${num(rows[0]?.sockets, 0)} sockets)</text>`,
    `<text x="${m.left}" y="42" fill="#555">${machine.date} · ${machine.cores} cores · ${machine.ramGb} GB · Node ${machine.node} · log-log</text>`,
  );
  // grid and y ticks (1-2-5 per decade)
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    for (const k of [1, 2, 5]) {
      const v = d * k;
      if (v > hi * 1.0001) break;
      const yy = y(v);
      parts.push(
        `<line x1="${m.left}" x2="${m.left + pw}" y1="${yy}" y2="${yy}" stroke="${k === 1 ? '#ccc' : '#eee'}"/>`,
        `<text x="${m.left - 8}" y="${yy + 4}" text-anchor="end" fill="#333">${v >= 1 ? v : v.toFixed(1)}</text>`,
      );
    }
  }
  for (const r of rates) {
    const xx = x(r);
    parts.push(
      `<line x1="${xx}" x2="${xx}" y1="${m.top}" y2="${m.top + ph}" stroke="#eee"/>`,
      `<text x="${xx}" y="${m.top + ph + 20}" text-anchor="middle" fill="#333">${r.toLocaleString('en-US')}</text>`,
    );
  }
  parts.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`,
    `<text x="${m.left + pw / 2}" y="${H - 18}" text-anchor="middle">events per second (each reaching 3 sockets)</text>`,
    `<text transform="translate(22 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">latency, ms</text>`,
  );
  // goals at 1,000 events/s
  for (const [ms, label] of [
    [10, 'goal p50 10 ms'],
    [50, 'goal p99 50 ms'],
  ] as const) {
    parts.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${y(ms)}" y2="${y(ms)}" stroke="#2a2" stroke-dasharray="2 4"/>`,
      `<text x="${m.left + 6}" y="${y(ms) - 4}" fill="#2a2" font-size="11">${label}</text>`,
    );
  }
  const pick = (system: string, key: 'p50Ms' | 'p99Ms') =>
    rows
      .filter((r) => r.system === system && r[key] !== null)
      .map((r) => ({ rate: r.eventsPerSecond, ms: r[key]! }));
  const series = [
    { points: pick('hub', 'p50Ms'), color: '#1f5fbf', dash: '', width: 2.5, label: 'hub p50' },
    { points: pick('hub', 'p99Ms'), color: '#1f5fbf', dash: '6 4', width: 2.5, label: 'hub p99' },
    {
      points: fromInsert.map((p) => ({ rate: p.rate, ms: p.p50 })),
      color: '#7aa7e8',
      dash: '',
      width: 1.5,
      label: 'hub p50, from outbox insert',
    },
    {
      points: fromInsert.map((p) => ({ rate: p.rate, ms: p.p99 })),
      color: '#7aa7e8',
      dash: '6 4',
      width: 1.5,
      label: 'hub p99, from outbox insert',
    },
    {
      points: pick('baseline', 'p50Ms'),
      color: '#d9730d',
      dash: '',
      width: 2.5,
      label: 'bare Socket.IO p50',
    },
    {
      points: pick('baseline', 'p99Ms'),
      color: '#d9730d',
      dash: '6 4',
      width: 2.5,
      label: 'bare Socket.IO p99',
    },
  ].filter((s) => s.points.length > 0);
  series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.rate - b.rate).map((p) => [x(p.rate), y(p.ms), p.ms] as const);
    if (pts.length > 0) {
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="${s.width}" ${s.dash ? `stroke-dasharray="${s.dash}"` : ''} points="${pts
          .map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`)
          .join(' ')}"/>`,
      );
      for (const [px, py, v] of pts) {
        parts.push(
          `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="4" fill="${s.color}"><title>${s.label}: ${v} ms</title></circle>`,
        );
      }
    }
    const ly = m.top + 14 + i * 34;
    const lx = m.left + pw + 16;
    const [first, ...rest] = s.label.split(', ');
    parts.push(
      `<line x1="${lx}" x2="${lx + 28}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="${s.width}" ${s.dash ? `stroke-dasharray="${s.dash}"` : ''}/>`,
      `<text x="${lx + 34}" y="${ly + 4}">${first}</text>`,
      rest.length
        ? `<text x="${lx + 34}" y="${ly + 18}" font-size="11" fill="#555">${rest.join(', ')}</text>`
        : '',
    );
  });
  parts.push(
    `<text x="${m.left + pw + 16}" y="${m.top + ph - 4}" font-size="11" fill="#555">0 ms is drawn at ${lo} ms</text>`,
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
