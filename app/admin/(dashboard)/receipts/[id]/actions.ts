"use server";
// The receipt page's actions. Each one is a public endpoint: authenticate (requireStaff) →
// validate (zod, field codes) → authorise (cancelling and refunding are for admins) → act in
// lib/ (which writes the audit line with source `staff` and the user's id, in the same
// transaction as the change) → revalidate the pages that show the receipt.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { ActionField, ActionState } from "@/components/admin/action-state";
import { getDb } from "@/db/client";
import { recordAudit } from "@/db/queries/audit";
import { getReceiptCurrency, getReceiptEnrollment } from "@/db/queries/dashboard-receipts";
import { retryProvisioning } from "@/lib/campus/provision";
import { requireStaff, type StaffSession } from "@/lib/auth/guard";
import type { StaffRole } from "@/lib/auth/config";
import { cancelReceipt, manualMethods, recordManualPayment } from "@/lib/payments/manual";
import { resendPaymentLink } from "@/lib/receipts/resend-link";
import { requestRefund } from "@/lib/payments/refunds";
import { PaymentError } from "@/lib/payments/types";
import { parseDecimalString } from "@/lib/money";

const receiptId = z.uuid();
const optionalText = z
  .string()
  .trim()
  .max(500)
  .optional()
  .transform((text) => text || undefined);

const schemas = {
  resend: z.object({ receiptId }),
  manual: z.object({ receiptId, method: z.enum(manualMethods), note: optionalText }),
  cancel: z.object({ receiptId, reason: z.string().trim().min(1).max(500) }),
  // The amount stays text here: it is parsed in the receipt's currency, read from the database.
  campus: z.object({ receiptId }),
  refund: z.object({ receiptId, amount: z.string().trim().min(1).max(20), reason: optionalText, idempotencyKey: z.uuid() }),
};

const fieldNames: readonly string[] = ["reason", "amount", "method", "note"] satisfies ActionField[];

/** The one wrapper every action here goes through. */
async function runAction<S extends z.ZodType<{ receiptId: string }>>(
  formData: FormData,
  schema: S,
  role: StaffRole | undefined,
  act: (input: z.infer<S>, user: StaffSession) => Promise<ActionState>,
): Promise<ActionState> {
  // Anonymous callers and deactivated users are sent to sign in (a redirect, thrown).
  const user = await requireStaff();
  // Only named fields are read: whatever else the browser sends is ignored.
  const fields = Object.fromEntries(["receiptId", "method", "note", "reason", "amount", "idempotencyKey"].map((name) => [name, formData.get(name) ?? undefined]));
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    const bad = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))].filter((name): name is ActionField => fieldNames.includes(name));
    return { status: "error", error: "invalid", fields: bad };
  }
  // The form is hidden from staff, but hiding is not a check: the endpoint itself refuses.
  if (role === "admin" && user.role !== "admin") return { status: "error", error: "forbidden" };
  try {
    return await act(parsed.data, user);
  } catch (error) {
    if (error instanceof PaymentError) {
      // The provider's refusal reason is a short code or sentence from the provider: shown as is.
      return { status: "error", error: error.code === "attempt_not_found" || error.code === "method_not_enabled" ? "generic" : error.code, providerCode: error.code === "provider_refused" ? error.message.slice(0, 200) : undefined };
    }
    console.error("Receipt action failed:", error);
    return { status: "error", error: "generic" };
  } finally {
    // Failures change the books too (a refused refund is on the timeline), so always refresh.
    revalidatePath(`/admin/receipts/${parsed.data.receiptId}`);
    revalidatePath("/admin/receipts");
    revalidatePath("/admin");
  }
}

export async function resendLinkAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, schemas.resend, undefined, async (input, user) => {
    await resendPaymentLink(await getDb(), { receiptId: input.receiptId, staffUserId: user.id });
    return { status: "done", notice: "done", at: Date.now() };
  });
}

export async function recordManualPaymentAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, schemas.manual, undefined, async (input, user) => {
    await recordManualPayment(await getDb(), { receiptId: input.receiptId, method: input.method, note: input.note, staffUserId: user.id });
    return { status: "done", notice: "done", at: Date.now() };
  });
}

export async function cancelReceiptAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, schemas.cancel, "admin", async (input, user) => {
    await cancelReceipt(await getDb(), { receiptId: input.receiptId, reason: input.reason, staffUserId: user.id });
    return { status: "done", notice: "done", at: Date.now() };
  });
}

export async function refundAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, schemas.refund, "admin", async (input, user) => {
    const db = await getDb();
    const currency = await getReceiptCurrency(db, input.receiptId);
    if (!currency) return { status: "error", error: "receipt_not_found" };
    // Spanish staff type 12,50: a comma is the decimal separator here.
    const amount = parseDecimalString(input.amount.replace(",", "."), currency);
    if (amount === undefined || amount <= 0) return { status: "error", error: "invalid", fields: ["amount"] };
    const outcome = await requestRefund(db, {
      receiptId: input.receiptId,
      amount,
      source: "staff",
      reason: input.reason,
      staffUserId: user.id,
      // Generated when the page was rendered: a double submit returns the same refund.
      idempotencyKey: `staff:${input.idempotencyKey}`,
    });
    if (outcome.status === "failed") return { status: "error", error: "provider_refused" };
    return { status: "done", notice: outcome.status === "pending" ? "pendingDone" : "done", at: Date.now() };
  });
}

/** Provisions the campus account of the enrollment this receipt pays, again (after a failure). */
export async function retryCampusAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(formData, schemas.campus, undefined, async (input, user) => {
    const db = await getDb();
    const enrollmentId = await getReceiptEnrollment(db, input.receiptId);
    if (!enrollmentId) return { status: "error", error: "receipt_not_found" };
    const report = await retryProvisioning(db, enrollmentId);
    await recordAudit(db, { source: "staff", action: "campus.retried", staffUserId: user.id, receiptId: input.receiptId, enrollmentId, data: { report } });
    return { status: "done", notice: "done", at: Date.now() };
  });
}
