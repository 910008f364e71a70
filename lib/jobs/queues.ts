// The background jobs by name: what each queue is called, when it is scheduled and how pg-boss
// retries it. Shared by the workers (worker.ts) and the cron route (cron.ts).
import type { Queue } from "pg-boss";

export const jobNames = [
  "reconcile-payments",
  "deliver-messages",
  "expire-holds",
  "provision-campus",
  "refund-late-payments",
  "issue-monthly-receipts",
  "send-bulk",
  "send-reminders",
] as const;
export type JobName = (typeof jobNames)[number];

export function isJobName(value: string): value is JobName {
  return (jobNames as readonly string[]).includes(value);
}

/** pg-boss's schedules are cron expressions with one-minute resolution (a job per minute at most). */
export const defaultSchedules: Record<JobName, string> = {
  "reconcile-payments": "* * * * *",
  "deliver-messages": "* * * * *",
  "expire-holds": "* * * * *",
  "provision-campus": "* * * * *",
  "refund-late-payments": "* * * * *",
  // Daily at 05:00 UTC (06:00/07:00 in Madrid); the job itself waits for the academy's issue day.
  "issue-monthly-receipts": "0 5 * * *",
  // Picks up bulk sends a crash or a cron deployment left open; staff's start nudges it at once.
  "send-bulk": "* * * * *",
  // Daily at 07:00 UTC (08:00/09:00 in Madrid): reminders arrive in the morning.
  "send-reminders": "0 7 * * *",
};

/**
 * Both queues are `stately`: at most one job queued and one running per queue across every
 * instance, so a burst of nudges or a slow run never piles up copies of the same sweep (each run
 * handles everything that is due anyway). A failed run is retried with exponential backoff
 * (about 10 s, 20 s, 40 s …, at most 5 min between tries); the next scheduled run comes regardless.
 */
export const queueOptions: Record<JobName, Omit<Queue, "name">> = {
  "reconcile-payments": {
    policy: "stately",
    retryLimit: 5,
    retryDelay: 10,
    retryBackoff: true,
    retryDelayMax: 300,
    // A sweep asks each provider about up to 100 attempts, each bounded by a 15 s timeout.
    expireInSeconds: 30 * 60,
    // Completed sweeps are only an operations trace: a day of them is plenty.
    deleteAfterSeconds: 24 * 3600,
  },
  "deliver-messages": {
    policy: "stately",
    retryLimit: 5,
    retryDelay: 10,
    retryBackoff: true,
    retryDelayMax: 300,
    // Below the outbox's 10-minute sending lease, so pg-boss gives up on a stuck run first.
    expireInSeconds: 9 * 60,
    deleteAfterSeconds: 24 * 3600,
  },
  "expire-holds": {
    policy: "stately",
    retryLimit: 5,
    retryDelay: 10,
    retryBackoff: true,
    retryDelayMax: 300,
    expireInSeconds: 10 * 60,
    deleteAfterSeconds: 24 * 3600,
  },
  "provision-campus": {
    policy: "stately",
    retryLimit: 5,
    retryDelay: 30,
    retryBackoff: true,
    retryDelayMax: 600,
    // Each Moodle call and webhook delivery is bounded by its own timeout.
    expireInSeconds: 20 * 60,
    deleteAfterSeconds: 24 * 3600,
  },
  "refund-late-payments": {
    policy: "stately",
    retryLimit: 5,
    retryDelay: 30,
    retryBackoff: true,
    retryDelayMax: 600,
    expireInSeconds: 10 * 60,
    deleteAfterSeconds: 24 * 3600,
  },
  "issue-monthly-receipts": {
    policy: "stately",
    retryLimit: 5,
    retryDelay: 60,
    retryBackoff: true,
    retryDelayMax: 1800,
    // One transaction for the whole month; idempotent, so a retry after a timeout is safe.
    expireInSeconds: 15 * 60,
    deleteAfterSeconds: 7 * 24 * 3600,
  },
  "send-bulk": {
    policy: "stately",
    retryLimit: 5,
    retryDelay: 10,
    retryBackoff: true,
    retryDelayMax: 300,
    // A month's links for a large academy (thousands of emails over SMTP); a run cut short by the
    // expiry just resumes on the next one.
    expireInSeconds: 60 * 60,
    deleteAfterSeconds: 7 * 24 * 3600,
  },
  "send-reminders": {
    policy: "stately",
    retryLimit: 5,
    retryDelay: 60,
    retryBackoff: true,
    retryDelayMax: 1800,
    // Idempotent (one dedupe key per receipt and offset), so a retry after a timeout is safe.
    expireInSeconds: 30 * 60,
    deleteAfterSeconds: 7 * 24 * 3600,
  },
};
