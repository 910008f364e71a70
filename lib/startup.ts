// What the server does once when it starts: validate the environment, open the database,
// apply the migrations and, on a first start of the demo, seed it; in production, refuse to go on
// with the demo's published accounts or with test money; then, in JOBS_MODE=worker, start the
// background job workers. On SIGINT/SIGTERM it stops them before closing the database.
import { database, type Db } from "@/db/client";
import { findStaffForSignIn } from "@/db/queries/staff";
import { verifyPassword } from "@/lib/auth/password";
import { demoCredentials, isSeeded, seedDemoOnce } from "@/lib/demo/seed";
import { loadEnvOrExit, type Env } from "@/lib/env";
import type { PaymentsConfig } from "@/lib/payments/config";

export async function prepareServer(): Promise<void> {
  const env = loadEnvOrExit();
  const { db, migrate, driver, close } = await database();
  closeOnShutdown(close);
  await migrate();
  // Provider credentials saved in the settings page win over the environment's, from the start.
  const providers = await import("@/lib/payments/providers");
  await providers.startPaymentsConfig(db);
  const production = env.NODE_ENV === "production";
  const result = seedsDemo(env, driver) && !(await isSeeded(db)) ? await seedDemoOnce(db, { apiKey: env.DEMO_API_KEY }) : undefined;
  if (result) {
    console.info(
      [
        `Demo academy seeded: ${result.students} students, ${result.receipts} receipts.`,
        `  admin: ${demoCredentials.admin.email} / ${demoCredentials.admin.password}`,
        `  staff: ${demoCredentials.staff.email} / ${demoCredentials.staff.password}`,
        `  API key: ${env.DEMO_API_KEY ? "(from DEMO_API_KEY)" : result.apiKey}`,
      ].join("\n"),
    );
  }
  // Checked where the server is to serve (not while `next build` prerenders with this file loaded).
  if (production && process.env.NEXT_PHASE !== "phase-production-build") {
    const refusals = await productionRefusals(db, env, providers.currentPaymentsConfig());
    if (refusals.length > 0) {
      for (const refusal of refusals) console.error(`Refusing to start in production: ${refusal}`);
      process.exit(1);
    }
  }
}

/** A production install never gets the demo (its admin password is in the README) unless asked. */
export function seedsDemo(env: Pick<Env, "DEMO_SEED" | "NODE_ENV">, driver: Env["databaseDriver"]): boolean {
  return env.DEMO_SEED === "always" || (env.DEMO_SEED === "auto" && driver === "pglite" && env.NODE_ENV !== "production");
}

/** Why a production server must not serve: published demo accounts, providers that move no real money. */
export async function productionRefusals(db: Db, env: Env, payments: PaymentsConfig): Promise<string[]> {
  const refusals: string[] = [];
  // Only an explicit allowance: an install seeded for a trial must not go live with the demo's keys.
  if (!env.ALLOW_DEMO_ACCOUNTS) {
    for (const account of [demoCredentials.admin, demoCredentials.staff]) {
      const user = await findStaffForSignIn(db, account.email);
      if (user?.active && (await verifyPassword(account.password, user.passwordHash))) {
        refusals.push(
          `the staff account ${account.email} still has the demo's published password. Create your own admin with \`npm run admin:create\` and deactivate it (or set ALLOW_DEMO_ACCOUNTS=true for a demo install).`,
        );
      }
    }
  }
  if (!env.ALLOW_TEST_PAYMENTS) {
    const setting = {
      stripe: "STRIPE_SECRET_KEY (an sk_test_ key) or STRIPE_API_BASE",
      paypal: "PAYPAL_MODE (unset means sandbox) or PAYPAL_API_BASE",
      redsys: "REDSYS_MODE (test) or REDSYS_BASE_URL",
    };
    for (const provider of ["stripe", "paypal", "redsys"] as const) {
      const mode = payments[provider]?.mode;
      if (mode && mode !== "live") {
        refusals.push(
          `${provider} is in ${mode} mode, so its payments are not real money; check ${setting[provider]} (or set ALLOW_TEST_PAYMENTS=true for a staging install).`,
        );
      }
    }
  }
  return refusals;
}

/**
 * Starts the pg-boss workers (JOBS_MODE=worker, the default) once prepareServer has migrated the
 * database. In JOBS_MODE=cron nothing runs here: an external scheduler calls /api/cron/<job>.
 */
export async function startBackgroundJobs(): Promise<void> {
  if (loadEnvOrExit().JOBS_MODE !== "worker") return;
  const { startJobWorkers, stopJobWorkers } = await import("@/lib/jobs/worker");
  await startJobWorkers();
  beforeDatabaseCloses.push(stopJobWorkers);
  const { jobNames } = await import("@/lib/jobs/queues");
  console.info(`Background jobs: pg-boss workers started (${jobNames.join(", ")}).`);
}

/** Run in order on SIGINT/SIGTERM before the database closes: whatever still uses it stops first. */
const beforeDatabaseCloses: (() => Promise<void>)[] = [];

/** PGlite writes to its folder as it goes: close it cleanly so a stop never leaves it half-written. */
function closeOnShutdown(close: () => Promise<void>): void {
  let closing = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      (async () => {
        for (const stop of beforeDatabaseCloses) {
          await stop().catch((error: unknown) => console.error("Stopping before the database closes failed:", error));
        }
        await close();
      })()
        .catch((error: unknown) => console.error("Closing the database failed:", error))
        .finally(() => process.exit(0));
    });
  }
}
