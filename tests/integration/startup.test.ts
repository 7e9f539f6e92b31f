import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../hub/src/paths.js';
import { freePort } from '../helpers/free-port.js';
import { createTestDatabase } from '../helpers/test-database.js';

const withDatabaseName = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** The hub as `npm start` runs it (after the build), with exactly this environment. */
function startHub(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'hub/src/main.ts'], {
    cwd: ROOT_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    child,
    output: () => ({ stdout, stderr }),
    /** Resolves with the first stdout line matching `pattern` (event-driven, no polling). */
    waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = stdout.match(pattern);
          if (m) {
            child.stdout!.off('data', check);
            resolve(m);
          }
        };
        child.stdout!.on('data', check);
        child.once('exit', (code) =>
          reject(new Error(`hub exited (${code}) before printing ${pattern}:\n${stdout}\n${stderr}`)),
        );
        check();
      });
    },
  };
}

describe('starting the hub', () => {
  it('in production, refuses to start without its required variables and names them all', async () => {
    const hub = startHub({ NODE_ENV: 'production', PORT: String(await freePort()) });
    const [code] = await once(hub.child, 'exit');
    expect(code).toBe(78);
    const { stderr } = hub.output();
    expect(stderr).toContain('config/invalid');
    for (const name of [
      'DATABASE_URL',
      'REDIS_URL',
      'SESSION_SECRET',
      'SECRET_ADMIN_URL',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'PUBLIC_URL',
      'METRICS_TOKEN',
    ]) {
      expect(stderr).toContain(name);
    }
  });

  it('says in one sentence what to do when a port is taken or the database cannot be reached', async () => {
    // Something else holds a port: the embedded PostgreSQL's, then the hub's own.
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as net.AddressInfo).port;
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ocp-start-'));
    dirs.push(dataDir);
    const database = await createTestDatabase();
    try {
      const cases: Array<{ env: Record<string, string>; code: string; names: string }> = [
        {
          env: { PORT: '0', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(taken) },
          code: 'startup/embedded_port_taken',
          names: 'EMBEDDED_PG_PORT',
        },
        {
          env: { PORT: String(taken), DATABASE_URL: database.url, SEED_DEMO: 'false' },
          code: 'startup/port_taken',
          names: 'set PORT',
        },
        {
          env: { PORT: '0', DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/ocpizza` },
          code: 'startup/database_unreachable',
          names: 'DATABASE_URL',
        },
        {
          env: { PORT: '0', DATABASE_URL: withDatabaseName(database.url, 'ocp_no_such_database') },
          code: 'startup/database_missing',
          names: 'createdb',
        },
      ];
      for (const c of cases) {
        const hub = startHub({ HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...c.env });
        const [code] = await once(hub.child, 'exit');
        const { stderr } = hub.output();
        expect(code, c.code).toBe(1);
        const line = stderr.split('\n').find((l) => l.startsWith('The hub could not start'));
        expect(line, stderr).toContain(`(${c.code})`);
        expect(line).toContain(String(c.names));
        expect(line).not.toContain('undefined');
      }
    } finally {
      squatter.close();
      await database.drop();
    }
  });

  it('without DATABASE_URL: embedded PostgreSQL, demo data, serves the API and the three front ends, stops cleanly on Ctrl-C', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ocp-start-'));
    dirs.push(dataDir);
    const hub = startHub({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    });
    const [, base] = await hub.waitFor(/running on (http:\/\/localhost:\d+)/);
    expect(hub.output().stdout).toContain('kitchen.a@demo.ocpizza.fr');

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    const shops = (await (await fetch(`${base}/api/shops`)).json()) as { shops: unknown[] };
    expect(shops.shops).toHaveLength(8);
    for (const page of ['/', '/kitchen', '/courier']) {
      const res = await fetch(`${base}${page}`);
      expect(res.status, page).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toContain('<div id="app">');
    }

    hub.child.kill('SIGINT');
    const [code] = await once(hub.child, 'exit');
    expect(code).toBe(0);
    expect(hub.output().stdout + hub.output().stderr).not.toContain('could not start');
  });
});
