// PayPal's objects as the emulator stores them, PayPal-shaped errors and small value helpers.
import { randomBytes } from "node:crypto";

export type Json = Record<string, unknown>;
export type Money = { currency_code: string; value: string };
export type Choice = "approve" | "approve_pending" | "approve_decline" | "cancel";

export type Unit = { referenceId: string; customId?: string; invoiceId?: string; description?: string; amount: Money };

export type Capture = {
  id: string;
  orderId: string;
  status: "COMPLETED" | "PENDING" | "DECLINED" | "REFUNDED" | "PARTIALLY_REFUNDED";
  amount: Money;
  refundedCents: number;
  unit: Unit;
  createTime: string;
  updateTime: string;
};

export type Refund = { id: string; captureId: string; amount: Money; status: "COMPLETED"; createTime: string; invoiceId?: string };

export type Order = {
  id: string;
  status: "CREATED" | "PAYER_ACTION_REQUIRED" | "APPROVED" | "COMPLETED" | "VOIDED";
  units: Unit[];
  returnUrl?: string;
  cancelUrl?: string;
  viaPaymentSource: boolean;
  /** experience_context.locale (e.g. "es-ES", "en-GB"): the approval page's language. */
  locale?: string;
  payerId?: string;
  choice?: Choice;
  captureIds: string[];
  createTime: string;
  updateTime: string;
};

export class PaypalError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body.message ?? body.name));
  }
}

export const DEFAULT_DEBUG = (): string => randomBytes(7).toString("hex");

export function apiError(status: number, name: string, message: string, issue?: string, description?: string): PaypalError {
  return new PaypalError(status, {
    name,
    message,
    debug_id: DEFAULT_DEBUG(),
    ...(issue ? { details: [{ issue, description: description ?? issue }] } : {}),
    links: issue ? [{ href: `https://developer.paypal.com/docs/api/orders/v2/#error-${issue}`, rel: "information_link", method: "GET" }] : [],
  });
}

export const unprocessable = (issue: string, description: string): PaypalError =>
  apiError(
    422,
    "UNPROCESSABLE_ENTITY",
    "The requested action could not be performed, semantically incorrect, or failed business validation.",
    issue,
    description,
  );
export const invalidRequest = (issue: string, description: string): PaypalError =>
  apiError(400, "INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema.", issue, description);
export const notFound = (): PaypalError =>
  apiError(
    404,
    "RESOURCE_NOT_FOUND",
    "The specified resource does not exist.",
    "INVALID_RESOURCE_ID",
    "Specified resource ID does not exist. Please check the resource ID and try again.",
  );

export function toCents(value: string): number {
  const [whole = "0", frac = ""] = value.split(".");
  return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
}

export function fromCents(cents: number): string {
  return (cents / 100).toFixed(2);
}

export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function text(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

export function paypalId(length = 17): string {
  const alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  const bytes = randomBytes(length);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}
