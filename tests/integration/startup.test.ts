import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../hub/src/paths.js';
import { freePort } from '../helpers/free-port.js';

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
    ]) {
      expect(stderr).toContain(name);
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
