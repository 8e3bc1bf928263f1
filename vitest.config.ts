// One test command for everything: unit (node), components (jsdom), integration and e2e (real Docker, haproxy, Chromium).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', environment: 'node', include: ['test/unit/**/*.test.ts'], globalSetup: ['test/support/property-seed-setup.ts'] },
      },
      {
        test: { name: 'components', environment: 'jsdom', include: ['test/unit/**/*.test.tsx'] },
      },
      {
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
