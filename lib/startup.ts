// What the server does once when it starts: validate the environment, open the database,
// apply the migrations and, on a first start of the demo, seed it; then, in JOBS_MODE=worker,
// start the background job workers. On SIGINT/SIGTERM it stops them before closing the database.
import { database } from "@/db/client";
import { isSeeded, seedDemo, demoCredentials } from "@/db/seed";
import { loadEnvOrExit } from "@/lib/env";

export async function prepareServer(): Promise<void> {
  const env = loadEnvOrExit();
  const { db, migrate, driver, close } = await database();
  closeOnShutdown(close);
  await migrate();
  // Provider credentials saved in the settings page win over the environment's, from the start.
  await (await import("@/lib/payments/providers")).startPaymentsConfig(db);
  const seed = env.DEMO_SEED === "always" || (env.DEMO_SEED === "auto" && driver === "pglite");
  if (seed && !(await isSeeded(db))) {
    const result = await seedDemo(db, { apiKey: env.DEMO_API_KEY });
    console.info(
      [
        `Demo academy seeded: ${result.students} students, ${result.receipts} receipts.`,
        `  admin: ${demoCredentials.admin.email} / ${demoCredentials.admin.password}`,
        `  staff: ${demoCredentials.staff.email} / ${demoCredentials.staff.password}`,
        `  API key: ${env.DEMO_API_KEY ? "(from DEMO_API_KEY)" : result.apiKey}`,
      ].join("\n"),
    );
  }
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
