// Each fault switch, shown by its effect on what the app would see.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import Stripe from "stripe";
import { startSandbox, type Sandbox } from "../server";
import { startReceiver, type Receiver } from "../test-support/receiver";
import { payRedsysByCard, redsysFor, signedFormFields, REDSYS_TEST_SECRET } from "../test-support/redsys-client";
import { verifyPaypalWebhookOffline } from "../test-support/paypal-verify";
import { quietPeriod, waitFor } from "../test-support/wait-for";
import { serializeAndSignJSONRequest, deserializeAndVerifyJSONResponse } from "redsys-easy";
import type { Faults } from "./faults";

const STRIPE_SECRET = "whsec_faults0123456789";
const PAYPAL_WEBHOOK_ID = "WH-FAULTS";

let sandbox: Sandbox;
let receiver: Receiver;
let stripe: Stripe;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({
    port: 0,
    env: {},
    log: () => {},
    outOfOrderWindowMs: 200,
    webhookRetryDelaysMs: [100, 200],
    stripe: { webhookUrl: `${receiver.url}/stripe`, webhookSecret: STRIPE_SECRET },
    paypal: { webhookUrl: `${receiver.url}/paypal`, webhookId: PAYPAL_WEBHOOK_ID },
  });
  stripe = new Stripe("sk_test_faults", { host: "127.0.0.1", port: sandbox.port, protocol: "http", maxNetworkRetries: 0 });
});

afterAll(async () => {
  await receiver?.close();
  await sandbox?.close();
});

beforeEach(async () => {
  await control("/reset");
  receiver.clear();
  receiver.failNext = 0;
});

async function control(path: string, body?: unknown): Promise<Response> {
  return fetch(`${sandbox.urls.control}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function setFaults(provider: string, faults: Faults, ref?: string): Promise<void> {
  const res = await control(ref ? `/faults/${provider}/orders/${ref}` : `/faults/${provider}`, faults);
  expect(res.status).toBe(200);
}

const at = (path: string): Receiver["received"] => receiver.received.filter((r) => r.path === path);

function redsysNotifications(): { Ds_Response: string; Ds_Order: string }[] {
  const redsys = redsysFor(sandbox);
  return at("/redsys").map((r) => redsys.processDirectRestNotification(signedFormFields(r.rawBody)) as { Ds_Response: string; Ds_Order: string });
}

function stripeEvents(): Stripe.Event[] {
  return at("/stripe").map((r) => stripe.webhooks.constructEvent(r.rawBody, r.headers["stripe-signature"] ?? "", STRIPE_SECRET));
}

async function stripeSession(ref: string): Promise<Stripe.Checkout.Session> {
  return stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [{ price_data: { currency: "eur", unit_amount: 1000, product_data: { name: "Cuota" } }, quantity: 1 }],
    success_url: "http://127.0.0.1:9/ok?cs={CHECKOUT_SESSION_ID}",
    cancel_url: "http://127.0.0.1:9/cancel",
    client_reference_id: ref,
  });
}

async function stripePay(session: Stripe.Checkout.Session): Promise<Response> {
  return fetch(`${sandbox.url}/stripe/checkout/${session.id}`, { method: "POST", body: new URLSearchParams({ outcome: "pay" }), redirect: "manual" });
}

async function queryRedsys(order: string): Promise<{ Ds_Operations: { Ds_State: string; Ds_Response: string }[] }> {
  const res = await fetch(`${sandbox.urls.redsys}/sis/rest/consultaOperacionesREST`, {
    method: "POST",
    body: JSON.stringify(
      serializeAndSignJSONRequest(REDSYS_TEST_SECRET, { DS_MERCHANT_ORDER: order, DS_MERCHANT_MERCHANTCODE: "999008881", DS_MERCHANT_TERMINAL: "1" }),
    ),
  });
  return deserializeAndVerifyJSONResponse(REDSYS_TEST_SECRET, (await res.json()) as never) as unknown as {
    Ds_Operations: { Ds_State: string; Ds_Response: string }[];
  };
}

describe("fault switches", () => {
  it("decline (per order): the test card is denied; other orders are not affected", async () => {
    await setFaults("redsys", { decline: true }, "1111DECLINE1");
    const declined = await payRedsysByCard(sandbox, `${receiver.url}/redsys`, { order: "1111DECLINE1" });
    const normal = await payRedsysByCard(sandbox, `${receiver.url}/redsys`);
    expect(declined.location).toContain("/ko?");
    expect(normal.location).toContain("/ok?");
    await waitFor(() => at("/redsys").length === 2, { what: "two notifications" });
    const byOrder = Object.fromEntries(redsysNotifications().map((n) => [n.Ds_Order, n.Ds_Response]));
    expect(byOrder).toEqual({ "1111DECLINE1": "0190", [normal.order]: "0000" });
  });

  it("decline (global) for Stripe and PayPal; a per-order false overrides the global switch", async () => {
    await setFaults("stripe", { decline: true });
    await setFaults("stripe", { decline: false }, "allowed");
    const declined = await stripeSession("blocked");
    const allowed = await stripeSession("allowed");
    expect((await stripePay(declined)).status).toBe(402);
    expect((await stripePay(allowed)).status).toBe(303);
    expect((await stripe.checkout.sessions.retrieve(declined.id)).payment_status).toBe("unpaid");
    expect((await stripe.checkout.sessions.retrieve(allowed.id)).payment_status).toBe("paid");
  });

  it("cancel: the buyer is sent to URLKO / cancel_url", async () => {
    await setFaults("redsys", { cancel: true });
    const paid = await payRedsysByCard(sandbox, `${receiver.url}/redsys`);
    expect(paid.location).toContain("/ko?");
    await waitFor(() => at("/redsys").length === 1, { what: "notification" });
    expect(redsysNotifications()[0]?.Ds_Response).toBe("9915");
    await setFaults("stripe", { cancel: true });
    const res = await stripePay(await stripeSession("c1"));
    expect(res.headers.get("location")).toBe("http://127.0.0.1:9/cancel");
  });

  it("expire: Redsys sends nothing and the query shows it expired; Stripe emits checkout.session.expired", async () => {
    await setFaults("redsys", { expire: true });
    const { order, location } = await payRedsysByCard(sandbox, `${receiver.url}/redsys`);
    expect(location).toBe("http://127.0.0.1:9/ko");
    expect((await queryRedsys(order)).Ds_Operations).toEqual([expect.objectContaining({ Ds_State: "X", Ds_Response: "" })]);
    await setFaults("stripe", { expire: true });
    const session = await stripeSession("e1");
    expect((await stripePay(session)).status).toBe(410);
    await waitFor(() => stripeEvents().find((e) => e.type === "checkout.session.expired"), { what: "expired event" });
    await quietPeriod(200);
    expect(at("/redsys")).toHaveLength(0);
  });

  it("async: Stripe completes unpaid then succeeds; PayPal capture is PENDING then DENIED", async () => {
    await setFaults("stripe", { async: "succeed", asyncDelaySeconds: 0.2 });
    const session = await stripeSession("a1");
    expect((await stripePay(session)).status).toBe(303);
    await waitFor(() => stripeEvents().find((e) => e.type === "checkout.session.async_payment_succeeded"), { what: "async success" });
    // The completion came first and said unpaid (the snapshot in the event, not a timing guess).
    const completed = stripeEvents().find((e) => e.type === "checkout.session.completed");
    expect((completed?.data.object as Stripe.Checkout.Session | undefined)?.payment_status).toBe("unpaid");
    expect((await stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe("paid");

    await setFaults("paypal", { async: "fail", asyncDelaySeconds: 0.2 });
    const token = await paypalToken();
    const order = await paypalApi<{ id: string }>(token, "/v2/checkout/orders", {
      intent: "CAPTURE",
      purchase_units: [{ amount: { currency_code: "EUR", value: "10.00" } }],
    });
    await fetch(`${sandbox.urls.paypal}/checkoutnow/${order.id}`, { method: "POST", body: new URLSearchParams({ choice: "approve" }), redirect: "manual" });
    const captured = await paypalApi<{ purchase_units: { payments: { captures: { status: string }[] } }[] }>(
      token,
      `/v2/checkout/orders/${order.id}/capture`,
      {},
    );
    expect(captured.purchase_units[0]?.payments.captures[0]?.status).toBe("PENDING");
    await waitFor(() => at("/paypal").some((r) => r.rawBody.includes("PAYMENT.CAPTURE.DENIED")), { what: "denied webhook" });
  });

  it("deliver late by N seconds", async () => {
    await setFaults("redsys", { lateSeconds: 1 });
    const started = Date.now();
    await payRedsysByCard(sandbox, `${receiver.url}/redsys`);
    await quietPeriod(300);
    expect(at("/redsys")).toHaveLength(0);
    const first = await waitFor(() => at("/redsys")[0], { what: "late notification" });
    expect(first.at - started).toBeGreaterThanOrEqual(1000);
  });

  it("deliver twice: the same notification arrives two times, both valid", async () => {
    await setFaults("redsys", { twice: true });
    const { order } = await payRedsysByCard(sandbox, `${receiver.url}/redsys`);
    await waitFor(() => at("/redsys").length === 2, { what: "two copies" });
    expect(redsysNotifications().map((n) => n.Ds_Order)).toEqual([order, order]);
  });

  it("deliver out of order: the events of a payment arrive reversed", async () => {
    await setFaults("stripe", { outOfOrder: true });
    expect((await stripePay(await stripeSession("o1"))).status).toBe(303);
    await waitFor(() => at("/stripe").length === 3, { what: "three events" });
    expect(stripeEvents().map((e) => e.type)).toEqual(["checkout.session.completed", "payment_intent.succeeded", "charge.succeeded"]);
  });

  it("never deliver: nothing is sent; the control API resend delivers it, correctly signed", async () => {
    await setFaults("redsys", { neverDeliver: true });
    const { order } = await payRedsysByCard(sandbox, `${receiver.url}/redsys`);
    const deliveries = (await (await fetch(`${sandbox.urls.control}/deliveries?provider=redsys&ref=${order}`)).json()) as {
      data: { id: string; state: string }[];
    };
    expect(deliveries.data.map((d) => d.state)).toEqual(["dropped"]);
    await quietPeriod(300);
    expect(at("/redsys")).toHaveLength(0);
    const resent = await control(`/deliveries/${deliveries.data[0]?.id ?? ""}/resend`);
    expect(resent.status).toBe(200);
    await waitFor(() => at("/redsys").length === 1, { what: "resent notification" });
    expect(redsysNotifications()[0]?.Ds_Order).toBe(order);
  });

  it("bad signature: Redsys, Stripe and PayPal verifiers all reject what arrives", async () => {
    await setFaults("redsys", { badSignature: true });
    await setFaults("stripe", { badSignature: true });
    await setFaults("paypal", { badSignature: true });
    await payRedsysByCard(sandbox, `${receiver.url}/redsys`);
    await stripePay(await stripeSession("b1"));
    const token = await paypalToken();
    const order = await paypalApi<{ id: string }>(token, "/v2/checkout/orders", {
      intent: "CAPTURE",
      purchase_units: [{ amount: { currency_code: "EUR", value: "10.00" } }],
    });
    await fetch(`${sandbox.urls.paypal}/checkoutnow/${order.id}`, { method: "POST", body: new URLSearchParams({ choice: "approve" }), redirect: "manual" });
    await waitFor(() => at("/redsys").length === 1 && at("/stripe").length === 3 && at("/paypal").length === 1, { what: "all deliveries" });
    expect(() => redsysNotifications()).toThrow(/Invalid signature/);
    expect(() => stripeEvents()).toThrow(Stripe.errors.StripeSignatureVerificationError);
    const paypal = at("/paypal")[0];
    expect(paypal && (await verifyPaypalWebhookOffline(paypal.headers, paypal.rawBody, PAYPAL_WEBHOOK_ID))).toBe(false);
  });

  it("a failed webhook is retried for PayPal/Stripe, never for Redsys", async () => {
    receiver.failNext = 1;
    await payRedsysByCard(sandbox, `${receiver.url}/redsys`);
    await waitFor(() => at("/redsys").length === 1, { what: "redsys attempt" });
    receiver.failNext = 1;
    const token = await paypalToken();
    const order = await paypalApi<{ id: string }>(token, "/v2/checkout/orders", {
      intent: "CAPTURE",
      purchase_units: [{ amount: { currency_code: "EUR", value: "10.00" } }],
    });
    await fetch(`${sandbox.urls.paypal}/checkoutnow/${order.id}`, { method: "POST", body: new URLSearchParams({ choice: "approve" }), redirect: "manual" });
    await waitFor(() => at("/paypal").length === 2, { what: "paypal attempt and retry" });
    const state = (await (await fetch(`${sandbox.urls.control}/state`)).json()) as {
      deliveries: { provider: string; state: string; attempts: { status: number; retry: boolean }[] }[];
    };
    const paypal = state.deliveries.find((d) => d.provider === "paypal");
    expect(paypal?.state).toBe("sent");
    expect(paypal?.attempts.map((a) => [a.status, a.retry])).toEqual([
      [500, false],
      [200, true],
    ]);
    await quietPeriod(400);
    expect(at("/redsys")).toHaveLength(1);
  });

  it("rejects unknown faults and providers", async () => {
    expect((await control("/faults/redsys", { explode: true })).status).toBe(400);
    expect((await control("/faults/redsys", { lateSeconds: "soon" })).status).toBe(400);
    expect((await control("/faults/adyen", {})).status).toBe(404);
  });
});

async function paypalToken(): Promise<string> {
  const res = await fetch(`${sandbox.urls.paypal}/v1/oauth2/token`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from("id:secret").toString("base64")}` },
    body: new URLSearchParams({ grant_type: "client_credentials" }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function paypalApi<T>(token: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${sandbox.urls.paypal}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await res.json()) as T;
}
