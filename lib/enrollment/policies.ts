// What happens to an enrollment when its payment fails or arrives late, as the academy set it:
// keep the seat and send a retry link, or cancel at once; a late payment re-confirms the
// enrollment when its seat is still free, otherwise it waits in "needs attention" for a refund.
import "server-only";
import { z } from "zod";
import type { Tx } from "@/db/client";
import { recordAudit, type AuditSource } from "@/db/queries/audit";
import { settingKeys } from "@/lib/settings/schemas";
import { countSeatsTaken, lockCourseCapacity } from "@/db/queries/courses";
import { getEnrollmentStatus, getEnrollmentWithStudentLocale } from "@/db/queries/enrollments";
import { markReceiptCancelled } from "@/db/queries/receipts";
import { readSetting } from "@/db/queries/settings";
import { calendarDate } from "@/lib/dates";
import { defaultLocale, isLocale } from "@/lib/i18n/config";
import { enqueueMessage } from "@/lib/messaging/outbox";
import { issuePaymentLink } from "@/lib/receipts/payment-links";
import { offerSeatToWaitingList } from "./holds";
import { cancelEnrollmentStatus, reinstateEnrollment } from "./status";

export const enrollmentPoliciesSchema = z.object({
  /** keep_hold: the seat stays held until the hold expires and a retry link is sent; cancel: at once. */
  onPaymentFailure: z.enum(["keep_hold", "cancel"]).default("keep_hold"),
});
export type EnrollmentPolicies = z.infer<typeof enrollmentPoliciesSchema>;

export async function getEnrollmentPolicies(tx: Tx): Promise<EnrollmentPolicies> {
  const parsed = enrollmentPoliciesSchema.safeParse((await readSetting(tx, settingKeys.enrollmentPolicies)) ?? {});
  return parsed.success ? parsed.data : enrollmentPoliciesSchema.parse({});
}

type FailedPayment = {
  receiptId: string;
  enrollmentId: string;
  attemptId: string;
  payerEmail: string;
  payerName: string;
  concept: string;
  amount: number;
  currency: string;
  source: AuditSource;
};

/** Called in the transaction that recorded a failed, cancelled or expired attempt. */
export async function afterEnrollmentPaymentFailed(tx: Tx, failed: FailedPayment): Promise<void> {
  const enrollment = await getEnrollmentWithStudentLocale(tx, failed.enrollmentId);
  if (!enrollment || enrollment.status !== "pending_payment") return;
  const policies = await getEnrollmentPolicies(tx);
  const now = new Date();

  if (policies.onPaymentFailure === "cancel") {
    await lockCourseCapacity(tx, enrollment.courseId);
    await cancelEnrollmentStatus(tx, failed.enrollmentId, { at: now, reason: "payment_failed" });
    await markReceiptCancelled(tx, failed.receiptId, { cancelledAt: now, cancelReason: "payment_failed" });
    await recordAudit(
      tx,
      {
        source: failed.source,
        action: "enrollment.cancelled",
        enrollmentId: failed.enrollmentId,
        receiptId: failed.receiptId,
        attemptId: failed.attemptId,
        data: { reason: "payment_failed", policy: "cancel" },
      },
      {
        source: failed.source,
        action: "receipt.cancelled",
        receiptId: failed.receiptId,
        enrollmentId: failed.enrollmentId,
        data: { reason: "payment_failed" },
      },
    );
    await offerSeatToWaitingList(tx, enrollment.courseId, now);
    return;
  }

  // keep_hold: the seat stays theirs until the hold runs out; a link lets them try again.
  const link = await issuePaymentLink(tx, failed.receiptId, calendarDate(enrollment.holdExpiresAt ?? now));
  const queued = await enqueueMessage(tx, {
    template: "payment_failed",
    locale: isLocale(enrollment.locale) ? enrollment.locale : defaultLocale,
    to: failed.payerEmail,
    dedupeKey: `payment-failed:${failed.attemptId}`,
    receiptId: failed.receiptId,
    enrollmentId: failed.enrollmentId,
    data: { recipientName: failed.payerName, concept: failed.concept, amount: failed.amount, currency: failed.currency, retryLink: link.url },
  });
  if (queued) {
    await recordAudit(tx, {
      source: failed.source,
      action: "enrollment.retry_link_sent",
      enrollmentId: failed.enrollmentId,
      receiptId: failed.receiptId,
      attemptId: failed.attemptId,
      data: { policy: "keep_hold" },
    });
  }
}

/**
 * A payment for an enrollment cancelled meanwhile: if its course still has a seat, the
 * enrollment is reinstated and the caller marks the receipt paid. Returns whether it was.
 */
export async function reclaimSeatForLatePayment(tx: Tx, enrollmentId: string, source: AuditSource): Promise<boolean> {
  const enrollment = await getEnrollmentStatus(tx, enrollmentId);
  if (!enrollment || enrollment.status !== "cancelled") return false;
  const course = await lockCourseCapacity(tx, enrollment.courseId);
  const taken = await countSeatsTaken(tx, { courseId: enrollment.courseId, now: new Date() });
  if (!course || taken >= course.capacity) return false;
  // Back to pending for an instant, holding the seat: the payment then confirms it through the
  // usual path, with its e-mails and campus account.
  await reinstateEnrollment(tx, enrollmentId);
  await recordAudit(tx, { source, action: "enrollment.reinstated_late_payment", enrollmentId });
  return true;
}
