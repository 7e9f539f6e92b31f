import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export type RedisBus = {
  /** The Socket.IO adapter factory: any node's `io.to(room).emit` reaches every node's sockets. */
  adapter: ReturnType<typeof createAdapter>;
  ping: () => Promise<boolean>;
  close: () => Promise<void>;
};

/**
 * Redis carries fan-out between hub nodes and nothing that must survive (DESIGN.md section 2).
 * ioredis reconnects and resubscribes by itself; what was published while a node's subscriber
 * was away is lost for that node, so `onResubscribed` tells the node to make its screens resync
 * from PostgreSQL.
 */
export function createRedisBus(options: {
  url: string;
  logger: Logger;
  onError: (error: Error) => void;
  onResubscribed: () => void;
}): RedisBus {
  const common = {
    // Keep retrying forever, a little apart: Redis restarting must not take the hub down.
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
    maxRetriesPerRequest: null,
    connectionName: 'ocp-hub',
  };
  const pub = new Redis(options.url, common);
  const sub = pub.duplicate();
  let subscribedOnce = false;
  for (const [name, client] of [
    ['pub', pub],
    ['sub', sub],
  ] as const) {
    client.on('error', (error: Error) => {
      options.logger.warn({ err: error, client: name }, 'redis error');
      options.onError(error);
    });
  }
  sub.on('ready', () => {
    if (!subscribedOnce) {
      subscribedOnce = true;
      return;
    }
    // ioredis re-sends SUBSCRIBE on ready; a PING on the same connection is answered after it,
    // so once it returns, everything published from now on reaches this node. Only then may
    // the screens replay from PostgreSQL: no event falls between the replay and the live stream.
    sub
      .ping()
      .catch(() => undefined)
      .then(() => {
        options.logger.warn('redis subscriber reconnected: screens on this node resync');
        options.onResubscribed();
      });
  });
  return {
    adapter: createAdapter(pub, sub, { key: 'ocp' }),
    async ping() {
      try {
        return (await pub.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
