"use server";
// The receipt page's actions, each a door built by the action client (session → role → the
// named fields, validated → act in lib/, which writes the audit line with source `staff` and the
// user's id in the same transaction as the change). Cancelling and refunding are for admins.
// Failures change the books too (a refused refund is on the timeline), so the pages that show
// the receipt are refreshed whatever the outcome.
import { z } from "zod";
import type { ReceiptDone, ReceiptErrorCode } from "@/components/admin/action-state";
import { getDb } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
import { getReceiptCurrency, getReceiptEnrollment } from "@/db/queries/dashboard-receipts";
import { failure, staffFormAction, type StaffAccess } from "@/lib/actions/client";
import { retryProvisioning } from "@/lib/campus/provision";
import { parseDecimalString } from "@/lib/money";
import { cancelReceipt, manualMethods, recordManualPayment } from "@/lib/payments/manual";
import { requestRefund } from "@/lib/payments/refunds";
import { resendPaymentLink } from "@/lib/receipts/resend-link";

const receiptId = z.uuid();
const optionalText = z
  .string()
  .trim()
  .max(500)
  .optional()
  .transform((text) => text || undefined);

// The PaymentError codes staff can be told; the others (an attempt not found, a method not enabled) are bugs here.
const shown: readonly ReceiptErrorCode[] = [
  "receipt_not_found",
  "receipt_not_payable",
  "refund_not_allowed",
  "provider_unavailable",
  "provider_refused",
  "provider_not_configured",
];

function receiptAction<S extends z.ZodType<{ receiptId: string }>>(
  name: string,
  access: StaffAccess,
  input: S,
  act: Parameters<typeof staffFormAction<S, ReceiptDone, ReceiptErrorCode>>[1],
) {
  return staffFormAction<S, ReceiptDone, ReceiptErrorCode>(
    {
      access,
      name: `Receipt action ${name}`,
      fields: ["receiptId", "method", "note", "reason", "amount", "idempotencyKey"],
      input,
      shown,
      revalidate: (parsed) => [...(parsed ? [`/admin/receipts/${parsed.receiptId}`] : []), "/admin/receipts", "/admin"],
    },
    act,
  );
}

const done = (): ReceiptDone => ({ status: "done", notice: "done", at: Date.now() });

export const resendLinkAction = receiptAction("resend", "staff", z.object({ receiptId }), async (input, { user }) => {
  await resendPaymentLink(await getDb(), { receiptId: input.receiptId, staffUserId: user.id });
  return done();
});

export const recordManualPaymentAction = receiptAction(
  "manual",
  "staff",
  z.object({ receiptId, method: z.enum(manualMethods), note: optionalText }),
  async (input, { user }) => {
    await recordManualPayment(await getDb(), { receiptId: input.receiptId, method: input.method, note: input.note, staffUserId: user.id });
    return done();
  },
);

export const cancelReceiptAction = receiptAction(
  "cancel",
  "admin",
  z.object({ receiptId, reason: z.string().trim().min(1).max(500) }),
  async (input, { user }) => {
    await cancelReceipt(await getDb(), { receiptId: input.receiptId, reason: input.reason, staffUserId: user.id });
    return done();
  },
);

// The amount stays text here: it is parsed in the receipt's currency, read from the database.
const refundInput = z.object({ receiptId, amount: z.string().trim().min(1).max(20), reason: optionalText, idempotencyKey: z.uuid() });

export const refundAction = receiptAction("refund", "admin", refundInput, async (input, { user }) => {
  const db = await getDb();
  const currency = await getReceiptCurrency(db, input.receiptId);
  if (!currency) return failure<ReceiptErrorCode>("receipt_not_found");
  // Spanish staff type 12,50: a comma is the decimal separator here.
  const amount = parseDecimalString(input.amount.replace(",", "."), currency);
  if (amount === undefined || amount <= 0) return failure<ReceiptErrorCode>("invalid", { fields: { amount: "invalid" } });
  const outcome = await requestRefund(db, {
    receiptId: input.receiptId,
    amount,
    source: "staff",
    reason: input.reason,
    staffUserId: user.id,
    // Generated when the page was rendered: a double submit returns the same refund.
    idempotencyKey: `staff:${input.idempotencyKey}`,
  });
  if (outcome.status === "failed") return failure<ReceiptErrorCode>("provider_refused");
  return { status: "done", notice: outcome.status === "pending" ? "pendingDone" : "done", at: Date.now() };
});

/** Provisions the campus account of the enrollment this receipt pays, again (after a failure). */
export const retryCampusAction = receiptAction("campus", "staff", z.object({ receiptId }), async (input, { user }) => {
  const db = await getDb();
  const enrollmentId = await getReceiptEnrollment(db, input.receiptId);
  if (!enrollmentId) return failure<ReceiptErrorCode>("receipt_not_found");
  const report = await retryProvisioning(db, enrollmentId);
  await recordAudit(db, { source: "staff", action: "campus.retried", staffUserId: user.id, receiptId: input.receiptId, enrollmentId, data: { report } });
  return done();
});
