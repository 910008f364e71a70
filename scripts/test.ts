// `npm test`: the whole suite. Checks lint and formatting, starts (or reuses, via TEST_DATABASE_URL)
// a real PostgreSQL, runs vitest (units, integration, drivers, sandbox), builds the app, runs Playwright against
// the production build, and ends with one line: "N passed, N failed".
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { e2eServerEnv } from "../e2e/support/server-env";
import { createTestDatabase, startTestPostgres } from "./testing/postgres";

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

type Counts = { passed: number; failed: number };
const failureNotes: string[] = [];

function vitestCounts(file: string): Counts {
  if (!existsSync(file)) return { passed: 0, failed: 1 };
  const report = JSON.parse(readFileSync(file, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    testResults: { name: string; status: string; message?: string; assertionResults: { status: string }[] }[];
  };
  // A file whose setup hook throws, or that fails to load, reports its tests as skipped, not failed:
  // count each such file as one failure, so the last line never says "0 failed" over a broken file.
  const brokenFiles = report.testResults.filter((result) => result.status === "failed" && !result.assertionResults.some((test) => test.status === "failed"));
  for (const result of brokenFiles) failureNotes.push(`test file ${result.name}: ${(result.message ?? "failed").split("\n").slice(0, 6).join("\n  ")}`);
  return { passed: report.numPassedTests, failed: report.numFailedTests + brokenFiles.length };
}

function playwrightCounts(file: string): Counts {
  if (!existsSync(file)) return { passed: 0, failed: 1 };
  const report = JSON.parse(readFileSync(file, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number } };
  return { passed: report.stats.expected + report.stats.flaky, failed: report.stats.unexpected };
}

const postgres = await startTestPostgres();
let exitCode = 1;
const totals: Counts = { passed: 0, failed: 0 };
try {
  rmSync("test-results", { recursive: true, force: true });
  mkdirSync("test-results", { recursive: true });
  const env = { TEST_DATABASE_URL: postgres.url, NEXT_TELEMETRY_DISABLED: "1" };

  // The house rules a machine can check: ESLint with zero warnings, and Prettier's formatting.
  console.info("\n== lint and format");
  const lint = await run("npx", ["eslint", ".", "--max-warnings", "0"]);
  if (lint !== 0) failureNotes.push("ESLint reported problems: see the lint output above (npm run lint)");
  const format = await run("npx", ["prettier", "--check", "--log-level", "warn", "."]);
  if (format !== 0) failureNotes.push("files not formatted: run npm run format");
  const checks = lint === 0 && format === 0 ? 0 : 1;
  totals.failed += checks;

  console.info("\n== vitest: units, integration, database drivers, provider sandbox");
  const vitest = await run("npx", ["vitest", "run", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/vitest.json"], env);
  const unit = vitestCounts("test-results/vitest.json");
  totals.passed += unit.passed;
  totals.failed += unit.failed;
  // Errors outside any test (an unhandled rejection, a worker crash) fail the run without failing a test.
  if (vitest !== 0 && unit.failed === 0) {
    totals.failed += 1;
    failureNotes.push(`vitest exited with ${vitest} although no test failed: see "Unhandled Errors" above`);
  }

  console.info("\n== next build");
  // Built with the e2e run's secrets in the environment, so the bundle scan would find any that leaked.
  const build = await run("npx", ["next", "build"], { ...e2eServerEnv, ...env });

  let e2e = 1;
  if (build === 0) {
    console.info("\n== playwright: pages in Chromium against the production build");
    const pgliteDir = ".data/e2e-pglite";
    rmSync(pgliteDir, { recursive: true, force: true });
    const e2eDatabase = await createTestDatabase(postgres.url, "academy_e2e");
    e2e = await run("npx", ["playwright", "test"], { ...env, E2E_DATABASE_URL: e2eDatabase, E2E_PGLITE_DIR: pgliteDir });
    const pages = playwrightCounts("test-results/e2e.json");
    totals.passed += pages.passed;
    totals.failed += pages.failed;
  } else {
    totals.failed += 1;
  }
  exitCode = checks === 0 && vitest === 0 && build === 0 && e2e === 0 ? 0 : 1;
} finally {
  await postgres.stop();
}
// Repeated at the very end, where a truncated CI log still shows it.
for (const note of failureNotes) console.info(`\nFailed outside the tests: ${note}`);
console.info(`\n${totals.passed} passed, ${totals.failed} failed`);
process.exit(exitCode);
