import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { seedPasswordEnv } from './e2e/support/accounts';

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// A fresh data folder per run: the suite starts from the first-start seed every time.
const dataDir = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `privatejet-e2e-${process.pid}`);

/**
 * End-to-end tests drive Debian's Chromium against the production build (`next start`).
 * DATABASE_URL, when set by the test command, points the server at PostgreSQL instead of PGlite.
 */
export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // Flows sign several people in and out and wait for real gateways; 2 shared cores are slow at it.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  webServer: [
    {
      command: `rm -rf "${dataDir}" && exec npx next start -H 127.0.0.1 -p ${port}`,
      url: `${baseURL}/api/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
      env: {
        ...seedPasswordEnv,
        PRIVATEJET_DATA_DIR: dataDir,
        PRIVATEJET_PUBLIC_URL: baseURL,
        PORT: String(port),
        NEXT_TELEMETRY_DISABLED: '1',
        // The OpenID provider of e2e/oidc-sign-in.spec.ts runs on loopback, which the outbound policy refuses unless allowed.
        PRIVATEJET_OUTBOUND_ALLOW: '127.0.0.1/32',
        // Gateways' traffic is read every 2 s, so the Traffic tab shows calls moments after they are made.
        PRIVATEJET_TRAFFIC_SCRAPE_SECONDS: '2',
      },
    },
    {
      // The sample backend that the end-to-end flows publish through their gateways.
      command: 'exec node tools/sample-backend/server.mjs',
      url: 'http://127.0.0.1:8090/pets',
      reuseExistingServer: false,
      env: { PORT: '8090' },
    },
  ],
});
