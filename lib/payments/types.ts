// The provider-neutral language of payments: what an adapter returns when it starts a checkout,
// and what it makes of a provider's signal (webhook, query, return) for lib/payments/apply.ts.
import { AppError, type ErrorDetail } from "@/lib/errors";

export type Provider = "stripe" | "paypal" | "redsys";
/** The ways to pay online, in the order payers see them (Bizum is served by Redsys). */
export const onlineMethods = ["redsys", "bizum", "paypal", "stripe"] as const;
export type OnlineMethod = (typeof onlineMethods)[number];

export function isOnlineMethod(value: unknown): value is OnlineMethod {
  return (onlineMethods as readonly unknown[]).includes(value);
}
export type ProviderMode = "sandbox" | "test" | "live";

export function providerOf(method: OnlineMethod): Provider {
  return method === "bizum" ? "redsys" : method;
}

/** The reason on a refund that returns money which never paid its receipt (a second payment). */
export const EXTRA_PAYMENT_REFUND = "extra_payment";
/** The reason that marks a refund as the return of a late payment (the receipt stays cancelled). */
export const LATE_PAYMENT_REFUND = "late_payment_no_seat";

/** Which of the academy's method lists applies to paying a receipt: the enrollment's or the receipts'. */
export type PaymentFlow = "enrollment" | "receipts";

export function paymentFlowOf(receiptKind: string): PaymentFlow {
  return receiptKind === "enrollment" ? "enrollment" : "receipts";
}

/** What the payer's browser must do next. */
export type CheckoutAction =
  | { type: "redirect"; url: string }
  | { type: "form"; url: string; fields: Record<string, string> }
  /** PayPal buttons in our page: the client SDK needs the order id and where to load from. */
  | { type: "paypal_buttons"; orderId: string; clientId: string; sdkBaseUrl?: string };

export type ProviderOutcome =
  | { type: "succeeded"; amount: number; currency: string; paymentRef?: string }
  | { type: "pending"; reason?: string }
  | { type: "failed"; code?: string; message?: string }
  | { type: "cancelled" }
  | { type: "expired" }
  /** Money returned to the payer, by us or directly at the provider. */
  | { type: "refunded"; refundRef: string; amount: number; currency: string }
  /** A refund the provider first accepted (pending) and then could not make. */
  | { type: "refund_failed"; refundRef: string; reason?: string }
  /** A verified event that changes nothing here (an event type we do not act on). */
  | { type: "none" };

/** How an event names the attempt: by the order we created, or by the payment it produced. */
export type AttemptRef = { by: "order"; value: string } | { by: "payment"; value: string };

export type ProviderEvent = {
  provider: Provider;
  /** Unique per provider: the same delivery twice has the same id. */
  eventId: string;
  eventType: string;
  ref: AttemptRef;
  outcome: ProviderOutcome;
  /** The verified content, kept in the inbox as evidence. */
  payload: unknown;
  rawBody: string;
};

/** A typed failure with a stable code; the message is for logs, the code for callers and UIs. */
export type PaymentErrorCode =
  | "receipt_not_found"
  | "receipt_not_payable"
  | "method_not_enabled"
  | "provider_not_configured"
  | "provider_unavailable"
  | "provider_refused"
  | "refund_not_allowed"
  | "attempt_not_found";

export class PaymentError extends AppError<PaymentErrorCode> {
  constructor(code: PaymentErrorCode, message: string, options: { detail?: ErrorDetail } = {}) {
    super(code, message, options);
    this.name = "PaymentError";
  }
}
