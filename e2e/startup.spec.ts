// A misconfigured server must stop at once with one line naming the bad variable.
import { spawn } from "node:child_process";
import { expect, test } from "@playwright/test";

function startWith(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("npx", ["next", "start", "--port", "3199"], {
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
