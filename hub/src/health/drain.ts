import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { AckError, ErrorBody } from '../contract/index.js';

export type Drain = ReturnType<typeof createDrain>;

const UNAVAILABLE: AckError = {
  code: 'service/unavailable',
  message: 'This hub node is shutting down: try again, another node will answer.',
};

/** Answered while draining: liveness stays 200 (the process is alive), readiness says 503 itself. */
const STILL_SERVED = new Set(['/healthz', '/readyz', '/metrics']);

/** Socket events answered with an ack by the hub: the ones a drain waits for. */
const TRACKED_EVENTS = new Set(['subscribe', 'command', 'courier:position']);

/**
 * The graceful-shutdown gate of one hub node. Until `begin()` it only counts the HTTP requests and
 * socket commands in flight; from then on new ones are refused with `service/unavailable` (HTTP 503
 * with `Connection: close`, so a retry through the balancer opens a connection to another node),
 * and `settled()` resolves once the ones already in flight have been answered.
 */
export function createDrain() {
  let draining = false;
  const responses = new Set<ServerResponse>();
  let commands = 0;
  const idleWaiters = new Set<() => void>();

  const settle = () => {
    if (responses.size > 0 || commands > 0) return;
    for (const resolve of [...idleWaiters]) resolve();
    idleWaiters.clear();
  };

  /** First in the Express chain. */
  const http: RequestHandler = (req, res, next) => {
    if (draining && !STILL_SERVED.has(req.path)) {
      const body: ErrorBody = { error: UNAVAILABLE };
      res.setHeader('Connection', 'close');
      res.status(503).json(body);
      return;
    }
    responses.add(res);
    // 'close' comes after the response is sent, and also when the client went away first.
    res.once('close', () => {
      responses.delete(res);
      settle();
    });
    // Keep-alive connections of requests answered during the drain close after their response.
    if (draining) res.setHeader('Connection', 'close');
    next();
  };

  /**
   * A Socket.IO packet middleware (`socket.use`): counts each acknowledged hub event until its ack
   * is sent, and answers new ones `service/unavailable` during the drain (the client retries with
   * the same idempotency key on another node).
   */
  function socketPackets(packet: unknown[], next: (error?: Error) => void): void {
    const ack = packet.at(-1);
    if (typeof ack !== 'function' || !TRACKED_EVENTS.has(String(packet[0]))) {
      next();
      return;
    }
    if (draining) {
      ack({ ok: false, error: UNAVAILABLE });
      return;
    }
    commands += 1;
    let answered = false;
    packet[packet.length - 1] = (...args: unknown[]) => {
      if (!answered) {
        answered = true;
        commands -= 1;
        settle();
      }
      return (ack as (...a: unknown[]) => unknown)(...args);
    };
    next();
  }

  return {
    http,
    socketPackets,
    isDraining: () => draining,
    inFlight: () => ({ http: responses.size, commands }),
    /** Not ready from now on; responses not yet started are told to close their connection. */
    begin(): void {
      draining = true;
      for (const res of responses) if (!res.headersSent) res.setHeader('Connection', 'close');
    },
    /** Resolves once every HTTP request and socket command in flight has been answered. */
    settled(): Promise<void> {
      return new Promise((resolve) => {
        idleWaiters.add(resolve);
        settle();
      });
    },
  };
}
