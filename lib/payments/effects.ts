// What follows a payment, inside the same transaction as the payment itself, so it happens
// exactly once or not at all: the enrollment it pays is confirmed and the payer is told
// (the e-mail goes through the outbox; its dedupe key makes a replay harmless).
import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { recordAudit, type AuditSource } from "@/db/queries/audit";
import type { LockedAttempt, LockedReceipt } from "@/db/queries/payments";
import { enrollments, students } from "@/db/schema";
import { isLocale, defaultLocale } from "@/lib/i18n/config";
import { enqueueMessage } from "@/lib/messaging/outbox";

export async function afterReceiptPaid(
  tx: Tx,
  { receipt, attempt, source, paidAt }: { receipt: LockedReceipt; attempt: LockedAttempt; source: AuditSource; paidAt: Date },
): Promise<void> {
  if (receipt.kind === "enrollment" && receipt.enrollmentId) {
    const confirmed = await tx
      .update(enrollments)
      .set({ status: "confirmed", confirmedAt: new Date(), holdExpiresAt: null, updatedAt: new Date() })
      .where(and(eq(enrollments.id, receipt.enrollmentId), sql`${enrollments.status} = 'pending_payment'`))
      .returning({ id: enrollments.id });
    if (confirmed.length > 0) {
      await recordAudit(tx, { source, action: "enrollment.confirmed", receiptId: receipt.id, attemptId: attempt.id, enrollmentId: receipt.enrollmentId });
    }
  }

  const [student] = await tx.select({ locale: students.locale }).from(students).where(eq(students.id, receipt.studentId));
  const messageId = await enqueueMessage(tx, {
    template: "payment_received",
    locale: isLocale(student?.locale) ? student.locale : defaultLocale,
    to: receipt.payerEmail,
    dedupeKey: `receipt-paid:${receipt.id}`,
    receiptId: receipt.id,
    data: {
      recipientName: receipt.payerName,
      concept: receipt.concept,
      amount: receipt.amount,
      currency: receipt.currency,
      method: attempt.method,
      paidAt,
      receiptNumber: receipt.number,
    },
  });
  if (messageId) {
    await recordAudit(tx, { source, action: "message.queued", receiptId: receipt.id, data: { template: "payment_received", messageId } });
  }
}
