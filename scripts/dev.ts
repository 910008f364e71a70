// `npm run dev`: the app on http://localhost:3000 with its embedded database and demo data,
// and the provider sandbox when no real provider credentials are configured.
// No accounts, no keys: local secrets are generated once into .data/dev-secrets.json.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { demoCredentials } from "@/db/seed";
import { EnvError, parseEnv } from "@/lib/env";

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

const port = process.env.PORT ?? "3000";
console.info(`Academy payments: http://localhost:${port}  (database: ${env.databaseDriver})`);
if (env.databaseDriver === "pglite" && env.DEMO_SEED !== "never") {
  console.info(`  staff sign-in: http://localhost:${port}/admin`);
  console.info(`    admin: ${demoCredentials.admin.email} / ${demoCredentials.admin.password}`);
  console.info(`    staff: ${demoCredentials.staff.email} / ${demoCredentials.staff.password}`);
}

const next = spawn("npx", ["next", "dev", "--port", port], { stdio: "inherit", env: childEnv });
const stop = () => next.kill("SIGTERM");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
next.on("exit", (code) => process.exit(code ?? 0));
