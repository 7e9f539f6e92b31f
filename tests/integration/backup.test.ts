import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  databaseFacts,
  databasesNamed,
  databaseState,
  serverVersion,
} from '../../hub/src/adapters/backup-database.js';
import { findPgTools } from '../../hub/src/adapters/pg-tools.js';
import type { BackupManifest } from '../../hub/src/backup/manifest.js';
import type { CreatedOrder, EventEnvelope, KitchenSnapshot } from '../../hub/src/contract/index.js';
import { ROOT_DIR } from '../../hub/src/paths.js';
import { facts } from '../helpers/facts.js';
import { orderBody } from '../helpers/orders.js';
import { openSocket } from '../helpers/sockets.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { startTestHub, type TestHub } from '../helpers/test-hub.js';

/**
 * The backup procedures as an operator runs them: the real CLIs (`node --import tsx
 * hub/src/cli/db-*.ts`) against this test file's own database, orders made through the real hub
 * so the outbox and the relay are real.
 */
const adminUrl = inject('pgAdminUrl');
const server = await serverVersion(adminUrl);
const toolsMissing = await findPgTools(server.major).then(
  () => undefined,
  (error: Error) => error.message,
);
// No skipping: a machine without PostgreSQL client tools matching the server fails here, naming them.

const GAP = 1_000_000;
const DUMP = /^OCPDB_(\d{8}T\d{6}Z)\.dump$/;

type Run = { code: number; stdout: string; stderr: string };

function cli(
  script: 'db-backup' | 'db-restore' | 'db-verify-backup',
  args: string[],
  env: Record<string, string>,
) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT_DIR, 'hub', 'src', 'cli', `${script}.ts`), ...args],
      {
        cwd: ROOT_DIR,
        // A clean environment: only what the command is given (and where programs are).
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'test', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Every order row, as PostgreSQL renders it, in id order: equal text means equal orders. */
async function ordersAsJson(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`set timezone = 'UTC'`);
    const res = await client.query<{ json: string | null }>(
      `select (select json_agg(o order by o.id) from orders o)::text || (select json_agg(l order by l.order_id, l.line_no) from order_lines l)::text as json`,
    );
    return res.rows[0]!.json ?? '';
  } finally {
    await client.end();
  }
}

async function query<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

// Each test runs the CLIs as processes (about a second each, several on a loaded 2-core machine).
describe('backups: db:backup, db:restore, db:verify-backup', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let hub: TestHub | undefined;
  let backupDir: string;
  const scratchDirs: string[] = [];
  let env: Record<string, string>;
  let dumpFile: string;
  let manifest: BackupManifest;
  let shopA: number;
  let reine: number;
  const orderIds: string[] = [];

  async function newDir(): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ocp-backup-test-'));
    scratchDirs.push(dir);
    return dir;
  }

  /** A pickup order through the API, moved to `preparing`; resolves once the relay published it all. */
  async function orderThroughHub(h: TestHub): Promise<{ id: string; events: EventEnvelope[] }> {
    const created = await h
      .client()
      .post<CreatedOrder>(
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: reine, quantity: 2 }] }),
      );
    expect(created.status).toBe(201);
    const id = created.body.order.id;
    const kitchen = await h.staff('kitchen.a@demo.ocpizza.fr');
    const published = h.published((e) => e.orderId === id && e.version === 2);
    expect((await kitchen.post(`/api/orders/${id}/transitions`, { to: 'preparing' })).status).toBe(200);
    await published;
    const events = await query<{ seq: string }>(
      database.url,
      'select seq::text from event_log where order_id = $1',
      [id],
    );
    return { id, events: events.map((e) => ({ seq: Number(e.seq) }) as EventEnvelope) };
  }

  it('finds PostgreSQL client tools matching the server', () => {
    expect(toolsMissing).toBeUndefined();
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    hub = await startTestHub({ database });
    const f = facts(hub.db);
    shopA = await f.shopId('A');
    reine = await f.productId('reine');
    for (let i = 0; i < 3; i++) orderIds.push((await orderThroughHub(hub)).id);
    backupDir = await newDir();
    env = { DATABASE_URL: database.url, BACKUP_DIR: backupDir };
  });

  afterAll(async () => {
    await hub?.close();
    await database?.drop();
    for (const dir of scratchDirs) await rm(dir, { recursive: true, force: true });
  });

  it('db:backup writes a custom-format dump, the roles and a manifest named OCPDB_<UTC time>, showing progress', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const run = await cli('db-backup', [], env);
    const after = Date.now();
    expect(run.code, run.stderr).toBe(0);

    const files = (await readdir(backupDir)).sort();
    expect(files).toHaveLength(3);
    const stamp = DUMP.exec(files[0]!)?.[1];
    expect(stamp, files.join(', ')).toBeDefined();
    expect(files).toEqual([
      `OCPDB_${stamp}.dump`,
      `OCPDB_${stamp}.manifest.json`,
      `OCPDB_${stamp}_globals.sql`,
    ]);
    const takenAt = Date.parse(
      stamp!.replace(/(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z/, '$1-$2-$3T$4:$5:$6Z'),
    );
    expect(takenAt).toBeGreaterThanOrEqual(before);
    expect(takenAt).toBeLessThanOrEqual(after);

    dumpFile = path.join(backupDir, files[0]!);
    expect((await readFile(dumpFile)).subarray(0, 5).toString()).toBe('PGDMP'); // custom format
    expect(await readFile(path.join(backupDir, files[2]!), 'utf8')).toMatch(/CREATE ROLE/);

    manifest = JSON.parse(await readFile(path.join(backupDir, files[1]!), 'utf8')) as BackupManifest;
    const live = await databaseFacts(database.url);
    expect(manifest.facts.tables).toEqual(live.tables);
    expect(manifest.facts.tables.orders).toBeGreaterThanOrEqual(3);
    expect(manifest.facts.newestOrder?.id).toBe(orderIds[2]);
    expect(manifest.facts.ordersChecksum).toBe(live.ordersChecksum);
    expect(manifest.dumpSha256).toBe(await sha256(dumpFile));

    const tables = Object.keys(manifest.facts.tables).length;
    expect(run.stderr).toMatch(new RegExp(`dumping table orders \\(\\d+/${tables}\\)`));
    expect(run.stderr).toContain(`dumping table stripe_events (${tables}/${tables})`);
    expect(run.stdout).toMatch(new RegExp(`backup done: .*${files[0]} \\(\\d+\\.\\d KiB, ${tables} tables`));
  });

  it('drop the database, restore it: the same rows and orders; the relay resumes past the old seqs', async () => {
    const before = await databaseFacts(database.url);
    const ordersBefore = await ordersAsJson(database.url);
    expect(before.ordersChecksum).toBe(manifest.facts.ordersChecksum);
    // After the backup, one more order: the restore loses it, but screens saw its events' seqs.
    const lost = await orderThroughHub(hub!);
    const seenSeq = Math.max(...lost.events.map((e) => e.seq));
    expect(seenSeq).toBeGreaterThan(manifest.facts.relay!.lastSeq);

    await hub!.close();
    hub = undefined;
    await database.drop();
    expect(await databaseState(database.url)).toEqual({ exists: false });

    const run = await cli('db-restore', [dumpFile], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('restoring table orders');
    expect(run.stdout).toMatch(/restore done: OCPDB_\d{8}T\d{6}Z\.dump into database ocp_t_/);

    const after = await databaseFacts(database.url);
    expect(after.tables).toEqual(before.tables);
    expect(after.ordersChecksum).toBe(before.ordersChecksum);
    expect(after.newestOrder).toEqual(before.newestOrder);
    expect(await ordersAsJson(database.url)).toBe(ordersBefore);
    expect(await query(database.url, 'select 1 from orders where id = $1', [lost.id])).toHaveLength(0);

    // The cursor: every restored event counts as published, the next seq is far past the old ones.
    const [state] = await query<{ last_seq: string; published_up_to: string; purged_up_to: string }>(
      database.url,
      'select last_seq::text, published_up_to::text, purged_up_to::text from relay_state',
    );
    const restoredLast = Number(state!.last_seq);
    expect(restoredLast).toBe(manifest.facts.relay!.lastSeq + GAP);
    expect(Number(state!.published_up_to)).toBe(restoredLast);
    expect(Number(state!.purged_up_to)).toBe(restoredLast);
    // Nothing left waiting, nothing numbered beyond the restored cursor, the scan cursor back at the start.
    const pending = await query(
      database.url,
      `select 1 from outbox union all select 1 from event_log where seq > $1
       union all select 1 from relay_state where cursor_xid <> '0' or cursor_id <> 0`,
      [restoredLast],
    );
    expect(pending).toHaveLength(0);

    hub = await startTestHub({ database });
    const kitchen = await hub.staff('kitchen.a@demo.ocpizza.fr');
    // Screens that saw events from before the restore, including the lost ones, reload.
    for (const since of [seenSeq, manifest.facts.relay!.lastSeq, 0]) {
      const old = await openSocket(hub.baseUrl, { cookie: kitchen.cookieHeader });
      const sub = await old.subscribe(since);
      old.close();
      expect(sub.ok && sub.data.reload, `since ${since}`).toBe(true);
    }
    // A screen loading its snapshot now resumes normally and gets new events live.
    const snapshot = await kitchen.get<KitchenSnapshot>(`/api/shops/${shopA}/kitchen`);
    expect(snapshot.body.seq).toBe(restoredLast);
    const board = await openSocket(hub.baseUrl, { cookie: kitchen.cookieHeader });
    const sub = await board.subscribe(snapshot.body.seq);
    expect(sub.ok && sub.data.reload).toBe(false);
    const fresh = await orderThroughHub(hub);
    await board.until((events) => events.some((e) => e.orderId === fresh.id && e.version === 2));
    board.close();
    // Published (not stalled), with seqs above the jump; nothing old was replayed.
    expect(Math.min(...fresh.events.map((e) => e.seq))).toBeGreaterThan(restoredLast);
    const [next] = await query<{ min: string }>(
      database.url,
      'select min(seq)::text as min from event_log where seq > $1',
      [restoredLast],
    );
    expect(Number(next!.min)).toBe(restoredLast + 1);
    expect(board.events.every((e) => e.seq > restoredLast)).toBe(true);
    expect(board.events.filter((e) => e.orderId).every((e) => e.orderId === fresh.id)).toBe(true);
  });

  it('db:restore refuses to overwrite a database holding data, and changes nothing', async () => {
    // The relay records its watermark with its next batch: let it catch up, so only db:restore
    // could change the facts below.
    await hub?.hub.relay.drainNow();
    const before = await databaseFacts(database.url);
    const run = await cli('db-restore', [dumpFile], env);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/db:restore FAILED: Database ocp_t_\w+ already holds \d+ tables.*--force/);
    expect(await databaseFacts(database.url)).toEqual(before);
  });

  it('db:verify-backup restores the newest backup into a scratch database, compares it, and drops it', async () => {
    const run = await cli('db-verify-backup', [], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`verifying ${dumpFile}`);
    expect(run.stdout).toMatch(/^orders rows\s+\d+\s+\d+\s+ok$/m);
    expect(run.stdout).toMatch(/^orders checksum\s+[0-9a-f]{32}\s+[0-9a-f]{32}\s+ok$/m);
    expect(run.stdout).toMatch(new RegExp(`^newest order\\s+${orderIds[2]} v2 .* ok$`, 'm'));
    expect(run.stdout).toContain(`backup ${path.basename(dumpFile)} verified`);
    const scratch = /scratch database (ocp_verify_\w+)/.exec(run.stderr)?.[1];
    expect(scratch).toBeDefined();
    expect(await databasesNamed(adminUrl, scratch!)).toEqual([]);
  });

  /** A copy of the backup (dump + manifest) in a directory of its own, for verify to find. */
  async function copyOfBackup() {
    const dir = await newDir();
    const copy = path.join(dir, path.basename(dumpFile));
    const manifestFile = copy.replace(/\.dump$/, '.manifest.json');
    await copyFile(dumpFile, copy);
    await copyFile(dumpFile.replace(/\.dump$/, '.manifest.json'), manifestFile);
    return { copy, manifestFile, verify: () => cli('db-verify-backup', [], { ...env, BACKUP_DIR: dir }) };
  }

  it('db:verify-backup fails loudly on a truncated or altered dump', async () => {
    const { copy, verify } = await copyOfBackup();
    await truncate(copy, Math.floor(manifest.dumpBytes / 2));
    let run = await verify();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`db:verify-backup FAILED: the backup ${copy} cannot be trusted`);
    expect(run.stderr).toMatch(/SHA-256 differs from the manifest/);
    expect(run.stderr).toMatch(/cannot be restored \(.*pg_restore: error/);
    expect(run.stdout).toMatch(/^file size\s+\d+\s+\d+\s+DIFFERS$/m);

    await copyFile(dumpFile, copy);
    const bytes = await readFile(copy);
    for (let i = 0; i < 64; i++) bytes[Math.floor(bytes.length / 2) + i]! ^= 0xff;
    await writeFile(copy, bytes);
    run = await verify();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/SHA-256 differs from the manifest/);
    expect(await databasesNamed(adminUrl, 'ocp_verify_')).toEqual([]);
  });

  it('db:verify-backup fails when the restore differs from the manifest, or there is none', async () => {
    // A dump intact but not holding what was recorded: the comparison itself fails.
    const { manifestFile, verify } = await copyOfBackup();
    const lying: BackupManifest = structuredClone(manifest);
    lying.facts.tables.orders = manifest.facts.tables.orders! + 1;
    await writeFile(manifestFile, JSON.stringify(lying));
    let run = await verify();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `orders rows: ${manifest.facts.tables.orders! + 1} in the backup, ${manifest.facts.tables.orders} restored`,
    );
    expect(run.stdout).toMatch(/^orders rows\s+\d+\s+\d+\s+DIFFERS$/m);
    expect(run.stdout).toMatch(/^orders checksum\s+\w+\s+\w+\s+ok$/m);

    await rm(manifestFile);
    run = await verify();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/manifest OCPDB_\w+\.manifest\.json is missing/);
    expect(await databasesNamed(adminUrl, 'ocp_verify_')).toEqual([]);

    // No backup at all (the timer never ran) is a failure too.
    run = await cli('db-verify-backup', [], { ...env, BACKUP_DIR: await newDir() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/db:verify-backup FAILED: There is no backup \(OCPDB_\*\.dump\) in /);
  });

  it('db:restore of a corrupt file fails with a sentence and leaves no database behind', async () => {
    const dir = await newDir();
    const copy = path.join(dir, path.basename(dumpFile));
    await copyFile(dumpFile, copy);
    await truncate(copy, Math.floor(manifest.dumpBytes / 3));
    const target = `${database.name}_r`;
    const run = await cli('db-restore', [copy, '--database', target], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/db:restore FAILED: .*pg_restore: error/);
    expect(await databasesNamed(adminUrl, target)).toEqual([]);
  });

  it('db:backup prunes the backups older than BACKUP_KEEP_DAYS, all their files, and nothing else', async () => {
    const dir = await newDir();
    const now = '2030-01-15T03:00:00Z';
    const set = (stamp: string, kinds = ['.dump', '.manifest.json', '_globals.sql']) =>
      kinds.map((k) => `OCPDB_${stamp}${k}`);
    const old20 = set('20291226T030000Z'); // 20 days before now
    const old15 = set('20291231T030005Z', ['.dump', '.manifest.json']); // 15 days
    const edge14 = set('20300101T030000Z'); // exactly 14 days: kept
    const recent = set('20300114T030000Z'); // yesterday
    for (const name of [...old20, ...old15, ...edge14, ...recent, 'notes.txt']) {
      await writeFile(path.join(dir, name), 'placeholder');
    }
    const run = await cli('db-backup', [], {
      ...env,
      BACKUP_DIR: dir,
      BACKUP_NOW: now,
      BACKUP_KEEP_DAYS: '14',
    });
    expect(run.code, run.stderr).toBe(0);
    const left = (await readdir(dir)).sort();
    expect(left).toEqual([...edge14, ...recent, ...set('20300115T030000Z'), 'notes.txt'].sort());
    for (const name of [...old20, ...old15])
      expect(run.stderr).toContain(`pruned ${name} (older than 14 days)`);
    expect(run.stdout).toContain('pruned 5 old file(s)');
  });

  it('db:backup fails with a sentence, and leaves no file, when the database is unreachable', async () => {
    const dir = await newDir();
    const missing = new URL(database.url);
    missing.pathname = `/${database.name}_missing`;
    const run = await cli('db-backup', [], { DATABASE_URL: missing.toString(), BACKUP_DIR: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^db:backup FAILED: .*does not exist/m);
    expect(await readdir(dir)).toEqual([]);
  });
});
