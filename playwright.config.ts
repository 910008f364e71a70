// Playwright drives Debian's Chromium against the production build (`npm start`'s server), twice:
// on PostgreSQL (so specs can compare pages with the database) and on the embedded PGlite
// (the default a newcomer runs). scripts/test.ts builds the app and creates the database first.
import { defineConfig } from "@playwright/test";
import { appUrl, ports } from "./e2e/support/ports";
import { e2eServerEnv } from "./e2e/support/server-env";
import { sandboxServerEnv } from "./scripts/sandbox-env";

const postgresUrl = process.env.E2E_DATABASE_URL;
if (!postgresUrl) throw new Error("E2E_DATABASE_URL is not set: run the suite with `npm test` (scripts/test.ts).");
// Runs shifted by E2E_PORT_OFFSET keep their reports apart too.
const runSuffix = process.env.E2E_PORT_OFFSET && process.env.E2E_PORT_OFFSET !== "0" ? `-${process.env.E2E_PORT_OFFSET}` : "";
const pgliteDir = process.env.E2E_PGLITE_DIR ?? ".data/e2e-pglite";

const serverEnv = e2eServerEnv;

export default defineConfig({
  testDir: "e2e",
  outputDir: `test-results/e2e${runSuffix}`,
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  reporter: [["list"], ["json", { outputFile: `test-results/e2e${runSuffix}.json` }]],
  use: {
    baseURL: appUrl,
    locale: "es-ES",
    timezoneId: "Europe/Madrid",
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--headless",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    { name: "postgres", testIgnore: /embedded\.spec\.ts/ },
    { name: "pglite", testMatch: /embedded\.spec\.ts/, use: { baseURL: `http://localhost:${ports.pglite}` } },
  ],
  webServer: [
    {
      // The provider sandbox; it sends Stripe and PayPal webhooks to the PostgreSQL-backed app.
      command: "npx tsx sandbox/main.ts",
      url: `http://127.0.0.1:${ports.sandbox}/`,
      env: sandboxServerEnv(appUrl, ports.sandbox),
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      command: `node scripts/start.mjs --port ${ports.postgres}`,
      url: `http://localhost:${ports.postgres}/`,
      env: { ...serverEnv, APP_URL: appUrl, DATABASE_URL: postgresUrl, DEMO_SEED: "always" },
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
    },
    {
      // A second instance on the same PostgreSQL, as when the app is scaled out.
      command: `node scripts/start.mjs --port ${ports.second}`,
      url: `http://localhost:${ports.second}/`,
      env: { ...serverEnv, APP_URL: appUrl, DATABASE_URL: postgresUrl, DEMO_SEED: "never" },
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
    },
    {
      command: `node scripts/start.mjs --port ${ports.pglite}`,
      url: `http://localhost:${ports.pglite}/`,
      // A production build seeds the demo only when told to.
      env: { ...serverEnv, APP_URL: `http://localhost:${ports.pglite}`, PGLITE_DIR: pgliteDir, DEMO_SEED: "always" },
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
    },
  ],
});
