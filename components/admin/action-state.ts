// What every receipt action answers its form: the shared form result (lib/actions/state.ts) with
// the receipt page's codes, which the form words itself.
import type { ActionState as FormState } from "@/lib/actions/state";

export type ReceiptErrorCode =
  "receipt_not_found" | "receipt_not_payable" | "refund_not_allowed" | "provider_unavailable" | "provider_refused" | "provider_not_configured";

/** `at` (ms) tells which of several successes on the page is the latest. */
export type ReceiptDone = { status: "done"; notice: "done" | "pendingDone"; at: number };

export type ActionState = FormState<ReceiptDone, ReceiptErrorCode>;

export const idleState: ActionState = { status: "idle" };

/** The fields a receipt form names in its errors (the hidden ones, such as the receipt id, are not for people). */
export const receiptFormFields = ["reason", "amount", "method", "note"] as const;

export type ActionScope = "resend" | "manual" | "cancel" | "refund" | "campus";

export type ReceiptAction = (previous: ActionState, formData: FormData) => Promise<ActionState>;
