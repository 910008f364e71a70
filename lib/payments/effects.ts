// What follows a payment, inside the same transaction as the payment itself, so it happens
// exactly once or not at all: the enrollment it pays is confirmed, the payer is told.
import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { recordAudit, type AuditSource } from "@/db/queries/audit";
import type { LockedAttempt, LockedReceipt } from "@/db/queries/payments";
import { enrollments } from "@/db/schema";

export async function afterReceiptPaid(
  tx: Tx,
  { receipt, attempt, source }: { receipt: LockedReceipt; attempt: LockedAttempt; source: AuditSource; paidAt: Date },
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
}
