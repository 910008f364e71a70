// What each background job does, as plain functions of the database: the pg-boss workers and the
// cron route both call these, so a job behaves the same whoever triggers it. Every job is an
// idempotent sweep (it handles whatever is due, and running it twice in a row changes nothing the
// second time), which is what lets several instances and a retry run it safely.
import "server-only";
import type { Db } from "@/db/client";
import { env } from "@/lib/env";
import { deliverDueMessages, type DeliveryReport } from "@/lib/messaging/outbox";
import { createMailTransport, type MailTransport } from "@/lib/messaging/transport";
import { issueDueMonth, type ScheduledIssuingOptions, type ScheduledIssuingReport } from "@/lib/billing/schedule";
import { runCampusProvisioning } from "@/lib/campus/provision";
import { runBulkSends } from "@/lib/messaging/bulk-send";
import { sendReminders, type ReminderRunReport, type ReminderRunOptions } from "@/lib/reminders/reminders";
import { expireHolds, type HoldExpiryReport } from "@/lib/enrollment/holds";
import { refundLatePayments, type LateRefundReport } from "@/lib/enrollment/late-refunds";
import { reconcileStaleAttempts, type ReconciliationReport } from "@/lib/payments/refresh";
import { getAcademyOrProvisional } from "@/lib/settings/read";
import type { JobName } from "./queues";

export type ReconcileOptions = {
  /** Attempts without an outcome for longer than this are looked up. Default RECONCILE_AFTER_SECONDS. */
  olderThanMs?: number;
  /** Most attempts per run; the rest wait for the next run. */
  limit?: number;
};

/** Asks the providers about attempts left without an outcome and applies what they say. */
export async function reconcilePayments(db: Db, options: ReconcileOptions = {}): Promise<ReconciliationReport> {
  return reconcileStaleAttempts(db, {
    olderThanMs: options.olderThanMs ?? env().RECONCILE_AFTER_SECONDS * 1000,
    limit: options.limit ?? 100,
  });
}

export type DeliverOptions = {
  /** The transport to send with (tests); by default one from SMTP_URL/MAIL_FROM, closed after the run. */
  transport?: MailTransport;
};

/** Sends the outbox's due messages. */
export async function deliverMessages(db: Db, options: DeliverOptions = {}): Promise<DeliveryReport> {
  const transport = options.transport ?? createMailTransport(env(), { academyName: (await getAcademyOrProvisional(db)).name });
  try {
    return await deliverDueMessages(db, { transport });
  } finally {
    // A pooled SMTP transport keeps sockets open; one run's connections end with the run.
    if (!options.transport) transport.close();
  }
}

export type JobOptions = { reconcile?: ReconcileOptions; deliver?: DeliverOptions; billing?: ScheduledIssuingOptions; reminders?: ReminderRunOptions };

export type JobResult =
  | { job: "reconcile-payments"; report: ReconciliationReport; complete: boolean }
  | { job: "deliver-messages"; report: DeliveryReport; complete: boolean }
  | { job: "expire-holds"; report: HoldExpiryReport; complete: boolean }
  | { job: "provision-campus"; report: Awaited<ReturnType<typeof runCampusProvisioning>>; complete: boolean }
  | { job: "refund-late-payments"; report: LateRefundReport; complete: boolean }
  | { job: "issue-monthly-receipts"; report: ScheduledIssuingReport; complete: boolean }
  | { job: "send-bulk"; report: Awaited<ReturnType<typeof runBulkSends>>; complete: boolean }
  | { job: "send-reminders"; report: ReminderRunReport; complete: boolean };

/**
 * Runs one job. `complete` is false when part of the work failed and should be retried soon
 * (an attempt the provider could not be asked about); messages that failed to send are not that:
 * the outbox has its own retry schedule for them.
 */
export async function runJob(name: JobName, db: Db, options: JobOptions = {}): Promise<JobResult> {
  switch (name) {
    case "reconcile-payments": {
      const report = await reconcilePayments(db, options.reconcile);
      return { job: name, report, complete: report.failed === 0 };
    }
    case "deliver-messages": {
      const report = await deliverMessages(db, options.deliver);
      return { job: name, report, complete: true };
    }
    case "expire-holds": {
      const report = await expireHolds(db);
      return { job: name, report, complete: true };
    }
    case "provision-campus": {
      // Failures are recorded per student for staff to retry; the sweep itself completed.
      const report = await runCampusProvisioning(db);
      return { job: name, report, complete: true };
    }
    case "refund-late-payments": {
      const report = await refundLatePayments(db);
      return { job: name, report, complete: report.failed === 0 };
    }
    case "issue-monthly-receipts": {
      // Issues the current month once its issue day has come (lib/billing/schedule.ts).
      const report = await issueDueMonth(db, options.billing);
      return { job: name, report, complete: true };
    }
    case "send-bulk": {
      // Enqueues what the open bulk sends still lack and delivers their mail (lib/messaging/bulk-send.ts).
      const transport = options.deliver?.transport ?? createMailTransport(env(), { academyName: (await getAcademyOrProvisional(db)).name });
      try {
        const report = await runBulkSends(db, { transport });
        return { job: name, report, complete: report.errors === 0 };
      } finally {
        if (!options.deliver?.transport) transport.close();
      }
    }
    case "send-reminders": {
      // Reminders at the configured offsets and the overdue policy (lib/reminders/reminders.ts).
      const report = await sendReminders(db, options.reminders);
      return { job: name, report, complete: report.campusFailed === 0 };
    }
  }
}

/** Thrown by a worker when a run was incomplete, so pg-boss retries it with backoff. */
export class JobIncompleteError extends Error {
  constructor(readonly result: JobResult) {
    super(`${result.job} did not finish all its work: ${JSON.stringify(result.report)}`);
    this.name = "JobIncompleteError";
  }
}
