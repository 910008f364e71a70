// Seat holds that run out: the enrollment is cancelled, its unpaid receipt cancelled, the seat
// released and the first on the waiting list offered it (a new hold and receipt of their own).
// Each step writes the timeline; a payment arriving later follows the late-payment policy.
import "server-only";
import type { Db, Tx } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
import { countSeatsTaken, lockCourseCapacity } from "@/db/queries/courses";
import {
  getCourseForSeatOffer,
  getEnrollmentForHoldExpiredNotice,
  getStudentAndPayingGuardian,
  listExpiredHolds,
  lockEnrollmentForUpdate,
  lockEnrollmentReceipt,
  lockFirstWaitlisted,
} from "@/db/queries/enrollments";
import { markReceiptCancelled } from "@/db/queries/receipts";
import { calendarDate } from "@/lib/dates";
import { env } from "@/lib/env";
import { defaultLocale, isLocale, type Locale } from "@/lib/i18n/config";
import { enqueueMessage } from "@/lib/messaging/outbox";
import { isOnlineMethod } from "@/lib/payments/types";
import { issueReceipt } from "@/lib/receipts/issue";
import { issuePaymentLink } from "@/lib/receipts/payment-links";
import { cancelEnrollmentStatus, offerSeat } from "./status";
import { defaultHoldMinutes } from "./submit";

export type HoldExpiryReport = { expired: number; offered: number };

export async function expireHolds(db: Db, options: { now?: Date; limit?: number } = {}): Promise<HoldExpiryReport> {
  const now = options.now ?? new Date();
  const due = await listExpiredHolds(db, { now, limit: options.limit ?? 200 });
  const report: HoldExpiryReport = { expired: 0, offered: 0 };
  for (const hold of due) {
    const result = await db.transaction((tx) => expireOne(tx, hold.id, hold.courseId, now));
    report.expired += result.expired ? 1 : 0;
    report.offered += result.offered ? 1 : 0;
  }
  return report;
}

async function expireOne(tx: Tx, enrollmentId: string, courseId: string, now: Date) {
  // Course first (as when enrolling), then receipt, then enrollment: one lock order for all.
  await lockCourseCapacity(tx, courseId);
  const receipt = await lockEnrollmentReceipt(tx, enrollmentId);
  const enrollment = await lockEnrollmentForUpdate(tx, enrollmentId);
  // Paid (or changed by staff) since it was listed: nothing to do.
  if (!enrollment || enrollment.status !== "pending_payment" || !enrollment.holdExpiresAt || enrollment.holdExpiresAt >= now)
    return { expired: false, offered: false };
  if (receipt && receipt.status !== "pending") return { expired: false, offered: false };

  await cancelEnrollmentStatus(tx, enrollmentId, { at: now, reason: "hold_expired" });
  if (receipt) await markReceiptCancelled(tx, receipt.id, { cancelledAt: now, cancelReason: "hold_expired" });
  await recordAudit(
    tx,
    { source: "system", action: "enrollment.hold_expired", enrollmentId, receiptId: receipt?.id },
    ...(receipt ? [{ source: "system" as const, action: "receipt.cancelled", receiptId: receipt.id, enrollmentId, data: { reason: "hold_expired" } }] : []),
  );
  await tellHoldExpired(tx, enrollmentId, receipt?.id);
  const offered = await offerSeatToWaitingList(tx, courseId, now);
  return { expired: true, offered };
}

/** The first on the waiting list gets the free seat: a hold and an enrollment receipt. */
export async function offerSeatToWaitingList(tx: Tx, courseId: string, now: Date): Promise<boolean> {
  const course = await getCourseForSeatOffer(tx, courseId);
  if (!course) return false;
  const taken = await countSeatsTaken(tx, { courseId, now });
  if (taken >= course.capacity) return false;
  const next = await lockFirstWaitlisted(tx, courseId);
  if (!next) return false;
  const method = isOnlineMethod(next.method) ? next.method : "redsys";
  // A seat offered from the waiting list is held longer: the family has to read the e-mail first.
  const holdExpiresAt = new Date(now.getTime() + Math.max(defaultHoldMinutes[method], 48 * 60) * 60_000);
  await offerSeat(tx, next.id, { at: now, holdExpiresAt });
  const payer = await payerOf(tx, next.studentId);
  const amount = course.enrollmentFee + (course.firstMonthOnEnrollment ? course.monthlyFee : 0);
  const concept = course.firstMonthOnEnrollment ? `Matrícula y primera mensualidad — ${course.name}` : `Matrícula — ${course.name}`;
  const receipt = await issueReceipt(
    tx,
    {
      studentId: next.studentId,
      kind: "enrollment",
      enrollmentId: next.id,
      concept,
      amount,
      currency: course.currency,
      dueDate: calendarDate(now),
      payer,
    },
    "system",
  );
  const link = await issuePaymentLink(tx, receipt.id, calendarDate(holdExpiresAt));
  await enqueueMessage(tx, {
    template: "payment_link",
    locale: payer.locale,
    to: payer.email,
    dedupeKey: `seat-offered:${next.id}:${receipt.id}`,
    receiptId: receipt.id,
    enrollmentId: next.id,
    data: {
      recipientName: payer.name,
      concept,
      amount,
      currency: course.currency,
      dueDate: calendarDate(holdExpiresAt),
      link: link.url,
      linkExpiresAt: holdExpiresAt,
    },
  });
  await recordAudit(tx, {
    source: "system",
    action: "enrollment.seat_offered",
    enrollmentId: next.id,
    receiptId: receipt.id,
    data: { holdExpiresAt: holdExpiresAt.toISOString() },
  });
  return true;
}

/** Who pays for a student: their paying guardian if they have one (minors), else themselves. */
async function payerOf(tx: Tx, studentId: string): Promise<{ name: string; email: string; document: string | null; locale: Locale }> {
  const { student, guardian } = await getStudentAndPayingGuardian(tx, studentId);
  const who = guardian ?? student!;
  return {
    name: `${who.firstName} ${who.lastName}`,
    email: who.email,
    document: who.document,
    locale: isLocale(student?.locale) ? student.locale : defaultLocale,
  };
}

/** The payer learns the seat was released (and where to enroll again), once. */
async function tellHoldExpired(tx: Tx, enrollmentId: string, receiptId: string | undefined): Promise<void> {
  const row = await getEnrollmentForHoldExpiredNotice(tx, enrollmentId);
  if (!row) return;
  const payer = await payerOf(tx, row.studentId);
  await enqueueMessage(tx, {
    template: "hold_expired",
    locale: payer.locale,
    to: payer.email,
    dedupeKey: `hold-expired:${enrollmentId}`,
    enrollmentId,
    receiptId,
    data: {
      recipientName: payer.name,
      studentName: `${row.firstName} ${row.lastName}`,
      course: row.course,
      enrollLink: `${env().APP_URL}/inscripcion/${encodeURIComponent(row.code)}`,
    },
  });
}
