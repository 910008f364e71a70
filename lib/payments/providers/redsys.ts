// Redsys (TPV Virtual) cards and Bizum, through redsys-easy: the signed redirect form, the
// server notification, REST refunds and the operations query for reconciliation.
import "server-only";
import { randomBytes } from "node:crypto";
import {
  CURRENCIES,
  LANGUAGES,
  createRedsysAPI,
  deserializeAndVerifyJSONResponse,
  GatewayError,
  PRODUCTION_URLS,
  SANDBOX_URLS,
  serializeAndSignJSONRequest,
  type CurrencyNum,
  type RedsysAPI,
  type UrlsConfig,
} from "redsys-easy";
import { z } from "zod";
import type { RedsysConfig } from "../config";
import type { ProviderEvent, ProviderOutcome } from "../types";
import {
  DEFAULT_PROVIDER_TIMEOUT_MS,
  fetchWithTimeout,
  WebhookRejected,
  type CheckoutRequest,
  type PaymentProvider,
  type ProviderClientOptions,
} from "./provider";

/** Redsys speaks ISO 4217 numeric codes (978 is EUR). */
function currencyNum(alpha: string): CurrencyNum {
  const known = (Object.keys(CURRENCIES) as readonly string[]).includes(alpha);
  if (!known) throw new Error(`Redsys cannot charge ${alpha}`);
  return CURRENCIES[alpha as keyof typeof CURRENCIES].num;
}
const CURRENCY_ALPHA: Record<string, string> = Object.fromEntries(Object.entries(CURRENCIES).map(([alpha, data]) => [data.num, alpha]));

/** 12 characters: 4 digits, then 8 of [0-9A-Za-z]; new for every attempt (a reused one is SIS0051). */
export function newRedsysOrder(): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const bytes = randomBytes(12);
  const digits = Array.from(bytes.subarray(0, 4), (b) => String(b % 10)).join("");
  const rest = Array.from(bytes.subarray(4), (b) => alphabet[b % alphabet.length]).join("");
  return digits + rest;
}

const notificationParams = z.object({
  Ds_Order: z.string().min(4).max(12),
  Ds_Amount: z.string().regex(/^\d+$/),
  Ds_Currency: z.string(),
  Ds_Response: z.string().regex(/^\d{1,4}$/),
  Ds_MerchantCode: z.string(),
  Ds_Terminal: z.string(),
  Ds_TransactionType: z.string().default("0"),
  Ds_AuthorisationCode: z.string().optional(),
  Ds_Date: z.string().optional(),
  Ds_Hour: z.string().optional(),
});

const queryAnswer = z.object({
  Ds_Order: z.string(),
  Ds_Found: z.enum(["S", "N"]),
  Ds_Operations: z
    .array(
      z.object({
        Ds_TransactionType: z.string(),
        Ds_Amount: z.string().regex(/^\d+$/),
        Ds_Currency: z.string(),
        Ds_Response: z.string(),
        Ds_AuthorisationCode: z.string().optional(),
        Ds_Date: z.string().optional(),
        Ds_Hour: z.string().optional(),
        Ds_State: z.string(),
      }),
    )
    .default([]),
});

/** What a response code means (Redsys: 0000–0099 authorised; 0900 refund OK; 9915 cancelled). */
function outcomeOf(params: {
  Ds_Response: string;
  Ds_TransactionType: string;
  Ds_Amount: string;
  Ds_Currency: string;
  Ds_Order: string;
  Ds_AuthorisationCode?: string;
  Ds_Date?: string;
  Ds_Hour?: string;
}): ProviderOutcome {
  const code = Number(params.Ds_Response);
  const amount = Number(params.Ds_Amount);
  const currency = CURRENCY_ALPHA[params.Ds_Currency] ?? params.Ds_Currency;
  if (params.Ds_TransactionType === "3") {
    if (code === 900)
      return { type: "refunded", refundRef: refundRef(params.Ds_Order, params.Ds_AuthorisationCode, notifiedRefundFallback(params)), amount, currency };
    return { type: "none" };
  }
  if (code >= 0 && code <= 99) return { type: "succeeded", amount, currency, paymentRef: params.Ds_AuthorisationCode?.trim() || undefined };
  if (code === 9915) return { type: "cancelled" };
  return { type: "failed", code: params.Ds_Response.padStart(4, "0"), message: failureMessage(code) };
}

function failureMessage(code: number): string {
  if (code === 184) return "authentication failed";
  if (code === 190) return "denied by the issuer";
  if (code === 9915) return "cancelled by the payer";
  return `denied (${code})`;
}

/**
 * Redsys gives refunds no id of their own: the order plus the authorisation code names one. Without
 * a code, `fallback` must tell apart two equal partial refunds of one order: our own refund's
 * idempotency key, or a notification's date and time with the amount.
 */
export function refundRef(order: string, authorisation: string | undefined, fallback: string): string {
  return `${order}/${authorisation?.trim() || fallback}`;
}

/** A notification's own words for a refund without authorisation code: when, and how much. */
function notifiedRefundFallback(params: { Ds_Date?: string; Ds_Hour?: string; Ds_Amount: string }): string {
  return `${params.Ds_Date ?? ""} ${params.Ds_Hour ?? ""}/amount-${params.Ds_Amount}`.trim();
}

export function createRedsysProvider(config: RedsysConfig, clientOptions: ProviderClientOptions = {}): PaymentProvider {
  const urls: UrlsConfig = config.baseUrl
    ? {
        redirect: `${config.baseUrl}/sis/realizarPago`,
        restTrataPeticion: `${config.baseUrl}/sis/rest/trataPeticionREST`,
        restIniciaPeticion: `${config.baseUrl}/sis/rest/iniciaPeticionREST`,
      }
    : config.mode === "live"
      ? PRODUCTION_URLS
      : SANDBOX_URLS;
  const queryUrl = urls.restTrataPeticion.replace(/trataPeticionREST$/, "consultaOperacionesREST");
  const timedFetch = fetchWithTimeout(clientOptions.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS);
  // redsys-easy's fetch parameter is typed against undici's; Node's global fetch is undici's.
  const api: RedsysAPI = createRedsysAPI({ secretKey: config.secretKey, urls, fetch: timedFetch as never });
  const sameTerminal = (terminal: string) => Number(terminal) === Number(config.terminal);

  return {
    provider: "redsys",
    mode: config.mode,

    async startCheckout(request: CheckoutRequest) {
      const order = request.orderRef ?? newRedsysOrder();
      const currency = currencyNum(request.currency);
      const form = api.createRedirectForm({
        DS_MERCHANT_AMOUNT: String(request.amount),
        DS_MERCHANT_CURRENCY: currency,
        DS_MERCHANT_MERCHANTCODE: config.merchantCode,
        DS_MERCHANT_ORDER: order,
        DS_MERCHANT_TERMINAL: config.terminal,
        DS_MERCHANT_TRANSACTIONTYPE: "0",
        DS_MERCHANT_MERCHANTURL: request.notifyUrl,
        DS_MERCHANT_URLOK: request.returnUrl,
        DS_MERCHANT_URLKO: request.returnUrl,
        DS_MERCHANT_PRODUCTDESCRIPTION: request.concept.slice(0, 125),
        DS_MERCHANT_CONSUMERLANGUAGE: LANGUAGES[request.locale],
        DS_MERCHANT_MERCHANTDATA: request.attemptId,
        DS_MERCHANT_PAYMETHODS: request.method === "bizum" ? "z" : "C",
      });
      return { providerRef: order, action: { type: "form", url: form.url, fields: { ...form.body } } };
    },

    async parseWebhook({ rawBody }) {
      const form = new URLSearchParams(rawBody);
      const body = {
        Ds_SignatureVersion: form.get("Ds_SignatureVersion") ?? "",
        Ds_MerchantParameters: form.get("Ds_MerchantParameters") ?? "",
        Ds_Signature: form.get("Ds_Signature") ?? "",
      };
      if (!body.Ds_MerchantParameters || !body.Ds_Signature) throw new WebhookRejected(400, "missing Redsys fields");
      let verified: unknown;
      try {
        verified = api.processRestNotification(body);
      } catch (error) {
        // ParseError (bad signature), RedsysError (unknown version), SyntaxError (not JSON).
        throw new WebhookRejected(error instanceof Error && error.name === "RedsysParseError" ? 401 : 400, `not a valid Redsys notification: ${String(error)}`);
      }
      const parsed = notificationParams.safeParse(verified);
      if (!parsed.success) throw new WebhookRejected(400, "Redsys notification without the expected fields");
      const params = parsed.data;
      if (params.Ds_MerchantCode !== config.merchantCode || !sameTerminal(params.Ds_Terminal)) {
        throw new WebhookRejected(401, "notification for another merchant or terminal");
      }
      const event: ProviderEvent = {
        provider: "redsys",
        // The same notification twice carries the same fields; a different outcome is a different event.
        // Without an authorisation code, when it happened tells two equal refunds of one order apart.
        eventId: [
          params.Ds_Order,
          params.Ds_TransactionType,
          params.Ds_Response,
          params.Ds_AuthorisationCode?.trim() || `${params.Ds_Date ?? ""} ${params.Ds_Hour ?? ""}`.trim(),
          params.Ds_Amount,
        ].join(":"),
        eventType: `notification.${params.Ds_TransactionType}.${params.Ds_Response}`,
        ref: { by: "order", value: params.Ds_Order },
        outcome: outcomeOf(params),
        payload: verified,
        rawBody,
      };
      return [event];
    },

    async lookUp(attempt) {
      if (!attempt.providerRef) return [];
      const request = serializeAndSignJSONRequest(config.secretKey, {
        DS_MERCHANT_MERCHANTCODE: config.merchantCode,
        DS_MERCHANT_TERMINAL: config.terminal,
        DS_MERCHANT_ORDER: attempt.providerRef,
      });
      const response = await timedFetch(queryUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request) });
      if (!response.ok) throw new Error(`Redsys query answered ${response.status}`);
      const answer = queryAnswer.parse(deserializeAndVerifyJSONResponse(config.secretKey, await response.json()));
      if (answer.Ds_Found === "N") {
        // Never reached the payment page: after an hour nobody is coming back.
        return Date.now() - attempt.createdAt.getTime() > 60 * 60_000 ? [{ type: "expired" }] : [];
      }
      return answer.Ds_Operations.flatMap((op): ProviderOutcome[] => {
        if (op.Ds_State === "X") return [{ type: "expired" }];
        if (op.Ds_State !== "F") return [];
        return [outcomeOf({ ...op, Ds_Order: answer.Ds_Order })];
      });
    },

    async abandon() {
      // Redsys sends the payer back to URLKO after its own notification: the query says it all.
      return undefined;
    },

    async refund({ attempt, amount, currency, idempotencyKey }) {
      if (!attempt.providerRef) throw new Error("attempt has no Redsys order");
      try {
        const answer = await api.restTrataPeticion({
          DS_MERCHANT_MERCHANTCODE: config.merchantCode,
          DS_MERCHANT_TERMINAL: config.terminal,
          DS_MERCHANT_ORDER: attempt.providerRef,
          DS_MERCHANT_TRANSACTIONTYPE: "3",
          DS_MERCHANT_AMOUNT: String(amount),
          DS_MERCHANT_CURRENCY: currencyNum(currency),
        });
        const ok = answer.Ds_Response !== undefined && Number(answer.Ds_Response) === 900;
        return {
          refundRef: refundRef(attempt.providerRef, answer.Ds_AuthorisationCode, idempotencyKey),
          status: ok ? "succeeded" : "failed",
          failure: ok ? undefined : `Ds_Response ${answer.Ds_Response ?? "missing"}`,
        };
      } catch (error) {
        if (error instanceof GatewayError) return { refundRef: `${attempt.providerRef}/failed`, status: "failed", failure: error.message };
        throw error;
      }
    },
  };
}
