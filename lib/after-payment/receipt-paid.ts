// What follows a paid receipt, inside the same transaction as the payment itself: the
// enrollment it pays is confirmed, the payer is told and the campus account is queued.
import "server-only";
import type { Tx } from "@/db/client";
import { recordAudit, type AuditSource } from "@/db/queries/audit";
import { getEnrollmentForConfirmation } from "@/db/queries/enrollments";
import type { LockedAttempt, LockedReceipt } from "@/db/queries/payments";
import { getStudentLocale } from "@/db/queries/students";
import { enqueueCampusProvisioning } from "@/lib/campus/provision";
import { confirmEnrollment } from "@/lib/enrollment/status";
import { isLocale, defaultLocale } from "@/lib/i18n/config";
import { enqueueMessage } from "@/lib/messaging/outbox";
import { onReceiptPaid } from "@/lib/reminders/reminders";

export async function afterReceiptPaid(
  tx: Tx,
  { receipt, attempt, source, paidAt }: { receipt: LockedReceipt; attempt: LockedAttempt; source: AuditSource; paidAt: Date },
): Promise<void> {
  // Reminders still in the outbox are not sent; campus access suspended while overdue is restored.
  await onReceiptPaid(tx, receipt);
  if (receipt.kind === "enrollment" && receipt.enrollmentId) {
    if (await confirmEnrollment(tx, receipt.enrollmentId)) {
      await recordAudit(tx, { source, action: "enrollment.confirmed", receiptId: receipt.id, attemptId: attempt.id, enrollmentId: receipt.enrollmentId });
      await confirmationSideEffects(tx, receipt, receipt.enrollmentId);
    }
  }

  const studentLocale = await getStudentLocale(tx, receipt.studentId);
  const messageId = await enqueueMessage(tx, {
    template: "payment_received",
    locale: isLocale(studentLocale) ? studentLocale : defaultLocale,
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
      receiptAttached: true,
    },
    // The receipt PDF, made when the email is sent (lib/messaging/attachments.ts).
    attachments: [{ kind: "receipt_pdf", receiptId: receipt.id }],
  });
  if (messageId) {
    await recordAudit(tx, { source, action: "message.queued", receiptId: receipt.id, data: { template: "payment_received", messageId } });
  }
}

/**
 * A confirmed enrollment: the payer (and an adult student with another address) is told, and
 * the campus account is queued. Both are rows in this transaction; jobs do the sending.
 */
async function confirmationSideEffects(tx: Tx, receipt: LockedReceipt, enrollmentId: string): Promise<void> {
  const row = await getEnrollmentForConfirmation(tx, enrollmentId);
  if (!row) return;
  const locale = isLocale(row.locale) ? row.locale : defaultLocale;
  const data = { studentName: `${row.firstName} ${row.lastName}`, course: row.course, startDate: row.startDate, schedule: row.schedule };
  const recipients = [{ to: receipt.payerEmail, name: receipt.payerName }];
  const adult = row.birthDate ? new Date(row.birthDate).getTime() <= Date.now() - 18 * 365.25 * 86_400_000 : true;
  if (adult && row.email.toLowerCase() !== receipt.payerEmail.toLowerCase()) recipients.push({ to: row.email, name: data.studentName });
  for (const recipient of recipients) {
    await enqueueMessage(tx, {
      template: "enrollment_confirmed",
      locale,
      to: recipient.to,
      dedupeKey: `enrollment-confirmed:${enrollmentId}:${recipient.to.toLowerCase()}`,
      enrollmentId,
      receiptId: receipt.id,
      data: { recipientName: recipient.name, ...data },
    });
  }
  await enqueueCampusProvisioning(tx, enrollmentId);
}
