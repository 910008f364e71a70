// A misconfigured server must stop at once with one line naming the bad variable.
import { spawn } from "node:child_process";
import { expect, test } from "@playwright/test";

function startWith(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("node", ["scripts/start.mjs", "--port", "3199"], {
      env: {
        ...process.env,
        NODE_ENV: "production",
        AUTH_SECRET: "e2e-auth-secret-not-for-production-0123456789",
        APP_ENCRYPTION_KEY: "0".repeat(64),
        PGLITE_DIR: "memory://",
        ...env,
      },
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    // If it came up despite the bad value, stop it so the test fails on the assertions below.
    const guard = setTimeout(() => child.kill("SIGTERM"), 20_000);
    child.on("exit", (code) => {
      clearTimeout(guard);
      resolve({ code, output });
    });
  });
}

for (const [variable, value] of [
  ["DATABASE_URL", "postgress//academy:s3cret@db/academy"],
  ["APP_ENCRYPTION_KEY", "not-a-32-byte-key"],
] as const) {
  test(`a malformed ${variable} stops the server with one readable line`, async () => {
    const { code, output } = await startWith({ [variable]: value });
    expect(code).not.toBe(0);
    const lines = output.split("\n").filter((line) => line.includes("Invalid environment"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid environment: ${variable} must be `));
    expect(output).not.toContain("s3cret");
    expect(output).not.toMatch(/\n\s+at /); // no stack trace
  });
}

test("a production start whose staff still include the demo's published admin is refused, naming the way out", async () => {
  // The e2e PostgreSQL holds the demo academy (seeded by the first app instance).
  const { code, output } = await startWith({ DATABASE_URL: process.env.E2E_DATABASE_URL!, DEMO_SEED: "never", JOBS_MODE: "cron" });
  expect(code).not.toBe(0);
  const lines = output.split("\n").filter((line) => line.startsWith("Refusing to start in production:"));
  expect(lines.some((line) => line.includes("admin@academiasol.es") && line.includes("npm run admin:create"))).toBe(true);
  expect(output).not.toContain("Demo-Admin-2026");
});

test("a production start with a payment provider in test mode is refused unless allowed", async () => {
  const redsysTest = { REDSYS_MERCHANT_CODE: "999008881", REDSYS_TERMINAL: "1", REDSYS_SECRET_KEY: "sq7HjrUOBfKmC576ILgskD5srU870gJ7" };
  const { code, output } = await startWith({ ...redsysTest, JOBS_MODE: "cron" });
  expect(code).not.toBe(0);
  const lines = output.split("\n").filter((line) => line.startsWith("Refusing to start in production:"));
  expect(lines).toEqual([expect.stringContaining("redsys is in test mode")]);
  expect(output).not.toContain("sq7HjrUOBfKmC576ILgskD5srU870gJ7");
});
