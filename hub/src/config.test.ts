import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, tileSource } from './config.js';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://hub@db.internal:5432/ocpizza',
  REDIS_URL: 'redis://cache.internal:6379',
  PUBLIC_URL: 'https://commande.ocpizza.fr',
  SESSION_SECRET: 'x'.repeat(48),
  SECRET_ADMIN_URL: '/admin-4f9c2d7e1a6b3c8d',
  STRIPE_SECRET_KEY: 'sk_live_abc123',
  STRIPE_WEBHOOK_SECRET: 'whsec_abc123',
  STRIPE_PUBLISHABLE_KEY: 'pk_live_abc123',
  METRICS_TOKEN: 'm'.repeat(32),
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('config', () => {
  it('starts in development with nothing set: embedded database, demo seed, port 3000', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.seedDemo).toBe(true);
    expect(config.stripe).toBeUndefined();
  });

  it('accepts a complete production environment', () => {
    const config = loadConfig(production);
    expect(config.env).toBe('production');
    expect(config.seedDemo).toBe(false);
    expect(config.stripe?.webhookSecret).toBe('whsec_abc123');
  });

  it('names every missing production variable in one message', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    for (const name of [
      'DATABASE_URL',
      'REDIS_URL',
      'PUBLIC_URL',
      'SESSION_SECRET',
      'SECRET_ADMIN_URL',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'STRIPE_PUBLISHABLE_KEY',
    ]) {
      expect(problems.join('\n')).toContain(name);
    }
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/config\/invalid/);
  });

  it('refuses half a Stripe configuration, and a fake Stripe API in production', () => {
    expect(problemsOf({ STRIPE_SECRET_KEY: 'sk_test_abc' }).join('\n')).toContain(
      'STRIPE_WEBHOOK_SECRET and STRIPE_PUBLISHABLE_KEY',
    );
    expect(problemsOf({ ...production, STRIPE_API_URL: 'http://127.0.0.1:4010' }).join('\n')).toContain(
      'STRIPE_API_URL',
    );
    const config = loadConfig({
      STRIPE_SECRET_KEY: 'sk_test_abc',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      STRIPE_PUBLISHABLE_KEY: 'pk_test_abc',
      STRIPE_API_URL: 'http://127.0.0.1:4010',
    });
    expect(config.stripe?.apiUrl).toBe('http://127.0.0.1:4010');
  });

  it('takes a DATABASE_URL through a unix socket (deploy/README.md recommends it on one server)', () => {
    const url = 'postgres://ocpizza:pw@%2Fvar%2Frun%2Fpostgresql/ocpizza';
    expect(loadConfig({ ...production, DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it('names malformed values, and treats empty ones as missing', () => {
    const problems = problemsOf({
      ...production,
      PORT: 'eighty',
      DATABASE_URL: 'mysql://nope',
      SESSION_SECRET: 'short',
      REDIS_URL: '',
    });
    const text = problems.join('\n');
    expect(text).toContain('PORT');
    expect(text).toContain('DATABASE_URL');
    expect(text).toContain('SESSION_SECRET');
    expect(text).toContain('REDIS_URL is required in production');
  });

  it('refuses the switches that drop outbox events or stop the background jobs in production', () => {
    expect(problemsOf({ ...production, BENCH_DISABLE_OUTBOX: 'true' }).join('\n')).toContain(
      'BENCH_DISABLE_OUTBOX',
    );
    expect(loadConfig({ BENCH_DISABLE_OUTBOX: 'true' }).benchDisableOutbox).toBe(true);
    expect(problemsOf({ ...production, BACKGROUND_JOBS: 'false' }).join('\n')).toContain('BACKGROUND_JOBS');
    expect(loadConfig({ BACKGROUND_JOBS: 'false' }).backgroundJobs).toBe(false);
    expect(loadConfig({}).backgroundJobs).toBe(true);
  });

  it('bounds a graceful shutdown to 15 s by default; Sentry reports errors only unless told to trace', () => {
    const defaults = loadConfig({});
    expect(defaults.shutdownTimeoutMs).toBe(15_000);
    expect(defaults.sentryDsn).toBeUndefined();
    expect(defaults.sentryTracesSampleRate).toBe(0);
    expect(defaults.release).toBeUndefined();
    const set = loadConfig({
      SHUTDOWN_TIMEOUT_MS: '30000',
      SENTRY_DSN: 'https://key@o1.ingest.sentry.io/42',
      SENTRY_TRACES_SAMPLE_RATE: '0.1',
      RELEASE: 'oc-pizza-hub@1.4.0',
      GIT_SHA: 'ABCDEF1234',
    });
    expect(set.shutdownTimeoutMs).toBe(30_000);
    expect(set.sentryTracesSampleRate).toBe(0.1);
    expect(set.release).toBe('oc-pizza-hub@1.4.0');
    expect(set.gitSha).toBe('abcdef1234');
    const text = problemsOf({
      SHUTDOWN_TIMEOUT_MS: '50',
      SENTRY_TRACES_SAMPLE_RATE: '2',
      RELEASE: 'two words',
      GIT_SHA: 'main',
    }).join('\n');
    for (const name of ['SHUTDOWN_TIMEOUT_MS', 'SENTRY_TRACES_SAMPLE_RATE', 'RELEASE', 'GIT_SHA']) {
      expect(text).toContain(name);
    }
  });

  it('puts backups under DATA_DIR for 14 days by default; BACKUP_NOW only outside production', () => {
    const defaults = loadConfig({ DATA_DIR: '/srv/ocp' });
    expect(defaults.backup).toEqual({ dir: '/srv/ocp/backups', keepDays: 14, now: undefined });
    const set = loadConfig({
      BACKUP_DIR: '/var/backups/ocpizza',
      BACKUP_KEEP_DAYS: '30',
      BACKUP_NOW: '2030-01-15T03:00:00Z',
    });
    expect(set.backup.dir).toBe('/var/backups/ocpizza');
    expect(set.backup.keepDays).toBe(30);
    expect(set.backup.now?.toISOString()).toBe('2030-01-15T03:00:00.000Z');
    expect(problemsOf({ BACKUP_KEEP_DAYS: '0' }).join('\n')).toContain('BACKUP_KEEP_DAYS');
    expect(problemsOf({ BACKUP_NOW: 'yesterday' }).join('\n')).toContain('BACKUP_NOW');
    expect(problemsOf({ ...production, BACKUP_NOW: '2030-01-15T03:00:00Z' }).join('\n')).toContain(
      'BACKUP_NOW',
    );
  });

  it('asks the Routes API, two-wheeler first; a Maps client pointed at a fake points the routes there too', () => {
    const key = { MAPS_API_KEY: 'AIzaKey0123456789' };
    expect(loadConfig(key).maps).toMatchObject({
      routesUrl: 'https://routes.googleapis.com',
      travelMode: 'TWO_WHEELER',
    });
    expect(loadConfig({ ...key, MAPS_BASE_URL: 'http://127.0.0.1:9' }).maps?.routesUrl).toBe(
      'http://127.0.0.1:9',
    );
    expect(
      loadConfig({ ...key, MAPS_ROUTES_URL: 'http://127.0.0.1:8', MAPS_TRAVEL_MODE: 'DRIVE' }).maps,
    ).toMatchObject({ routesUrl: 'http://127.0.0.1:8', travelMode: 'DRIVE' });
    expect(problemsOf({ ...key, MAPS_TRAVEL_MODE: 'BICYCLE' })[0]).toMatch(/^MAPS_TRAVEL_MODE/);
  });

  it('draws OpenStreetMap tiles by default, none when MAP_TILES_URL is empty, and a provider only with its credit', () => {
    expect(loadConfig({}).mapTiles).toEqual({
      urlTemplate: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
      attribution: '© OpenStreetMap contributors',
      attributionUrl: 'https://www.openstreetmap.org/copyright',
    });
    expect(loadConfig({ MAP_TILES_URL: '' }).mapTiles).toBeUndefined();
    expect(loadConfig({ MAP_TILES_URL: '  ' }).mapTiles).toBeUndefined();
    const own = 'https://{s}.tiles.example.fr/streets/{z}/{x}/{y}{r}.png';
    expect(problemsOf({ MAP_TILES_URL: own })).toEqual([
      'MAP_TILES_ATTRIBUTION is required with a MAP_TILES_URL of your own (its provider’s credit)',
    ]);
    expect(loadConfig({ MAP_TILES_URL: own, MAP_TILES_ATTRIBUTION: '© Example' }).mapTiles).toEqual({
      urlTemplate: own,
      attribution: '© Example',
      attributionUrl: null,
    });
    expect(
      problemsOf({ MAP_TILES_URL: 'https://tiles.example.fr/{z}/{x}.png', MAP_TILES_ATTRIBUTION: 'x' })[0],
    ).toMatch(/^MAP_TILES_URL must be empty or an http\(s\) URL template/);
    expect(
      problemsOf({ MAP_TILES_URL: 'ftp://tiles.example.fr/{z}/{x}/{y}.png', MAP_TILES_ATTRIBUTION: 'x' }),
    ).toHaveLength(1);
  });

  it('gives the Content-Security-Policy the tiles’ origin, subdomains as a wildcard', () => {
    expect(tileSource('https://tile.openstreetmap.org/{z}/{x}/{y}.png')).toBe(
      'https://tile.openstreetmap.org',
    );
    expect(tileSource('https://{s}.tiles.example.fr/{z}/{x}/{y}{r}.png')).toBe('https://*.tiles.example.fr');
    expect(tileSource('http://127.0.0.1:4100/tiles/{z}/{x}/{y}.png')).toBe('http://127.0.0.1:4100');
  });
});
