// What staff do to a receipt by hand: record money taken outside the providers (cash, bank
// transfer, other) and cancel a pending receipt. Each runs in one transaction that locks the
// receipt first (the order every writer uses, see apply.ts), goes through the receipt's state
// machine, and writes its audit line with the staff member's id, so these changes land in the
// same timeline as the providers' signals.
import "server-only";
import type { Db, Tx } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
import { revokeLivePaymentLinks } from "@/db/queries/payment-links";
import { insertAttempt, lockAttempt, lockReceipt, type LockedReceipt } from "@/db/queries/payments";
import { markReceiptPaid } from "@/db/queries/receipts";
import { runPaymentOutcomes } from "@/lib/after-payment";
import { cancelReceiptStatus } from "@/lib/receipts/status";
import type { PaymentOutcome } from "./apply";
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
    const paid = await payByHand(tx, receipt, { ...input, paidAt: new Date() });
    await runPaymentOutcomes(tx, [paid]);
    return { attemptId: paid.attempt.id, paidAt: paid.paidAt };
  });
}

/**
 * In the caller's transaction, with the receipt locked: money taken by hand pays it. The
 * outcome is for lib/after-payment, which runs what follows a paid receipt.
 */
export async function payByHand(
  tx: Tx,
  receipt: LockedReceipt,
  input: { method: ManualMethod; note?: string; staffUserId: string; paidAt: Date },
): Promise<Extract<PaymentOutcome, { type: "receipt_paid" }>> {
  // Staff record the receipt's own amount: a different sum is not "paying this receipt".
  const move = transitionReceipt(receipt, { type: "payment_succeeded", paid: { amount: receipt.amount, currency: receipt.currency } });
  if (move.kind !== "moved") throw new PaymentError("receipt_not_payable", `receipt ${receipt.number} is ${receipt.status}`);
  const { paidAt } = input;
  const inserted = await insertAttempt(tx, {
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
  });
  // Lock order receipt → attempt, as every writer; the row is ours, this just reads it back typed.
  const attempt = (await lockAttempt(tx, inserted.id))!;
  await markReceiptPaid(tx, receipt.id, { paidAt, paidMethod: input.method, paidAttemptId: attempt.id });
  const note = input.note?.trim() || undefined;
  await recordAudit(
    tx,
    {
      source: "staff",
      action: "attempt.succeeded",
      receiptId: receipt.id,
      attemptId: attempt.id,
      staffUserId: input.staffUserId,
      data: { from: "created", provider: "manual", method: input.method, note },
    },
    {
      source: "staff",
      action: "receipt.paid",
      receiptId: receipt.id,
      attemptId: attempt.id,
      staffUserId: input.staffUserId,
      data: { amount: receipt.amount, currency: receipt.currency, method: input.method, note },
    },
  );
  return { type: "receipt_paid", receipt, attempt, source: "staff", paidAt };
}

/** Cancels a pending receipt; its live payment link stops working at once. */
export async function cancelReceipt(db: Db, input: { receiptId: string; reason: string; staffUserId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const receipt = await lockReceipt(tx, input.receiptId);
    if (!receipt) throw new PaymentError("receipt_not_found", `no receipt ${input.receiptId}`);
    const now = new Date();
    if (!(await cancelReceiptStatus(tx, receipt, { at: now, reason: input.reason }))) {
      throw new PaymentError("receipt_not_payable", `receipt ${receipt.number} is ${receipt.status}`);
    }
    await revokeLivePaymentLinks(tx, receipt.id, now);
    await recordAudit(tx, {
      source: "staff",
      action: "receipt.cancelled",
      receiptId: receipt.id,
      staffUserId: input.staffUserId,
      data: { reason: input.reason },
    });
  });
}
