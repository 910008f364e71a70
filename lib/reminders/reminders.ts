// Reminders and the overdue policy: the daily `send-reminders` job.
//
// For every pending receipt (monthly or other) it finds the latest reminder date that has come
// (due date + each configured offset, in the academy's calendar) and queues that one reminder,
// with a fresh payment link, unless it was queued before. The dedupe key `reminder:<receipt>:<offset>`
// makes reruns and catch-up runs harmless, and taking only the latest due offset means a run after
// a week of downtime sends one reminder, not three stale ones. Paid and cancelled receipts are
// never taken, and a reminder still in the outbox when its receipt is paid is not sent
// (`onReceiptPaid`, called from the payment's transaction).
//
// Then the overdue policy: pending receipts `overdueAfterDays` past their due date get
// `overdue_at` and a `receipt.overdue` audit line (once), staff get one digest email per run
// listing them, and, when `suspendCampus` is on, the students' campus accounts are suspended
// (restored when the receipt is paid, see lib/campus/suspension.ts).
//
// Every function takes `now`, so tests walk the calendar with a controlled clock.
import "server-only";
import { createHash } from "node:crypto";
import type { Db, DbOrTx } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
import { cancelQueuedReminders, lockReceiptForReminder, markOverdue, messageExists, pendingReceiptsDueBy } from "@/db/queries/reminders";
import type { ReminderSettings } from "@/lib/settings/schemas";
import { calendarDate } from "@/lib/dates";
import { env } from "@/lib/env";
import { defaultLocale, isLocale } from "@/lib/i18n/config";
import { enqueueMessage } from "@/lib/messaging/outbox";
import type { ReminderStage } from "@/lib/messaging/templates";
import { hashLinkToken, issuePaymentLink } from "@/lib/receipts/payment-links";
import { getAcademyOrProvisional, getReminderSettings } from "@/lib/settings/read";
import { restoreCampusOnPayment, suspendCampusForOverdue, type SuspensionOptions } from "@/lib/campus/suspension";

const DAY_MS = 86_400_000;

/** YYYY-MM-DD plus `days` (negative: before). Calendar arithmetic, no time zone involved. */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function reminderStage(offsetDays: number): ReminderStage {
  return offsetDays < 0 ? "upcoming" : offsetDays === 0 ? "due_today" : "overdue";
}

export function reminderDedupeKey(receiptId: string, offsetDays: number): string {
  return `reminder:${receiptId}:${offsetDays}`;
}

/**
 * The one reminder a receipt should have by `today`: the latest offset whose date has come,
 * ignoring dates before the receipt was issued (its payment-link email just told the payer).
 */
export function latestDueOffset(params: { dueDate: string; issuedOn: string; today: string; offsetsDays: readonly number[] }): number | undefined {
  let latest: number | undefined;
  for (const offset of params.offsetsDays) {
    const on = addDays(params.dueDate, offset);
    if (on > params.today || on < params.issuedOn) continue;
    if (latest === undefined || offset > latest) latest = offset;
  }
  return latest;
}

export type ReminderRunOptions = {
  /** The controlled clock; the real one when omitted. */
  now?: Date;
  /** The settings to use (tests); the stored ones when omitted. */
  settings?: ReminderSettings;
  campus?: SuspensionOptions;
};

export type ReminderRunReport = {
  today: string;
  reminders: number;
  overdue: number;
  digestQueued: boolean;
  campusSuspended: number;
  campusFailed: number;
};

export async function sendReminders(db: Db, options: ReminderRunOptions = {}): Promise<ReminderRunReport> {
  const now = options.now ?? new Date();
  const settings = options.settings ?? (await getReminderSettings(db));
  const academy = await getAcademyOrProvisional(db);
  const today = calendarDate(now, academy.timeZone);
  const report: ReminderRunReport = { today, reminders: 0, overdue: 0, digestQueued: false, campusSuspended: 0, campusFailed: 0 };

  if (settings.enabled && settings.offsetsDays.length > 0) {
    const earliest = Math.min(...settings.offsetsDays);
    for (const candidate of await pendingReceiptsDueBy(db, addDays(today, -earliest))) {
      const offset = latestDueOffset({
        dueDate: candidate.dueDate,
        issuedOn: calendarDate(candidate.issuedAt, academy.timeZone),
        today,
        offsetsDays: settings.offsetsDays,
      });
      if (offset === undefined) continue;
      if (await queueReminder(db, candidate.id, offset)) report.reminders += 1;
    }
  }

  const overdue = await db.transaction(async (tx) => {
    const rows = await markOverdue(tx, { dueBy: addDays(today, -settings.overdueAfterDays), at: now });
    if (rows.length === 0) return rows;
    await recordAudit(
      tx,
      ...rows.map((r) => ({
        source: "system" as const,
        action: "receipt.overdue",
        receiptId: r.id,
        data: { dueDate: r.dueDate, overdueAfterDays: settings.overdueAfterDays },
      })),
    );
    if (settings.notifyStaff) {
      const ids = rows.map((r) => r.id).sort();
      const digestId = await enqueueMessage(tx, {
        template: "overdue_digest",
        locale: defaultLocale,
        to: academy.email,
        dedupeKey: `overdue-digest:${today}:${createHash("sha256").update(ids.join(",")).digest("hex").slice(0, 32)}`,
        academy,
        data: {
          receipts: rows.map((r) => ({
            number: r.number,
            payerName: r.payerName,
            concept: r.concept,
            amount: r.amount,
            currency: r.currency,
            dueDate: r.dueDate,
          })),
          dashboardLink: `${env().APP_URL}/admin/receipts?status=pending`,
        },
      });
      report.digestQueued = digestId !== undefined;
    }
    return rows;
  });
  report.overdue = overdue.length;

  if (settings.suspendCampus && overdue.length > 0) {
    const suspension = await suspendCampusForOverdue(db, overdue, options.campus);
    report.campusSuspended = suspension.suspended;
    report.campusFailed = suspension.failed;
  }
  return report;
}

/** Queues one reminder with a fresh link, in one transaction holding the receipt's lock; false if not needed. */
async function queueReminder(db: Db, receiptId: string, offset: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const receipt = await lockReceiptForReminder(tx, receiptId);
    // Paid or cancelled since the list was read: nothing to remind.
    if (!receipt || receipt.status !== "pending") return false;
    const dedupeKey = reminderDedupeKey(receipt.id, offset);
    // Checked before the link is issued: a new link revokes the one in the earlier email.
    if (await messageExists(tx, dedupeKey)) return false;
    const link = await issuePaymentLink(tx, receipt.id, receipt.dueDate);
    const stage = reminderStage(offset);
    const messageId = await enqueueMessage(tx, {
      template: "reminder",
      locale: isLocale(receipt.locale) ? receipt.locale : defaultLocale,
      to: receipt.payerEmail,
      dedupeKey,
      receiptId: receipt.id,
      data: {
        recipientName: receipt.payerName,
        concept: receipt.concept,
        amount: receipt.amount,
        currency: receipt.currency,
        dueDate: receipt.dueDate,
        stage,
        link: link.url,
      },
    });
    await recordAudit(
      tx,
      {
        source: "system",
        action: "payment_link.issued",
        receiptId: receipt.id,
        data: { expiresAt: link.expiresAt.toISOString(), linkKey: hashLinkToken(link.token).slice(0, 24) },
      },
      ...(messageId
        ? [{ source: "system" as const, action: "message.queued", receiptId: receipt.id, data: { template: "reminder", messageId, stage, offsetDays: offset } }]
        : []),
    );
    return messageId !== undefined;
  });
}

/**
 * Called in the payment's transaction (lib/after-payment/receipt-paid.ts): reminders still waiting in the
 * outbox are not sent, and a campus access suspended for this receipt is queued for restoring.
 */
export async function onReceiptPaid(tx: DbOrTx, receipt: { id: string; studentId: string; kind: string; overdueAt: Date | null }): Promise<void> {
  // This runs inside every payment's transaction: skip the statements that cannot find anything.
  // Enrollment receipts get no reminders (their hold expires instead).
  if (receipt.kind !== "enrollment") {
    const cancelled = await cancelQueuedReminders(tx, receipt.id);
    if (cancelled > 0) await recordAudit(tx, { source: "system", action: "reminders.cancelled", receiptId: receipt.id, data: { count: cancelled } });
  }
  // Only an overdue receipt can have suspended the campus account.
  if (receipt.overdueAt) await restoreCampusOnPayment(tx, receipt);
}
