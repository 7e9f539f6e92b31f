import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'hub/src/**/*.test.ts',
      'displays/src/**/*.test.ts',
      'customer-web/src/**/*.test.ts',
      'backoffice/src/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    globalSetup: ['tests/helpers/global-setup.ts'],
    pool: 'forks',
    // Integration tests share one PostgreSQL server (each file has its own database): two at a
    // time suits the 2-core machines this runs on.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
