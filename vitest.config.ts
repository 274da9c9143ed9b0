import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing but Node; `services` talks to a real Radicale and Redis,
// started once by the global setup (containers when an engine answers, Debian binaries otherwise).
export default defineConfig({
  test: {
    reporters: ['default'],
    // CI (`.ci/run`, CI=true) only compares golden files (toMatchFileSnapshot): a missing one fails
    // instead of being written, a different one fails instead of being updated. Vitest's own CI
    // default is the same, but 'none' set here also outranks UPDATE_SNAPSHOT in the environment.
    // Elsewhere vitest's default stays: missing goldens are written, `vitest -u` rewrites changed ones.
    update: process.env.CI ? 'none' : undefined,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/golden/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'services',
          include: ['test/contract/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/faults/**/*.test.ts', 'test/proof/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Radicale serialises writes behind one lock; parallel files only add contention.
          fileParallelism: false,
        },
      },
    ],
  },
});
