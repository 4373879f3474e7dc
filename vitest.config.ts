import { defineConfig } from 'vitest/config';

const serverTests = ['apps/server/src/**/*.test.ts', 'packages/*/src/**/*.test.ts'];
const shared = { resolve: { conditions: ['source'] }, ssr: { resolve: { conditions: ['source'] } } };

/**
 * One run covers everything: unit and integration tests on the embedded PGlite, the same
 * integration tests again on PostgreSQL when DATABASE_URL is set (as in CI), and the browser
 * tests against the built app.
 */
export default defineConfig({
  test: {
    projects: [
      {
        ...shared,
        test: {
          name: 'pglite',
          include: serverTests,
          env: { TEST_STORAGE: 'pglite' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      ...(process.env.DATABASE_URL
        ? [
            {
              ...shared,
              test: {
                name: 'postgres',
                include: serverTests,
                env: { TEST_STORAGE: 'postgres' },
                testTimeout: 30_000,
                hookTimeout: 60_000,
              },
            },
          ]
        : []),
      {
        ...shared,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
