import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from './free-port.js';

export type RedisServer = Awaited<ReturnType<typeof startRedisServer>>;

/**
 * A Redis server of the test's own (never the machine's one on 6379): a `redis-server` child on a
 * free loopback port, keeping nothing on disk. It can be stopped and started again on the same
 * port, as an operator restarting Redis would.
 */
export async function startRedisServer(options: { port?: number } = {}) {
  const port = options.port ?? (await freePort());
  if (port === 6379) throw new Error('the tests never touch the Redis on 6379');
  let child: ChildProcess | undefined;
  let output = '';

  async function start(): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) {
      throw new Error(`redis-server on port ${port} is already running`);
    }
    const c = spawn(
      'redis-server',
      ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = c;
    let out = '';
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      output += d.toString();
    });
    c.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    // Ready when it says so on stdout (event-driven), or failed if it exits first.
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (out.includes('Ready to accept connections')) {
          c.stdout!.off('data', check);
          c.off('exit', exited);
          resolve();
        }
      };
      const exited = (code: number | null) =>
        reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
      c.stdout!.on('data', check);
      c.once('exit', exited);
      c.once('error', reject);
      check();
    });
  }

  /** Stops the server (SIGTERM by default) and resolves once the process is gone. */
  async function stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = once(c, 'exit');
    c.kill(signal);
    await exited;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    output: () => output,
    /** Last resort for afterAll: no waiting. */
    kill(): void {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
