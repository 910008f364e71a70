// PayPal end to end with the real server SDK (create, approve, capture, refund, replay, errors),
// webhooks verified offline against the sandbox certificate and through the verify API, and the
// stand-in JS SDK loaded by @paypal/paypal-js in Chromium completing an approval in a popup.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Browser } from "@playwright/test";
import { CheckoutPaymentIntent, Client, CustomError, Environment, OrdersController, PaymentsController, type Order } from "@paypal/paypal-server-sdk";
import { startSandbox, type Sandbox } from "../server";
import { launchBrowser } from "../test-support/browser";
import { startHtmlServer, type HtmlServer } from "../test-support/html-server";
import { verifyPaypalWebhookOffline } from "../test-support/paypal-verify";
import { startReceiver, type Receiver } from "../test-support/receiver";
import { waitFor } from "../test-support/wait-for";

const WEBHOOK_ID = "WH-TEST-123";

let sandbox: Sandbox;
let receiver: Receiver;
let browser: Browser;
let merchant: HtmlServer;
let orders: OrdersController;
let payments: PaymentsController;

function paypalClient(baseURL: string): Client {
  return new Client({
    clientCredentialsAuthCredentials: { oAuthClientId: "sandbox-client", oAuthClientSecret: "sandbox-secret" },
    environment: Environment.Sandbox,
    timeout: 10_000,
    unstable_httpClientOptions: { baseURL, allowAbsoluteUrls: false },
  });
}

async function createOrder(customId: string, requestId?: string): Promise<Order> {
  const { result } = await orders.createOrder({
    body: {
      intent: CheckoutPaymentIntent.Capture,
      purchaseUnits: [{ amount: { currencyCode: "EUR", value: "90.00" }, customId, invoiceId: `inv-${customId}` }],
      paymentSource: { paypal: { experienceContext: { returnUrl: `${receiver.url}/paypal/return`, cancelUrl: `${receiver.url}/paypal/cancel` } } },
    },
    paypalRequestId: requestId,
  });
  return result;
}

/** The buyer's choice on the approval page, without a browser (redirect mode). */
async function approve(orderId: string, choice = "approve"): Promise<string> {
  const res = await fetch(`${sandbox.urls.paypal}/checkoutnow/${orderId}`, { method: "POST", body: new URLSearchParams({ choice }), redirect: "manual" });
  return res.headers.get("location") ?? "";
}

function webhooks(): Receiver["received"] {
  return receiver.received.filter((r) => r.path === "/api/webhooks/paypal");
}

function webhookTypes(): string[] {
  return webhooks().map((r) => (JSON.parse(r.rawBody) as { event_type: string }).event_type);
}

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ port: 0, log: () => {}, env: {}, paypal: { webhookUrl: `${receiver.url}/api/webhooks/paypal`, webhookId: WEBHOOK_ID } });
  const client = paypalClient(sandbox.urls.paypal);
  orders = new OrdersController(client);
  payments = new PaymentsController(client);
  browser = await launchBrowser();
  const require = createRequire(import.meta.url);
  // The package exports no path to its browser build: find it next to the resolved entry.
  const entry = require.resolve("@paypal/paypal-js");
  const paypalJs = readFileSync(join(entry.slice(0, entry.lastIndexOf("/dist/") + 6), "iife/paypal-js.min.js"), "utf8");
  // The React fixture is bundled here (esbuild, as hoisted by drizzle-kit) so the page runs the
  // real @paypal/react-paypal-js against the stand-in SDK.
  const bundled = await build({
    entryPoints: [join(dirname(fileURLToPath(import.meta.url)), "fixtures/react-buttons.tsx")],
    bundle: true,
    write: false,
    format: "iife",
    jsx: "automatic",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  const reactJs = bundled.outputFiles[0]?.text ?? "";
  merchant = await startHtmlServer({
    "/react.js": { body: reactJs, type: "application/javascript" },
    "/react-checkout": {
      body: `<!doctype html><title>react checkout</title><div id="root"></div>
<script>window.sandboxConfig = ${JSON.stringify({ sdkBaseUrl: sandbox.urls.paypalSdk, createOrderUrl: "/create-order" })};</script>
<script src="/react.js"></script>`,
    },
    "/paypal-js.js": { body: paypalJs, type: "application/javascript" },
    "/create-order": { body: async () => JSON.stringify({ id: (await createOrder("buttons")).id }), type: "application/json" },
    "/checkout": {
      body: `<!doctype html><title>checkout</title><div id="buttons"></div><p id="status">loading</p>
<script src="/paypal-js.js"></script>
<script>
  window.events = [];
  window.paypalLoadScript({ clientId: "sandbox-client", currency: "EUR", sdkBaseUrl: ${JSON.stringify(sandbox.urls.paypalSdk)} })
    .then(function (paypal) {
      return paypal.Buttons({
        createOrder: function () { return fetch("/create-order").then(function (r) { return r.json(); }).then(function (d) { return d.id; }); },
        onApprove: function (data) { window.events.push({ type: "approve", orderID: data.orderID, payerID: data.payerID }); },
        onCancel: function (data) { window.events.push({ type: "cancel", orderID: data.orderID }); },
        onError: function (err) { window.events.push({ type: "error", message: String(err && err.message) }); }
      }).render("#buttons");
    })
    .then(function () { document.getElementById("status").textContent = "ready"; },
          function (err) { document.getElementById("status").textContent = "failed: " + err.message; });
</script>`,
    },
  });
});

afterAll(async () => {
  await browser?.close();
  await merchant?.close();
  await receiver?.close();
  await sandbox?.close();
});

beforeEach(() => {
  sandbox.reset();
  receiver.clear();
});

describe("paypal orders with the server SDK", () => {
  it("creates, refuses capture before approval, captures after approval, refunds", async () => {
    const order = await createOrder("attempt-1");
    expect(order.status).toBe("PAYER_ACTION_REQUIRED");
    const approveLink = order.links?.find((l) => l.rel === "payer-action")?.href ?? "";
    expect(approveLink).toContain(`/paypal/checkoutnow?token=${order.id}`);

    const early = await orders.captureOrder({ id: order.id ?? "" }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(CustomError);
    expect((early as CustomError).statusCode).toBe(422);
    expect((early as CustomError).result?.details?.[0]?.issue).toBe("ORDER_NOT_APPROVED");

    const back = new URL(await approve(order.id ?? ""));
    expect(back.pathname).toBe("/paypal/return");
    expect(back.searchParams.get("token")).toBe(order.id);
    expect(back.searchParams.get("PayerID")).toMatch(/^[A-Z0-9]{13}$/);

    const { result: captured } = await orders.captureOrder({ id: order.id ?? "", paypalRequestId: "cap-1" });
    expect(captured.status).toBe("COMPLETED");
    const capture = captured.purchaseUnits?.[0]?.payments?.captures?.[0];
    expect(capture?.status).toBe("COMPLETED");
    expect(capture?.customId).toBe("attempt-1");
    // Replayed PayPal-Request-Id: the same answer, not ORDER_ALREADY_CAPTURED.
    const { result: replayed } = await orders.captureOrder({ id: order.id ?? "", paypalRequestId: "cap-1" });
    expect(replayed.purchaseUnits?.[0]?.payments?.captures?.[0]?.id).toBe(capture?.id);
    const again = await orders.captureOrder({ id: order.id ?? "" }).catch((e: unknown) => e);
    expect((again as CustomError).result?.details?.[0]?.issue).toBe("ORDER_ALREADY_CAPTURED");

    const { result: refund } = await payments.refundCapturedPayment({
      captureId: capture?.id ?? "",
      body: { amount: { currencyCode: "EUR", value: "40.00" } },
    });
    expect(refund.status).toBe("COMPLETED");
    const over = await payments
      .refundCapturedPayment({ captureId: capture?.id ?? "", body: { amount: { currencyCode: "EUR", value: "60.00" } } })
      .catch((e: unknown) => e);
    expect((over as CustomError).result?.details?.[0]?.issue).toBe("REFUND_AMOUNT_EXCEEDED");

    await waitFor(() => webhookTypes().length >= 3, { what: "paypal webhooks" });
    expect(webhookTypes()).toEqual(["CHECKOUT.ORDER.APPROVED", "PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.REFUNDED"]);
  });

  it("replays create with the same PayPal-Request-Id", async () => {
    const a = await createOrder("same", "req-1");
    const b = await createOrder("same", "req-1");
    const c = await createOrder("same", "req-2");
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
  });

  it("signs webhooks so they verify offline against the served certificate and via the API", async () => {
    const order = await createOrder("verify-me");
    await approve(order.id ?? "");
    await orders.captureOrder({ id: order.id ?? "" });
    const completed = await waitFor(() => webhooks().find((r) => r.rawBody.includes("PAYMENT.CAPTURE.COMPLETED")), { what: "capture webhook" });
    expect(await verifyPaypalWebhookOffline(completed.headers, completed.rawBody, WEBHOOK_ID)).toBe(true);
    expect(await verifyPaypalWebhookOffline(completed.headers, completed.rawBody.replace("90.00", "9.00"), WEBHOOK_ID)).toBe(false);
    expect(await verifyPaypalWebhookOffline(completed.headers, completed.rawBody, "WH-OTHER")).toBe(false);

    const token = await fetch(`${sandbox.urls.paypal}/v1/oauth2/token`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from("id:secret").toString("base64")}` },
      body: new URLSearchParams({ grant_type: "client_credentials" }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const verifyApi = async (rawBody: string): Promise<string> => {
      const res = await fetch(`${sandbox.urls.paypal}/v1/notifications/verify-webhook-signature`, {
        method: "POST",
        headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
        body: JSON.stringify({
          auth_algo: completed.headers["paypal-auth-algo"],
          cert_url: completed.headers["paypal-cert-url"],
          transmission_id: completed.headers["paypal-transmission-id"],
          transmission_sig: completed.headers["paypal-transmission-sig"],
          transmission_time: completed.headers["paypal-transmission-time"],
          webhook_id: WEBHOOK_ID,
          webhook_event: JSON.parse(rawBody) as unknown,
        }),
      });
      return ((await res.json()) as { verification_status: string }).verification_status;
    };
    expect(await verifyApi(completed.rawBody)).toBe("SUCCESS");
    expect(await verifyApi(completed.rawBody.replace("90.00", "9.00"))).toBe("FAILURE");
  });

  it("captures PENDING then completes, and DECLINED, as the buyer chose", async () => {
    const pending = await createOrder("pending");
    await approve(pending.id ?? "", "approve_pending");
    const { result: p } = await orders.captureOrder({ id: pending.id ?? "" });
    expect(p.purchaseUnits?.[0]?.payments?.captures?.[0]?.status).toBe("PENDING");
    const declined = await createOrder("declined");
    await approve(declined.id ?? "", "approve_decline");
    const { result: d } = await orders.captureOrder({ id: declined.id ?? "" });
    expect(d.purchaseUnits?.[0]?.payments?.captures?.[0]?.status).toBe("DECLINED");
    await waitFor(() => webhookTypes().filter((t) => t.startsWith("PAYMENT.CAPTURE.")).length >= 3, { what: "capture webhooks" });
    const captureEvents = webhookTypes().filter((t) => t.startsWith("PAYMENT.CAPTURE."));
    expect([...captureEvents].sort()).toEqual(["PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED", "PAYMENT.CAPTURE.PENDING"]);
    expect(captureEvents.indexOf("PAYMENT.CAPTURE.PENDING")).toBeLessThan(captureEvents.indexOf("PAYMENT.CAPTURE.COMPLETED"));
    const { result: later } = await payments.getCapturedPayment({ captureId: p.purchaseUnits?.[0]?.payments?.captures?.[0]?.id ?? "" });
    expect(later.status).toBe("COMPLETED");
  });

  it("refuses a bad client secret and a missing token, PayPal-style", async () => {
    const bad = await fetch(`${sandbox.urls.paypal}/v1/oauth2/token`, { method: "POST", body: new URLSearchParams({ grant_type: "client_credentials" }) });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: "invalid_client" });
    const noToken = await fetch(`${sandbox.urls.paypal}/v2/checkout/orders/NOPE`);
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ name: "AUTHENTICATION_FAILURE" });
    const missing = await orders.getOrder({ id: "NOPE" }).catch((e: unknown) => e);
    expect((missing as CustomError).statusCode).toBe(404);
  });
});

describe("paypal buttons (stand-in JS SDK) in Chromium", () => {
  it("loads through paypal-js loadScript with sdkBaseUrl and completes an approval in a popup", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${merchant.url}/checkout`);
      await page.waitForFunction(() => document.getElementById("status")?.textContent === "ready", undefined, { timeout: 10_000 });
      const [popup] = await Promise.all([page.waitForEvent("popup"), page.click(".paypal-sandbox-button")]);
      await popup.waitForURL(/\/paypal\/checkoutnow\?popup=1/);
      await popup.click("#approve");
      const events = await page.waitForFunction(() => {
        const list = (window as unknown as { events: { type: string; orderID: string }[] }).events;
        return list.length > 0 ? list : undefined;
      });
      const [event] = (await events.jsonValue()) ?? [];
      expect(event?.type).toBe("approve");
      const { result } = await orders.captureOrder({ id: event?.orderID ?? "" });
      expect(result.status).toBe("COMPLETED");
    } finally {
      await page.close();
    }
  });

  it("works under @paypal/react-paypal-js (PayPalScriptProvider sdkBaseUrl + PayPalButtons)", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${merchant.url}/react-checkout`);
      const button = page.locator(".paypal-sandbox-button");
      await button.waitFor({ timeout: 10_000 });
      const [popup] = await Promise.all([page.waitForEvent("popup"), button.click()]);
      await popup.waitForURL(/\/paypal\/checkoutnow\?popup=1/);
      await popup.click("#approve");
      const events = await page.waitForFunction(() => {
        const list = (window as unknown as { events: { type: string; orderID: string }[] }).events;
        return list.length > 0 ? list : undefined;
      });
      const [event] = (await events.jsonValue()) ?? [];
      expect(event?.type).toBe("approve");
      const { result } = await orders.getOrder({ id: event?.orderID ?? "" });
      expect(result.status).toBe("APPROVED");
    } finally {
      await page.close();
    }
  });

  it("calls onCancel when the buyer cancels in the popup", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${merchant.url}/checkout`);
      await page.waitForFunction(() => document.getElementById("status")?.textContent === "ready", undefined, { timeout: 10_000 });
      const [popup] = await Promise.all([page.waitForEvent("popup"), page.click(".paypal-sandbox-button")]);
      await popup.waitForURL(/\/paypal\/checkoutnow\?popup=1/);
      await popup.click("#cancel");
      const events = await page.waitForFunction(() => {
        const list = (window as unknown as { events: { type: string }[] }).events;
        return list.length > 0 ? list.map((e) => e.type) : undefined;
      });
      expect(await events.jsonValue()).toEqual(["cancel"]);
    } finally {
      await page.close();
    }
  });
});
