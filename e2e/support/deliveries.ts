// Signed (and mis-signed) provider deliveries for the webhook specs: Redsys notifications signed
// with the sandbox's key, Stripe events with its webhook secret, PayPal events signed by the
// sandbox's certificate (through its control API), and a started attempt to aim them at.
import { expect } from "@playwright/test";
import Stripe from "stripe";
import { encodeParameters, signForNotification } from "../../sandbox/redsys/signature";
import { sandboxCredentials } from "../../scripts/sandbox-env";
import { api, createReceipt } from "./api";
import { appUrl, secondAppUrl, sandboxUrl } from "./ports";

export const apps = [appUrl, secondAppUrl];
const sandbox = sandboxUrl;
const stripe = new Stripe(sandboxCredentials.stripeSecretKey);

export type Delivery = { path: string; body: string; headers: Record<string, string> };

export async function deliver(d: Delivery, app = apps[0]!) {
  const response = await fetch(`${app}/api/webhooks/${d.path}`, { method: "POST", body: d.body, headers: d.headers });
  return response.status;
}

// --- Redsys ---------------------------------------------------------------------------------
export function redsysParams(order: string, overrides: Record<string, string> = {}) {
  return {
    Ds_Date: "27/11/2026",
    Ds_Hour: "12:00",
    Ds_Amount: "10000",
    Ds_Currency: "978",
    Ds_Order: order,
    Ds_MerchantCode: sandboxCredentials.redsysMerchantCode,
    Ds_Terminal: "001",
    Ds_Response: "0000",
    Ds_TransactionType: "0",
    Ds_SecurePayment: "1",
    Ds_AuthorisationCode: "123456",
    ...overrides,
  };
}
export function redsysNotification(
  params: Record<string, string>,
  options: { signOrder?: string; version?: string; secret?: string; rawParams?: string } = {},
): Delivery {
  const merchantParameters = options.rawParams ?? encodeParameters(params);
  const signature = signForNotification(options.secret ?? sandboxCredentials.redsysSecretKey, options.signOrder ?? params.Ds_Order ?? "", merchantParameters);
  return {
    path: "redsys",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      Ds_SignatureVersion: options.version ?? "HMAC_SHA256_V1",
      Ds_MerchantParameters: merchantParameters,
      Ds_Signature: signature,
    }).toString(),
  };
}

// --- Stripe ---------------------------------------------------------------------------------
export function stripeEvent(type: string, object: Record<string, unknown>) {
  return JSON.stringify({
    id: `evt_test_${crypto.randomUUID().replace(/-/g, "")}`,
    object: "event",
    type,
    created: Math.floor(Date.now() / 1000),
    data: { object },
  });
}
export function stripeSession(sessionId: string, amount = 10000, currency = "eur") {
  return {
    id: sessionId,
    object: "checkout.session",
    payment_status: "paid",
    status: "complete",
    amount_total: amount,
    currency,
    payment_intent: `pi_${sessionId.slice(-12)}`,
  };
}
export function stripeDelivery(
  payload: string,
  options: { secret?: string; timestamp?: number; tamper?: (p: string) => string; header?: string } = {},
): Delivery {
  const header =
    options.header ??
    stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? sandboxCredentials.stripeWebhookSecret, timestamp: options.timestamp });
  return {
    path: "stripe",
    headers: { "content-type": "application/json", "stripe-signature": header },
    body: options.tamper ? options.tamper(payload) : payload,
  };
}

// --- PayPal ---------------------------------------------------------------------------------
export function paypalCapture(orderId: string, value = "100.00", currency = "EUR") {
  return JSON.stringify({
    id: `WH-${crypto.randomUUID()}`,
    event_type: "PAYMENT.CAPTURE.COMPLETED",
    resource: {
      id: `CAP-${crypto.randomUUID().slice(0, 8)}`,
      status: "COMPLETED",
      amount: { currency_code: currency, value },
      supplementary_data: { related_ids: { order_id: orderId } },
    },
  });
}
export async function paypalDelivery(
  body: string,
  options: { webhookId?: string; transmissionTime?: string; headers?: Record<string, string>; sendBody?: string } = {},
): Promise<Delivery> {
  const signed = await fetch(`${sandbox}/_control/paypal/sign`, {
    method: "POST",
    body: JSON.stringify({ body, webhookId: options.webhookId, transmissionTime: options.transmissionTime }),
  });
  const { headers } = (await signed.json()) as { headers: Record<string, string> };
  return { path: "paypal", headers: { "content-type": "application/json", ...headers, ...options.headers }, body: options.sendBody ?? body };
}

/** A pending receipt with a started attempt at the provider; its order reference. */
export async function startedAttempt(method: "redsys" | "stripe" | "paypal") {
  const receipt = await createReceipt({ amount: 10000 });
  const started = await api(`/receipts/${receipt.id}/checkout`, { body: { method } });
  expect(started.status).toBe(201);
  return { receiptId: receipt.id, ref: String(started.body.providerRef) };
}
