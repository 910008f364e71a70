// `npm run dev`: the app on http://localhost:3000 with its embedded database and demo data,
// and the provider sandbox when no real provider credentials are configured.
// No accounts, no keys: local secrets are generated once into .data/dev-secrets.json.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { demoCredentials } from "@/lib/demo/seed";
import { EnvError, parseEnv } from "@/lib/env";
import { sandboxAppEnv, sandboxServerEnv } from "./sandbox-env";

for (const file of [".env", ".env.local"]) if (existsSync(file)) process.loadEnvFile(file);

const secretsFile = ".data/dev-secrets.json";
function devSecrets(): { AUTH_SECRET: string; APP_ENCRYPTION_KEY: string } {
  if (existsSync(secretsFile)) return JSON.parse(readFileSync(secretsFile, "utf8"));
  mkdirSync(".data", { recursive: true });
  const secrets = {
    AUTH_SECRET: randomBytes(32).toString("base64"),
    APP_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  };
  writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

const secrets = devSecrets();
const childEnv: NodeJS.ProcessEnv = {
  ...process.env,
  AUTH_SECRET: process.env.AUTH_SECRET || secrets.AUTH_SECRET,
  APP_ENCRYPTION_KEY: process.env.APP_ENCRYPTION_KEY || secrets.APP_ENCRYPTION_KEY,
  NEXT_TELEMETRY_DISABLED: "1",
};

// Each provider without credentials of its own is served by the local sandbox.
const port = process.env.PORT ?? "3000";
// Return pages and provider notifications go to APP_URL: on another port, that port.
childEnv.APP_URL = process.env.APP_URL || `http://localhost:${port}`;
const sandboxPort = Number(process.env.SANDBOX_PORT || 4010);
const sandboxed = sandboxAppEnv(sandboxPort);
const onSandbox = [
  !process.env.STRIPE_SECRET_KEY && "stripe",
  !process.env.PAYPAL_CLIENT_ID && "paypal",
  !process.env.REDSYS_MERCHANT_CODE && "redsys",
  !process.env.MOODLE_URL && "moodle",
].filter((p): p is "stripe" | "paypal" | "redsys" | "moodle" => Boolean(p));
for (const provider of onSandbox) Object.assign(childEnv, sandboxed[provider]);

let env;
try {
  env = parseEnv({ ...childEnv, NODE_ENV: "development" });
} catch (error) {
  if (error instanceof EnvError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

console.info(`Academy payments: http://localhost:${port}  (database: ${env.databaseDriver})`);
if (env.databaseDriver === "pglite" && env.DEMO_SEED !== "never") {
  console.info(`  staff sign-in: http://localhost:${port}/admin`);
  console.info(`    admin: ${demoCredentials.admin.email} / ${demoCredentials.admin.password}`);
  console.info(`    staff: ${demoCredentials.staff.email} / ${demoCredentials.staff.password}`);
}

const children: ChildProcess[] = [];
if (onSandbox.length > 0) {
  console.info(`  provider sandbox for ${onSandbox.join(", ")}: http://127.0.0.1:${sandboxPort}/_control`);
  children.push(
    spawn("npx", ["tsx", "sandbox/main.ts"], {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, ...sandboxServerEnv(env.APP_URL, sandboxPort) },
    }),
  );
}
const next = spawn("npx", ["next", "dev", "--port", port], { stdio: "inherit", env: childEnv });
children.push(next);
const stop = () => children.forEach((child) => child.kill("SIGTERM"));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
next.on("exit", (code) => {
  stop();
  process.exit(code ?? 0);
});
