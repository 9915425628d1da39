import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: tests that kill and starve real service processes. Apart from `npm test`
 * because they take minutes; files run one at a time so the processes they start do not compete
 * for the machine's two cores and distort the timings the tests rely on.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
