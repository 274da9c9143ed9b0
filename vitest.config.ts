import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing but Node; `services` talks to a real Radicale and Redis,
// started once by the global setup (containers when an engine answers, Debian binaries otherwise).
export default defineConfig({
  test: {
    reporters: ['default'],
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
          include: ['test/contract/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/faults/**/*.test.ts'],
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
