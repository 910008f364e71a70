// Stripe Checkout: one session per attempt, webhooks verified with the signing secret,
// sessions retrieved for reconciliation, refunds against the payment intent.
import "server-only";
import Stripe from "stripe";
import type { StripeConfig } from "../config";
import type { ProviderEvent, ProviderOutcome } from "../types";
import { DEFAULT_PROVIDER_TIMEOUT_MS, WebhookRejected, type CheckoutRequest, type PaymentProvider, type ProviderClientOptions } from "./provider";

/** Stripe's minimum: a session may not expire sooner than 30 minutes after creation. */
const SESSION_MINUTES = 30;

function clientFor(config: StripeConfig, client: ProviderClientOptions): Stripe {
  // The SDK retries a timed-out call with the same idempotency key: the provider does it once.
  const options: Stripe.StripeConfig = { maxNetworkRetries: 2, timeout: client.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS };
  if (config.apiBase) {
    const base = new URL(config.apiBase);
    options.host = base.hostname;
    options.port = Number(base.port || (base.protocol === "https:" ? 443 : 80));
    options.protocol = base.protocol === "https:" ? "https" : "http";
  }
  return new Stripe(config.secretKey, options);
}

function sessionOutcome(session: Stripe.Checkout.Session): ProviderOutcome {
  const paymentRef = typeof session.payment_intent === "string" ? session.payment_intent : session.payment_intent?.id;
  if (session.payment_status === "paid" && session.amount_total !== null && session.currency) {
    return { type: "succeeded", amount: session.amount_total, currency: session.currency.toUpperCase(), paymentRef };
  }
  if (session.status === "expired") return { type: "expired" };
  if (session.status === "complete") return { type: "pending", reason: "payment processing" };
  return { type: "none" };
}

/** A refund's word: succeeded or failed (or cancelled) settle it; pending and requires_action wait. */
function refundOutcome(refund: Stripe.Refund): ProviderOutcome | undefined {
  if (refund.status === "succeeded") return { type: "refunded", refundRef: refund.id, amount: refund.amount, currency: refund.currency.toUpperCase() };
  if (refund.status === "failed" || refund.status === "canceled")
    return { type: "refund_failed", refundRef: refund.id, reason: refund.failure_reason ?? refund.status };
  return undefined;
}

const paymentIntentOf = (value: string | { id: string } | null | undefined) => (typeof value === "string" ? value : value?.id);

export function createStripeProvider(config: StripeConfig, clientOptions: ProviderClientOptions = {}): PaymentProvider {
  let client: Stripe | undefined;
  // Created on first use: `next build` imports route modules, and a client needs its key.
  const stripe = () => (client ??= clientFor(config, clientOptions));

  async function eventsOf(event: Stripe.Event, rawBody: string): Promise<ProviderEvent[]> {
    const base = { provider: "stripe" as const, eventType: event.type, payload: event, rawBody };
    switch (event.type) {
      case "checkout.session.completed":
      case "checkout.session.expired": {
        const session = event.data.object;
        return [{ ...base, eventId: event.id, ref: { by: "order", value: session.id }, outcome: sessionOutcome(session) }];
      }
      case "checkout.session.async_payment_succeeded": {
        const session = event.data.object;
        const outcome = sessionOutcome(session);
        return [{ ...base, eventId: event.id, ref: { by: "order", value: session.id }, outcome }];
      }
      case "checkout.session.async_payment_failed": {
        const session = event.data.object;
        return [{ ...base, eventId: event.id, ref: { by: "order", value: session.id }, outcome: { type: "failed", code: "async_payment_failed" } }];
      }
      // A refund made here or in the Dashboard, and its later word (pending → succeeded or failed).
      case "refund.created":
      case "refund.updated":
      case "charge.refund.updated": {
        const refund = event.data.object;
        const paymentIntent = paymentIntentOf(refund.payment_intent);
        const outcome = refundOutcome(refund);
        if (!paymentIntent || !outcome) return [];
        return [{ ...base, eventId: event.id, ref: { by: "payment", value: paymentIntent }, outcome }];
      }
      case "charge.refunded": {
        // Since API version 2022-11-15 the charge no longer lists its refunds: ask for them. Each
        // is applied (and deduplicated by its id) on its own.
        const paymentIntent = paymentIntentOf(event.data.object.payment_intent);
        if (!paymentIntent) return [];
        const refunds = await stripe().refunds.list({ payment_intent: paymentIntent, limit: 100 });
        return refunds.data.flatMap((refund) => {
          const outcome = refundOutcome(refund);
          return outcome ? [{ ...base, eventId: `${event.id}:${refund.id}`, ref: { by: "payment" as const, value: paymentIntent }, outcome }] : [];
        });
      }
      default:
        // Verified but not acted on (payment_intent.payment_failed leaves the session open for
        // another card): stored in the inbox, changes nothing.
        return [];
    }
  }

  return {
    provider: "stripe",
    mode: config.mode,

    async startCheckout(request: CheckoutRequest) {
      const session = await stripe().checkout.sessions.create(
        {
          mode: "payment",
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: request.currency.toLowerCase(),
                unit_amount: request.amount,
                product_data: { name: `${request.receiptNumber} · ${request.concept}`.slice(0, 250) },
              },
            },
          ],
          success_url: `${request.returnUrl}?session_id={CHECKOUT_SESSION_ID}`,
          cancel_url: `${request.returnUrl}?cancelled=1`,
          client_reference_id: request.attemptId,
          customer_email: request.payerEmail,
          locale: request.locale,
          expires_at: Math.floor(Date.now() / 1000) + SESSION_MINUTES * 60 + 60,
          metadata: { attempt_id: request.attemptId, receipt_number: request.receiptNumber },
          payment_intent_data: { metadata: { attempt_id: request.attemptId, receipt_number: request.receiptNumber } },
        },
        { idempotencyKey: `checkout-${request.attemptId}` },
      );
      if (!session.url) throw new Error("Stripe returned a session without a URL");
      return { providerRef: session.id, action: { type: "redirect", url: session.url } };
    },

    async parseWebhook({ rawBody, headers }) {
      const signature = headers.get("stripe-signature");
      if (!signature) throw new WebhookRejected(400, "missing Stripe-Signature");
      if (!config.webhookSecret) throw new Error("STRIPE_WEBHOOK_SECRET is not set: Stripe webhooks cannot be verified");
      let event: Stripe.Event;
      try {
        event = stripe().webhooks.constructEvent(rawBody, signature, config.webhookSecret);
      } catch (error) {
        if (error instanceof Stripe.errors.StripeSignatureVerificationError) throw new WebhookRejected(401, error.message);
        throw new WebhookRejected(400, `not a Stripe event: ${String(error)}`);
      }
      const translated = await eventsOf(event, rawBody);
      if (translated.length > 0) return translated;
      // Still stored once (as evidence and to recognise replays), with nothing to apply.
      return [
        { provider: "stripe", eventId: event.id, eventType: event.type, ref: { by: "order", value: "" }, outcome: { type: "none" }, payload: event, rawBody },
      ];
    },

    async lookUp(attempt) {
      if (!attempt.providerRef) return [];
      const session = await stripe().checkout.sessions.retrieve(attempt.providerRef);
      const outcome = sessionOutcome(session);
      const outcomes: ProviderOutcome[] = outcome.type === "none" ? [] : [outcome];
      if (outcome.type === "succeeded" && outcome.paymentRef) {
        const refunds = await stripe().refunds.list({ payment_intent: outcome.paymentRef, limit: 100 });
        for (const refund of refunds.data) {
          const refunded = refundOutcome(refund);
          if (refunded) outcomes.push(refunded);
        }
      }
      return outcomes;
    },

    async abandon(attempt) {
      if (!attempt.providerRef) return undefined;
      try {
        return sessionOutcome(await stripe().checkout.sessions.expire(attempt.providerRef));
      } catch (error) {
        // Already complete or expired: the session itself says which.
        if (error instanceof Stripe.errors.StripeInvalidRequestError) return sessionOutcome(await stripe().checkout.sessions.retrieve(attempt.providerRef));
        throw error;
      }
    },

    async refund({ attempt, amount, idempotencyKey }) {
      if (!attempt.providerPaymentRef) throw new Error("attempt has no Stripe payment intent");
      const refund = await stripe().refunds.create({ payment_intent: attempt.providerPaymentRef, amount }, { idempotencyKey });
      return {
        refundRef: refund.id,
        status: refund.status === "succeeded" ? "succeeded" : refund.status === "failed" || refund.status === "canceled" ? "failed" : "pending",
        failure: refund.failure_reason ?? undefined,
      };
    },
  };
}
