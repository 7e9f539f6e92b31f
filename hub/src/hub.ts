import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { DatabasePool } from './adapters/postgres.js';
import { createRedisBus, type RedisBus } from './adapters/redis.js';
import { openRelayStore } from './adapters/relay-store.js';
import { createGoogleGeocoder } from './adapters/maps.js';
import { createSmtpMailer } from './adapters/mail.js';
import { createStripeGateway } from './adapters/stripe.js';
import { createEtaService } from './eta/eta-service.js';
import { confirmationMail } from './orders/confirmation-mail.js';
import { createPaymentsService } from './payments/payments-service.js';
import { createAuthService } from './auth/auth-service.js';
import { createDeliveryService } from './delivery/delivery-service.js';
import { createDispatchService } from './dispatch/dispatch-service.js';
import { createCustomersService } from './customers/customers-service.js';
import { isCourierOfShop } from './couriers/couriers-repository.js';
import { createHttpApp, SESSION_COOKIE } from './http/app.js';
import { createMenuService } from './menu/menu-service.js';
import { findOrderByTokenHash } from './orders/orders-repository.js';
import { createOrdersService, type Clock } from './orders/orders-service.js';
import { hashTrackingToken, newTrackingToken } from './orders/tracking-token.js';
import { MIGRATIONS_DIR, ROOT_DIR } from './paths.js';
import { createMetrics } from './realtime/metrics.js';
import { createRelay, type RelayOptions } from './realtime/relay.js';
import { createSnapshotService } from './realtime/snapshot-service.js';
import { createSocketServer, emitEvents } from './realtime/socket-server.js';
import { createStockService } from './stock/stock-service.js';

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
  const menu = createMenuService({ db });
  const dispatch = createDispatchService({ db, onCommitted, outbox });
  const maps = config.maps ? createGoogleGeocoder(config.maps) : undefined;
  const delivery = createDeliveryService({ geocoder: maps, logger });
  const mailer = config.smtp ? createSmtpMailer(config.smtp) : undefined;
  // Late-bound: payments needs the orders service, and orders wakes payments to make refunds.
  let refundRequested = () => {};
  const orders = createOrdersService({
    db,
    clock,
    newTrackingToken,
    onCommitted,
    onRefundRequested: () => refundRequested(),
    outbox,
    trackingUrl: (token) => `${publicBase}/track/${token}`,
    couriers: { isCourierOfShop },
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
  const payments = createPaymentsService({
    db,
    logger,
    gateway: config.stripe ? createStripeGateway(config.stripe) : undefined,
    publishableKey: config.stripe?.publishableKey,
    orders,
    onCommitted,
  });
  refundRequested = () => void payments.processRefunds();
  const services = {
    auth: createAuthService({ db }),
    customers: createCustomersService({ db }),
    menu,
    stock,
    orders,
    payments,
    eta: createEtaService({
      db,
      clock,
      logger,
      routes: maps,
      speedKmh: config.estimateSpeedKmh,
      routeTimeoutMs: config.maps?.timeoutMs,
    }),
    delivery,
    dispatch,
  };
  const snapshots = createSnapshotService({ db, menu, stock });

  let bus: RedisBus | undefined;
  const http = createHttpApp({
    config,
    logger,
    db,
    rootDir: ROOT_DIR,
    migrationsDir: MIGRATIONS_DIR,
    services,
    snapshots,
    metricsRegistry: metrics.registry,
    readinessChecks: config.redisUrl ? { redis: () => bus?.ping() ?? Promise.resolve(false) } : {},
  });
  const server: Server = createServer(http.app);
  const io = createSocketServer({
    httpServer: server,
    logger,
    db,
    metrics,
    publicUrl: config.publicUrl,
    sessionCookie: SESSION_COOKIE,
    sessionMiddleware: http.sessionMiddleware,
    auth: services.auth,
    orders: services.orders,
    dispatch: services.dispatch,
    ...(options.positionIntervalMs !== undefined ? { positionIntervalMs: options.positionIntervalMs } : {}),
    // Without its Redis subscription a node would hand its screens an incomplete stream.
    busAvailable: () => !config.redisUrl || (bus?.isUp() ?? false),
    orderByToken: async (token) => {
      const row = await findOrderByTokenHash(db, hashTrackingToken(token));
      return row ? { id: row.id, shopId: row.shopId } : null;
    },
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
    publish: (events) => emitEvents(io, events),
    wakeOthers: () => io.serverSideEmit('relay:wake'),
    logger,
    metrics,
  });
  io.on('relay:wake', () => relay.poke());
  committed = () => relay.committed();

  return {
    services,
    snapshots,
    io,
    relay,
    metrics,
    server,
    async listen(port: number, host: string): Promise<number> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      relay.start();
      const actual = (server.address() as AddressInfo).port;
      if (!config.publicUrl) publicBase = `http://localhost:${actual}`;
      return actual;
    },
    async close(): Promise<void> {
      await relay.stop();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        server.closeAllConnections();
      });
      await http.close();
      await bus?.close();
      mailer?.close();
    },
  };
}
