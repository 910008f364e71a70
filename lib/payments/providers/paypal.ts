// PayPal Orders v2 with the server SDK: an order per attempt (redirect approval or the JS
// buttons in our page), capture on return, webhooks verified offline against PayPal's
// certificate, orders read back for reconciliation, refunds against the capture.
import "server-only";
import { verify, X509Certificate } from "node:crypto";
import { crc32 } from "node:zlib";
import { ApiError, CheckoutPaymentIntent, Client, Environment, OrdersController, PaymentsController, type Order } from "@paypal/paypal-server-sdk";
import { z } from "zod";
import { parseDecimalString, toDecimalString } from "@/lib/money";
import type { PaypalConfig } from "../config";
import type { ProviderOutcome } from "../types";
import { DEFAULT_PROVIDER_TIMEOUT_MS, WebhookRejected, type CheckoutRequest, type PaymentProvider, type ProviderClientOptions } from "./provider";

/** PayPal rotates its signing certificate rarely: a handful of entries covers every one in use. */
const CERT_CACHE_SIZE = 16;
/** Hosts PayPal serves its webhook-signing certificates from. */
const CERT_HOSTS = ["api.paypal.com", "api-m.paypal.com", "api.sandbox.paypal.com", "api-m.sandbox.paypal.com"];
/** PayPal retries for days, but a transmission older than this is a replay, not a retry's first try. */
const MAX_TRANSMISSION_AGE_MS = 3 * 24 * 60 * 60_000;

const money = z.object({ currency_code: z.string(), value: z.string() });
const link = z.object({ href: z.string(), rel: z.string() });
const webhookEvent = z.object({
  id: z.string(),
  event_type: z.string(),
  resource: z
    .object({
      id: z.string().optional(),
      status: z.string().optional(),
      amount: money.optional(),
      custom_id: z.string().optional(),
      supplementary_data: z
        .object({ related_ids: z.object({ order_id: z.string().optional(), capture_id: z.string().optional() }).partial() })
        .partial()
        .optional(),
      links: z.array(link).optional(),
    })
    .passthrough(),
});

type Capture = { id?: string; status?: string; amount?: { currencyCode?: string; value?: string } };

function captureOutcome(capture: Capture | undefined): ProviderOutcome {
  if (!capture) return { type: "none" };
  switch (capture.status) {
    case "COMPLETED": {
      const currency = capture.amount?.currencyCode ?? "";
      const amount = capture.amount?.value ? parseDecimalString(capture.amount.value, currency) : undefined;
      if (amount === undefined) return { type: "pending", reason: "capture without a readable amount" };
      return { type: "succeeded", amount, currency, paymentRef: capture.id };
    }
    case "PENDING":
      return { type: "pending", reason: "capture pending at PayPal" };
    case "DECLINED":
    case "FAILED":
      return { type: "failed", code: capture.status };
    default:
      return { type: "none" };
  }
}

function orderOutcomes(order: Order, createdAt: Date): ProviderOutcome[] {
  const captures = order.purchaseUnits?.[0]?.payments?.captures ?? [];
  const refunds = order.purchaseUnits?.[0]?.payments?.refunds ?? [];
  const outcomes = captures.map((c) => captureOutcome(c)).filter((o) => o.type !== "none");
  for (const refund of refunds) {
    const currency = refund.amount?.currencyCode ?? "";
    const amount = refund.amount?.value ? parseDecimalString(refund.amount.value, currency) : undefined;
    if (refund.status === "COMPLETED" && refund.id && amount !== undefined) outcomes.push({ type: "refunded", refundRef: refund.id, amount, currency });
  }
  if (outcomes.length === 0 && order.status === "VOIDED") outcomes.push({ type: "cancelled" });
  // PayPal lets an unapproved order lapse after three hours.
  if (outcomes.length === 0 && (order.status === "CREATED" || order.status === "PAYER_ACTION_REQUIRED") && Date.now() - createdAt.getTime() > 3 * 3600_000) {
    outcomes.push({ type: "expired" });
  }
  return outcomes;
}

export type PaypalProvider = PaymentProvider & {
  /** Captures an approved order (return page, buttons' onApprove, reconciliation). */
  capture(orderId: string, attemptId: string): Promise<ProviderOutcome>;
  clientId: string;
  sdkBase: string | undefined;
};

export function createPaypalProvider(config: PaypalConfig, clientOptions: ProviderClientOptions = {}): PaypalProvider {
  let controllers: { orders: OrdersController; payments: PaymentsController } | undefined;
  const api = () => {
    if (!controllers) {
      const client = new Client({
        clientCredentialsAuthCredentials: { oAuthClientId: config.clientId, oAuthClientSecret: config.clientSecret },
        environment: config.mode === "live" ? Environment.Production : Environment.Sandbox,
        timeout: clientOptions.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS,
        // The SDK has no base-URL setting; this (unstable) option is how it reaches the sandbox.
        ...(config.apiBase ? { unstable_httpClientOptions: { baseURL: config.apiBase, allowAbsoluteUrls: false } } : {}),
      });
      controllers = { orders: new OrdersController(client), payments: new PaymentsController(client) };
    }
    return controllers;
  };
  // Bounded, and keyed by the exact URL (no query, fragment or credentials are allowed in it), so
  // deliveries naming ever new URLs cannot grow it.
  const certCache = new Map<string, X509Certificate>();
  // PayPal's own hosts over https; in sandbox mode also exactly the sandbox's origin.
  const sandboxOrigin = config.apiBase ? new URL(config.apiBase).origin : undefined;

  async function certificate(url: string): Promise<X509Certificate> {
    const parsed = new URL(url);
    const paypalHost = parsed.protocol === "https:" && CERT_HOSTS.includes(parsed.hostname);
    if (!paypalHost && parsed.origin !== sandboxOrigin) {
      throw new WebhookRejected(401, `certificate host not allowed: ${parsed.host}`);
    }
    if (parsed.search || parsed.hash || parsed.username || parsed.password)
      throw new WebhookRejected(400, "PAYPAL-CERT-URL must be a plain certificate address");
    const key = parsed.href;
    let cert = certCache.get(key);
    if (!cert) {
      const response = await fetch(key, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`PayPal certificate answered ${response.status}`);
      cert = new X509Certificate(await response.text());
      if (certCache.size >= CERT_CACHE_SIZE) certCache.delete(certCache.keys().next().value!);
      certCache.set(key, cert);
    }
    return cert;
  }

  async function capture(orderId: string, attemptId: string): Promise<ProviderOutcome> {
    try {
      const { result } = await api().orders.captureOrder({ id: orderId, paypalRequestId: `capture-${attemptId}`, prefer: "return=representation" });
      return captureOutcome(result.purchaseUnits?.[0]?.payments?.captures?.[0]);
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 422) {
        // Not approved yet, already captured, or expired: the order itself says which.
        const { result } = await api().orders.getOrder({ id: orderId });
        return orderOutcomes(result, new Date(0))[0] ?? { type: "none" };
      }
      throw error;
    }
  }

  return {
    provider: "paypal",
    mode: config.mode,
    clientId: config.clientId,
    capture,
    sdkBase: config.sdkBase,

    async startCheckout(request: CheckoutRequest) {
      const { result } = await api().orders.createOrder({
        paypalRequestId: `order-${request.attemptId}`,
        body: {
          intent: CheckoutPaymentIntent.Capture,
          purchaseUnits: [
            {
              amount: { currencyCode: request.currency, value: toDecimalString(request.amount, request.currency) },
              customId: request.attemptId,
              invoiceId: `${request.receiptNumber}-${request.attemptId.slice(0, 8)}`,
              description: request.concept.slice(0, 127),
            },
          ],
          ...(request.ui === "buttons"
            ? {}
            : {
                paymentSource: {
                  paypal: {
                    experienceContext: {
                      returnUrl: request.returnUrl,
                      cancelUrl: `${request.returnUrl}?cancelled=1`,
                      locale: request.locale === "en" ? "en-GB" : "es-ES",
                    },
                  },
                },
              }),
        },
      });
      if (!result.id) throw new Error("PayPal returned an order without an id");
      if (request.ui === "buttons") {
        return { providerRef: result.id, action: { type: "paypal_buttons", orderId: result.id, clientId: config.clientId, sdkBaseUrl: config.sdkBase } };
      }
      const approve = result.links?.find((l) => l.rel === "payer-action" || l.rel === "approve")?.href;
      if (!approve) throw new Error("PayPal returned an order without an approval link");
      return { providerRef: result.id, action: { type: "redirect", url: approve } };
    },

    async parseWebhook({ rawBody, headers }) {
      const id = headers.get("paypal-transmission-id");
      const time = headers.get("paypal-transmission-time");
      const signature = headers.get("paypal-transmission-sig");
      const certUrl = headers.get("paypal-cert-url");
      const algorithm = headers.get("paypal-auth-algo");
      if (!id || !time || !signature || !certUrl || algorithm !== "SHA256withRSA") throw new WebhookRejected(400, "missing PayPal transmission headers");
      if (!config.webhookId) throw new Error("PAYPAL_WEBHOOK_ID is not set: PayPal webhooks cannot be verified");
      const sentAt = Date.parse(time);
      if (!Number.isFinite(sentAt) || Math.abs(Date.now() - sentAt) > MAX_TRANSMISSION_AGE_MS)
        throw new WebhookRejected(400, "stale or unreadable transmission time");
      let certUrlParsed: URL;
      try {
        certUrlParsed = new URL(certUrl);
      } catch {
        throw new WebhookRejected(400, "unreadable PAYPAL-CERT-URL");
      }
      const cert = await certificate(certUrlParsed.href);
      const message = `${id}|${time}|${config.webhookId}|${crc32(rawBody) >>> 0}`;
      if (!verify("RSA-SHA256", Buffer.from(message), cert.publicKey, Buffer.from(signature, "base64"))) {
        throw new WebhookRejected(401, "PayPal signature does not verify");
      }
      let json: unknown;
      try {
        json = JSON.parse(rawBody);
      } catch {
        throw new WebhookRejected(400, "PayPal event is not JSON");
      }
      const parsed = webhookEvent.safeParse(json);
      if (!parsed.success) throw new WebhookRejected(400, "PayPal event without the expected fields");
      const event = parsed.data;
      const resource = event.resource;
      const base = { provider: "paypal" as const, eventId: event.id, eventType: event.event_type, payload: json, rawBody };
      const amountOf = () => {
        const currency = resource.amount?.currency_code ?? "";
        return { currency, amount: resource.amount ? parseDecimalString(resource.amount.value, currency) : undefined };
      };
      const orderId = resource.supplementary_data?.related_ids?.order_id;
      switch (event.event_type) {
        case "PAYMENT.CAPTURE.COMPLETED":
        case "PAYMENT.CAPTURE.PENDING":
        case "PAYMENT.CAPTURE.DENIED":
        case "PAYMENT.CAPTURE.DECLINED": {
          if (!orderId) throw new WebhookRejected(400, "capture event without its order id");
          const outcome = captureOutcome({
            id: resource.id,
            status: event.event_type === "PAYMENT.CAPTURE.COMPLETED" ? "COMPLETED" : event.event_type === "PAYMENT.CAPTURE.PENDING" ? "PENDING" : "DECLINED",
            amount: { currencyCode: resource.amount?.currency_code, value: resource.amount?.value },
          });
          return [{ ...base, ref: { by: "order", value: orderId }, outcome }];
        }
        case "PAYMENT.CAPTURE.REFUNDED": {
          // The resource is the refund; its capture is named in related ids or the "up" link.
          const captureId =
            resource.supplementary_data?.related_ids?.capture_id ??
            resource.links
              ?.find((l) => l.rel === "up")
              ?.href.split("/")
              .filter(Boolean)
              .pop();
          const { amount, currency } = amountOf();
          if (!captureId || !resource.id || amount === undefined) throw new WebhookRejected(400, "refund event without capture, id or amount");
          return [{ ...base, ref: { by: "payment", value: captureId }, outcome: { type: "refunded", refundRef: resource.id, amount, currency } }];
        }
        default:
          return [{ ...base, ref: { by: "order", value: orderId ?? resource.id ?? "" }, outcome: { type: "none" } }];
      }
    },

    async lookUp(attempt) {
      if (!attempt.providerRef) return [];
      const { result } = await api().orders.getOrder({ id: attempt.providerRef });
      if (result.status === "APPROVED") {
        // The payer approved and never came back to us: finish the capture they agreed to.
        return [await capture(attempt.providerRef, attempt.id)];
      }
      return orderOutcomes(result, attempt.createdAt);
    },

    async abandon() {
      // An unapproved order cannot be charged without our capture, which a cancelled attempt
      // never gets; if the payer approves it after all, lookUp finds the capture.
      return { type: "cancelled" };
    },

    async refund({ attempt, amount, currency, idempotencyKey }) {
      if (!attempt.providerPaymentRef) throw new Error("attempt has no PayPal capture");
      try {
        const { result } = await api().payments.refundCapturedPayment({
          captureId: attempt.providerPaymentRef,
          paypalRequestId: idempotencyKey,
          body: { amount: { currencyCode: currency, value: toDecimalString(amount, currency) } },
        });
        const status = result.status === "COMPLETED" ? "succeeded" : result.status === "CANCELLED" || result.status === "FAILED" ? "failed" : "pending";
        return { refundRef: result.id ?? idempotencyKey, status };
      } catch (error) {
        if (error instanceof ApiError && error.statusCode === 422) return { refundRef: idempotencyKey, status: "failed", failure: error.message };
        throw error;
      }
    },
  };
}
