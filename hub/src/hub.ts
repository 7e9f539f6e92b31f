import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { sql, type DatabasePool } from './adapters/postgres.js';
import { createRedisBus, type RedisBus } from './adapters/redis.js';
import { openRelayStore } from './adapters/relay-store.js';
import { createGoogleGeocoder, createGoogleRoutes } from './adapters/maps.js';
import { createSmtpMailer } from './adapters/mail.js';
import { createStripeGateway } from './adapters/stripe.js';
import { reportError } from './adapters/sentry.js';
import { createEtaService } from './eta/eta-service.js';
import { createKitchenQueueCache, KITCHEN_QUEUE_REFRESH_MS } from './eta/kitchen-queue-cache.js';
import { confirmationMail } from './orders/confirmation-mail.js';
import type { Mail } from './adapters/mail.js';
import { createPaymentsService } from './payments/payments-service.js';
import { createAuthService } from './auth/auth-service.js';
import { createBackOfficeService } from './back-office/back-office-service.js';
import { createDeliveryService } from './delivery/delivery-service.js';
import { createDispatchService } from './dispatch/dispatch-service.js';
import { createDrain } from './health/drain.js';
import { accountExistsMail, confirmAccountMail } from './customers/account-mails.js';
import { createCustomersService, type AccountMails } from './customers/customers-service.js';
import { isCourierOfShop } from './couriers/couriers-repository.js';
import { createHttpApp, sessionCookieName } from './http/app.js';
import { createOutage } from './health/outage.js';
import { createMenuService } from './menu/menu-service.js';
import { findKitchenQueue, findOrderOfTokenHash, KITCHEN_QUEUE_LIMIT } from './orders/orders-repository.js';
import { createOrdersService, type Clock } from './orders/orders-service.js';
import { hashTrackingToken, newTrackingToken } from './orders/tracking-token.js';
import { MIGRATIONS_DIR, ROOT_DIR } from './paths.js';
import { createMetrics } from './realtime/metrics.js';
import { createRelay, type RelayOptions } from './realtime/relay.js';
import { createSnapshotService } from './realtime/snapshot-service.js';
import { createSocketServer, emitEvents } from './realtime/socket-server.js';
import { createStockService } from './stock/stock-service.js';
import { createMenuCache } from './menu/menu-cache.js';

export type HubOptions = {
  /** With `databaseUrl` set: the relay holds a session of its own on it. */
  config: Config;
  db: DatabasePool;
  logger: Logger;
  clock?: Clock;
  relay?: Pick<RelayOptions, 'leaderCheckMs' | 'pollMs' | 'batchSize' | 'retentionMs'>;
  /** Minimum time between two courier positions taken into account (default 2 s). */
  positionIntervalMs?: number;
};

export type Hub = Awaited<ReturnType<typeof createHub>>;

/**
 * The whole hub over an open database: services, HTTP API, Socket.IO, relay and bus. main.ts
 * serves it; tests start several in one process or as separate processes.
 */
export async function createHub(options: HubOptions) {
  const { config, db, logger } = options;
  const databaseUrl = config.databaseUrl;
  if (!databaseUrl) throw new Error('createHub needs config.databaseUrl');
  const clock = options.clock ?? { now: () => new Date() };
  const metrics = createMetrics();
  // The site's address for tracking links: PUBLIC_URL, else this node's own once it listens.
  let publicBase = config.publicUrl ?? `http://localhost:${config.port}`;
  // Bound once the relay exists: services wake it after each commit that appended events.
  let committed = () => {};
  const onCommitted = () => committed();

  // Benchmark only (BENCH_DISABLE_OUTBOX, refused in production): writes without their events.
  const outbox = { disabled: config.benchDisableOutbox };
  const stock = createStockService({ db, onCommitted, outbox });
  const menuCache = createMenuCache({ db });
  // Bound once Socket.IO exists: tells the other nodes to drop their cached menu and shops.
  let menuChangedElsewhere = () => {};
  const menu = createMenuService({ db });
  const dispatch = createDispatchService({
    db,
    onCommitted,
    outbox,
    presenceGraceMs: config.courierPresenceGraceMs,
  });
  const maps = config.maps ? createGoogleGeocoder(config.maps) : undefined;
  const routes = config.maps ? createGoogleRoutes(config.maps) : undefined;
  const delivery = createDeliveryService({ geocoder: maps, logger });
  const mailer = config.smtp ? createSmtpMailer(config.smtp) : undefined;
  // Late-bound: payments needs the orders service, and orders wakes payments to make refunds.
  let refundRequested = () => {};
  const kitchenQueues = createKitchenQueueCache({
    read: (shopId) => findKitchenQueue(db, shopId),
    now: () => clock.now().getTime(),
    refreshMs: KITCHEN_QUEUE_REFRESH_MS,
    limit: KITCHEN_QUEUE_LIMIT,
  });
  const eta = createEtaService({
    db,
    clock,
    logger,
    menu: menuCache,
    kitchenQueues,
    routes,
    speedKmh: config.estimateSpeedKmh,
    routeTimeoutMs: config.maps?.timeoutMs,
  });
  const orders = createOrdersService({
    db,
    clock,
    menu: menuCache,
    newTrackingToken,
    onCommitted,
    onOrdersCommitted: (written) => kitchenQueues.applyOrders(written),
    onRefundRequested: () => refundRequested(),
    outbox,
    trackingUrl: (token) => `${publicBase}/track/${token}`,
    couriers: { isCourierOfShop },
    promises: eta,
    delivery,
    dispatch,
    confirmations: mailer && {
      // The confirmation never holds up or fails an order: a mail server down is logged.
      orderCreated: (order, shopName, trackingUrl) => {
        const mail = confirmationMail(order, shopName, trackingUrl);
        if (!mail) return;
        mailer.send(mail).then(
          () => metrics.mailsSent.inc(),
          (error: unknown) => logger.warn({ err: error, orderId: order.id }, 'confirmation e-mail not sent'),
        );
      },
    },
  });
  // Sign-up mails never hold up the answer (it must cost the same for a known address).
  const sendAccountMail = (mail: Mail, kind: string, devLink?: string) => {
    if (!mailer) {
      // Development without SMTP: the link goes to the console, where the developer is. Never
      // in production logs: it is a credential.
      if (config.env === 'production') logger.error({ kind }, 'sign-up e-mail not sent: set SMTP_URL');
      else
        logger.warn(
          `no SMTP_URL: ${kind} e-mail to ${mail.to} not sent${devLink ? `; its link: ${devLink}` : ''}`,
        );
      return;
    }
    mailer.send(mail).then(
      () => metrics.mailsSent.inc(),
      (error: unknown) => logger.warn({ err: error, kind }, 'sign-up e-mail not sent'),
    );
  };
  const accountMails: AccountMails = {
    confirm: (to, name, token) => {
      const link = `${publicBase}/compte/confirmer?t=${token}`;
      sendAccountMail(confirmAccountMail(to, name, link), 'account confirmation', link);
    },
    exists: (to) => sendAccountMail(accountExistsMail(to, `${publicBase}/compte`), 'account exists'),
  };
  const payments = createPaymentsService({
    db,
    // Its refund passes run in the background: what they log as errors is reported too.
    logger: reportingErrors(logger, 'payments'),
    gateway: config.stripe ? createStripeGateway(config.stripe) : undefined,
    publishableKey: config.stripe?.publishableKey,
    orders,
    onCommitted,
  });
  refundRequested = () => void payments.processRefunds();
  const services = {
    auth: createAuthService({ db }),
    backOffice: createBackOfficeService({
      db,
      clock,
      outbox,
      // Shops and the menu changed (a shop's status, a price, a recipe): every node's cache goes.
      onCommitted: () => {
        menuCache.clear();
        menuChangedElsewhere();
        onCommitted();
      },
    }),
    customers: createCustomersService({ db, mails: accountMails }),
    menu,
    stock,
    orders,
    payments,
    eta,
    delivery,
    dispatch,
  };
  const snapshots = createSnapshotService({ db, menu, stock });

  let bus: RedisBus | undefined;
  const drain = createDrain();
  const outage = createOutage({ probe: () => db.query(sql.unsafe`select 1`), logger, metrics });
  const http = createHttpApp({
    outage,
    config,
    logger,
    db,
    rootDir: ROOT_DIR,
    migrationsDir: MIGRATIONS_DIR,
    services,
    snapshots,
    metricsRegistry: metrics.registry,
    httpMetrics: metrics,
    drain,
    readinessChecks: config.redisUrl ? { redis: () => bus?.ping() ?? Promise.resolve(false) } : {},
  });
  const server: Server = createServer(http.app);
  const io = createSocketServer({
    httpServer: server,
    logger,
    db,
    metrics,
    publicUrl: config.publicUrl,
    sessionCookie: sessionCookieName(config),
    sessionMiddleware: http.sessionMiddleware,
    auth: services.auth,
    orders: services.orders,
    dispatch: services.dispatch,
    outage,
    socketsPerClient: config.socketsPerClient,
    courierPresenceGraceMs: config.courierPresenceGraceMs,
    trustProxy: config.trustProxy,
    ...(options.positionIntervalMs !== undefined ? { positionIntervalMs: options.positionIntervalMs } : {}),
    // Without its Redis subscription a node would hand its screens an incomplete stream.
    busAvailable: () => !config.redisUrl || (bus?.isUp() ?? false),
    orderByToken: (token) => findOrderOfTokenHash(db, hashTrackingToken(token)),
  });

  if (config.redisUrl) {
    bus = createRedisBus({
      url: config.redisUrl,
      logger,
      onError: () => metrics.busErrors.inc(),
      // Events published while this node is cut off never reach it: its screens must not stay
      // here believing they are live. They reconnect (to another node, or here once the bus is
      // back) and resume from their last seq, which PostgreSQL replays.
      onDown: () => io.local.disconnectSockets(true),
      onUp: () => {},
    });
    io.adapter(bus.adapter);
  }

  const relay = createRelay({
    ...options.relay,
    openStore: (onLost) => openRelayStore(databaseUrl, onLost),
    // One bus message per batch (not two per event through the adapter's broadcast): each node
    // fans the batch out to its own sockets. Publishing stays at-least-once: screens dedupe by seq.
    // Screens first: the kitchen queues' copy is applied after, so nothing of it can hold them up.
    publish: (events) => {
      emitEvents(io.local, events);
      if (config.redisUrl) io.serverSideEmit('relay:events', events);
      kitchenQueues.applyEvents(events);
    },
    wakeOthers: () => io.serverSideEmit('relay:wake'),
    logger,
    metrics,
  });
  io.on('relay:wake', () => relay.poke());
  io.on('relay:events', (events) => {
    emitEvents(io.local, events);
    kitchenQueues.applyEvents(events);
  });
  io.on('menu:changed', () => menuCache.clear());
  if (config.redisUrl) menuChangedElsewhere = () => io.serverSideEmit('menu:changed');
  io.on('relay:handover', () => relay.takeOver());
  // Socket commands are counted until answered, and refused while the node drains.
  io.on('connection', (socket) => socket.use((packet, next) => drain.socketPackets(packet, next)));
  io.use((_socket, next) => {
    if (!drain.isDraining()) return next();
    const err = new Error('service/unavailable') as Error & { data?: unknown };
    err.data = { code: 'service/unavailable', message: 'This hub node is shutting down: try another one.' };
    next(err);
  });
  committed = () => relay.committed();

  return {
    /** The Express app (the API's route-coverage test walks its router). */
    app: http.app,
    services,
    snapshots,
    /** The database outage tracker: the jobs of main.ts report an outage once, like requests. */
    outage,
    io,
    relay,
    metrics,
    server,
    async listen(port: number, host: string): Promise<number> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        // When a node dies its screens (thousands) reconnect to the others at once. Node's default
        // accept queue (511) overflows: the kernel drops the handshakes and the clients back off
        // for seconds. The kernel caps this at net.core.somaxconn (4096 on Debian 12).
        server.listen({ port, host, backlog: 4096 }, () => resolve());
      });
      relay.start();
      const actual = (server.address() as AddressInfo).port;
      if (!config.publicUrl) publicBase = `http://localhost:${actual}`;
      return actual;
    },
    /**
     * Graceful shutdown (SIGTERM): not ready, no new connections, in-flight requests and socket
     * commands answered, the relay handed over, screens sent to another node, then everything
     * closed. The caller bounds it in time (main.ts, SHUTDOWN_TIMEOUT_MS).
     */
    async shutdown(say: (message: string, details?: Record<string, unknown>) => void = () => {}) {
      drain.begin();
      metrics.draining.set(1);
      say('draining: /readyz answers 503, new requests get 503 service/unavailable');
      server.close();
      server.closeIdleConnections();
      say('no longer accepting connections; idle keep-alive connections closed', drain.inFlight());

      await drain.settled();
      say('in-flight requests and socket commands answered');

      const wasLeader = relay.isLeader();
      await relay.stop();
      // Its session ended with the store, and the advisory lock with it: tell the others now.
      if (wasLeader && config.redisUrl) io.serverSideEmit('relay:handover');
      say(wasLeader ? 'relay stopped and handed over' : 'relay stopped (this node was not leading)');

      const screens = io.of('/').sockets.size;
      // This node's sockets only (io.disconnectSockets would reach every node through Redis).
      io.local.disconnectSockets(true);
      say('screens disconnected: they resume from their last seq on another node', { screens });

      server.closeAllConnections();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await http.close();
      outage.stop();
      await bus?.close();
      mailer?.close();
      say('HTTP server, sockets, session store and bus closed');
    },
    async close(): Promise<void> {
      await relay.stop();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        server.closeAllConnections();
      });
      await http.close();
      outage.stop();
      await bus?.close();
      mailer?.close();
    },
  };
}

/**
 * The same logger, whose error logs are also reported to Sentry: for services that handle their
 * background failures themselves (refund passes) and only log them.
 */
function reportingErrors(logger: Logger, source: 'payments'): Logger {
  return new Proxy(logger, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== 'error' || typeof value !== 'function') return value;
      return (first: unknown, ...rest: unknown[]) => {
        const err = (first as { err?: unknown } | null)?.err ?? first;
        if (err instanceof Error) {
          reportError(err, { source, tags: { log: typeof rest[0] === 'string' ? rest[0] : undefined } });
        }
        return (value as (...args: unknown[]) => void).apply(target, [first, ...rest]);
      };
    },
  });
}
