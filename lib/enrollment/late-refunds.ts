// A payment that arrives after its enrollment was cancelled, when the course has no seat left,
// is returned: the refund is queued in the payment's transaction and made here by a job, with
// an idempotency key, then the payer is told and the "needs attention" item closed.
import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { recordAudit, type AuditSource } from "@/db/queries/audit";
import { attentionItems, paymentAttempts, receipts, refunds, students } from "@/db/schema";
import { defaultLocale, isLocale } from "@/lib/i18n/config";
import { enqueueMessage } from "@/lib/messaging/outbox";
import { lockReceipt } from "@/db/queries/payments";
import { paymentProvider } from "@/lib/payments/providers";
import { LATE_PAYMENT_REFUND, type Provider } from "@/lib/payments/types";

export async function scheduleLatePaymentRefund(
  tx: Tx,
  late: { receiptId: string; attemptId: string; provider: Provider; amount: number; currency: string; source: AuditSource },
): Promise<void> {
  const inserted = await tx
    .insert(refunds)
    .values({
      receiptId: late.receiptId,
      attemptId: late.attemptId,
      provider: late.provider,
      amount: late.amount,
      currency: late.currency,
      status: "pending",
      idempotencyKey: `late-payment:${late.attemptId}`,
      reason: LATE_PAYMENT_REFUND,
      source: late.source,
    })
    .onConflictDoNothing()
    .returning({ id: refunds.id });
  if (inserted.length > 0) {
    await recordAudit(tx, {
      source: late.source,
      action: "refund.scheduled",
      receiptId: late.receiptId,
      attemptId: late.attemptId,
      data: { reason: LATE_PAYMENT_REFUND, amount: late.amount },
    });
  }
}

export type LateRefundReport = { refunded: number; failed: number };

export async function refundLatePayments(db: Db, options: { limit?: number } = {}): Promise<LateRefundReport> {
  const due = await db
    .select({
      id: refunds.id,
      receiptId: refunds.receiptId,
      amount: refunds.amount,
      currency: refunds.currency,
      attemptId: paymentAttempts.id,
      provider: paymentAttempts.provider,
      method: paymentAttempts.method,
      providerRef: paymentAttempts.providerRef,
      providerPaymentRef: paymentAttempts.providerPaymentRef,
      attemptAmount: paymentAttempts.amount,
      attemptCurrency: paymentAttempts.currency,
      createdAt: paymentAttempts.createdAt,
    })
    .from(refunds)
    .innerJoin(paymentAttempts, eq(paymentAttempts.id, refunds.attemptId))
    .where(and(eq(refunds.reason, LATE_PAYMENT_REFUND), eq(refunds.status, "pending"), isNull(refunds.providerRef)))
    .limit(options.limit ?? 20);
  const report: LateRefundReport = { refunded: 0, failed: 0 };
  for (const refund of due) {
    if (refund.provider === "manual") continue;
    let result;
    try {
      result = await paymentProvider(refund.provider).refund({
        attempt: {
          id: refund.attemptId,
          method: refund.method,
          providerRef: refund.providerRef,
          providerPaymentRef: refund.providerPaymentRef,
          amount: refund.attemptAmount,
          currency: refund.attemptCurrency,
          createdAt: refund.createdAt,
        },
        amount: refund.amount,
        currency: refund.currency,
        // The same key on every try: a retried job never returns the money twice.
        idempotencyKey: `refund-${refund.id}`,
      });
    } catch (error) {
      // No answer: the row stays pending and the next run asks again with the same key.
      console.error(`Returning late payment ${refund.id} failed:`, error);
      report.failed++;
      continue;
    }
    await db.transaction(async (tx) => {
      // The receipt's lock first, as every writer: a provider event about this refund being
      // applied right now finishes before we look for the row it may have written.
      await lockReceipt(tx, refund.receiptId);
      if (result.status === "failed") {
        await tx.update(refunds).set({ status: "failed", completedAt: new Date() }).where(eq(refunds.id, refund.id));
        await recordAudit(tx, {
          source: "system",
          action: "refund.failed",
          receiptId: refund.receiptId,
          attemptId: refund.attemptId,
          data: { reason: LATE_PAYMENT_REFUND, failure: result.failure },
        });
        return;
      }
      // The provider's own event may have recorded this refund first: that row is ours.
      const [already] = await tx
        .select({ id: refunds.id })
        .from(refunds)
        .where(and(eq(refunds.provider, refund.provider), eq(refunds.providerRef, result.refundRef)));
      if (already && already.id !== refund.id) {
        await tx.delete(refunds).where(eq(refunds.id, refund.id));
        await tx
          .update(refunds)
          .set({ reason: LATE_PAYMENT_REFUND, idempotencyKey: `late-payment:${refund.attemptId}` })
          .where(eq(refunds.id, already.id));
      } else {
        await tx
          .update(refunds)
          .set({ providerRef: result.refundRef, status: result.status, completedAt: result.status === "succeeded" ? new Date() : null })
          .where(eq(refunds.id, refund.id));
      }
      await tx
        .update(attentionItems)
        .set({ resolvedAt: new Date(), resolution: "late payment returned automatically" })
        .where(and(eq(attentionItems.kind, "late_payment"), eq(attentionItems.attemptId, refund.attemptId), isNull(attentionItems.resolvedAt)));
      await recordAudit(tx, {
        source: "system",
        action: "refund.late_payment_returned",
        receiptId: refund.receiptId,
        attemptId: refund.attemptId,
        data: { refundRef: result.refundRef, amount: refund.amount },
      });
      const [receipt] = await tx
        .select({ payerEmail: receipts.payerEmail, payerName: receipts.payerName, concept: receipts.concept, locale: students.locale })
        .from(receipts)
        .innerJoin(students, eq(students.id, receipts.studentId))
        .where(eq(receipts.id, refund.receiptId));
      if (receipt) {
        await enqueueMessage(tx, {
          template: "late_payment_refunded",
          locale: isLocale(receipt.locale) ? receipt.locale : defaultLocale,
          to: receipt.payerEmail,
          dedupeKey: `late-payment-refunded:${refund.id}`,
          receiptId: refund.receiptId,
          data: { recipientName: receipt.payerName, concept: receipt.concept, amount: refund.amount, currency: refund.currency },
        });
      }
    });
    report.refunded += result.status === "failed" ? 0 : 1;
    report.failed += result.status === "failed" ? 1 : 0;
  }
  return report;
}
