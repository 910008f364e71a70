// The result every receipt action returns to its form: a stable code the form translates,
// never a sentence built on the server.
export type ActionErrorCode =
  | "invalid"
  | "forbidden"
  | "receipt_not_found"
  | "receipt_not_payable"
  | "refund_not_allowed"
  | "provider_unavailable"
  | "provider_refused"
  | "provider_not_configured"
  | "generic";

export type ActionField = "reason" | "amount" | "method" | "note";

export type ActionState =
  | { status: "idle" }
  /** `at` (ms) tells which of several successes on the page is the latest. */
  | { status: "done"; notice: "done" | "pendingDone"; at: number }
  | { status: "error"; error: ActionErrorCode; fields?: ActionField[]; providerCode?: string };

export const idleState: ActionState = { status: "idle" };

export type ActionScope = "resend" | "manual" | "cancel" | "refund" | "campus";

export type ReceiptAction = (previous: ActionState, formData: FormData) => Promise<ActionState>;
