// Stripe's objects as the emulator stores them, their JSON shapes (API 2026-10-28), and the
// Stripe-shaped errors. Pure: no state, no I/O.
import { randomBytes } from "node:crypto";

export const STRIPE_API_VERSION = "2026-10-28.endive";
export const STRIPE_PAGE_PREFIX = "/stripe";

export type Json = Record<string, unknown>;

export type LineItem = { id: string; name: string; unitAmount: number; quantity: number; currency: string };

export type Session = {
  id: string;
  created: number;
  expiresAt: number;
  currency: string;
  lineItems: LineItem[];
  amount: number;
  successUrl?: string;
  cancelUrl?: string;
  clientReferenceId: string | null;
  customerEmail: string | null;
  locale: string | null;
  metadata: Record<string, string>;
  piMetadata: Record<string, string>;
  status: "open" | "complete" | "expired";
  paymentStatus: "unpaid" | "paid";
  paymentIntentId: string | null;
};

export type PaymentIntent = {
  id: string;
  created: number;
  amount: number;
  currency: string;
  status: "processing" | "succeeded" | "requires_payment_method" | "canceled";
  metadata: Record<string, string>;
  latestChargeId: string | null;
  lastError: Json | null;
  sessionId: string;
  method: "card" | "sepa_debit";
};

export type Charge = {
  id: string;
  created: number;
  amount: number;
  currency: string;
  status: "succeeded" | "pending" | "failed";
  paymentIntentId: string;
  amountRefunded: number;
  metadata: Record<string, string>;
  failureCode: string | null;
  method: "card" | "sepa_debit";
};

export type Refund = {
  id: string;
  created: number;
  amount: number;
  currency: string;
  chargeId: string;
  paymentIntentId: string;
  reason: string | null;
  metadata: Record<string, string>;
  /** As Stripe: most card refunds succeed at once; some stay pending, then succeed or fail. */
  status: "pending" | "succeeded" | "failed";
  failureReason: string | null;
};

export type StoredEvent = { id: string; type: string; created: number; object: Json; requestIdempotencyKey: string | null };

export class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: { type: string; message: string; code?: string; param?: string; decline_code?: string },
  ) {
    super(body.message);
  }
}

export function id(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("base64url").replace(/[-_]/g, "x")}`;
}

export function now(): number {
  return Math.floor(Date.now() / 1000);
}

export function missing(param: string): StripeError {
  return new StripeError(400, { type: "invalid_request_error", code: "parameter_missing", param, message: `Missing required param: ${param}.` });
}

export function invalid(param: string, message: string): StripeError {
  return new StripeError(400, { type: "invalid_request_error", code: "parameter_invalid", param, message });
}

export function noSuch(kind: string, value: string, param = "id"): StripeError {
  return new StripeError(404, { type: "invalid_request_error", code: "resource_missing", param, message: `No such ${kind}: '${value}'` });
}

export function int(value: string | undefined, param: string): number {
  if (value === undefined) throw missing(param);
  if (!/^\d+$/.test(value)) throw invalid(param, `Invalid integer: ${value}`);
  return Number(value);
}

export function sessionObject(s: Session, baseUrl: string): Json {
  return {
    id: s.id,
    object: "checkout.session",
    amount_subtotal: s.amount,
    amount_total: s.amount,
    cancel_url: s.cancelUrl ?? null,
    client_reference_id: s.clientReferenceId,
    created: s.created,
    currency: s.currency,
    customer: null,
    customer_details: s.status === "complete" ? { email: s.customerEmail ?? "buyer@example.com", name: "Sandbox Buyer" } : null,
    customer_email: s.customerEmail,
    expires_at: s.expiresAt,
    livemode: false,
    locale: s.locale,
    metadata: s.metadata,
    mode: "payment",
    payment_intent: s.paymentIntentId,
    payment_status: s.paymentStatus,
    status: s.status,
    success_url: s.successUrl ?? null,
    ui_mode: "hosted",
    url: s.status === "open" ? `${baseUrl}${STRIPE_PAGE_PREFIX}/checkout/${s.id}` : null,
  };
}

export function lineItemsObject(s: Session): Json {
  return {
    object: "list",
    data: s.lineItems.map((li) => ({
      id: li.id,
      object: "item",
      amount_discount: 0,
      amount_subtotal: li.unitAmount * li.quantity,
      amount_tax: 0,
      amount_total: li.unitAmount * li.quantity,
      currency: li.currency,
      description: li.name,
      price: {
        id: `price_${li.id.slice(3)}`,
        object: "price",
        currency: li.currency,
        unit_amount: li.unitAmount,
        type: "one_time",
        product: `prod_${li.id.slice(3)}`,
      },
      quantity: li.quantity,
    })),
    has_more: false,
    url: `/v1/checkout/sessions/${s.id}/line_items`,
  };
}

export function intentObject(pi: PaymentIntent): Json {
  return {
    id: pi.id,
    object: "payment_intent",
    amount: pi.amount,
    amount_received: pi.status === "succeeded" ? pi.amount : 0,
    currency: pi.currency,
    created: pi.created,
    latest_charge: pi.latestChargeId,
    last_payment_error: pi.lastError,
    livemode: false,
    metadata: pi.metadata,
    payment_method_types: [pi.method],
    status: pi.status,
  };
}

export function chargeObject(c: Charge): Json {
  return {
    id: c.id,
    object: "charge",
    amount: c.amount,
    amount_captured: c.status === "succeeded" ? c.amount : 0,
    amount_refunded: c.amountRefunded,
    captured: c.status === "succeeded",
    created: c.created,
    currency: c.currency,
    failure_code: c.failureCode,
    failure_message: c.failureCode ? "Your card was declined." : null,
    livemode: false,
    metadata: c.metadata,
    outcome: c.status === "failed" ? { type: "issuer_declined", reason: "generic_decline" } : { type: "authorized", reason: null },
    paid: c.status === "succeeded",
    payment_intent: c.paymentIntentId,
    payment_method_details:
      c.method === "card" ? { type: "card", card: { brand: "visa", last4: "4242" } } : { type: "sepa_debit", sepa_debit: { last4: "3000" } },
    refunded: c.amountRefunded > 0 && c.amountRefunded >= c.amount,
    status: c.status,
  };
}

export function refundObject(r: Refund): Json {
  return {
    id: r.id,
    object: "refund",
    amount: r.amount,
    charge: r.chargeId,
    created: r.created,
    currency: r.currency,
    metadata: r.metadata,
    payment_intent: r.paymentIntentId,
    reason: r.reason,
    status: r.status,
    failure_reason: r.failureReason,
  };
}

export function eventObject(e: StoredEvent, pendingWebhooks: number): Json {
  return {
    id: e.id,
    object: "event",
    api_version: STRIPE_API_VERSION,
    created: e.created,
    data: { object: e.object },
    livemode: false,
    pending_webhooks: pendingWebhooks,
    request: { id: null, idempotency_key: e.requestIdempotencyKey },
    type: e.type,
  };
}
