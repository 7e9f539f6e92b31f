import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT_DIR } from '../../hub/src/paths.js';

const run = promisify(execFile);

/** The project's nginx site template and the script that renders it (production uses the same). */
export const SITE_TEMPLATE = path.join(ROOT_DIR, 'deploy', 'nginx', 'ocpizza.conf');
export const RENDER_SCRIPT = path.join(ROOT_DIR, 'deploy', 'nginx', 'render.sh');
export const BALANCER_SCRIPT = path.join(ROOT_DIR, 'deploy', 'nginx', 'balancer.sh');

/** Debian's nginx (`apt-get install nginx`: ssl, http_v2 and upstream are built in). */
export function nginxBinary(): string {
  const candidates = [
    ...(process.env.PATH ?? '').split(':').map((dir) => path.join(dir, 'nginx')),
    '/usr/sbin/nginx',
  ];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(
    "nginx is not installed: the nginx tests run Debian's nginx (`apt-get install nginx`; .ci/run installs it).",
  );
}

export type NginxSite = {
  /** The hub processes' loopback ports (the upstream). */
  hubPorts: readonly number[];
  httpPort: number;
  httpsPort: number;
  /** The release nginx serves the built assets of (as /opt/ocpizza/current on a server). */
  currentRelease: string;
  serverName?: string;
};

/**
 * A test nginx of its own, everything inside one temp directory (pid, logs, temp paths,
 * certificate), in the foreground, on loopback ports: it needs no root-owned path. The site is the
 * project's template rendered by deploy/nginx/render.sh; the certificate is self-signed for the test
 * (CN=localhost, SAN localhost and 127.0.0.1) and returned so the test can trust it.
 */
export async function prepareNginx(site: NginxSite) {
  const binary = nginxBinary();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocp-nginx-'));
  const logDir = path.join(dir, 'logs');
  const acmeRoot = path.join(dir, 'acme');
  await mkdir(logDir);
  await mkdir(path.join(acmeRoot, '.well-known', 'acme-challenge'), { recursive: true });
  // The server's layout: <APP_ROOT>/current -> the release (here: the checkout, built).
  const appRoot = path.join(dir, 'app');
  await mkdir(appRoot);
  await symlink(site.currentRelease, path.join(appRoot, 'current'));
  const certificate = path.join(dir, 'tls.crt');
  const key = path.join(dir, 'tls.key');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-days',
    '1',
    '-keyout',
    key,
    '-out',
    certificate,
  ]);

  const { stdout: siteConf } = await run('bash', [RENDER_SCRIPT], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      SERVER_NAME: site.serverName ?? 'localhost 127.0.0.1',
      HUB_PORTS: site.hubPorts.join(' '),
      HTTP_PORT: String(site.httpPort),
      HTTPS_PORT: String(site.httpsPort),
      LISTEN_ADDRESSES: '127.0.0.1',
      SSL_CERTIFICATE: certificate,
      SSL_CERTIFICATE_KEY: key,
      APP_ROOT: appRoot,
      ACME_ROOT: acmeRoot,
      LOG_DIR: logDir,
    },
  });
  const sitePath = path.join(dir, 'ocpizza.conf');
  await writeFile(sitePath, siteConf);

  // What Debian's /etc/nginx/nginx.conf provides around a site, pointed at the temp directory.
  const temp = (name: string) => path.join(dir, 'temp', name);
  const mimeTypes = '/etc/nginx/mime.types';
  const mainConf = [
    '# The test harness around the site: foreground, own pid/logs/temp paths, loopback only.',
    'daemon off;',
    'master_process on;',
    'worker_processes 1;',
    `pid ${path.join(dir, 'nginx.pid')};`,
    'error_log stderr notice;',
    // As root, workers would switch to "nobody", who may not read the checkout's built assets
    // wherever it was cloned: they keep the test's own user instead.
    ...(process.getuid?.() === 0 ? ['user root root;'] : []),
    'events { worker_connections 512; }',
    'http {',
    ...(existsSync(mimeTypes) ? [`    include ${mimeTypes};`] : []),
    '    default_type application/octet-stream;',
    '    sendfile on;',
    `    client_body_temp_path ${temp('client_body')};`,
    `    proxy_temp_path ${temp('proxy')};`,
    `    fastcgi_temp_path ${temp('fastcgi')};`,
    `    uwsgi_temp_path ${temp('uwsgi')};`,
    `    scgi_temp_path ${temp('scgi')};`,
    `    access_log ${path.join(logDir, 'access.log')};`,
    `    include ${sitePath};`,
    '}',
    '',
  ].join('\n');
  await mkdir(path.join(dir, 'temp'));
  const confPath = path.join(dir, 'nginx.conf');
  await writeFile(confPath, mainConf);
  // -e: the startup error log, before the configuration names one (the default is /var/log/nginx).
  const args = ['-p', dir, '-e', 'stderr', '-c', confPath];

  return {
    dir,
    confPath,
    siteConf,
    acmeRoot,
    /**
     * deploy.sh's BALANCER_CMD for this nginx: deploy/nginx/balancer.sh on this site file, pid
     * file and command line, as /usr/local/sbin/ocpizza-balancer runs on a server.
     */
    balancerCmd: [
      `NGINX_SITE_CONF='${sitePath}'`,
      `NGINX_PID_FILE='${path.join(dir, 'nginx.pid')}'`,
      `NGINX_CMD='${[binary, ...args].join(' ')}'`,
      `bash '${BALANCER_SCRIPT}' {action} {port}`,
    ].join(' '),
    /** The test certificate (PEM), to trust it as its own CA. */
    certificate: await readFile(certificate, 'utf8'),
    /** `nginx -t` on this configuration: its exit code and what it printed. */
    async check(): Promise<{ code: number; output: string }> {
      try {
        const { stdout, stderr } = await run(binary, ['-t', ...args]);
        return { code: 0, output: stdout + stderr };
      } catch (error) {
        const e = error as { code?: number; stdout?: string; stderr?: string };
        return {
          code: typeof e.code === 'number' ? e.code : 1,
          output: `${e.stdout ?? ''}${e.stderr ?? ''}`,
        };
      }
    },
    /** Starts nginx; resolves once its master started the workers (it listens by then). */
    async start() {
      const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const exited = once(child, 'exit').then(([code, signal]) => ({
        code: code as number | null,
        signal: signal as NodeJS.Signals | null,
      }));
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          // Logged at "notice" by the master after it opened the listening sockets.
          if (/start worker process \d+/.test(output)) {
            child.stderr!.off('data', check);
            resolve();
          }
        };
        child.stderr!.on('data', check);
        void exited.then(({ code, signal }) =>
          reject(new Error(`nginx exited (${code ?? signal}) before it was running:\n${output}`)),
        );
        child.once('error', reject);
        check();
      });
      let dead = false;
      void exited.then(() => (dead = true));
      return {
        pid: child.pid!,
        output: () => output,
        /** The site's access log so far (one line per request, with the upstream that served it). */
        accessLog: () => readFile(path.join(logDir, 'ocpizza.access.log'), 'utf8').catch(() => ''),
        /** Fast shutdown (SIGTERM); resolves once the master is gone. */
        async stop() {
          if (dead) return exited;
          child.kill('SIGTERM');
          return exited;
        },
      };
    },
    async remove(): Promise<void> {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type PreparedNginx = Awaited<ReturnType<typeof prepareNginx>>;
export type RunningNginx = Awaited<ReturnType<PreparedNginx['start']>>;
