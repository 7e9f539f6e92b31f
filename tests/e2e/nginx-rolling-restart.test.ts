import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { room, type CreatedOrder, type ShopStock } from '../../hub/src/contract/index.js';
import { ROOT_DIR } from '../../hub/src/paths.js';
import { eventsForRooms, startCluster, type Cluster } from '../helpers/cluster.js';
import { freePort } from '../helpers/free-port.js';
import { prepareNginx, type PreparedNginx, type RunningNginx } from '../helpers/nginx.js';
import { orderBody } from '../helpers/orders.js';
import { appliedOf, startObserver, type Observer } from '../helpers/realtime-observer.js';

/**
 * The deployment kit, for real: Debian's nginx, started on loopback with the project's site
 * (deploy/nginx/ocpizza.conf rendered by deploy/nginx/render.sh, with a certificate generated for the
 * test), in front of two hub PROCESSES (on a database and a Redis of the test's own). Through it:
 * HTTP -> HTTPS, the customer site, hashed assets served by nginx with a one-year immutable cache,
 * health, the body size limit, Stripe's raw body, and Socket.IO over wss. Then deploy/deploy.sh
 * restarts both hub processes one after the other (SIGTERM, a new process on the same port, waited
 * for through /readyz) while orders are written through nginx: the kitchen screen, connected through
 * nginx, ends with every event of its rooms exactly once, in seq order, without reloading.
 */

const DEPLOY_SCRIPT = path.join(ROOT_DIR, 'deploy', 'deploy.sh');

/**
 * How long a screen may take to catch up before the comparison that follows shows what it lacks
 * (a guard so a lost event fails with a diff instead of a hang; never a success condition).
 */
const GIVE_UP_MS = 20_000;

/** Distinct free loopback ports (the OS could hand the same one out twice in a row). */
async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** Runs deploy/deploy.sh with `args` and this environment; resolves with its exit and output. */
async function runDeploy(args: string[], env: Record<string, string>) {
  const child = spawn('bash', [DEPLOY_SCRIPT, ...args], {
    cwd: ROOT_DIR,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

/** A loopback HTTP server for the scripts to call (restart hooks, readiness stubs). */
async function hookServer(handler: http.RequestListener) {
  const server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('nginx in front of two hub processes', () => {
  const WEBHOOK_SECRET = 'whsec_nginxRawBodyTest';
  let cluster: Cluster;
  let prepared: PreparedNginx;
  let checked: { code: number; output: string };
  let nginx: RunningNginx;
  let hubPorts: [number, number];
  let httpPort: number;
  let httpsPort: number;
  /** The site's origin, as customers and staff reach it. */
  let site: string;
  let shopA: number;
  let kitchenCookie: string;
  let margherita: number;
  const observers: Observer[] = [];

  /** A request to the site through nginx, as its own pages make them (Origin of the site). */
  async function siteRequest<T = unknown>(method: string, url: string, body?: unknown, cookie?: string) {
    const headers: Record<string, string> = { origin: site };
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const send = () =>
      fetch(`${site}${url}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    let res: Response;
    try {
      res = await send();
    } catch (error) {
      // A keep-alive connection nginx closed as idle while this request was on its way: the
      // reload of a rolling restart closes the old workers' idle connections. Nothing was read
      // from it, and browsers send such a request again on a fresh connection, POST included
      // (Chromium's retry of a reused idle socket); so does this client, once.
      if ((error as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw error;
      res = await send();
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // an nginx error page is HTML
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  beforeAll(async () => {
    for (const app of ['customer-web', 'displays']) {
      if (!existsSync(path.join(ROOT_DIR, app, 'dist', 'index.html'))) {
        throw new Error(`${app}/dist is not built: run \`npm run build\` first (npm test does it).`);
      }
    }
    const ports = await freePorts(4);
    hubPorts = [ports[0]!, ports[1]!];
    httpPort = ports[2]!;
    httpsPort = ports[3]!;
    site = `https://127.0.0.1:${httpsPort}`;
    cluster = await startCluster({
      size: 2,
      ports: hubPorts,
      env: {
        // As in production behind nginx (deploy/systemd/ocpizza-hub@.service).
        TRUST_PROXY: 'true',
        PUBLIC_URL: site,
        // Stripe configured only for the webhook's signature check; its API is never called here.
        STRIPE_SECRET_KEY: 'sk_test_nginx',
        STRIPE_PUBLISHABLE_KEY: 'pk_test_nginx',
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_API_URL: 'http://127.0.0.1:9',
      },
    });
    prepared = await prepareNginx({ hubPorts, httpPort, httpsPort, currentRelease: ROOT_DIR });
    checked = await prepared.check();
    if (checked.code !== 0) throw new Error(`nginx -t refused the rendered site:\n${checked.output}`);
    nginx = await prepared.start();
    // The test's certificate is trusted like a real one (fetch and Socket.IO's websocket verify it).
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), prepared.certificate]);

    shopA = await cluster.shopId('A');
    margherita = await cluster.productId('margherita');
    const login = await siteRequest('POST', '/api/auth/login', {
      email: 'kitchen.a@demo.ocpizza.fr',
      password: 'pizza-demo-2026',
    });
    if (login.status !== 200) throw new Error(`kitchen login through nginx: ${login.status}`);
    kitchenCookie = login.headers.get('set-cookie')!.split(';')[0]!;
  });

  afterAll(async () => {
    for (const o of observers) o.stop();
    await nginx?.stop();
    await prepared?.remove();
    await cluster?.close();
  });

  it('nginx -t accepts the site rendered from deploy/nginx/ocpizza.conf', () => {
    expect(checked.code).toBe(0);
    expect(checked.output).toMatch(/syntax is ok/);
    expect(checked.output).toMatch(/test is successful/);
    expect(checked.output).not.toMatch(/\[(warn|emerg|alert)\]/);
  });

  it('plain HTTP answers 301 to the same URL over HTTPS, except ACME challenges', async () => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/kitchen?from=flyer`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`${site}/kitchen?from=flyer`);

    await writeFile(path.join(prepared.acmeRoot, '.well-known', 'acme-challenge', 'tok3n'), 'tok3n.key');
    const challenge = await fetch(`http://127.0.0.1:${httpPort}/.well-known/acme-challenge/tok3n`, {
      redirect: 'manual',
    });
    expect(challenge.status).toBe(200);
    expect(await challenge.text()).toBe('tok3n.key');
  });

  it('serves the customer site over TLS 1.3 with HTTP/2 offered, each security header once', async () => {
    const negotiated = await new Promise<{ protocol: string | null; alpn: string | false | null }>(
      (resolve, reject) => {
        const socket = tls.connect(
          { host: '127.0.0.1', port: httpsPort, ALPNProtocols: ['h2', 'http/1.1'] },
          () => {
            resolve({ protocol: socket.getProtocol(), alpn: socket.alpnProtocol });
            socket.end();
          },
        );
        socket.once('error', reject);
      },
    );
    expect(negotiated).toEqual({ protocol: 'TLSv1.3', alpn: 'h2' });

    const res = await fetch(`${site}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toBe(
      await readFile(path.join(ROOT_DIR, 'customer-web/dist/index.html'), 'utf8'),
    );
    // The hub's own headers (helmet), passed through once: fetch would join duplicates with ", ".
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self'/);
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('server')).toBe('nginx');
  });

  it('hashed assets come from nginx with a one-year immutable cache; a missing one is a 404', async () => {
    const customerIndex = await readFile(path.join(ROOT_DIR, 'customer-web/dist/index.html'), 'utf8');
    const staffIndex = await readFile(path.join(ROOT_DIR, 'displays/dist/index.html'), 'utf8');
    const customerScript = customerIndex.match(/src="(\/assets\/[^"]+\.js)"/)![1]!;
    const staffScript = staffIndex.match(/src="(\/staff\/assets\/[^"]+\.js)"/)![1]!;
    for (const [url, file] of [
      [customerScript, path.join(ROOT_DIR, 'customer-web/dist', customerScript)],
      [staffScript, path.join(ROOT_DIR, 'displays/dist', staffScript.replace(/^\/staff/, ''))],
    ] as const) {
      const res = await fetch(`${site}${url}`);
      expect(res.status, url).toBe(200);
      // The hub would say max-age=3600 (customer) or max-age=31536000 without "public": this is nginx.
      expect(res.headers.get('cache-control'), url).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-type'), url).toMatch(/javascript/);
      expect(res.headers.get('strict-transport-security'), url).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(Buffer.from(await res.arrayBuffer()).equals(await readFile(file)), url).toBe(true);
    }
    // The hub's SPA fallback would answer index.html with a 200 for this: nginx says 404.
    const missing = await fetch(`${site}/assets/index-0000000.js`);
    expect(missing.status).toBe(404);
  });

  it('health and readiness go through to the hub; metrics do not; bodies over 1 MB are refused', async () => {
    expect(await siteRequest('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await siteRequest('GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
    for (const spelling of ['/metrics', '/metrics/', '/METRICS', '/Metrics?format=text'])
      expect((await siteRequest('GET', spelling)).status, spelling).toBe(404);
    expect((await fetch(`http://127.0.0.1:${hubPorts[0]}/metrics`)).status).toBe(200);

    const huge = await siteRequest('POST', '/api/orders', { padding: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
  });

  it("Stripe's webhook reaches the hub byte for byte (its signature still checks out)", async () => {
    // Unusual but valid JSON: indentation, a tab, accents, CRLF. Any re-encoding breaks the signature.
    const payload = [
      '{',
      '  "id": "evt_nginx_raw_body",',
      '  "object": "event",',
      '  "type": "customer.created",',
      `  "created": ${Math.floor(Date.now() / 1000)},`,
      '  "data": { "object": { "id": "cus_1", "object": "customer", "name": "Crème  brûlée\\t" } }',
      '}\r\n',
    ].join('\n');
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    const deliver = (body: string) =>
      fetch(`${site}/api/stripe/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body,
      });
    const ok = await deliver(payload);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ received: true, outcome: 'ignored_type' });
    // The same signature over one byte less: refused, so the check above did compare the bytes.
    const altered = await deliver(payload.replace('Crème  brûlée', 'Crème brûlée'));
    expect(altered.status).toBe(400);
  });

  it(
    'deploy.sh restarts both hub processes one at a time while orders are written through nginx: the kitchen screen on wss keeps every event, exactly once, in seq order',
    { timeout: 300_000 },
    async () => {
      // Enough stock for however many orders the writers get through during the deploy.
      const manager = await siteRequest('POST', '/api/auth/login', {
        email: 'manager.a@demo.ocpizza.fr',
        password: 'pizza-demo-2026',
      });
      const managerCookie = manager.headers.get('set-cookie')!.split(';')[0]!;
      const stock = await siteRequest<ShopStock>(
        'GET',
        `/api/shops/${shopA}/stock`,
        undefined,
        managerCookie,
      );
      expect(stock.status).toBe(200);
      for (const item of stock.body.items) {
        const restock = await siteRequest(
          'POST',
          `/api/shops/${shopA}/stock/movements`,
          { kind: 'restock', ingredientId: item.ingredientId, quantity: 1_000_000 },
          managerCookie,
        );
        expect(restock.status).toBe(201);
      }

      const screen = await startObserver({
        name: 'kitchen A through nginx',
        urls: [site],
        rooms: [room.kitchen(shopA), room.menu(shopA)],
        snapshotPath: `/api/shops/${shopA}/kitchen`,
        cookie: kitchenCookie,
      });
      observers.push(screen);
      expect(screen.client.link().status).toBe('live');

      // ---- orders, written steadily through nginx by two lanes until told to stop ----
      let writing = true;
      let deploying = false;
      const created: string[] = [];
      const writesDuringDeploy = { ok: 0 };
      const refused: string[] = [];
      const write = async (what: string, url: string, body: unknown, cookie?: string) => {
        const res = await siteRequest<CreatedOrder>('POST', url, body, cookie);
        const expected = url === '/api/orders' ? 201 : 200;
        if (res.status !== expected) {
          refused.push(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
          if (refused.length >= 20) writing = false; // broken for good: the assertions will say why
          return null;
        }
        if (deploying) writesDuringDeploy.ok++;
        return res.body;
      };
      const lane = async () => {
        while (writing) {
          const order = await write(
            'create',
            '/api/orders',
            orderBody({ shopId: shopA, lines: [{ productId: margherita, quantity: 1 }] }),
          );
          if (!order) continue;
          created.push(order.order.id);
          for (const to of ['preparing', 'baking', 'ready'] as const) {
            const done = await write(
              `${to} ${order.order.id}`,
              `/api/orders/${order.order.id}/transitions`,
              { to },
              kitchenCookie,
            );
            if (!done) break; // this order stays where it is; the outbox says what happened
          }
        }
      };
      const lanes = Promise.all([lane(), lane()]);
      lanes.catch(() => {}); // awaited below; a failed write must not go unhandled meanwhile

      // ---- the restart hook: what `systemctl restart ocpizza-hub@PORT` does, for test processes ----
      const restarts: Array<{ port: number; oldPid: number; newPid: number; exitCode: number | null }> = [];
      const hook = await hookServer((req, res) => {
        const port = Number(/^\/restart\/(\d+)$/.exec(req.url ?? '')?.[1]);
        const node = cluster.nodes().find((n) => n.port === port);
        if (req.method !== 'POST' || !node) {
          res.writeHead(404).end('no such hub process\n');
          return;
        }
        cluster.restart(node, 'SIGTERM').then(
          async (fresh) => {
            const { code } = await node.exited;
            restarts.push({ port, oldPid: node.pid, newPid: fresh.pid, exitCode: code });
            res.end(`restarted ${port}\n`);
          },
          (error: unknown) => res.writeHead(500).end(`${String(error)}\n`),
        );
      });

      try {
        // Orders are flowing and reaching the screen before the deploy starts.
        expect(await screen.sees(() => screen.applied.length >= 8, GIVE_UP_MS)).toBe(true);
        deploying = true;
        const deploy = await runDeploy(['--restart-only'], {
          HUB_PORTS: hubPorts.join(' '),
          RESTART_CMD: `curl -fsS -X POST http://127.0.0.1:${hook.port}/restart/{port}`,
          // Each process leaves nginx's upstream before its restart and comes back once ready.
          BALANCER_CMD: prepared.balancerCmd,
          READY_TIMEOUT: '60',
        });
        deploying = false;
        expect(deploy.code, deploy.output).toBe(0);
        const [a, b] = hubPorts;
        const lines = deploy.output.split('\n');
        const at = (text: string) => lines.findIndex((l) => l.includes(text));
        // One at a time: the second restart starts only once the first process answers /readyz.
        expect(at(`restarting hub process 1/2 (port ${a})`)).toBeGreaterThan(-1);
        expect(at(`port ${a} is ready`)).toBeGreaterThan(at(`restarting hub process 1/2 (port ${a})`));
        expect(at(`restarting hub process 2/2 (port ${b})`)).toBeGreaterThan(at(`port ${a} is ready`));
        expect(at(`port ${b} is ready`)).toBeGreaterThan(at(`restarting hub process 2/2 (port ${b})`));
        for (const port of [a, b]) {
          expect(at(`nginx: port ${port} drained (down)`)).toBeGreaterThan(at(`(port ${port})`));
          expect(at(`nginx: port ${port} drained (down)`)).toBeLessThan(at(`port ${port} is ready`));
          expect(at(`nginx: port ${port} restored (up)`)).toBeGreaterThan(at(`port ${port} is ready`));
        }
        // Both back in the upstream at the end.
        expect(await readFile(path.join(prepared.dir, 'ocpizza.conf'), 'utf8')).not.toContain(' down;');
        expect(restarts.map((r) => r.port)).toEqual([a, b]);
        for (const r of restarts) {
          expect(r.exitCode, `the process on ${r.port} stopped cleanly on SIGTERM`).toBe(0);
          expect(r.newPid).not.toBe(r.oldPid);
        }
        expect(
          cluster
            .nodes()
            .map((n) => n.port)
            .sort(),
        ).toEqual([...hubPorts].sort());

        // Writes go on through the restarted processes, then stop.
        const createdAtEnd = created.length;
        expect(
          await screen.sees(() => created.length >= createdAtEnd + 4, GIVE_UP_MS),
          `writes resumed after the deploy (refused: ${refused.join('; ')})`,
        ).toBe(true);
      } finally {
        writing = false;
        await lanes;
        await hook.close();
      }
      expect(writesDuringDeploy.ok, 'orders were written while processes restarted').toBeGreaterThan(0);

      // ---- the end: a sentinel proves the relay sequenced everything before it ----
      const sentinel = await write(
        'sentinel',
        '/api/orders',
        orderBody({ shopId: shopA, lines: [{ productId: margherita, quantity: 1 }] }),
      );
      expect(sentinel, refused.join('\n')).not.toBeNull();
      const sentinelSeen = await screen.sees(
        () => screen.applied.some((e) => e.orderId === sentinel!.order.id),
        GIVE_UP_MS,
      );
      expect(sentinelSeen, `the screen never applied the sentinel order\n${cluster.logs()}`).toBe(true);
      expect(await cluster.unsequenced()).toBe(0);

      const expected = eventsForRooms(await cluster.outboxAfter(screen.since()), screen.rooms).map(appliedOf);
      await screen.sees(
        () => screen.client.lastSeq() >= expected.at(-1)!.seq && screen.client.link().status === 'live',
        GIVE_UP_MS,
      );
      expect(screen.snapshotSeqs, 'one snapshot, never had to reload').toHaveLength(1);
      const seqs = screen.applied.map((e) => e.seq);
      expect(
        seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!),
        'strictly increasing seq',
      ).toBe(true);
      expect(new Set(seqs).size, 'no event applied twice').toBe(seqs.length);
      expect(screen.applied, 'exactly the outbox events of its rooms').toEqual(expected);
      // Every order nginx confirmed is on the kitchen board.
      const onBoard = new Set(screen.applied.map((e) => e.orderId));
      expect(created.filter((id) => !onBoard.has(id))).toEqual([]);

      // The screen's process went away at least once (both were restarted): it came back, live.
      const lost = screen.links.indexOf('reconnecting', 2);
      expect(lost, `the screen lost its process (links: ${screen.links.join(' > ')})`).toBeGreaterThan(1);
      expect(screen.links.at(-1)).toBe('live');
      // nginx spread the requests over both processes.
      const log = await nginx.accessLog();
      for (const port of hubPorts) expect(log).toContain(`upstream=127.0.0.1:${port} `);
      expect(refused, 'writes nginx answered with an error').toEqual([]);
    },
  );
});

describe('nginx and a draining hub process', () => {
  it('a request a draining process refused (503 service/unavailable) is replayed once on another, body and all', async () => {
    // Two stand-ins for hub processes: one draining (refuses everything, as hub/src/health/drain.ts
    // does), one answering. Which one nginx tries first is its choice: each request must end 201.
    const seen: Array<{ by: string; method: string; url: string; body: string }> = [];
    const standIn = (name: string, status: number) =>
      hookServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          seen.push({ by: name, method: req.method!, url: req.url!, body });
          const error = {
            error: { code: 'service/unavailable', message: 'This hub node is shutting down.' },
          };
          res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
          res.end(JSON.stringify(status === 503 ? error : { echo: body }));
        });
      });
    const draining = await standIn('draining', 503);
    const serving = await standIn('serving', 201);
    const [httpPort, httpsPort] = await freePorts(2);
    const prepared = await prepareNginx({
      hubPorts: [draining.port, serving.port],
      httpPort: httpPort!,
      httpsPort: httpsPort!,
      currentRelease: ROOT_DIR,
    });
    const nginx = await prepared.start();
    try {
      tls.setDefaultCACertificates([...tls.getCACertificates('default'), prepared.certificate]);
      for (let i = 0; i < 4; i++) {
        const body = JSON.stringify({ order: i, note: 'sans oignons' });
        const res = await fetch(`https://127.0.0.1:${httpsPort}/api/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        expect(res.status).toBe(201);
        expect(await res.json()).toEqual({ echo: body });
      }
      // Each request reached the serving process exactly once, with its body.
      const served = seen.filter((s) => s.by === 'serving');
      expect(served.map((s) => JSON.parse(s.body).order)).toEqual([0, 1, 2, 3]);
      expect(served.every((s) => s.method === 'POST' && s.url === '/api/orders')).toBe(true);
      expect(seen.filter((s) => s.by === 'draining').length).toBeGreaterThan(0);
      // Nobody else to answer: the client gets the 503 after one replay (which, the other process
      // refusing connections, lands on the draining one again), never a loop.
      const before = seen.length;
      await serving.close();
      const refused = await fetch(`https://127.0.0.1:${httpsPort}/api/orders`, {
        method: 'POST',
        body: '{}',
      });
      expect(refused.status).toBe(503);
      expect(seen.length - before).toBeGreaterThanOrEqual(1);
      expect(seen.length - before).toBeLessThanOrEqual(2);
    } finally {
      await nginx.stop();
      await prepared.remove();
      await draining.close();
      await serving.close().catch(() => {});
    }
  });
});

describe('deploy/deploy.sh on a scratch server root', () => {
  let scratch: string;
  let readyLog: string[];
  let notReadyPort: string | null = null;
  let ready: Awaited<ReturnType<typeof hookServer>>;
  let stubNpm: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'ocp-deploy-'));
    readyLog = [];
    ready = await hookServer((req, res) => {
      const port = /^\/readyz\/(\d+)$/.exec(req.url ?? '')?.[1] ?? '';
      if (port === notReadyPort) {
        res.writeHead(503).end('{"status":"not_ready"}');
        return;
      }
      readyLog.push(port);
      res.end('{"status":"ready"}');
    });
    // npm as the script calls it: records each call, its directory and whether the hub's
    // environment was loaded; `FAIL_NPM="run migrate"` makes that call fail.
    stubNpm = path.join(scratch, 'npm');
    await writeFile(
      stubNpm,
      [
        '#!/usr/bin/env bash',
        'printf "npm %s | %s | DATABASE_URL=%s | MAIL_FROM=%s\\n" "$*" "$PWD" "${DATABASE_URL:-}" "${MAIL_FROM:-}" >>"$STEP_LOG"',
        '[ "${FAIL_NPM:-}" != "$*" ] || exit 1',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  });

  afterAll(async () => {
    await ready?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** A server root with `count` older releases, current -> the newest, previous -> the one before. */
  async function serverRoot(name: string, count: number) {
    const root = path.join(scratch, name);
    const releases = path.join(root, 'releases');
    await mkdir(releases, { recursive: true });
    const ids = Array.from({ length: count }, (_, i) => `20250101T00000${i}Z-old${i + 1}`);
    for (const id of ids) await mkdir(path.join(releases, id));
    if (count > 0) await symlink(`releases/${ids.at(-1)}`, path.join(root, 'current'));
    if (count > 1) await symlink(`releases/${ids.at(-2)}`, path.join(root, 'previous'));
    const envFile = path.join(root, 'hub.env');
    await writeFile(
      envFile,
      [
        '# the hub environment',
        'DATABASE_URL="postgres://ocpizza@db.internal/ocpizza"',
        "MAIL_FROM='OC Pizza <commandes@ocpizza.fr>'",
        '',
        'NODE_ENV=production',
        '',
      ].join('\n'),
    );
    const stepLog = path.join(root, 'steps.log');
    await writeFile(stepLog, '');
    return { root, releases, envFile, stepLog, ids };
  }

  async function tarball(revision: string): Promise<string> {
    const tree = await mkdtemp(path.join(scratch, 'tree-'));
    await writeFile(path.join(tree, 'package.json'), '{"name":"oc-pizza-hub"}\n');
    await writeFile(path.join(tree, 'REVISION'), `${revision}\n`);
    const file = path.join(scratch, `ocpizza-${revision}.tar.gz`);
    await new Promise<void>((resolve, reject) => {
      const tar = spawn('tar', ['-czf', file, '-C', tree, '.']);
      tar.once('error', reject);
      tar.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}`))));
    });
    return file;
  }

  const scriptEnv = (server: { root: string; envFile: string; stepLog: string }, ports: string) => ({
    OCPIZZA_ROOT: server.root,
    ENV_FILE: server.envFile,
    HUB_PORTS: ports,
    NPM: stubNpm,
    STEP_LOG: server.stepLog,
    RESTART_CMD: `echo "restart {port}" >>'${server.stepLog}'`,
    READY_URL_TEMPLATE: `http://127.0.0.1:${ready.port}/readyz/{port}`,
    READY_TIMEOUT: '1',
  });

  it('the scripts parse (bash -n)', async () => {
    for (const script of [
      'deploy/deploy.sh',
      'deploy/nginx/render.sh',
      'deploy/nginx/balancer.sh',
      'deploy/supervisor/ocpizza-hub.sh',
      'deploy/lib/env-file.sh',
    ]) {
      const child = spawn('bash', ['-n', path.join(ROOT_DIR, script)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const [code] = await once(child, 'exit');
      expect(code, `${script}: ${err}`).toBe(0);
    }
  });

  it('a dry run shows every step, with systemd or Supervisor, and changes nothing', async () => {
    const root = path.join(scratch, 'dry');
    const file = await tarball('dry0001');
    const systemd = await runDeploy(['--dry-run', file], {
      OCPIZZA_ROOT: root,
      HUB_PORTS: '3001 3002',
    });
    expect(systemd.code, systemd.output).toBe(0);
    const order = [
      'dry run: nothing is changed',
      `tar -xzf ${file}`,
      'npm ci --include=dev',
      'npm run build',
      'npm run migrate',
      `ln -sfn releases/`,
      `mv -T ${root}/current.new ${root}/current`,
      'systemctl restart ocpizza-hub@3001.service',
      'would wait up to 60s for http://127.0.0.1:3001/readyz',
      'systemctl restart ocpizza-hub@3002.service',
      'would wait up to 60s for http://127.0.0.1:3002/readyz',
      'done',
    ];
    const positions = order.map((text) => systemd.output.indexOf(text));
    expect(
      positions.every((p) => p >= 0),
      systemd.output,
    ).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    expect(existsSync(root)).toBe(false);

    const supervisor = await runDeploy(['--dry-run', '--supervisor', '--restart-only'], {
      OCPIZZA_ROOT: root,
      HUB_PORTS: '3001 3002 3003',
    });
    expect(supervisor.code, supervisor.output).toBe(0);
    for (const port of [3001, 3002, 3003]) {
      expect(supervisor.output).toContain(`supervisorctl restart ocpizza-hub:ocpizza-hub-${port}`);
    }
    expect(supervisor.output).not.toContain('npm');

    const noPorts = await runDeploy(['--dry-run', '--restart-only'], { OCPIZZA_ROOT: root });
    expect(noPorts.code).not.toBe(0);
    expect(noPorts.output).toContain('no hub process found');
    const usage = await runDeploy([], {});
    expect(usage.code).toBe(2);
    expect(usage.output).toContain('--restart-only');
  });

  it('a deploy installs, builds, migrates with the hub environment, switches, restarts one at a time, keeps 5 releases', async () => {
    const server = await serverRoot('full', 6);
    readyLog.length = 0;
    const file = await tarball('abc1234');
    const run = await runDeploy([file], scriptEnv(server, '4001 4002'));
    expect(run.code, run.output).toBe(0);

    const current = await readlink(path.join(server.root, 'current'));
    expect(current).toMatch(/^releases\/\d{8}T\d{6}Z-abc1234$/);
    const release = path.join(server.root, current);
    expect(await readFile(path.join(release, 'REVISION'), 'utf8')).toBe('abc1234\n');
    // The commit, for the hub's error reports (EnvironmentFile of the unit, read by the wrapper).
    expect(await readFile(path.join(release, 'release.env'), 'utf8')).toBe('GIT_SHA=abc1234\n');
    const previous = await readlink(path.join(server.root, 'previous'));
    expect(previous).toBe(`releases/${server.ids.at(-1)}`);

    const steps = (await readFile(server.stepLog, 'utf8')).trim().split('\n');
    expect(steps).toEqual([
      `npm ci --include=dev --no-audit --no-fund | ${release} | DATABASE_URL= | MAIL_FROM=`,
      `npm run build | ${release} | DATABASE_URL= | MAIL_FROM=`,
      `npm run migrate | ${release} | DATABASE_URL=postgres://ocpizza@db.internal/ocpizza | MAIL_FROM=OC Pizza <commandes@ocpizza.fr>`,
      'restart 4001',
      'restart 4002',
    ]);
    // 4002 restarted only after 4001 answered ready.
    expect(readyLog).toEqual(['4001', '4002']);
    const kept = (await readdir(server.releases)).sort();
    expect(kept).toHaveLength(5);
    expect(kept).toContain(current.replace('releases/', ''));
    expect(kept).toContain(server.ids.at(-1));
    expect(kept).not.toContain(server.ids[0]);
    expect(kept).not.toContain(server.ids[1]);
  });

  it('a failed migration switches nothing, restarts nothing and leaves no half release', async () => {
    const server = await serverRoot('failed-migration', 2);
    const file = await tarball('bad0001');
    const run = await runDeploy([file], { ...scriptEnv(server, '4001 4002'), FAIL_NPM: 'run migrate' });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('migration failed');
    expect(await readlink(path.join(server.root, 'current'))).toBe(`releases/${server.ids.at(-1)}`);
    expect((await readdir(server.releases)).sort()).toEqual([...server.ids].sort());
    expect(await readFile(server.stepLog, 'utf8')).not.toContain('restart');
  });

  it('a process that does not get ready stops the rolling restart there: the next ones keep running', async () => {
    const server = await serverRoot('not-ready', 1);
    notReadyPort = '4002';
    try {
      const run = await runDeploy(['--restart-only'], {
        ...scriptEnv(server, '4001 4002 4003'),
        BALANCER_CMD: `echo "nginx {action} {port}" >>'${server.stepLog}'`,
      });
      expect(run.code).not.toBe(0);
      expect(run.output).toContain('port 4002 is not ready after 1s');
    } finally {
      notReadyPort = null;
    }
    // Each process leaves nginx before its restart and returns once ready; the one that is not
    // ready stays out, so nginx sends nothing to it.
    expect((await readFile(server.stepLog, 'utf8')).trim().split('\n')).toEqual([
      'nginx drain 4001',
      'restart 4001',
      'nginx restore 4001',
      'nginx drain 4002',
      'restart 4002',
    ]);
  });

  it('balancer.sh never takes the last process out of nginx, and names a port that is not there', async () => {
    const site = path.join(scratch, 'balancer-site.conf');
    const upstream = [
      'upstream ocpizza_hub {',
      '    least_conn;',
      '    server 127.0.0.1:4001 max_fails=0 down;',
      '    server 127.0.0.1:4002 max_fails=0;',
      '}',
      '',
    ].join('\n');
    await writeFile(site, upstream);
    const balancer = async (...args: string[]) => {
      const child = spawn('bash', [path.join(ROOT_DIR, 'deploy', 'nginx', 'balancer.sh'), ...args], {
        env: { ...process.env, NGINX_SITE_CONF: site, NGINX_CMD: 'false' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const [code] = await once(child, 'exit');
      return { code: code as number, err };
    };
    const last = await balancer('drain', '4002');
    expect(last.code).toBe(1);
    expect(last.err).toContain('would leave no hub process');
    expect(await readFile(site, 'utf8')).toBe(upstream);
    const unknown = await balancer('drain', '4999');
    expect(unknown.err).toContain('port 4999 is not an upstream server');
    // An edit nginx refuses (here: `nginx -t` fails) is put back.
    const refused = await balancer('restore', '4001');
    expect(refused.err).toContain('nginx refused the edited configuration');
    expect(await readFile(site, 'utf8')).toBe(upstream);
  });

  it('the Supervisor wrapper loads the environment file, pins the port and becomes node', async () => {
    const server = await serverRoot('supervisor', 0);
    const release = path.join(server.root, 'release');
    await mkdir(path.join(release, 'node_modules', '.bin'), { recursive: true });
    await writeFile(path.join(server.envFile), 'PORT=9999\nDATABASE_URL=postgres://db/ocpizza\n');
    await writeFile(path.join(release, 'release.env'), 'GIT_SHA=abc1234\n');
    // A stand-in for Node: prints what it was started with, from where.
    await writeFile(
      path.join(release, 'node_modules', '.bin', 'node'),
      '#!/usr/bin/env bash\necho "pid=$$ cwd=$PWD port=$PORT host=$HOST env=$NODE_ENV proxy=$TRUST_PROXY db=$DATABASE_URL sha=$GIT_SHA args=$*"\n',
      { mode: 0o755 },
    );
    const child = spawn('bash', [path.join(ROOT_DIR, 'deploy/supervisor/ocpizza-hub.sh'), '3007'], {
      cwd: release,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ENV_FILE: server.envFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = await once(child, 'exit');
    expect(code, out).toBe(0);
    // exec: the node process IS the wrapper's process (Supervisor's signals reach it).
    expect(out.trim()).toBe(
      `pid=${child.pid} cwd=${release} port=3007 host=127.0.0.1 env=production proxy=true db=postgres://db/ocpizza sha=abc1234 args=--import tsx --import ./hub/src/instrument.ts hub/src/main.ts`,
    );
  });

  it.skipIf(!existsSync('/usr/bin/systemd-analyze'))(
    'the systemd units pass systemd-analyze verify without a warning',
    async () => {
      const dir = await mkdtemp(path.join(scratch, 'units-'));
      await copyFile(
        path.join(ROOT_DIR, 'deploy/systemd/ocpizza-hub@.service'),
        path.join(dir, 'ocpizza-hub@3001.service'),
      );
      await copyFile(path.join(ROOT_DIR, 'deploy/systemd/ocpizza.target'), path.join(dir, 'ocpizza.target'));
      const child = spawn('systemd-analyze', ['verify', './ocpizza-hub@3001.service', './ocpizza.target'], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const [code] = await once(child, 'exit');
      expect(code, out).toBe(0);
      expect(out).toBe('');
    },
  );
});
