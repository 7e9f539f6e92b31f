import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

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

  it('refuses the benchmark switch that drops outbox events in production', () => {
    expect(problemsOf({ ...production, BENCH_DISABLE_OUTBOX: 'true' }).join('\n')).toContain(
      'BENCH_DISABLE_OUTBOX',
    );
    expect(loadConfig({ BENCH_DISABLE_OUTBOX: 'true' }).benchDisableOutbox).toBe(true);
  });
});
