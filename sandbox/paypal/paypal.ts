// PayPal emulator: OAuth token, Orders v2 (create/get/capture), captures and refunds, the
// approval page (redirect and popup modes), PayPal-Request-Id replay, PayPal-shaped errors,
// webhooks signed with the PAYPAL-* headers and the certificate served here, the
// verify-webhook-signature API and the stand-in JS SDK.
import { randomBytes, randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { later, type OrderSummary, type ProviderModule, type SandboxContext } from "../shared/context";
import type { Faults } from "../shared/faults";
import { escapeHtml, formFields, header, page, redirect, sendHtml, sendJson, sendText, type Request, type Router, pageLanguage } from "../shared/http";
import { createSigningIdentity } from "./cert";
import { jsSdkSource } from "./js-sdk";
import { signTransmission, verifyTransmission } from "./webhook-signature";
import {
  DEFAULT_DEBUG,
  fromCents,
  invalidRequest,
  isObject,
  notFound,
  PaypalError,
  paypalId,
  text,
  toCents,
  unprocessable,
  type Capture,
  type Choice,
  type Json,
  type Money,
  type Order,
  type Refund,
  type Unit,
} from "./objects";

export const PAYPAL_PREFIX = "/paypal";

/**
 * The server SDK (with `unstable_httpClientOptions: { baseURL, allowAbsoluteUrls: false }`) sends
 * `/https://api-m.sandbox.paypal.com/v2/...`, possibly after our `/paypal` prefix: map both to
 * `/paypal/v2/...`. Other paths are returned unchanged.
 */
export function normalisePaypalPath(path: string): string {
  const m = /^(?:\/paypal)?\/https?:\/+api(?:-m)?\.(?:sandbox\.)?paypal\.com(\/.*)?$/.exec(path);
  if (m) return `${PAYPAL_PREFIX}${m[1] ?? "/"}`;
  if (path === "/sdk/js") return `${PAYPAL_PREFIX}/sdk/js`;
  return path;
}

export async function createPaypal(ctx: SandboxContext): Promise<ProviderModule> {
  const identity = createSigningIdentity();
  const certName = `CERT-sandbox-${identity.certificate.fingerprint256.replace(/:/g, "").slice(0, 16).toLowerCase()}`;
  const orders = new Map<string, Order>();
  const captures = new Map<string, Capture>();
  const refunds = new Map<string, Refund>();
  // Tokens survive reset(): the server SDK caches its token, and a reset between tests must
  // not turn into 401s the app would never see from PayPal.
  const tokens = new Set<string>();
  const replay = new Map<string, { status: number; body: unknown }>();
  const cfg = ctx.config.paypal;

  const certUrl = (): string => `${ctx.baseUrl()}${PAYPAL_PREFIX}/v1/notifications/certs/${certName}`;
  const faultsFor = (o: Order): Faults => ctx.faults.resolve("paypal", [o.id, ...o.units.flatMap((u) => [u.customId, u.invoiceId])]);

  // ---- rendering --------------------------------------------------------------------------

  function link(href: string, rel: string, method = "GET"): Json {
    return { href, rel, method };
  }

  function renderCapture(c: Capture): Json {
    return {
      id: c.id,
      status: c.status,
      ...(c.status === "PENDING" ? { status_details: { reason: "PENDING_REVIEW" } } : {}),
      amount: c.amount,
      final_capture: true,
      seller_protection: { status: "ELIGIBLE", dispute_categories: ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"] },
      seller_receivable_breakdown: { gross_amount: c.amount, paypal_fee: { currency_code: c.amount.currency_code, value: "0.00" }, net_amount: c.amount },
      ...(c.unit.customId ? { custom_id: c.unit.customId } : {}),
      ...(c.unit.invoiceId ? { invoice_id: c.unit.invoiceId } : {}),
      supplementary_data: { related_ids: { order_id: c.orderId } },
      links: [
        link(`${ctx.baseUrl()}${PAYPAL_PREFIX}/v2/payments/captures/${c.id}`, "self"),
        link(`${ctx.baseUrl()}${PAYPAL_PREFIX}/v2/payments/captures/${c.id}/refund`, "refund", "POST"),
        link(`${ctx.baseUrl()}${PAYPAL_PREFIX}/v2/checkout/orders/${c.orderId}`, "up"),
      ],
      create_time: c.createTime,
      update_time: c.updateTime,
    };
  }

  function renderRefund(r: Refund): Json {
    return {
      id: r.id,
      status: r.status,
      amount: r.amount,
      ...(r.invoiceId ? { invoice_id: r.invoiceId } : {}),
      supplementary_data: { related_ids: { capture_id: r.captureId } },
      create_time: r.createTime,
      update_time: r.createTime,
      links: [
        link(`${ctx.baseUrl()}${PAYPAL_PREFIX}/v2/payments/refunds/${r.id}`, "self"),
        link(`${ctx.baseUrl()}${PAYPAL_PREFIX}/v2/payments/captures/${r.captureId}`, "up"),
      ],
    };
  }

  function payer(o: Order): Json {
    return {
      name: { given_name: "Sandbox", surname: "Buyer" },
      email_address: "buyer@example.com",
      payer_id: o.payerId ?? "",
      address: { country_code: "ES" },
    };
  }

  function renderOrder(o: Order): Json {
    const base = `${ctx.baseUrl()}${PAYPAL_PREFIX}`;
    const approveHref = `${base}/checkoutnow?token=${o.id}`;
    const approved = o.payerId !== undefined;
    return {
      id: o.id,
      intent: "CAPTURE",
      status: o.status,
      ...(approved
        ? {
            payment_source: {
              paypal: {
                email_address: "buyer@example.com",
                account_id: o.payerId,
                account_status: "VERIFIED",
                name: { given_name: "Sandbox", surname: "Buyer" },
                address: { country_code: "ES" },
              },
            },
            payer: payer(o),
          }
        : {}),
      purchase_units: o.units.map((u) => ({
        reference_id: u.referenceId,
        amount: u.amount,
        payee: { email_address: "merchant@example.com", merchant_id: "SANDBOXMERCHANT" },
        ...(u.description ? { description: u.description } : {}),
        ...(u.customId ? { custom_id: u.customId } : {}),
        ...(u.invoiceId ? { invoice_id: u.invoiceId } : {}),
        ...(o.captureIds.length > 0
          ? {
              payments: {
                captures: o.captureIds
                  .map((id) => captures.get(id))
                  .filter((c): c is Capture => c !== undefined)
                  .map(renderCapture),
              },
            }
          : {}),
      })),
      create_time: o.createTime,
      update_time: o.updateTime,
      links: [
        link(`${base}/v2/checkout/orders/${o.id}`, "self"),
        ...(o.status === "CREATED" ? [link(approveHref, "approve")] : []),
        ...(o.status === "PAYER_ACTION_REQUIRED" ? [link(approveHref, "payer-action")] : []),
        ...(o.status === "APPROVED" || o.status === "CREATED" ? [link(`${base}/v2/checkout/orders/${o.id}`, "update", "PATCH")] : []),
        ...(o.status === "APPROVED" ? [link(`${base}/v2/checkout/orders/${o.id}/capture`, "capture", "POST")] : []),
      ],
    };
  }

  // ---- webhooks ---------------------------------------------------------------------------

  function emit(eventType: string, resourceType: string, resource: Json, summary: string, o: Order): void {
    const eventId = `WH-${paypalId(8)}-${paypalId(17)}`;
    const event = {
      id: eventId,
      event_version: "1.0",
      create_time: new Date().toISOString(),
      resource_type: resourceType,
      resource_version: "2.0",
      event_type: eventType,
      summary,
      resource: structuredClone(resource),
      links: [link(`${ctx.baseUrl()}${PAYPAL_PREFIX}/v1/notifications/webhooks-events/${eventId}`, "self")],
    };
    // Compact JSON: verify-webhook-signature re-serialises the event, and must get the same bytes.
    const body = JSON.stringify(event);
    ctx.deliveries.enqueue({
      provider: "paypal",
      ref: o.id,
      eventType,
      url: cfg.webhookUrl,
      faults: faultsFor(o),
      build: ({ badSignature }) => {
        const transmissionId = randomUUID();
        const transmissionTime = new Date().toISOString();
        const signature = signTransmission(identity.privateKey, { transmissionId, transmissionTime, webhookId: cfg.webhookId, body }, badSignature);
        return {
          body,
          headers: {
            "content-type": "application/json",
            "user-agent": "PayPal/AUHD-214.0-58843523",
            "paypal-transmission-id": transmissionId,
            "paypal-transmission-time": transmissionTime,
            "paypal-transmission-sig": signature,
            "paypal-cert-url": certUrl(),
            "paypal-auth-algo": "SHA256withRSA",
          },
        };
      },
    });
  }

  function verifySignature(input: Json): boolean {
    const event = input.webhook_event;
    const tid = text(input.transmission_id);
    const time = text(input.transmission_time);
    const sig = text(input.transmission_sig);
    const webhookId = text(input.webhook_id);
    if (!isObject(event) || !tid || !time || !sig || !webhookId) return false;
    if (text(input.cert_url) !== certUrl()) return false;
    if (webhookId !== cfg.webhookId) return false;
    // Like PayPal's API, this re-serialises the event: compact JSON, as we send it.
    const transmission = { transmissionId: tid, transmissionTime: time, webhookId, body: JSON.stringify(event) };
    return verifyTransmission(identity.certificate.publicKey, transmission, sig);
  }

  // ---- API plumbing -----------------------------------------------------------------------

  function bearer(req: Request): void {
    const m = /^Bearer (.+)$/.exec(header(req, "authorization") ?? "");
    if (!m?.[1] || !tokens.has(m[1])) {
      throw new PaypalError(401, {
        name: "AUTHENTICATION_FAILURE",
        message: "Authentication failed due to invalid authentication credentials or a missing Authorization header.",
        links: [link("https://developer.paypal.com/docs/api/overview/#error", "information_link")],
      });
    }
  }

  function jsonBody(req: Request): Json {
    if (req.rawBody.length === 0) return {};
    try {
      const parsed: unknown = JSON.parse(req.rawBody.toString("utf8"));
      if (isObject(parsed)) return parsed;
    } catch {
      // fall through
    }
    throw invalidRequest("MALFORMED_REQUEST_JSON", "The request JSON is not well formed.");
  }

  type ApiHandler = (req: Request, body: Json) => { status: number; body: unknown };

  function api(handler: ApiHandler, idempotent = false) {
    return (req: Request, res: ServerResponse): void => {
      const headers = { "paypal-debug-id": DEFAULT_DEBUG() };
      try {
        bearer(req);
        const requestId = idempotent ? header(req, "paypal-request-id") : undefined;
        const key = requestId ? `${req.path}|${requestId}` : undefined;
        const stored = key ? replay.get(key) : undefined;
        // PayPal answers a repeated PayPal-Request-Id with the first answer, whatever the body.
        if (stored) return sendJson(res, stored.status, stored.body, headers);
        try {
          const out = handler(req, jsonBody(req));
          if (key) replay.set(key, out);
          return sendJson(res, out.status, out.body, headers);
        } catch (error) {
          if (key && error instanceof PaypalError && error.status === 422) replay.set(key, { status: error.status, body: error.body });
          throw error;
        }
      } catch (error) {
        if (error instanceof PaypalError) return sendJson(res, error.status, error.body, headers);
        throw error;
      }
    };
  }

  function getOrder(id: string): Order {
    const o = orders.get(id);
    if (!o) throw notFound();
    return o;
  }

  function parseMoney(v: unknown, where: string): Money {
    if (!isObject(v)) throw invalidRequest("MISSING_REQUIRED_PARAMETER", `A required field / parameter is missing: ${where}.`);
    const currency = text(v.currency_code);
    const value = text(v.value);
    if (!currency || !/^[A-Z]{3}$/.test(currency)) throw invalidRequest("INVALID_PARAMETER_VALUE", `${where}/currency_code is invalid.`);
    if (!value || !/^\d{1,10}(\.\d{1,2})?$/.test(value)) {
      throw invalidRequest("INVALID_PARAMETER_SYNTAX", `${where}/value must be a decimal string with up to 2 decimals.`);
    }
    return { currency_code: currency, value };
  }

  function createOrder(_req: Request, body: Json): { status: number; body: unknown } {
    if (body.intent !== "CAPTURE") {
      throw invalidRequest("INVALID_PARAMETER_VALUE", "The sandbox emulates intent CAPTURE only.");
    }
    const rawUnits = Array.isArray(body.purchase_units) ? body.purchase_units : [];
    if (rawUnits.length === 0) throw invalidRequest("MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing: /purchase_units.");
    const units: Unit[] = rawUnits.map((u: unknown, i: number) => {
      const unit = isObject(u) ? u : {};
      return {
        referenceId: text(unit.reference_id) ?? (i === 0 ? "default" : String(i)),
        customId: text(unit.custom_id),
        invoiceId: text(unit.invoice_id),
        description: text(unit.description),
        amount: parseMoney(unit.amount, `/purchase_units/${i}/amount`),
      };
    });
    for (const u of units) {
      if (u.invoiceId && [...orders.values()].some((o) => o.status === "COMPLETED" && o.units.some((x) => x.invoiceId === u.invoiceId))) {
        throw unprocessable(
          "DUPLICATE_INVOICE_ID",
          "Duplicate Invoice ID detected. To avoid a potential duplicate transaction your account setting requires that Invoice Id be unique for each transaction.",
        );
      }
    }
    const source = isObject(body.payment_source) && isObject(body.payment_source.paypal) ? body.payment_source.paypal : undefined;
    const experience = source && isObject(source.experience_context) ? source.experience_context : undefined;
    const legacy = isObject(body.application_context) ? body.application_context : undefined;
    const at = new Date().toISOString();
    const o: Order = {
      id: paypalId(),
      status: source ? "PAYER_ACTION_REQUIRED" : "CREATED",
      units,
      returnUrl: text(experience?.return_url) ?? text(legacy?.return_url),
      cancelUrl: text(experience?.cancel_url) ?? text(legacy?.cancel_url),
      viaPaymentSource: source !== undefined,
      locale: text(experience?.locale),
      captureIds: [],
      createTime: at,
      updateTime: at,
    };
    orders.set(o.id, o);
    return { status: 201, body: renderOrder(o) };
  }

  function captureOrder(req: Request): { status: number; body: unknown } {
    const o = getOrder(req.params.id ?? "");
    if (o.status === "COMPLETED")
      throw unprocessable("ORDER_ALREADY_CAPTURED", "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.");
    if (o.status === "VOIDED") throw unprocessable("ORDER_EXPIRED", "The order has expired and can no longer be captured.");
    if (o.status !== "APPROVED") {
      throw unprocessable(
        "ORDER_NOT_APPROVED",
        "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid payment_source in the request.",
      );
    }
    const faults = faultsFor(o);
    let result: "COMPLETED" | "PENDING" | "DECLINED" = o.choice === "approve_pending" ? "PENDING" : o.choice === "approve_decline" ? "DECLINED" : "COMPLETED";
    if (faults.decline) result = "DECLINED";
    else if (faults.async) result = "PENDING";
    const unit = o.units[0];
    if (!unit) throw notFound();
    const at = new Date().toISOString();
    const c: Capture = { id: paypalId(), orderId: o.id, status: result, amount: unit.amount, refundedCents: 0, unit, createTime: at, updateTime: at };
    captures.set(c.id, c);
    o.captureIds.push(c.id);
    o.status = "COMPLETED";
    o.updateTime = at;
    const summaryAmount = `${unit.amount.currency_code} ${unit.amount.value}`;
    if (result === "COMPLETED") emit("PAYMENT.CAPTURE.COMPLETED", "capture", renderCapture(c), `Payment completed for ${summaryAmount}`, o);
    if (result === "DECLINED") emit("PAYMENT.CAPTURE.DENIED", "capture", renderCapture(c), `Payment denied for ${summaryAmount}`, o);
    if (result === "PENDING") {
      emit("PAYMENT.CAPTURE.PENDING", "capture", renderCapture(c), `Payment pending for ${summaryAmount}`, o);
      const outcome = faults.async ?? "succeed";
      later(ctx, Math.round((faults.asyncDelaySeconds ?? 1) * 1000), () => {
        c.status = outcome === "succeed" ? "COMPLETED" : "DECLINED";
        c.updateTime = new Date().toISOString();
        emit(
          outcome === "succeed" ? "PAYMENT.CAPTURE.COMPLETED" : "PAYMENT.CAPTURE.DENIED",
          "capture",
          renderCapture(c),
          `Payment ${outcome === "succeed" ? "completed" : "denied"} for ${summaryAmount}`,
          o,
        );
      });
    }
    return { status: 201, body: renderOrder(o) };
  }

  function refundCapture(req: Request, body: Json): { status: number; body: unknown } {
    const c = captures.get(req.params.id ?? "");
    if (!c) throw notFound();
    const o = getOrder(c.orderId);
    if (c.status === "REFUNDED") throw unprocessable("CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded");
    if (c.status !== "COMPLETED" && c.status !== "PARTIALLY_REFUNDED") {
      throw unprocessable("REFUND_NOT_ALLOWED", "Refund cannot be issued for this capture.");
    }
    const total = toCents(c.amount.value);
    const remaining = total - c.refundedCents;
    const amount = body.amount === undefined ? { currency_code: c.amount.currency_code, value: fromCents(remaining) } : parseMoney(body.amount, "/amount");
    if (amount.currency_code !== c.amount.currency_code) throw unprocessable("REFUND_CURRENCY_MISMATCH", "Refund must be in the same currency as the capture.");
    const cents = toCents(amount.value);
    if (cents <= 0 || cents > remaining)
      throw unprocessable("REFUND_AMOUNT_EXCEEDED", "The refund amount must be less than or equal to the capture amount that has not yet been refunded.");
    c.refundedCents += cents;
    c.status = c.refundedCents === total ? "REFUNDED" : "PARTIALLY_REFUNDED";
    const r: Refund = { id: paypalId(), captureId: c.id, amount, status: "COMPLETED", createTime: new Date().toISOString(), invoiceId: text(body.invoice_id) };
    refunds.set(r.id, r);
    emit("PAYMENT.CAPTURE.REFUNDED", "refund", renderRefund(r), `A ${amount.currency_code} ${amount.value} capture payment was refunded`, o);
    return { status: 201, body: renderRefund(r) };
  }

  // ---- approval page ----------------------------------------------------------------------

  function approvalPage(req: Request, res: ServerResponse): void {
    const o = orders.get(req.query.get("token") ?? "");
    if (!o) return sendHtml(res, 404, page("PayPal", "<h1>Unknown order</h1>"));
    const popup = req.query.get("popup") === "1";
    if (o.status !== "CREATED" && o.status !== "PAYER_ACTION_REQUIRED") {
      return sendHtml(res, 409, page("PayPal", `<h1 id="result">This order is ${o.status.toLowerCase()}.</h1>`));
    }
    const unit = o.units[0];
    const button = (choice: Choice, label: string): string =>
      `<button type="submit" name="choice" value="${choice}" id="${choice}">${escapeHtml(label)}</button>`;
    const lang = pageLanguage(o.locale);
    const w = approvalWords[lang];
    const amount = escapeHtml(unit ? `${unit.amount.value} ${unit.amount.currency_code}` : "");
    sendHtml(
      res,
      200,
      page(
        w.title,
        `<h1>PayPal</h1><p>${w.intro(`<strong id="amount">${amount}</strong>`)}</p>
<form method="post" action="${PAYPAL_PREFIX}/checkoutnow/${o.id}${popup ? "?popup=1" : ""}">
${button("approve", w.approve)}<br>${button("approve_pending", w.pending)}<br>
${button("approve_decline", w.decline)}<br>${button("cancel", w.cancel)}
</form>`,
        lang,
      ),
    );
  }

  const approvalWords = {
    es: {
      title: "PayPal (pruebas)",
      intro: (amount: string) => `Paga ${amount} al comercio como buyer@example.com`,
      approve: "Pagar ahora",
      pending: "Pagar (el cobro queda pendiente y se completa después)",
      decline: "Pagar con un medio que se rechazará",
      cancel: "Cancelar y volver al comercio",
    },
    en: {
      title: "PayPal (sandbox)",
      intro: (amount: string) => `Pay ${amount} to the merchant as buyer@example.com`,
      approve: "Pay now",
      pending: "Pay (capture stays pending, then completes)",
      decline: "Pay with a funding source that will be declined",
      cancel: "Cancel and return to merchant",
    },
  } as const;

  function popupReply(res: ServerResponse, message: Json): void {
    const data = JSON.stringify({ source: "paypal-sandbox", ...message }).replace(/</g, "\\u003c");
    sendHtml(
      res,
      200,
      page(
        "PayPal",
        // The opener closes this window once it has the message; closing here too early could
        // make it look like the buyer shut the window (cancel). Fallback close after 3 s.
        `<p id="result">Returning to the merchant…</p><script>if (window.opener) { window.opener.postMessage(${data}, "*"); } setTimeout(function () { window.close(); }, 3000);</script>`,
      ),
    );
  }

  function approvalChoice(req: Request, res: ServerResponse): void {
    const o = orders.get(req.params.id ?? "");
    if (!o) return sendHtml(res, 404, page("PayPal", "<h1>Unknown order</h1>"));
    const popup = req.query.get("popup") === "1";
    if (o.status !== "CREATED" && o.status !== "PAYER_ACTION_REQUIRED") {
      return sendHtml(res, 409, page("PayPal", `<h1 id="result">This order is ${o.status.toLowerCase()}.</h1>`));
    }
    const raw = formFields(req.rawBody).choice;
    const choices: Choice[] = ["approve", "approve_pending", "approve_decline", "cancel"];
    let choice = choices.find((c) => c === raw) ?? "cancel";
    const faults = faultsFor(o);
    if (faults.expire) {
      o.status = "VOIDED";
      o.updateTime = new Date().toISOString();
      if (popup) return popupReply(res, { type: "error", orderID: o.id, message: "Order expired" });
      return o.cancelUrl
        ? redirect(res, `${o.cancelUrl}${o.cancelUrl.includes("?") ? "&" : "?"}token=${o.id}`)
        : sendHtml(res, 410, page("PayPal", `<h1 id="result">Expired</h1>`));
    }
    if (faults.cancel) choice = "cancel";
    if (choice === "cancel") {
      if (popup) return popupReply(res, { type: "cancel", orderID: o.id });
      return o.cancelUrl
        ? redirect(res, `${o.cancelUrl}${o.cancelUrl.includes("?") ? "&" : "?"}token=${o.id}`)
        : sendHtml(res, 200, page("PayPal", `<h1 id="result">Cancelled</h1>`));
    }
    o.status = "APPROVED";
    o.choice = choice;
    o.payerId = paypalId(13);
    o.updateTime = new Date().toISOString();
    emit("CHECKOUT.ORDER.APPROVED", "checkout-order", renderOrder(o), "An order has been approved by buyer", o);
    if (popup) return popupReply(res, { type: "approve", orderID: o.id, payerID: o.payerId });
    if (!o.returnUrl) return sendHtml(res, 200, page("PayPal", `<h1 id="result">Approved</h1>`));
    redirect(res, `${o.returnUrl}${o.returnUrl.includes("?") ? "&" : "?"}token=${o.id}&PayerID=${o.payerId}`);
  }

  function oauthToken(req: Request, res: ServerResponse): void {
    const m = /^Basic (.+)$/.exec(header(req, "authorization") ?? "");
    const [clientId = "", secret = ""] = m?.[1] ? Buffer.from(m[1], "base64").toString("utf8").split(":") : [];
    const grant = formFields(req.rawBody).grant_type;
    const okClient = clientId !== "" && secret !== "" && (!cfg.clientId || (clientId === cfg.clientId && secret === cfg.clientSecret));
    if (!okClient) return sendJson(res, 401, { error: "invalid_client", error_description: "Client Authentication failed" });
    if (grant !== "client_credentials") return sendJson(res, 400, { error: "unsupported_grant_type", error_description: "Grant Type is NULL" });
    const token = `A21AA${randomBytes(32).toString("base64url")}`;
    tokens.add(token);
    sendJson(res, 200, {
      scope: "https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/payments/refund",
      access_token: token,
      token_type: "Bearer",
      app_id: "APP-SANDBOX",
      expires_in: 32400,
      nonce: `${new Date().toISOString()}${randomBytes(8).toString("hex")}`,
    });
  }

  return {
    provider: "paypal",
    register(router: Router) {
      const p = PAYPAL_PREFIX;
      router.post(`${p}/v1/oauth2/token`, oauthToken);
      router.post(`${p}/v2/checkout/orders`, api(createOrder, true));
      router.get(
        `${p}/v2/checkout/orders/:id`,
        api((req) => ({ status: 200, body: renderOrder(getOrder(req.params.id ?? "")) })),
      );
      router.post(`${p}/v2/checkout/orders/:id/capture`, api(captureOrder, true));
      router.get(
        `${p}/v2/payments/captures/:id`,
        api((req) => {
          const c = captures.get(req.params.id ?? "");
          if (!c) throw notFound();
          return { status: 200, body: renderCapture(c) };
        }),
      );
      router.post(`${p}/v2/payments/captures/:id/refund`, api(refundCapture, true));
      router.get(
        `${p}/v2/payments/refunds/:id`,
        api((req) => {
          const r = refunds.get(req.params.id ?? "");
          if (!r) throw notFound();
          return { status: 200, body: renderRefund(r) };
        }),
      );
      router.post(
        `${p}/v1/notifications/verify-webhook-signature`,
        api((_req, body) => ({ status: 200, body: { verification_status: verifySignature(body) ? "SUCCESS" : "FAILURE" } })),
      );
      router.get(`${p}/v1/notifications/certs/:name`, (req, res) => {
        if (req.params.name !== certName) return sendJson(res, 404, { name: "RESOURCE_NOT_FOUND", message: "The specified resource does not exist." });
        sendText(res, 200, identity.certificatePem, "application/x-pem-file");
      });
      // For testing a receiver: sign any body as a PayPal transmission (optionally with another
      // webhook id or time), to probe what the receiver accepts. The sandbox's key, never PayPal's.
      router.post("/_control/paypal/sign", (req, res) => {
        let input: unknown;
        try {
          input = JSON.parse(req.rawBody.toString("utf8"));
        } catch {
          return sendJson(res, 400, { error: "send JSON { body, webhookId?, transmissionTime? }" });
        }
        if (!isObject(input) || typeof input.body !== "string") return sendJson(res, 400, { error: "body (a string) is required" });
        const transmissionId = randomUUID();
        const transmissionTime = typeof input.transmissionTime === "string" ? input.transmissionTime : new Date().toISOString();
        const webhookId = typeof input.webhookId === "string" ? input.webhookId : cfg.webhookId;
        const signature = signTransmission(identity.privateKey, { transmissionId, transmissionTime, webhookId, body: input.body });
        sendJson(res, 200, {
          headers: {
            "paypal-transmission-id": transmissionId,
            "paypal-transmission-time": transmissionTime,
            "paypal-transmission-sig": signature,
            "paypal-cert-url": certUrl(),
            "paypal-auth-algo": "SHA256withRSA",
          },
        });
      });
      router.get(`${p}/checkoutnow`, approvalPage);
      router.post(`${p}/checkoutnow/:id`, approvalChoice);
      router.get(`${p}/sdk/js`, (_req, res) => sendText(res, 200, jsSdkSource(ctx.baseUrl()), "application/javascript; charset=utf-8"));
    },
    listOrders(): OrderSummary[] {
      return [...orders.values()].map((o) => {
        const unit = o.units[0];
        const capture = o.captureIds.map((id) => captures.get(id)).at(-1);
        return {
          provider: "paypal",
          id: o.id,
          refs: [o.id, ...o.units.flatMap((u) => [u.customId, u.invoiceId]).filter((x): x is string => x !== undefined)],
          amount: unit ? `${unit.amount.value} ${unit.amount.currency_code}` : "",
          status: capture ? `${o.status} (capture ${capture.status})` : o.status,
          createdAt: o.createTime,
        };
      });
    },
    reset() {
      orders.clear();
      captures.clear();
      refunds.clear();
      replay.clear();
    },
  };
}
