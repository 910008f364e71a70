// What staff do to a receipt by hand: record money taken outside the providers (cash, bank
// transfer, other), cancel a pending receipt, and send a fresh payment link. Each runs in one
// transaction that locks the receipt first (the order every writer uses, see apply.ts), goes
// through the receipt's state machine, and writes its audit line with the staff member's id,
// so these changes land in the same timeline as the providers' signals.
import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
import { lockAttempt, lockReceipt, updateReceipt } from "@/db/queries/payments";
import { paymentAttempts, paymentLinks, students } from "@/db/schema";
import { defaultLocale, isLocale } from "@/lib/i18n/config";
import { enqueueMessage } from "@/lib/messaging/outbox";
import { hashLinkToken, issuePaymentLink } from "@/lib/receipts/payment-links";
import { afterReceiptPaid } from "./effects";
import { transitionReceipt } from "./receipt-machine";
import { PaymentError } from "./types";

export const manualMethods = ["cash", "transfer", "other"] as const;
export type ManualMethod = (typeof manualMethods)[number];

export type ManualPaymentInput = { receiptId: string; method: ManualMethod; note?: string; staffUserId: string };

/**
 * Pays a pending receipt with money staff received by hand. The payment is an attempt with
 * provider `manual` that is born succeeded, so the receipt's story (and refunds, exports and
 * figures) treat it like any other payment. Concurrent recordings queue on the receipt lock and
 * the second one finds the receipt paid: it is refused, never paid twice.
 */
export async function recordManualPayment(db: Db, input: ManualPaymentInput): Promise<{ attemptId: string; paidAt: Date }> {
  return db.transaction(async (tx) => {
    const receipt = await lockReceipt(tx, input.receiptId);
    if (!receipt) throw new PaymentError("receipt_not_found", `no receipt ${input.receiptId}`);
    // Staff record the receipt's own amount: a different sum is not "paying this receipt".
    const move = transitionReceipt(receipt, { type: "payment_succeeded", paid: { amount: receipt.amount, currency: receipt.currency } });
    if (move.kind !== "moved") throw new PaymentError("receipt_not_payable", `receipt ${receipt.number} is ${receipt.status}`);

    const paidAt = new Date();
    const [inserted] = await tx
      .insert(paymentAttempts)
      .values({
        receiptId: receipt.id,
        provider: "manual",
        method: input.method,
        // Money in the academy's hands is real money: never "sandbox" or "test".
        mode: "live",
        amount: receipt.amount,
        currency: receipt.currency,
        status: "succeeded",
        finalizedBy: "staff",
        finalizedAt: paidAt,
      })
      .returning({ id: paymentAttempts.id });
    // Lock order receipt → attempt, as every writer; the row is ours, this just reads it back typed.
    const attempt = (await lockAttempt(tx, inserted!.id))!;
    await updateReceipt(tx, receipt.id, { status: "paid", paidAt, paidMethod: input.method, paidAttemptId: attempt.id });
    const note = input.note?.trim() || undefined;
    await recordAudit(
      tx,
      { source: "staff", action: "attempt.succeeded", receiptId: receipt.id, attemptId: attempt.id, staffUserId: input.staffUserId, data: { from: "created", provider: "manual", method: input.method, note } },
      { source: "staff", action: "receipt.paid", receiptId: receipt.id, attemptId: attempt.id, staffUserId: input.staffUserId, data: { amount: receipt.amount, currency: receipt.currency, method: input.method, note } },
    );
    await afterReceiptPaid(tx, { receipt, attempt, source: "staff", paidAt });
    return { attemptId: attempt.id, paidAt };
  });
}

/** Cancels a pending receipt; its live payment link stops working at once. */
export async function cancelReceipt(db: Db, input: { receiptId: string; reason: string; staffUserId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const receipt = await lockReceipt(tx, input.receiptId);
    if (!receipt) throw new PaymentError("receipt_not_found", `no receipt ${input.receiptId}`);
    const move = transitionReceipt(receipt, { type: "cancel" });
    if (move.kind !== "moved") throw new PaymentError("receipt_not_payable", `receipt ${receipt.number} is ${receipt.status}`);
    const now = new Date();
    await updateReceipt(tx, receipt.id, { status: "cancelled", cancelledAt: now, cancelReason: input.reason });
    await tx
      .update(paymentLinks)
      .set({ revokedAt: now })
      .where(and(eq(paymentLinks.receiptId, receipt.id), isNull(paymentLinks.revokedAt)));
    await recordAudit(tx, { source: "staff", action: "receipt.cancelled", receiptId: receipt.id, staffUserId: input.staffUserId, data: { reason: input.reason } });
  });
}

/**
 * Issues a new payment link for a pending receipt (the old one is revoked) and queues the
 * `payment_link` e-mail to the payer. The dedupe key names the new link, so each resend mails
 * once and a retried transaction cannot mail twice.
 */
export async function resendPaymentLink(db: Db, input: { receiptId: string; staffUserId: string }): Promise<{ messageId: string | undefined }> {
  return db.transaction(async (tx) => {
    const receipt = await lockReceipt(tx, input.receiptId);
    if (!receipt) throw new PaymentError("receipt_not_found", `no receipt ${input.receiptId}`);
    if (receipt.status !== "pending") throw new PaymentError("receipt_not_payable", `receipt ${receipt.number} is ${receipt.status}`);
    const link = await issuePaymentLink(tx, receipt.id, receipt.dueDate);
    const [student] = await tx.select({ locale: students.locale }).from(students).where(eq(students.id, receipt.studentId));
    const linkKey = hashLinkToken(link.token).slice(0, 24);
    const messageId = await enqueueMessage(tx, {
      template: "payment_link",
      locale: isLocale(student?.locale) ? student.locale : defaultLocale,
      to: receipt.payerEmail,
      dedupeKey: `payment-link-resent:${receipt.id}:${linkKey}`,
      receiptId: receipt.id,
      data: {
        recipientName: receipt.payerName,
        concept: receipt.concept,
        amount: receipt.amount,
        currency: receipt.currency,
        dueDate: receipt.dueDate,
        link: link.url,
        linkExpiresAt: link.expiresAt,
      },
    });
    await recordAudit(
      tx,
      { source: "staff", action: "payment_link.issued", receiptId: receipt.id, staffUserId: input.staffUserId, data: { expiresAt: link.expiresAt.toISOString(), linkKey } },
      ...(messageId ? [{ source: "staff" as const, action: "message.queued", receiptId: receipt.id, staffUserId: input.staffUserId, data: { template: "payment_link", messageId } }] : []),
    );
    return { messageId };
  });
}
