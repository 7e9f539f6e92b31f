import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export type RedisBus = {
  /** The Socket.IO adapter factory: any node's `io.to(room).emit` reaches every node's sockets. */
  adapter: ReturnType<typeof createAdapter>;
  /** True while this node's subscriber is connected and subscribed: it receives every publication. */
  isUp: () => boolean;
  ping: () => Promise<boolean>;
  close: () => Promise<void>;
};

/**
 * Redis carries fan-out between hub nodes and nothing that must survive (DESIGN.md section 2).
 * While this node's subscriber is away, whatever other nodes publish is lost for it; so the node
 * is told at once (`onDown`) and again when the subscription is whole (`onUp`), and in between
 * it serves no screen: screens resume elsewhere, or here afterwards, from PostgreSQL.
 */
export function createRedisBus(options: {
  url: string;
  logger: Logger;
  onError: (error: Error) => void;
  onDown: () => void;
  onUp: () => void;
}): RedisBus {
  const common = {
    // Keep retrying forever, a little apart: Redis restarting must not take the hub down.
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
    maxRetriesPerRequest: null,
    connectionName: 'ocp-hub',
  };
  const pub = new Redis(options.url, common);
  const sub = pub.duplicate();
  let up = false;
  let everUp = false;
  let closing = false;
  for (const [name, client] of [
    ['pub', pub],
    ['sub', sub],
  ] as const) {
    client.on('error', (error: Error) => {
      options.logger.warn({ err: error, client: name }, 'redis error');
      options.onError(error);
    });
  }
  sub.on('close', () => {
    if (!up || closing) return;
    up = false;
    options.logger.warn('redis subscriber lost: this node stops serving screens until it is back');
    options.onDown();
  });
  sub.on('ready', () => {
    // ioredis re-sends SUBSCRIBE on ready; a PING on the same connection is answered after it,
    // so once it returns, everything published from now on reaches this node.
    sub
      .ping()
      .catch(() => undefined)
      .then(() => {
        if (up || closing || sub.status !== 'ready') return;
        const first = !everUp;
        everUp = true;
        up = true;
        if (first) return options.onUp();
        options.logger.warn('redis subscriber back: this node serves screens again');
        options.onUp();
      });
  });
  return {
    adapter: createAdapter(pub, sub, { key: 'ocp' }),
    isUp: () => up,
    async ping() {
      try {
        return (await pub.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      closing = true;
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
