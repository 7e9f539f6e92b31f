import path from 'node:path';
import { z } from 'zod';

/**
 * The only reader of the environment (DESIGN.md section 7). Everything else gets `Config`.
 * In production a missing or malformed required variable stops the start with one message
 * naming all of them; in development and tests the hub runs with safe local defaults.
 */
const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyToUndefined, schema.optional());

/** The documented default: OpenStreetMap's own tiles, under its tile usage policy and attribution. */
export const DEFAULT_MAP_TILES = {
  urlTemplate: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
  attribution: '© OpenStreetMap contributors',
  attributionUrl: 'https://www.openstreetmap.org/copyright',
} as const;

/** The template with its placeholders filled in, as a browser would ask for one tile. */
const sampleTileUrl = (template: string) =>
  template
    .replace('{s}', 'a')
    .replace('{r}', '')
    .replace(/\{[xyz]\}/g, '0');

function isTileTemplate(template: string): boolean {
  if (!['{z}', '{x}', '{y}'].every((p) => template.includes(p))) return false;
  try {
    return /^https?:$/.test(new URL(sampleTileUrl(template)).protocol);
  } catch {
    return false;
  }
}

/** What the Content-Security-Policy must allow for the tiles: their origin, `{s}` as a wildcard. */
export function tileSource(template: string): string {
  const url = new URL(template.replace('{s}', 'subdomain-placeholder').replace(/\{[a-z]\}/g, '0'));
  return url.origin.replace('subdomain-placeholder', '*');
}

const EnvSchema = z.object({
  NODE_ENV: z.preprocess(
    emptyToUndefined,
    z.enum(['development', 'test', 'production']).default('development'),
  ),
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  PUBLIC_URL: optional(z.url({ protocol: /^https?$/ })),
  DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/ })),
  REDIS_URL: optional(z.url({ protocol: /^rediss?$/ })),
  SESSION_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
  SECRET_ADMIN_URL: optional(
    z.string().regex(/^\/[A-Za-z0-9_-]{16,}$/, 'must be a path like /admin-<16+ random characters>'),
  ),
  SENTRY_DSN: optional(z.url()),
  /** Bearer token Prometheus sends for GET /metrics (route names and volumes are not public). */
  METRICS_TOKEN: optional(z.string().min(24, 'must be at least 24 characters')),
  /** Fraction of requests traced for Sentry performance (0 = errors only, the default). */
  SENTRY_TRACES_SAMPLE_RATE: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(1).default(0)),
  /** The release errors are reported under; default oc-pizza-hub@<version>+<GIT_SHA>. */
  RELEASE: optional(z.string().regex(/^[\w.@+:/-]{1,200}$/, 'must be one word such as oc-pizza-hub@1.4.0')),
  /** The deployed commit (set by the deployment), part of the default release name. */
  GIT_SHA: optional(z.string().regex(/^[0-9a-f]{7,40}$/i, 'must be a git commit hash')),
  /** SIGTERM / SIGINT: how long in-flight work may take before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1000).max(300_000).default(15_000),
  ),
  STRIPE_SECRET_KEY: optional(z.string().regex(/^sk_(test|live)_[A-Za-z0-9]+$/, 'must look like sk_live_…')),
  STRIPE_WEBHOOK_SECRET: optional(z.string().regex(/^whsec_[A-Za-z0-9]+$/, 'must look like whsec_…')),
  STRIPE_PUBLISHABLE_KEY: optional(
    z.string().regex(/^pk_(test|live)_[A-Za-z0-9]+$/, 'must look like pk_live_…'),
  ),
  /** Tests only: a loopback fake of Stripe's API. Refused in production. */
  STRIPE_API_URL: optional(z.url({ protocol: /^http$/ })),
  /** Straight-line speed used for route estimates when Google gives no route time. */
  ESTIMATE_SPEED_KMH: z.preprocess(emptyToUndefined, z.coerce.number().min(3).max(90).default(18)),
  MAPS_API_KEY: optional(z.string().min(10)),
  MAPS_BASE_URL: optional(z.url({ protocol: /^https?$/ })),
  /** Where the Routes API is (tests: a loopback fake); default MAPS_BASE_URL when set, else Google's. */
  MAPS_ROUTES_URL: optional(z.url({ protocol: /^https?$/ })),
  /** TWO_WHEELER (asked first, DRIVE where Google has no two-wheeler routes) or DRIVE only. */
  MAPS_TRAVEL_MODE: z.preprocess(emptyToUndefined, z.enum(['TWO_WHEELER', 'DRIVE']).default('TWO_WHEELER')),
  /** How long an order or a tracking page waits for Google before going on without it. */
  MAPS_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).max(30_000).default(4000)),
  /**
   * Street tiles for the maps, an XYZ template. Unset: OpenStreetMap's (DEFAULT_MAP_TILES); set
   * but empty: no tiles, the plain background (nothing fetched from outside).
   */
  MAP_TILES_URL: z
    .string()
    .trim()
    .refine((v) => v === '' || isTileTemplate(v), {
      message: 'must be empty or an http(s) URL template with {z}, {x} and {y}',
    })
    .optional(),
  MAP_TILES_ATTRIBUTION: optional(z.string().max(300)),
  MAP_TILES_ATTRIBUTION_URL: optional(z.url({ protocol: /^https?$/ })),
  SMTP_URL: optional(z.url({ protocol: /^smtps?$/ })),
  MAIL_FROM: optional(z.string().min(3)),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('.data')),
  EMBEDDED_PG_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65535).default(5488)),
  SEED_DEMO: optional(z.enum(['true', 'false'])),
  TRUST_PROXY: optional(z.enum(['true', 'false'])),
  LOGIN_RATE_LIMIT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(10)),
  /** Sockets one client address may hold open on one hub node (a shop's NAT: its screens and guests). */
  SOCKETS_PER_CLIENT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).default(200)),
  COURIER_PRESENCE_GRACE_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(5_000).max(600_000).default(60_000),
  ),
  /**
   * Whether every row PostgreSQL returns is checked against its zod schema. Default: on in
   * development and tests (a query and its schema drifting apart fails loudly), off in production
   * (issue 11 measured ~0.6 ms of hub CPU per order write spent re-checking our own SQL's rows).
   */
  DB_VALIDATE_ROWS: optional(z.enum(['true', 'false'])),
  /** Benchmark only (bench/writes.ts): order writes without their outbox events. */
  BENCH_DISABLE_OUTBOX: optional(z.enum(['true', 'false'])),
  /**
   * Tests only: `false` starts no background jobs (payment expiry, refunds, offers), so that a
   * test cutting the database knows which of its own requests meets the outage first.
   */
  BACKGROUND_JOBS: optional(z.enum(['true', 'false'])),
  /** Where `npm run db:backup` writes its files (default <DATA_DIR>/backups). */
  BACKUP_DIR: optional(z.string().min(1)),
  /** Backups older than this many days are pruned after each successful backup. */
  BACKUP_KEEP_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(3650).default(14)),
  /** Tests only: the time `db:backup` takes as now (names, retention). Refused in production. */
  BACKUP_NOW: optional(z.iso.datetime({ offset: true })),
});

/** Variables production refuses to start without. */
const REQUIRED_IN_PRODUCTION = [
  'DATABASE_URL',
  'REDIS_URL',
  'PUBLIC_URL',
  'SESSION_SECRET',
  'SECRET_ADMIN_URL',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_PUBLISHABLE_KEY',
  'METRICS_TOKEN',
] as const;

export type Config = {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  /** The site's own origin, when set; otherwise the request's own Host is the origin. */
  publicUrl: string | undefined;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  sessionSecret: string;
  secretAdminUrl: string | undefined;
  sentryDsn: string | undefined;
  /** GET /metrics needs `Authorization: Bearer <it>`; without one (development, tests) it is open. */
  metricsToken: string | undefined;
  sentryTracesSampleRate: number;
  /** RELEASE when set; otherwise the default release is composed from the version and gitSha. */
  release: string | undefined;
  gitSha: string | undefined;
  /** Bound of a graceful shutdown: past it the process exits anyway (code 1). */
  shutdownTimeoutMs: number;
  /** All three keys, or online payment is off (customers pay at the door or the counter). */
  stripe:
    | { secretKey: string; webhookSecret: string; publishableKey: string; apiUrl: string | undefined }
    | undefined;
  estimateSpeedKmh: number;
  maps:
    | {
        apiKey: string;
        baseUrl: string | undefined;
        routesUrl: string;
        travelMode: 'TWO_WHEELER' | 'DRIVE';
        timeoutMs: number;
      }
    | undefined;
  /** Street tiles for the maps; undefined when MAP_TILES_URL is set empty (plain background). */
  mapTiles: { urlTemplate: string; attribution: string; attributionUrl: string | null } | undefined;
  smtp: { url: string; from: string } | undefined;
  logLevel: string;
  dataDir: string;
  embeddedPgPort: number;
  seedDemo: boolean;
  trustProxy: boolean;
  socketsPerClient: number;
  /** A courier whose screen was connected this recently gets offers (a phone losing signal stays in). */
  courierPresenceGraceMs: number;
  loginRateLimit: number;
  /** Rows checked against their schemas (DB_VALIDATE_ROWS; default off in production only). */
  validateRows: boolean;
  /** Benchmark only: skip the outbox INSERT (screens get no events). Refused in production. */
  benchDisableOutbox: boolean;
  backgroundJobs: boolean;
  /** `npm run db:backup`: where, how many days kept, and (tests only) the time taken as now. */
  backup: { dir: string; keepDays: number; now: Date | undefined };
};

export class ConfigError extends Error {
  readonly code = 'config/invalid';
  constructor(readonly problems: string[]) {
    super(`The configuration is invalid (code config/invalid): ${problems.join('; ')}.`);
    this.name = 'ConfigError';
  }
}

const DEV_SESSION_SECRET = 'development-only-session-secret-not-for-production';

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join('.')} ${issue.message}`);
    }
  }
  const production = env.NODE_ENV === 'production';
  if (production) {
    for (const name of REQUIRED_IN_PRODUCTION) {
      if (emptyToUndefined(env[name]) === undefined) problems.push(`${name} is required in production`);
    }
    if (emptyToUndefined(env.STRIPE_API_URL) !== undefined) {
      problems.push('STRIPE_API_URL points Stripe at a test fake and is refused in production');
    }
    if (env.BENCH_DISABLE_OUTBOX === 'true') {
      problems.push('BENCH_DISABLE_OUTBOX is a benchmark switch and is refused in production');
    }
    if (env.BACKGROUND_JOBS === 'false') {
      problems.push(
        'BACKGROUND_JOBS=false stops unpaid orders, refunds and offers moving on: refused in production',
      );
    }
    if (emptyToUndefined(env.BACKUP_NOW) !== undefined) {
      problems.push('BACKUP_NOW fakes the backup clock for tests and is refused in production');
    }
  }
  const stripeKeys = ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_PUBLISHABLE_KEY'] as const;
  const stripeSet = stripeKeys.filter((name) => emptyToUndefined(env[name]) !== undefined);
  if (stripeSet.length > 0 && stripeSet.length < stripeKeys.length) {
    // Half a configuration would take orders it cannot confirm: refuse it rather than guess.
    const missing = stripeKeys.filter((name) => !stripeSet.includes(name));
    problems.push(`online payment needs all three Stripe keys: ${missing.join(' and ')} missing`);
  }
  const tiles = env.MAP_TILES_URL?.trim();
  if (tiles && tiles !== DEFAULT_MAP_TILES.urlTemplate && !emptyToUndefined(env.MAP_TILES_ATTRIBUTION)) {
    // Tile providers license their maps on condition of the attribution: never show them without it.
    problems.push(
      'MAP_TILES_ATTRIBUTION is required with a MAP_TILES_URL of your own (its provider’s credit)',
    );
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    sessionSecret: e.SESSION_SECRET ?? DEV_SESSION_SECRET,
    secretAdminUrl: e.SECRET_ADMIN_URL,
    sentryDsn: e.SENTRY_DSN,
    metricsToken: e.METRICS_TOKEN,
    sentryTracesSampleRate: e.SENTRY_TRACES_SAMPLE_RATE,
    release: e.RELEASE,
    gitSha: e.GIT_SHA?.toLowerCase(),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    stripe:
      e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET && e.STRIPE_PUBLISHABLE_KEY
        ? {
            secretKey: e.STRIPE_SECRET_KEY,
            webhookSecret: e.STRIPE_WEBHOOK_SECRET,
            publishableKey: e.STRIPE_PUBLISHABLE_KEY,
            apiUrl: e.STRIPE_API_URL,
          }
        : undefined,
    estimateSpeedKmh: e.ESTIMATE_SPEED_KMH,
    maps: e.MAPS_API_KEY
      ? {
          apiKey: e.MAPS_API_KEY,
          baseUrl: e.MAPS_BASE_URL,
          // A Maps client pointed elsewhere (a fake) never reaches Google's Routes API by accident.
          routesUrl: e.MAPS_ROUTES_URL ?? e.MAPS_BASE_URL ?? 'https://routes.googleapis.com',
          travelMode: e.MAPS_TRAVEL_MODE,
          timeoutMs: e.MAPS_TIMEOUT_MS,
        }
      : undefined,
    mapTiles:
      e.MAP_TILES_URL === ''
        ? undefined
        : e.MAP_TILES_URL === undefined || e.MAP_TILES_URL === DEFAULT_MAP_TILES.urlTemplate
          ? {
              ...DEFAULT_MAP_TILES,
              ...(e.MAP_TILES_ATTRIBUTION ? { attribution: e.MAP_TILES_ATTRIBUTION } : {}),
              ...(e.MAP_TILES_ATTRIBUTION_URL ? { attributionUrl: e.MAP_TILES_ATTRIBUTION_URL } : {}),
            }
          : {
              urlTemplate: e.MAP_TILES_URL,
              attribution: e.MAP_TILES_ATTRIBUTION!,
              attributionUrl: e.MAP_TILES_ATTRIBUTION_URL ?? null,
            },
    smtp: e.SMTP_URL
      ? { url: e.SMTP_URL, from: e.MAIL_FROM ?? 'OC Pizza <commandes@ocpizza.fr>' }
      : undefined,
    logLevel: e.LOG_LEVEL,
    dataDir: e.DATA_DIR,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    // The demo seed goes into the embedded database by default, never into a configured one unasked.
    seedDemo: e.SEED_DEMO ? e.SEED_DEMO === 'true' : e.DATABASE_URL === undefined,
    trustProxy: e.TRUST_PROXY === 'true',
    socketsPerClient: e.SOCKETS_PER_CLIENT,
    courierPresenceGraceMs: e.COURIER_PRESENCE_GRACE_MS,
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    validateRows: e.DB_VALIDATE_ROWS ? e.DB_VALIDATE_ROWS === 'true' : e.NODE_ENV !== 'production',
    benchDisableOutbox: e.BENCH_DISABLE_OUTBOX === 'true',
    backgroundJobs: e.BACKGROUND_JOBS !== 'false',
    backup: {
      dir: e.BACKUP_DIR ?? path.join(e.DATA_DIR, 'backups'),
      keepDays: e.BACKUP_KEEP_DAYS,
      now: e.BACKUP_NOW ? new Date(e.BACKUP_NOW) : undefined,
    },
  };
}
