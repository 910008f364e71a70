// The cron door for serverless hosting (JOBS_MODE=cron): an external scheduler calls
// /api/cron/<job> with `Authorization: Bearer <CRON_SECRET>` and the job runs right there, the same
// function a pg-boss worker would run. The route handler only hands the request over to this.
import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { database } from "@/db/client";
import { env } from "@/lib/env";
import { isJobName } from "./queues";
import { runJob, type JobOptions } from "./run";

export type CronRequestOptions = {
  /** The secret to check against; CRON_SECRET by default. */
  secret?: string;
  /** Runs the job on this database instead of the process's (tests). */
  db?: Parameters<typeof runJob>[1];
  jobs?: JobOptions;
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

/** Compares digests, so neither the secret's content nor its length leaks through timing. */
function isBearer(header: string | null, secret: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(match[1]!), digest(secret));
}

/**
 * 503 while CRON_SECRET is unset (the door is closed, not open), 401 without the right bearer
 * token, 404 for a job that does not exist, then the job's report: 200 when it did all its work,
 * 500 when part of it failed (so the scheduler's logs show it) or it threw.
 */
export async function handleCronRequest(request: Request, job: string, options: CronRequestOptions = {}): Promise<Response> {
  const secret = options.secret ?? env().CRON_SECRET;
  if (!secret) return json(503, { error: { code: "cron_disabled", message: "CRON_SECRET is not set" } });
  if (!isBearer(request.headers.get("authorization"), secret)) {
    return json(401, { error: { code: "unauthorized", message: "Authorization: Bearer <CRON_SECRET> required" } }, { "www-authenticate": "Bearer" });
  }
  if (!isJobName(job)) return json(404, { error: { code: "unknown_job", message: `no job named ${JSON.stringify(job)}` } });

  const started = Date.now();
  try {
    const db = options.db ?? (await database()).db;
    const result = await runJob(job, db, options.jobs);
    return json(result.complete ? 200 : 500, { job, ok: result.complete, report: result.report, durationMs: Date.now() - started });
  } catch (error) {
    console.error(`Cron job ${job} failed:`, error);
    return json(500, { job, ok: false, error: { code: "job_failed", message: "the job failed; see the server log" }, durationMs: Date.now() - started });
  }
}
