// Stripe end to end with the real SDK: session create/retrieve/line items/expire, Chromium pays on
// the hosted page, the webhook verifies with constructEvent, refunds, idempotent replay, errors.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Browser } from "@playwright/test";
import Stripe from "stripe";
import { startSandbox, type Sandbox } from "../server";
import { launchBrowser } from "../test-support/browser";
import { startReceiver, type Receiver } from "../test-support/receiver";
import { waitFor } from "../test-support/wait-for";

const WEBHOOK_SECRET = "whsec_testsandboxsecret0123456789";

let sandbox: Sandbox;
let receiver: Receiver;
let browser: Browser;
let stripe: Stripe;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({
    port: 0,
    log: () => {},
    env: {},
    stripe: { webhookUrl: `${receiver.url}/api/webhooks/stripe`, webhookSecret: WEBHOOK_SECRET },
  });
  browser = await launchBrowser();
  stripe = new Stripe("sk_test_sandbox123", { host: "127.0.0.1", port: sandbox.port, protocol: "http", maxNetworkRetries: 0 });
});

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await sandbox?.close();
});

beforeEach(() => {
  sandbox.reset();
  receiver.clear();
});

function createSession(extra: Partial<Stripe.Checkout.SessionCreateParams> = {}, options?: Stripe.RequestOptions): Promise<Stripe.Checkout.Session> {
  return stripe.checkout.sessions.create(
    {
      mode: "payment",
      line_items: [{ price_data: { currency: "eur", unit_amount: 4500, product_data: { name: "Matrícula curso de verano" } }, quantity: 2 }],
      success_url: `${receiver.url}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${receiver.url}/checkout/cancel`,
      client_reference_id: "attempt_1",
      metadata: { attempt_id: "attempt_1" },
      payment_intent_data: { metadata: { attempt_id: "attempt_1" } },
      customer_email: "alumno@example.com",
      ...extra,
    },
    options,
  );
}

function webhooks(): Receiver["received"] {
  return receiver.received.filter((r) => r.path === "/api/webhooks/stripe");
}

/** Webhook events received so far, each verified with the SDK (throws on a bad signature). */
function verifiedEvents(): Stripe.Event[] {
  return webhooks().map((r) => stripe.webhooks.constructEvent(r.rawBody, r.headers["stripe-signature"] ?? "", WEBHOOK_SECRET));
}

describe("stripe checkout", () => {
  it("creates a session, Chromium pays it, the webhook verifies, and a refund works", async () => {
    const session = await createSession();
    expect(session).toMatchObject({
      object: "checkout.session",
      amount_total: 9000,
      currency: "eur",
      status: "open",
      payment_status: "unpaid",
      client_reference_id: "attempt_1",
    });
    expect(session.url).toContain(`/stripe/checkout/${session.id}`);
    const items = await stripe.checkout.sessions.listLineItems(session.id);
    expect(items.data).toEqual([expect.objectContaining({ quantity: 2, amount_total: 9000, description: "Matrícula curso de verano" })]);

    const page = await browser.newPage();
    try {
      await page.goto(session.url ?? "");
      await Promise.all([page.waitForURL(/\/checkout\/success\?/), page.click("#pay")]);
      expect(new URL(page.url()).searchParams.get("session_id")).toBe(session.id);
    } finally {
      await page.close();
    }

    await waitFor(() => webhooks().length >= 3, { what: "three webhooks" });
    const events = verifiedEvents();
    expect(events.map((e) => e.type)).toEqual(["charge.succeeded", "payment_intent.succeeded", "checkout.session.completed"]);
    const completed = events[2]?.data.object as Stripe.Checkout.Session;
    expect(completed.payment_status).toBe("paid");
    expect(completed.id).toBe(session.id);

    const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
    const pi = paid.payment_intent as Stripe.PaymentIntent;
    expect(pi.status).toBe("succeeded");
    expect(pi.metadata).toEqual({ attempt_id: "attempt_1" });

    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 4000 }, { idempotencyKey: "refund-1" });
    expect(refund).toMatchObject({ object: "refund", status: "succeeded", amount: 4000, payment_intent: pi.id });
    // Same key, same body: the same refund comes back, nothing is refunded twice.
    const again = await stripe.refunds.create({ payment_intent: pi.id, amount: 4000 }, { idempotencyKey: "refund-1" });
    expect(again.id).toBe(refund.id);
    const charge = await stripe.charges.retrieve(String(pi.latest_charge));
    expect(charge.amount_refunded).toBe(4000);
    await expect(stripe.refunds.create({ payment_intent: pi.id, amount: 6000 })).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      code: "amount_too_large",
    });
    await waitFor(() => verifiedEvents().some((e) => e.type === "charge.refunded"), { what: "charge.refunded" });
    const listed = await stripe.events.list({ type: "charge.refunded" });
    expect(listed.data).toHaveLength(1);
  });

  it("rejects a changed webhook body with constructEvent", async () => {
    const session = await createSession();
    const res = await fetch(`${sandbox.url}/stripe/checkout/${session.id}`, {
      method: "POST",
      body: new URLSearchParams({ outcome: "pay" }),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const first = await waitFor(() => webhooks()[0], { what: "webhook" });
    const changed = first.rawBody.replace('"livemode": false', '"livemode": true');
    expect(changed).not.toBe(first.rawBody);
    expect(() => stripe.webhooks.constructEvent(changed, first.headers["stripe-signature"] ?? "", WEBHOOK_SECRET)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });

  it("expires a session through the API and emits checkout.session.expired", async () => {
    const session = await createSession();
    const expired = await stripe.checkout.sessions.expire(session.id);
    expect(expired.status).toBe("expired");
    await expect(stripe.checkout.sessions.expire(session.id)).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await waitFor(() => verifiedEvents().find((e) => e.type === "checkout.session.expired"), { what: "expired event" });
  });

  it("replays an Idempotency-Key and refuses it with other parameters", async () => {
    const a = await createSession({}, { idempotencyKey: "attempt-1-create" });
    const b = await createSession({}, { idempotencyKey: "attempt-1-create" });
    expect(b.id).toBe(a.id);
    await expect(createSession({ client_reference_id: "other" }, { idempotencyKey: "attempt-1-create" })).rejects.toBeInstanceOf(
      Stripe.errors.StripeIdempotencyError,
    );
    const res = await fetch(`${sandbox.url}/v1/checkout/sessions`, {
      method: "POST",
      headers: { authorization: "Bearer sk_test_sandbox123", "idempotency-key": "attempt-1-create", "content-type": "application/x-www-form-urlencoded" },
      body: "mode=payment",
    });
    expect(res.status).toBe(400);
  });

  it("answers Stripe-shaped errors: bad key, missing param, unknown id", async () => {
    const live = new Stripe("sk_live_nope", { host: "127.0.0.1", port: sandbox.port, protocol: "http", maxNetworkRetries: 0 });
    await expect(live.checkout.sessions.retrieve("cs_test_x")).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    await expect(stripe.checkout.sessions.create({ mode: "payment", success_url: "http://x/ok" })).rejects.toMatchObject({
      code: "parameter_missing",
      param: "line_items",
    });
    await expect(stripe.checkout.sessions.retrieve("cs_test_missing")).rejects.toMatchObject({ statusCode: 404, code: "resource_missing" });
  });

  it("offers each hosted outcome: decline keeps the session open, cancel returns to cancel_url, then pay", async () => {
    const session = await createSession();
    const page = await browser.newPage();
    try {
      await page.goto(session.url ?? "");
      await page.click("#decline");
      await expect(page.locator("#message").textContent()).resolves.toContain("declined");
      await waitFor(() => verifiedEvents().find((e) => e.type === "payment_intent.payment_failed"), { what: "payment_failed" });
      expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
      await Promise.all([page.waitForURL(/\/checkout\/cancel$/), page.click("#cancel")]);
      // Back on the page, the buyer pays: same payment intent, now succeeded.
      await page.goto(session.url ?? "");
      await Promise.all([page.waitForURL(/\/checkout\/success\?/), page.click("#pay")]);
      const failed = verifiedEvents().find((e) => e.type === "payment_intent.payment_failed")?.data.object as Stripe.PaymentIntent | undefined;
      const paid = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent.latest_charge"] });
      const pi = paid.payment_intent as Stripe.PaymentIntent;
      expect(paid.payment_status).toBe("paid");
      expect(pi.id).toBe(failed?.id);
      expect(pi.status).toBe("succeeded");
      expect((pi.latest_charge as Stripe.Charge).status).toBe("succeeded");
    } finally {
      await page.close();
    }
  });

  it("runs a delayed method: completed unpaid, then async_payment_succeeded or _failed", async () => {
    const ok = await createSession({ client_reference_id: "async-ok" });
    const ko = await createSession({ client_reference_id: "async-ko" });
    for (const [s, outcome] of [
      [ok, "async_succeed"],
      [ko, "async_fail"],
    ] as const) {
      const res = await fetch(`${sandbox.url}/stripe/checkout/${s.id}`, { method: "POST", body: new URLSearchParams({ outcome }), redirect: "manual" });
      expect(res.status).toBe(303);
    }
    await waitFor(() => verifiedEvents().filter((e) => e.type.startsWith("checkout.session.async_payment")).length === 2, { what: "async results" });
    const events = verifiedEvents();
    const forSession = (sid: string): string[] =>
      events
        .filter((e) => e.type.startsWith("checkout.session.") && (e.data.object as Stripe.Checkout.Session).id === sid)
        .map((e) => `${e.type}:${(e.data.object as Stripe.Checkout.Session).payment_status}`);
    expect(forSession(ok.id)).toEqual(["checkout.session.completed:unpaid", "checkout.session.async_payment_succeeded:paid"]);
    expect(forSession(ko.id)).toEqual(["checkout.session.completed:unpaid", "checkout.session.async_payment_failed:unpaid"]);
  });
});
