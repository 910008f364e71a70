// `npm run e2e -- [playwright args]`: one Playwright run without the rest of the suite, e.g.
// `npm run e2e -- e2e/billing.spec.ts --project=postgres`. Builds first (E2E_SKIP_BUILD=1 reuses
// the build), uses TEST_DATABASE_URL or a throwaway PostgreSQL, and a fresh database each time.
// NEXT_DIST_DIR and E2E_PORT_OFFSET let two runs share a machine and a checkout.
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { e2eServerEnv } from "../e2e/support/server-env";
import { createTestDatabase, startTestPostgres } from "./testing/postgres";

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const distDir = process.env.NEXT_DIST_DIR || ".next";
const suffix = (process.env.E2E_PORT_OFFSET ?? "0").replace(/\D/g, "") || "0";

if (process.env.E2E_SKIP_BUILD !== "1") {
  // next build adds its build folder's types to tsconfig.json; another folder than .next must not stay there.
  const tsconfig = readFileSync("tsconfig.json", "utf8");
  // With the e2e secrets in the environment, as scripts/test.ts builds (see e2e/client-bundle.spec.ts).
  const built = await run("npx", ["next", "build"], { ...e2eServerEnv, NEXT_TELEMETRY_DISABLED: "1" });
  if (distDir !== ".next") writeFileSync("tsconfig.json", tsconfig);
  if (built !== 0) process.exit(built);
}

const postgres = await startTestPostgres();
let code = 1;
try {
  const database = await createTestDatabase(postgres.url, `academy_e2e_${suffix}`);
  const pgliteDir = `.data/e2e-pglite-${suffix}`;
  rmSync(pgliteDir, { recursive: true, force: true });
  code = await run("npx", ["playwright", "test", ...process.argv.slice(2)], {
    E2E_DATABASE_URL: database,
    E2E_PGLITE_DIR: pgliteDir,
    NEXT_TELEMETRY_DISABLED: "1",
  });
} finally {
  await postgres.stop();
}
process.exit(code);
