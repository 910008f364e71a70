// Stripe emulator: API at /v1 (checkout sessions, payment intents, charges, refunds, events) with
// Bearer key check, bracket form bodies, Idempotency-Key replay and Stripe-shaped errors; the
// hosted checkout flows; signed webhooks. Only what the app uses, shaped like API 2026-10-28.
import { createHash, randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { later, type OrderSummary, type ProviderModule, type SandboxContext } from "../shared/context";
import type { Faults } from "../shared/faults";
import { escapeHtml, formFields, header, page, redirect, sendHtml, sendJson as sendJsonNow, type Request, type Router } from "../shared/http";
import { checkoutLanguage, checkoutPage, OUTCOMES, type Outcome } from "./checkout-page";
import { list, obj, parseStripeForm, str, stringMap, type FormObject } from "./form";
import {
  chargeObject,
  eventObject,
  id,
  int,
  intentObject,
  invalid,
  lineItemsObject,
  missing,
  noSuch,
  now,
  refundObject,
  sessionObject,
  STRIPE_API_VERSION,
  STRIPE_PAGE_PREFIX,
  StripeError,
  type Charge,
  type Json,
  type LineItem,
  type PaymentIntent,
  type Refund,
  type Session,
  type StoredEvent,
} from "./objects";
import { stripeSignatureHeader } from "./signature";

export { STRIPE_API_VERSION, STRIPE_PAGE_PREFIX } from "./objects";

export function createStripe(ctx: SandboxContext): ProviderModule {
  const sessions = new Map<string, Session>();
  const intents = new Map<string, PaymentIntent>();
  const charges = new Map<string, Charge>();
  const refunds = new Map<string, Refund>();
  const events: StoredEvent[] = [];
  const idempotency = new Map<string, { fingerprint: string; status: number; body: unknown }>();
  const cfg = ctx.config.stripe;

  const faultsFor = (s: Session): Faults => ctx.faults.resolve("stripe", [s.id, s.clientReferenceId ?? undefined, s.paymentIntentId ?? undefined]);

  // ---- events and webhooks ----------------------------------------------------------------

  function emit(type: string, object: Json, ref: string, faults: Faults): void {
    // The snapshot is taken now, as Stripe does: later changes do not alter a sent event.
    const event: StoredEvent = { id: id("evt"), type, created: now(), object: structuredClone(object), requestIdempotencyKey: null };
    events.push(event);
    const payload = JSON.stringify(eventObject(event, cfg.webhookUrl ? 1 : 0), null, 2);
    ctx.deliveries.enqueue({
      provider: "stripe",
      ref,
      eventType: type,
      url: cfg.webhookUrl,
      faults,
      build: ({ badSignature }) => ({
        body: payload,
        headers: {
          "content-type": "application/json; charset=utf-8",
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          "stripe-signature": stripeSignatureHeader(badSignature ? `${cfg.webhookSecret}-wrong` : cfg.webhookSecret, payload),
        },
      }),
    });
  }

  // ---- payment flows (hosted page) --------------------------------------------------------

  /** The session's payment intent: reused after a decline, as Stripe does, else created. */
  function intentFor(s: Session, method: PaymentIntent["method"]): PaymentIntent {
    const existing = s.paymentIntentId ? intents.get(s.paymentIntentId) : undefined;
    if (existing) {
      existing.method = method;
      existing.status = "processing";
      existing.lastError = null;
      return existing;
    }
    const pi: PaymentIntent = {
      id: id("pi"),
      created: now(),
      amount: s.amount,
      currency: s.currency,
      status: "processing",
      metadata: s.piMetadata,
      latestChargeId: null,
      lastError: null,
      sessionId: s.id,
      method,
    };
    intents.set(pi.id, pi);
    s.paymentIntentId = pi.id;
    return pi;
  }

  function createCharge(pi: PaymentIntent, status: Charge["status"]): Charge {
    const c: Charge = {
      id: id("ch"),
      created: now(),
      amount: pi.amount,
      currency: pi.currency,
      status,
      paymentIntentId: pi.id,
      amountRefunded: 0,
      metadata: pi.metadata,
      failureCode: status === "failed" ? "card_declined" : null,
      method: pi.method,
    };
    charges.set(c.id, c);
    pi.latestChargeId = c.id;
    return c;
  }

  function succeed(s: Session, pi: PaymentIntent, charge: Charge, faults: Faults, asyncResult: boolean): void {
    pi.status = "succeeded";
    charge.status = "succeeded";
    s.paymentStatus = "paid";
    emit("charge.succeeded", chargeObject(charge), s.id, faults);
    emit("payment_intent.succeeded", intentObject(pi), s.id, faults);
    emit(asyncResult ? "checkout.session.async_payment_succeeded" : "checkout.session.completed", sessionObject(s, ctx.baseUrl()), s.id, faults);
  }

  function fail(s: Session, pi: PaymentIntent, charge: Charge, faults: Faults): void {
    pi.status = "requires_payment_method";
    pi.lastError = { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." };
    charge.status = "failed";
    charge.failureCode = "card_declined";
    emit("charge.failed", chargeObject(charge), s.id, faults);
    emit("payment_intent.payment_failed", intentObject(pi), s.id, faults);
  }

  function expireSession(s: Session, faults: Faults): void {
    s.status = "expired";
    emit("checkout.session.expired", sessionObject(s, ctx.baseUrl()), s.id, faults);
  }

  function successTarget(s: Session): string {
    return (s.successUrl ?? `${ctx.baseUrl()}${STRIPE_PAGE_PREFIX}/done`).replace("{CHECKOUT_SESSION_ID}", s.id);
  }

  function runOutcome(res: ServerResponse, s: Session, requested: Outcome): void {
    const faults = faultsFor(s);
    let outcome = requested;
    if (faults.expire) outcome = "expire";
    else if (faults.cancel) outcome = "cancel";
    else if (outcome === "pay" && faults.decline) outcome = "decline";
    else if (outcome === "pay" && faults.async) outcome = faults.async === "succeed" ? "async_succeed" : "async_fail";

    switch (outcome) {
      case "pay": {
        const pi = intentFor(s, "card");
        const charge = createCharge(pi, "pending");
        s.status = "complete";
        succeed(s, pi, charge, faults, false);
        return redirect(res, successTarget(s));
      }
      case "decline": {
        const intent = intentFor(s, "card");
        fail(s, intent, createCharge(intent, "pending"), faults);
        // The session stays open: on Stripe the buyer can try another card.
        return sendHtml(
          res,
          402,
          checkoutPage(
            s,
            checkoutLanguage(s) === "en"
              ? "Your card was declined. Try another payment method."
              : "Tu tarjeta ha sido rechazada. Prueba con otro medio de pago.",
          ),
        );
      }
      case "async_succeed":
      case "async_fail": {
        const pi = intentFor(s, "sepa_debit");
        const charge = createCharge(pi, "pending");
        s.status = "complete";
        emit("checkout.session.completed", sessionObject(s, ctx.baseUrl()), s.id, faults);
        later(ctx, Math.round((faults.asyncDelaySeconds ?? 1) * 1000), () => {
          if (outcome === "async_succeed") return succeed(s, pi, charge, faults, true);
          fail(s, pi, charge, faults);
          emit("checkout.session.async_payment_failed", sessionObject(s, ctx.baseUrl()), s.id, faults);
        });
        return redirect(res, successTarget(s));
      }
      case "cancel":
        return redirect(res, s.cancelUrl ?? `${ctx.baseUrl()}${STRIPE_PAGE_PREFIX}/done`);
      case "expire":
        expireSession(s, faults);
        return sendHtml(
          res,
          410,
          page(
            "Session expired",
            `<h1 id="result">This checkout session has expired.</h1>${s.cancelUrl ? `<a id="back" href="${escapeHtml(s.cancelUrl)}">Back to the merchant</a>` : ""}`,
          ),
        );
    }
  }

  // ---- API plumbing -----------------------------------------------------------------------

  function authorise(req: Request): void {
    const auth = header(req, "authorization") ?? "";
    const m = /^Bearer (.+)$/.exec(auth);
    const key = m?.[1] ?? (/^Basic (.+)$/.exec(auth) ? Buffer.from(auth.slice(6), "base64").toString().split(":")[0] : undefined);
    if (!key) {
      throw new StripeError(401, {
        type: "invalid_request_error",
        message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.",
      });
    }
    const ok = cfg.secretKey ? key === cfg.secretKey : /^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key);
    if (!ok) {
      throw new StripeError(401, {
        type: "invalid_request_error",
        code: "api_key_invalid",
        message: `Invalid API Key provided: ${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`,
      });
    }
  }

  type ApiHandler = (req: Request, params: FormObject) => unknown;

  /** Wraps an API handler: auth, form parsing, idempotent replay of POSTs, Stripe-shaped errors. */
  function api(handler: ApiHandler) {
    return (req: Request, res: ServerResponse): void => {
      const requestId = id("req");
      const headers = { "request-id": requestId, "stripe-version": STRIPE_API_VERSION };
      // The slowApiSeconds fault: the work is done now, the answer leaves later.
      const slowMs = Math.round((ctx.faults.resolve("stripe", []).slowApiSeconds ?? 0) * 1000);
      const sendJson: typeof sendJsonNow = (...args) => (slowMs > 0 ? later(ctx, slowMs, () => sendJsonNow(...args)) : sendJsonNow(...args));
      try {
        authorise(req);
        const params = parseStripeForm(req.method === "GET" ? req.query.toString() : req.rawBody.toString("utf8"));
        const key = req.method === "POST" ? header(req, "idempotency-key") : undefined;
        if (key) {
          const fingerprint = createHash("sha256").update(`${req.method} ${req.path}\n`).update(req.rawBody).digest("hex");
          const stored = idempotency.get(key);
          if (stored) {
            if (stored.fingerprint !== fingerprint) {
              throw new StripeError(400, {
                type: "idempotency_error",
                message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
              });
            }
            return sendJson(res, stored.status, stored.body, { ...headers, "idempotent-replayed": "true", "idempotency-key": key });
          }
          try {
            const body = handler(req, params);
            idempotency.set(key, { fingerprint, status: 200, body });
            return sendJson(res, 200, body, { ...headers, "idempotency-key": key });
          } catch (error) {
            // Stripe also replays errors that were the client's fault (4xx, not 429/auth).
            if (error instanceof StripeError && error.status >= 400 && error.status < 500 && error.status !== 401) {
              idempotency.set(key, { fingerprint, status: error.status, body: { error: { ...error.body, request_log_url: null } } });
            }
            throw error;
          }
        }
        sendJson(res, 200, handler(req, params), headers);
      } catch (error) {
        if (error instanceof StripeError) return sendJson(res, error.status, { error: error.body }, headers);
        throw error;
      }
    };
  }

  function expand(params: FormObject): Set<string> {
    return new Set(list(params.expand).filter((v): v is string => typeof v === "string"));
  }

  function sessionWithExpand(s: Session, params: FormObject): Json {
    const out = sessionObject(s, ctx.baseUrl());
    const ex = expand(params);
    if (ex.has("line_items")) out.line_items = lineItemsObject(s);
    if ((ex.has("payment_intent") || ex.has("payment_intent.latest_charge")) && s.paymentIntentId) {
      const pi = intents.get(s.paymentIntentId);
      if (pi) out.payment_intent = intentWithExpand(pi, ex.has("payment_intent.latest_charge"));
    }
    return out;
  }

  function intentWithExpand(pi: PaymentIntent, withCharge: boolean): Json {
    const out = intentObject(pi);
    const charge = pi.latestChargeId ? charges.get(pi.latestChargeId) : undefined;
    if (withCharge && charge) out.latest_charge = chargeObject(charge);
    return out;
  }

  function getSession(sessionId: string): Session {
    const s = sessions.get(sessionId);
    if (!s) throw noSuch("checkout.session", sessionId);
    return s;
  }

  function listOf(items: Json[], url: string, params: FormObject): Json {
    const limit = Math.min(100, Math.max(1, Number(str(params.limit) ?? 10)));
    return { object: "list", data: items.slice(0, limit), has_more: items.length > limit, url };
  }

  function createSession(_req: Request, p: FormObject): Json {
    const mode = str(p.mode);
    if (!mode) throw missing("mode");
    if (mode !== "payment") throw invalid("mode", "The sandbox only emulates mode=payment.");
    const rawItems = list(p.line_items);
    if (rawItems.length === 0) throw missing("line_items");
    const lineItems: LineItem[] = rawItems.map((raw, i) => {
      const item = obj(raw) ?? {};
      if (str(item.price)) throw noSuch("price", str(item.price) ?? "", `line_items[${i}][price]`);
      const pd = obj(item.price_data);
      if (!pd) throw missing(`line_items[${i}][price_data]`);
      const currency = str(pd.currency);
      if (!currency) throw missing(`line_items[${i}][price_data][currency]`);
      const name = str(obj(pd.product_data)?.name);
      if (!name) throw missing(`line_items[${i}][price_data][product_data][name]`);
      return {
        id: id("li"),
        name,
        unitAmount: int(str(pd.unit_amount), `line_items[${i}][price_data][unit_amount]`),
        quantity: int(str(item.quantity) ?? "1", `line_items[${i}][quantity]`),
        currency: currency.toLowerCase(),
      };
    });
    const currency = lineItems[0]?.currency ?? "eur";
    if (lineItems.some((li) => li.currency !== currency)) throw invalid("line_items", "All line items must use the same currency.");
    const successUrl = str(p.success_url);
    if (!successUrl) throw missing("success_url");
    const created = now();
    const expiresAtRaw = str(p.expires_at);
    const expiresAt = expiresAtRaw ? int(expiresAtRaw, "expires_at") : created + 24 * 3600;
    if (expiresAt < created + 30 * 60 || expiresAt > created + 24 * 3600) {
      throw invalid("expires_at", "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.");
    }
    const s: Session = {
      id: `cs_test_${randomBytes(24).toString("base64url").replace(/[-_]/g, "x")}`,
      created,
      expiresAt,
      currency,
      lineItems,
      amount: lineItems.reduce((sum, li) => sum + li.unitAmount * li.quantity, 0),
      successUrl,
      cancelUrl: str(p.cancel_url),
      clientReferenceId: str(p.client_reference_id) ?? null,
      customerEmail: str(p.customer_email) ?? null,
      locale: str(p.locale) ?? null,
      metadata: stringMap(p.metadata),
      piMetadata: stringMap(obj(p.payment_intent_data)?.metadata),
      status: "open",
      paymentStatus: "unpaid",
      paymentIntentId: null,
    };
    sessions.set(s.id, s);
    // Stripe expires unpaid sessions at expires_at on its own, and tells the webhook.
    later(ctx, (expiresAt - created) * 1000, () => {
      if (s.status === "open") expireSession(s, faultsFor(s));
    });
    return sessionWithExpand(s, p);
  }

  function createRefund(_req: Request, p: FormObject): Json {
    const piId = str(p.payment_intent);
    const chargeId = str(p.charge);
    if (!piId && !chargeId) throw missing("payment_intent");
    let charge: Charge | undefined;
    if (chargeId) {
      charge = charges.get(chargeId);
      if (!charge) throw noSuch("charge", chargeId, "charge");
    } else if (piId) {
      const pi = intents.get(piId);
      if (!pi) throw noSuch("payment_intent", piId, "payment_intent");
      charge = pi.latestChargeId ? charges.get(pi.latestChargeId) : undefined;
    }
    if (!charge || charge.status !== "succeeded") {
      throw new StripeError(400, {
        type: "invalid_request_error",
        code: "charge_not_refundable",
        message: "This PaymentIntent does not have a successful charge to refund.",
      });
    }
    const remaining = charge.amount - charge.amountRefunded;
    const amount = str(p.amount) ? int(str(p.amount), "amount") : remaining;
    if (amount <= 0 || amount > remaining) {
      throw new StripeError(400, {
        type: "invalid_request_error",
        code: remaining === 0 ? "charge_already_refunded" : "amount_too_large",
        param: "amount",
        message:
          remaining === 0
            ? `Charge ${charge.id} has already been refunded.`
            : `Refund amount (€${(amount / 100).toFixed(2)}) is greater than unrefunded amount on charge (€${(remaining / 100).toFixed(2)})`,
      });
    }
    charge.amountRefunded += amount;
    const pi = intents.get(charge.paymentIntentId);
    const session = pi ? sessions.get(pi.sessionId) : undefined;
    const faults = session ? faultsFor(session) : ctx.faults.resolve("stripe", [charge.paymentIntentId]);
    const refund: Refund = {
      id: id("re"),
      created: now(),
      amount,
      currency: charge.currency,
      chargeId: charge.id,
      paymentIntentId: charge.paymentIntentId,
      reason: str(p.reason) ?? null,
      metadata: stringMap(p.metadata),
      status: faults.refundPending ? "pending" : "succeeded",
      failureReason: null,
    };
    refunds.set(refund.id, refund);
    const ref = session?.id ?? charge.paymentIntentId;
    // As the current API: the charge in charge.refunded carries no refunds list; refund.* events do.
    emit("refund.created", refundObject(refund), ref, faults);
    emit("charge.refunded", chargeObject(charge), ref, faults);
    if (faults.refundPending) {
      later(ctx, Math.round((faults.asyncDelaySeconds ?? 1) * 1000), () => {
        if (faults.refundPending === "fail") {
          refund.status = "failed";
          refund.failureReason = "expired_or_canceled_card";
          charge.amountRefunded -= refund.amount;
        } else {
          refund.status = "succeeded";
        }
        emit("refund.updated", refundObject(refund), ref, faults);
      });
    }
    return refundObject(refund);
  }

  function sessionFromPage(req: Request, res: ServerResponse): Session | undefined {
    const s = sessions.get(req.params.id ?? "");
    if (!s) {
      sendHtml(res, 404, page("Not found", "<h1>Unknown checkout session</h1>"));
      return undefined;
    }
    if (s.status === "open" && s.expiresAt <= now()) expireSession(s, faultsFor(s));
    if (s.status !== "open") {
      sendHtml(res, 410, page("Session closed", `<h1 id="result">This checkout session is ${s.status}.</h1>`));
      return undefined;
    }
    return s;
  }

  return {
    provider: "stripe",
    register(router: Router) {
      router.post("/v1/checkout/sessions", api(createSession));
      router.get(
        "/v1/checkout/sessions",
        api((_req, p) => {
          const pi = str(p.payment_intent);
          const items = [...sessions.values()].reverse().filter((s) => !pi || s.paymentIntentId === pi);
          return listOf(
            items.map((x) => sessionObject(x, ctx.baseUrl())),
            "/v1/checkout/sessions",
            p,
          );
        }),
      );
      router.get(
        "/v1/checkout/sessions/:id",
        api((req, p) => sessionWithExpand(getSession(req.params.id ?? ""), p)),
      );
      router.get(
        "/v1/checkout/sessions/:id/line_items",
        api((req) => lineItemsObject(getSession(req.params.id ?? ""))),
      );
      router.post(
        "/v1/checkout/sessions/:id/expire",
        api((req) => {
          const s = getSession(req.params.id ?? "");
          if (s.status !== "open") {
            throw new StripeError(400, {
              type: "invalid_request_error",
              message: `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${s.status}".`,
            });
          }
          expireSession(s, faultsFor(s));
          return sessionObject(s, ctx.baseUrl());
        }),
      );
      router.get(
        "/v1/payment_intents/:id",
        api((req, p) => {
          const pi = intents.get(req.params.id ?? "");
          if (!pi) throw noSuch("payment_intent", req.params.id ?? "");
          return intentWithExpand(pi, expand(p).has("latest_charge"));
        }),
      );
      router.get(
        "/v1/payment_intents",
        api((_req, p) => listOf([...intents.values()].reverse().map(intentObject), "/v1/payment_intents", p)),
      );
      router.get(
        "/v1/charges/:id",
        api((req) => {
          const c = charges.get(req.params.id ?? "");
          if (!c) throw noSuch("charge", req.params.id ?? "");
          return chargeObject(c);
        }),
      );
      router.get(
        "/v1/charges",
        api((_req, p) => {
          const pi = str(p.payment_intent);
          return listOf(
            [...charges.values()]
              .reverse()
              .filter((c) => !pi || c.paymentIntentId === pi)
              .map(chargeObject),
            "/v1/charges",
            p,
          );
        }),
      );
      router.post("/v1/refunds", api(createRefund));
      router.get(
        "/v1/refunds/:id",
        api((req) => {
          const r = refunds.get(req.params.id ?? "");
          if (!r) throw noSuch("refund", req.params.id ?? "");
          return refundObject(r);
        }),
      );
      router.get(
        "/v1/refunds",
        api((_req, p) => {
          const pi = str(p.payment_intent);
          return listOf(
            [...refunds.values()]
              .reverse()
              .filter((r) => !pi || r.paymentIntentId === pi)
              .map(refundObject),
            "/v1/refunds",
            p,
          );
        }),
      );
      router.get(
        "/v1/events/:id",
        api((req) => {
          const e = events.find((x) => x.id === req.params.id);
          if (!e) throw noSuch("event", req.params.id ?? "");
          return eventObject(e, cfg.webhookUrl ? 1 : 0);
        }),
      );
      router.get(
        "/v1/events",
        api((_req, p) => {
          const type = str(p.type);
          return listOf(
            [...events]
              .reverse()
              .filter((e) => !type || e.type === type)
              .map((e) => eventObject(e, cfg.webhookUrl ? 1 : 0)),
            "/v1/events",
            p,
          );
        }),
      );

      router.get(`${STRIPE_PAGE_PREFIX}/checkout/:id`, (req, res) => {
        const s = sessionFromPage(req, res);
        if (s) sendHtml(res, 200, checkoutPage(s));
      });
      router.post(`${STRIPE_PAGE_PREFIX}/checkout/:id`, (req, res) => {
        const s = sessionFromPage(req, res);
        if (!s) return;
        const outcome = formFields(req.rawBody).outcome;
        const chosen = OUTCOMES.find((o) => o === outcome);
        if (!chosen) return sendHtml(res, 400, checkoutPage(s, "Choose an outcome."));
        runOutcome(res, s, chosen);
      });
      router.get(`${STRIPE_PAGE_PREFIX}/done`, (_req, res) => sendHtml(res, 200, page("Done", `<h1 id="result">Checkout finished</h1>`)));
    },
    listOrders(): OrderSummary[] {
      return [...sessions.values()].map((s) => {
        const pi = s.paymentIntentId ? intents.get(s.paymentIntentId) : undefined;
        const charge = pi?.latestChargeId ? charges.get(pi.latestChargeId) : undefined;
        return {
          provider: "stripe",
          id: s.id,
          refs: [s.id, ...(s.clientReferenceId ? [s.clientReferenceId] : []), ...(pi ? [pi.id] : [])],
          amount: `${(s.amount / 100).toFixed(2)} ${s.currency.toUpperCase()}`,
          status: `${s.status}/${s.paymentStatus}${pi ? ` (${pi.status})` : ""}${charge && charge.amountRefunded > 0 ? `, refunded ${(charge.amountRefunded / 100).toFixed(2)}` : ""}`,
          createdAt: new Date(s.created * 1000).toISOString(),
        };
      });
    },
    reset() {
      sessions.clear();
      intents.clear();
      charges.clear();
      refunds.clear();
      events.length = 0;
      idempotency.clear();
    },
  };
}
