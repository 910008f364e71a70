// A payment that arrives after its enrollment was cancelled, when the course has no seat left,
// is returned: the refund is queued in the payment's transaction and made here by a job, with
// an idempotency key, then the payer is told and the "needs attention" item closed.
import "server-only";
import type { Db, Tx } from "@/db/client";
import { recordAudit, type AuditSource } from "@/db/queries/audit";
import {
  findRefundIdByProviderRef,
  getReceiptPayerForNotice,
  giveWayToProviderRefund,
  insertRefundUnlessQueued,
  listRefundsToRequest,
} from "@/db/queries/refunds";
import { lockReceipt, resolveAttentionForAttempt, updateRefund } from "@/db/queries/payments";
import { defaultLocale, isLocale } from "@/lib/i18n/config";
import { enqueueMessage } from "@/lib/messaging/outbox";
import { paymentProvider } from "@/lib/payments/providers";
import { LATE_PAYMENT_REFUND, type Provider } from "@/lib/payments/types";

export async function scheduleLatePaymentRefund(
  tx: Tx,
  late: { receiptId: string; attemptId: string; provider: Provider; amount: number; currency: string; source: AuditSource },
): Promise<void> {
  const inserted = await insertRefundUnlessQueued(tx, {
    receiptId: late.receiptId,
    attemptId: late.attemptId,
    provider: late.provider,
    amount: late.amount,
    currency: late.currency,
    status: "pending",
    idempotencyKey: `late-payment:${late.attemptId}`,
    reason: LATE_PAYMENT_REFUND,
    source: late.source,
  });
  if (inserted) {
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
  const due = await listRefundsToRequest(db, { reason: LATE_PAYMENT_REFUND, limit: options.limit ?? 20 });
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
        await updateRefund(tx, refund.id, { status: "failed", completedAt: new Date() });
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
      const already = await findRefundIdByProviderRef(tx, { provider: refund.provider, providerRef: result.refundRef });
      if (already && already !== refund.id) {
        await giveWayToProviderRefund(tx, {
          ours: refund.id,
          theirs: already,
          adopt: { reason: LATE_PAYMENT_REFUND, idempotencyKey: `late-payment:${refund.attemptId}` },
        });
      } else {
        await updateRefund(tx, refund.id, {
          providerRef: result.refundRef,
          status: result.status,
          completedAt: result.status === "succeeded" ? new Date() : null,
        });
      }
      await resolveAttentionForAttempt(tx, refund.attemptId, ["late_payment"], "late payment returned automatically");
      await recordAudit(tx, {
        source: "system",
        action: "refund.late_payment_returned",
        receiptId: refund.receiptId,
        attemptId: refund.attemptId,
        data: { refundRef: result.refundRef, amount: refund.amount },
      });
      const receipt = await getReceiptPayerForNotice(tx, refund.receiptId);
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
