import { randomUUID } from 'node:crypto';
import connectPgSimple from 'connect-pg-simple';
import express from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { tileSource, type Config } from '../config.js';
import type { ErrorBody } from '../contract/index.js';
import type { DatabasePool } from '../adapters/postgres.js';
import { authRoutes } from '../auth/auth-routes.js';
import { backOfficeRoutes } from '../back-office/back-office-routes.js';
import type { BackOfficeService } from '../back-office/back-office-service.js';
import type { AuthService } from '../auth/auth-service.js';
import { customersRoutes } from '../customers/customers-routes.js';
import type { CustomersService } from '../customers/customers-service.js';
import { deliveryRoutes } from '../delivery/delivery-routes.js';
import type { DeliveryService } from '../delivery/delivery-service.js';
import { dispatchRoutes } from '../dispatch/dispatch-routes.js';
import type { DispatchService } from '../dispatch/dispatch-service.js';
import type { Drain } from '../health/drain.js';
import { healthRoutes } from '../health/health-routes.js';
import { httpMetrics } from '../health/http-metrics.js';
import type { Metrics } from '../realtime/metrics.js';
import { menuRoutes } from '../menu/menu-routes.js';
import type { MenuService } from '../menu/menu-service.js';
import { ordersRoutes } from '../orders/orders-routes.js';
import { paymentsRoutes, stripeWebhookRoute } from '../payments/payments-routes.js';
import type { PaymentsService } from '../payments/payments-service.js';
import type { EtaService } from '../eta/eta-service.js';
import { etaRoutes } from '../eta/eta-routes.js';
import type { OrdersService } from '../orders/orders-service.js';
import { snapshotRoutes } from '../realtime/snapshot-routes.js';
import type { SnapshotService } from '../realtime/snapshot-service.js';
import { stockRoutes } from '../stock/stock-routes.js';
import type { StockService } from '../stock/stock-service.js';
import { apiDocsPage, openApiRoutes } from './api-docs.js';
import { backOfficeFront } from './back-office-front.js';
import { createErrorHandler } from './error-handler.js';
import type { Outage } from '../health/outage.js';
import { frontEnds } from './front-ends.js';
import { sameOrigin } from './same-origin.js';
import { createRateLimits } from './rate-limits.js';
import { loadPrincipal } from './session-principal.js';

/**
 * The session cookie's name. In production `__Host-`: browsers then accept it only Secure, for
 * the whole site and with no Domain, so no sibling subdomain or plain-HTTP page can plant or
 * shadow it. Development and tests run on plain http://localhost, where it would be refused.
 */
export const sessionCookieName = (config: Pick<Config, 'env'>) =>
  config.env === 'production' ? '__Host-ocp_session' : 'ocp_session';

export type HttpDeps = {
  config: Config;
  logger: Logger;
  db: DatabasePool;
  rootDir: string;
  migrationsDir: string;
  readinessChecks?: Record<string, () => Promise<boolean>>;
  metricsRegistry?: { contentType: string; metrics: () => Promise<string> };
  /** Request counts and latencies by route pattern, for /metrics. */
  httpMetrics?: Pick<Metrics, 'httpRequests' | 'httpDuration' | 'httpInFlight'>;
  /** Graceful shutdown: in-flight requests counted, new ones refused while draining. */
  drain?: Drain;
  /** A database outage: answered 503, reported once. */
  outage?: Outage;
  snapshots: SnapshotService;
  services: {
    auth: AuthService;
    backOffice: BackOfficeService;
    customers: CustomersService;
    delivery: DeliveryService;
    dispatch: DispatchService;
    menu: MenuService;
    orders: OrdersService;
    payments: PaymentsService;
    eta: EtaService;
    stock: StockService;
  };
};

/** The routes a tracking token authorizes (orders-routes.ts, snapshot-routes.ts). */
const TRACKING_ROUTE = /^\/orders\/track\/[^/]+(\/snapshot|\/cancel)?\/?$/;

export function createHttpApp(deps: HttpDeps) {
  const { config, services } = deps;
  const app = express();
  app.disable('x-powered-by');
  // No ETag on API answers: they are live data no client revalidates, and hashing every body cost
  // ~0.5 % of a hub's CPU under the realtime bench (issue 11). Static files keep serve-static's.
  app.set('etag', false);
  // Behind nginx the client's address and scheme come from X-Forwarded-*; never trust them otherwise.
  if (config.trustProxy) app.set('trust proxy', 1);

  app.use(
    pinoHttp({
      logger: deps.logger,
      // Request logs carry no credentials or personal links: cookies, authorization and the
      // tracking token (which lets anyone follow and cancel an order) are removed.
      serializers: {
        req: (req: { url?: string; headers?: Record<string, unknown> }) => {
          const { cookie: _c, authorization: _a, ...headers } = req.headers ?? {};
          return { ...req, url: req.url?.replace(/\/track\/[A-Za-z0-9_-]{43}/, '/track/[token]'), headers };
        },
        res: (res: { headers?: Record<string, unknown> }) => {
          const { 'set-cookie': _s, ...headers } = res.headers ?? {};
          return { ...res, headers };
        },
      },
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );
  if (deps.httpMetrics) app.use(httpMetrics(deps.httpMetrics));
  if (deps.drain) app.use(deps.drain.http);
  // Stripe's Payment Element is Stripe.js and its iframes (Stripe's documented CSP); everything
  // else comes from this origin. A test's fake Stripe API is on loopback: allowed when configured.
  const stripeApi = config.stripe?.apiUrl ? [new URL(config.stripe.apiUrl).origin] : [];
  // The maps' street tiles are images from their provider's origin (MAP_TILES_URL).
  const tileImages = config.mapTiles ? [tileSource(config.mapTiles.urlTemplate)] : [];
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          scriptSrc: ["'self'", 'https://js.stripe.com', 'https://*.js.stripe.com'],
          frameSrc: [
            "'self'",
            'https://js.stripe.com',
            'https://*.js.stripe.com',
            'https://hooks.stripe.com',
          ],
          connectSrc: ["'self'", 'https://api.stripe.com', ...stripeApi],
          imgSrc: ["'self'", 'data:', 'blob:', 'https://*.stripe.com', ...tileImages],
        },
      },
    }),
  );
  app.use(
    healthRoutes({
      db: deps.db,
      migrationsDir: deps.migrationsDir,
      checks: deps.readinessChecks,
      metrics: deps.metricsRegistry,
      metricsToken: deps.config.metricsToken,
      draining: deps.drain?.isDraining,
    }),
  );

  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    conString: config.databaseUrl,
    tableName: 'session',
    createTableIfMissing: false,
    pruneSessionInterval: config.env === 'test' ? false : 15 * 60,
  });
  // The API's docs page, before the session: it is the same page for everyone.
  app.use('/api/docs', apiDocsPage());
  app.use(stripeWebhookRoute(services.payments));
  const sessionCookie = sessionCookieName(config);
  const api = express.Router();
  api.use(express.json({ limit: '64kb' }));
  api.use(sameOrigin({ publicUrl: config.publicUrl, sessionCookie }));
  const sessionMiddleware = session({
    name: sessionCookie,
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.env === 'production',
      path: '/',
      maxAge: 12 * 60 * 60 * 1000,
    },
  });
  // A tracking link is its own authority: whoever holds the token may follow, change and cancel
  // the order, logged in or not. Its routes skip the session, which for a logged-in customer
  // costs a session read and, with `rolling`, a write per request (issue 11).
  const principal = loadPrincipal(services.auth, services.customers);
  const byTrackingLink = (req: express.Request) => TRACKING_ROUTE.test(req.path);
  api.use((req, res, next) => (byTrackingLink(req) ? next() : sessionMiddleware(req, res, next)));
  api.use((req, res, next) => (byTrackingLink(req) ? next() : principal(req, res, next)));
  const limits = createRateLimits({ loginFailures: config.loginRateLimit });
  api.use((req, res, next) => (byTrackingLink(req) ? limits.trackingMisses(req, res, next) : next()));
  api.use(openApiRoutes(() => app, deps.rootDir, config.secretAdminUrl !== undefined));
  api.use(menuRoutes(services.menu));
  api.use(ordersRoutes(services.orders));
  api.use(authRoutes(services.auth, { limiter: limits.staffLogin, sessionCookie }));
  api.use(
    customersRoutes(services.customers, services.orders, {
      loginLimiter: limits.customerLogin,
      registrationLimiter: limits.registration,
      verifyLimiter: limits.linkMisses,
    }),
  );
  api.use(stockRoutes(services.stock));
  api.use(snapshotRoutes(deps.snapshots));
  api.use(deliveryRoutes(services.delivery, services.menu));
  api.use(dispatchRoutes(services.dispatch));
  api.use(
    paymentsRoutes(services.payments, {
      mapsConfigured: config.maps !== undefined,
      mapTiles: config.mapTiles ?? null,
    }),
  );
  api.use(etaRoutes(services.eta));
  // The back-office exists only with its secret path; without one its API is not there either.
  if (config.secretAdminUrl) api.use('/admin', backOfficeRoutes(services.backOffice));
  api.use((req, res) => {
    const body: ErrorBody = {
      error: { code: 'request/not_found', message: `No API route ${req.method} ${req.originalUrl}.` },
    };
    res.status(404).json(body);
  });
  app.use('/api', api);
  app.use(backOfficeFront(deps.rootDir, config.secretAdminUrl));
  app.use(frontEnds(deps.rootDir));
  app.use(createErrorHandler({ outage: deps.outage }));

  return { app, sessionMiddleware, close: () => store.close() };
}
