// The process's pg-boss: the queues, their schedules and the workers that run them, started once
// per server process (from instrumentation, in JOBS_MODE=worker) and kept on globalThis like the
// database, because Next bundles modules more than once and two job runners in one process would
// double every poll. On PGlite it shares the embedded instance's single connection; on pg/neon
// it opens its own small pool from the connection string. pg-boss claims jobs with SKIP LOCKED, so
// any number of instances share the work, each job run by one of them.
import "server-only";
import { fromPglite, PgBoss, type ConstructorOptions } from "pg-boss";
import { database as processDatabase, type Database } from "@/db/client";
import { env } from "@/lib/env";
import { defaultSchedules, jobNames, queueOptions, type JobName } from "./queues";
import { JobIncompleteError, runJob, type JobOptions } from "./run";

export type JobWorkerOptions = {
  /** The database to work on; the process's by default. */
  database?: Database;
  /** Where pg-boss connects for the pg and neon drivers; DATABASE_URL by default. */
  connectionString?: string;
  /** Cron expression per queue (UTC); every minute by default. */
  schedules?: Partial<Record<JobName, string>>;
  /** Seconds between a worker's polls for queued jobs (at least 0.5). Default 2. */
  pollingIntervalSeconds?: number;
  /** Seconds between pg-boss's passes over the schedules (1 to 45). Default 30. */
  cronMonitorIntervalSeconds?: number;
  /** Options for the job functions (tests: a short reconciliation threshold, a transport). */
  jobs?: JobOptions;
};

export type JobWorkers = {
  boss: PgBoss;
  /** Queues a run of `name` now (at most one waits per queue); false when one is already waiting. */
  send(name: JobName): Promise<boolean>;
  stop(): Promise<void>;
};

type Global = typeof globalThis & { __academyJobWorkers?: Promise<JobWorkers> };

/** Starts the workers once per process; a second call returns the first one's. */
export function startJobWorkers(options: JobWorkerOptions = {}): Promise<JobWorkers> {
  const g = globalThis as Global;
  g.__academyJobWorkers ??= createJobWorkers(options).catch((error: unknown) => {
    g.__academyJobWorkers = undefined;
    throw error;
  });
  return g.__academyJobWorkers;
}

/** Stops this process's workers, letting running jobs finish for a while; before the database closes. */
export async function stopJobWorkers(): Promise<void> {
  const g = globalThis as Global;
  const running = g.__academyJobWorkers;
  if (!running) return;
  g.__academyJobWorkers = undefined;
  const workers = await running.catch(() => undefined);
  await workers?.stop();
}

/**
 * Asks for the outbox to be delivered now rather than at the next minute (e.g. right after payment
 * links were queued). Returns false when no worker runs in this process (JOBS_MODE=cron: the next
 * cron call delivers) or a delivery run is already waiting (it will take the new messages too).
 */
export async function nudgeMessageDelivery(): Promise<boolean> {
  const running = (globalThis as Global).__academyJobWorkers;
  if (!running) return false;
  const workers = await running.catch(() => undefined);
  return workers ? workers.send("deliver-messages") : false;
}

/**
 * Asks for the open bulk sends to be worked now (right after staff start one) rather than at the
 * next minute. False when no worker runs here (JOBS_MODE=cron: the next cron call does it).
 */
export async function nudgeBulkSend(): Promise<boolean> {
  const running = (globalThis as Global).__academyJobWorkers;
  if (!running) return false;
  const workers = await running.catch(() => undefined);
  return workers ? workers.send("send-bulk") : false;
}

async function createJobWorkers(options: JobWorkerOptions): Promise<JobWorkers> {
  const database = options.database ?? (await processDatabase());
  const boss = new PgBoss({
    ...connectionFor(database, options.connectionString),
    application_name: "academy-jobs",
    schedule: true,
    supervise: true,
    ...(options.cronMonitorIntervalSeconds
      ? { cronMonitorIntervalSeconds: options.cronMonitorIntervalSeconds, cronWorkerIntervalSeconds: options.cronMonitorIntervalSeconds }
      : {}),
  });
  // Without a listener an 'error' event would throw and end the process; pg-boss keeps going.
  boss.on("error", (error: unknown) => console.error("Job queue error:", error));
  await boss.start();

  try {
    for (const name of jobNames) {
      const { policy, ...settings } = queueOptions[name];
      // createQueue leaves an existing queue as it is; updateQueue carries changed retry settings over.
      await boss.createQueue(name, { policy, ...settings });
      await boss.updateQueue(name, settings);
      await boss.schedule(name, options.schedules?.[name] ?? defaultSchedules[name], null, { tz: "UTC" });
      await boss.work(name, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 }, async () => {
        const result = await runJob(name, database.db, options.jobs);
        if (!result.complete) throw new JobIncompleteError(result);
        return result.report;
      });
    }
  } catch (error) {
    await boss.stop({ graceful: false }).catch(() => {});
    throw error;
  }

  return {
    boss,
    async send(name) {
      return (await boss.send(name, null)) !== null;
    },
    async stop() {
      // Running jobs get 20 s to finish; what is still running then is failed and retried later.
      await boss.stop({ graceful: true, timeout: 20_000 });
    },
  };
}

function connectionFor(database: Database, connectionString: string | undefined): ConstructorOptions {
  if (database.driver === "pglite") {
    if (!database.pglite) throw new Error("the pglite database does not expose its PGlite instance");
    return { db: fromPglite(database.pglite), backend: "pglite" };
  }
  const url = connectionString ?? env().DATABASE_URL;
  if (!url) throw new Error(`DATABASE_URL is required for the job queue on the ${database.driver} driver`);
  // A few connections: workers poll one query at a time, schedules and maintenance now and then.
  return { connectionString: url, max: 4 };
}
