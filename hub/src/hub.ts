import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { DatabasePool } from './adapters/postgres.js';
import { createAuthService } from './auth/auth-service.js';
import { createCustomersService } from './customers/customers-service.js';
import { isCourierOfShop } from './couriers/couriers-repository.js';
import { createHttpApp } from './http/app.js';
import { createMenuService } from './menu/menu-service.js';
import { createOrdersService, type Clock } from './orders/orders-service.js';
import { newTrackingToken } from './orders/tracking-token.js';
import { MIGRATIONS_DIR, ROOT_DIR } from './paths.js';
import { createStockService } from './stock/stock-service.js';

/** Services and HTTP app over an open database: what main.ts serves and what tests drive. */
export function createHub(deps: { config: Config; db: DatabasePool; logger: Logger; clock?: Clock }) {
  const { config, db, logger } = deps;
  const clock = deps.clock ?? { now: () => new Date() };
  const services = {
    auth: createAuthService({ db }),
    customers: createCustomersService({ db }),
    menu: createMenuService({ db }),
    stock: createStockService({ db }),
    orders: createOrdersService({
      db,
      clock,
      newTrackingToken,
      trackingUrl: (token) => `${config.publicUrl ?? `http://localhost:${config.port}`}/suivi/${token}`,
      couriers: { isCourierOfShop },
    }),
  };
  const http = createHttpApp({
    config,
    logger,
    db,
    rootDir: ROOT_DIR,
    migrationsDir: MIGRATIONS_DIR,
    services,
  });
  return { services, app: http.app, close: http.close };
}
