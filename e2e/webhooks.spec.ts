// Webhook routes over HTTP against the production build: a table of bad deliveries across the
// three providers (none pays anything, each gets its status, the server keeps serving), the
// same good delivery 20 times at once, and two app processes on one PostgreSQL.
import { expect, test } from "@playwright/test";
import { encodeParameters } from "../sandbox/redsys/signature";
import { receiptState } from "./support/api";
import { rows } from "./support/db";
import {
  apps,
  deliver,
  paypalCapture,
  paypalDelivery,
  redsysNotification,
  redsysParams,
  startedAttempt,
  stripeDelivery,
  stripeEvent,
  stripeSession,
  type Delivery,
} from "./support/deliveries";

test("bad deliveries pay nothing, each gets its status, and the server keeps serving", async () => {
  const redsys = await startedAttempt("redsys");
  const stripeAttempt = await startedAttempt("stripe");
  const paypal = await startedAttempt("paypal");
  const hour = 3600;
  const now = Math.floor(Date.now() / 1000);

  const cases: [string, () => Promise<Delivery> | Delivery, number][] = [
    // Redsys
    ["redsys: no fields", () => ({ path: "redsys", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" }), 400],
    ["redsys: garbage body", () => ({ path: "redsys", headers: { "content-type": "text/plain" }, body: "%%%not=a&form" }), 400],
    ["redsys: forged signature", () => redsysNotification(redsysParams(redsys.ref), { secret: Buffer.alloc(24, 7).toString("base64") }), 401],
    ["redsys: signed for another order", () => redsysNotification(redsysParams(redsys.ref), { signOrder: "9999ZZZZ0000" }), 401],
    [
      "redsys: tampered amount after signing",
      () => {
        const good = redsysNotification(redsysParams(redsys.ref));
        const form = new URLSearchParams(good.body);
        form.set("Ds_MerchantParameters", encodeParameters(redsysParams(redsys.ref, { Ds_Amount: "1" })));
        return { ...good, body: form.toString() };
      },
      401,
    ],
    ["redsys: unknown signature version", () => redsysNotification(redsysParams(redsys.ref), { version: "HMAC_SHA512_V2" }), 400],
    ["redsys: parameters not JSON", () => redsysNotification(redsysParams(redsys.ref), { rawParams: Buffer.from("not json").toString("base64") }), 400],
    ["redsys: parameters without an order", () => redsysNotification({ ...redsysParams(redsys.ref), Ds_Order: "" }, { signOrder: "" }), 401],
    ["redsys: another merchant", () => redsysNotification(redsysParams(redsys.ref, { Ds_MerchantCode: "123456789" })), 401],
    ["redsys: another terminal", () => redsysNotification(redsysParams(redsys.ref, { Ds_Terminal: "002" })), 401],
    ["redsys: unknown order", () => redsysNotification(redsysParams("1234UNKNOWN0")), 200],
    ["redsys: wrong amount", () => redsysNotification(redsysParams(redsys.ref, { Ds_Amount: "9999" })), 200],
    ["redsys: wrong currency", () => redsysNotification(redsysParams(redsys.ref, { Ds_Currency: "840", Ds_AuthorisationCode: "654321" })), 200],
    ["redsys: denied", () => redsysNotification(redsysParams(redsys.ref, { Ds_Response: "0190", Ds_AuthorisationCode: "" })), 200],
    // Stripe
    [
      "stripe: no signature",
      () => ({
        path: "stripe",
        headers: { "content-type": "application/json" },
        body: stripeEvent("checkout.session.completed", stripeSession(stripeAttempt.ref)),
      }),
      400,
    ],
    [
      "stripe: forged secret",
      () => stripeDelivery(stripeEvent("checkout.session.completed", stripeSession(stripeAttempt.ref)), { secret: "whsec_forged0000000000" }),
      401,
    ],
    [
      "stripe: tampered body",
      () =>
        stripeDelivery(stripeEvent("checkout.session.completed", stripeSession(stripeAttempt.ref, 100)), {
          tamper: (p) => p.replace('"amount_total":100', '"amount_total":10000'),
        }),
      401,
    ],
    [
      "stripe: re-serialised JSON",
      () =>
        stripeDelivery(stripeEvent("checkout.session.completed", stripeSession(stripeAttempt.ref)), { tamper: (p) => JSON.stringify(JSON.parse(p), null, 2) }),
      401,
    ],
    [
      "stripe: stale timestamp",
      () => stripeDelivery(stripeEvent("checkout.session.completed", stripeSession(stripeAttempt.ref)), { timestamp: now - hour }),
      401,
    ],
    [
      "stripe: malformed header",
      () => stripeDelivery(stripeEvent("checkout.session.completed", stripeSession(stripeAttempt.ref)), { header: "t=abc,v1=" }),
      400,
    ],
    ["stripe: signed but not JSON", () => stripeDelivery("this is not json"), 400],
    ["stripe: unknown session", () => stripeDelivery(stripeEvent("checkout.session.completed", stripeSession("cs_test_unknown_session_0001"))), 200],
    ["stripe: wrong amount", () => stripeDelivery(stripeEvent("checkout.session.completed", stripeSession(stripeAttempt.ref, 9999))), 200],
    ["stripe: wrong currency", () => stripeDelivery(stripeEvent("checkout.session.completed", stripeSession(stripeAttempt.ref, 10000, "usd"))), 200],
    [
      "stripe: unpaid completion",
      () => stripeDelivery(stripeEvent("checkout.session.completed", { ...stripeSession(stripeAttempt.ref), payment_status: "unpaid" })),
      200,
    ],
    ["stripe: event type we ignore", () => stripeDelivery(stripeEvent("customer.created", { id: "cus_1", object: "customer" })), 200],
    // PayPal
    ["paypal: no transmission headers", () => ({ path: "paypal", headers: { "content-type": "application/json" }, body: paypalCapture(paypal.ref) }), 400],
    ["paypal: tampered body", () => paypalDelivery(paypalCapture(paypal.ref, "1.00"), { sendBody: paypalCapture(paypal.ref) }), 401],
    ["paypal: signed for another webhook", () => paypalDelivery(paypalCapture(paypal.ref), { webhookId: "WH-SOMEONE-ELSE" }), 401],
    [
      "paypal: certificate from a foreign host",
      () => paypalDelivery(paypalCapture(paypal.ref), { headers: { "paypal-cert-url": "https://evil.example/cert.pem" } }),
      401,
    ],
    [
      "paypal: certificate from another local port",
      () => paypalDelivery(paypalCapture(paypal.ref), { headers: { "paypal-cert-url": "http://127.0.0.1:9/cert.pem" } }),
      401,
    ],
    [
      "paypal: certificate address with a query string (each new one would be fetched and kept)",
      async () => {
        const signed = await paypalDelivery(paypalCapture(paypal.ref));
        return { ...signed, headers: { ...signed.headers, "paypal-cert-url": `${signed.headers["paypal-cert-url"]}?copy=2` } };
      },
      400,
    ],
    ["paypal: wrong algorithm", () => paypalDelivery(paypalCapture(paypal.ref), { headers: { "paypal-auth-algo": "SHA1withRSA" } }), 400],
    [
      "paypal: stale transmission",
      () => paypalDelivery(paypalCapture(paypal.ref), { transmissionTime: new Date(Date.now() - 5 * 24 * hour * 1000).toISOString() }),
      400,
    ],
    ["paypal: signed but not JSON", () => paypalDelivery("not json at all"), 400],
    ["paypal: no resource", () => paypalDelivery(JSON.stringify({ id: "WH-1", event_type: "PAYMENT.CAPTURE.COMPLETED" })), 400],
    [
      "paypal: capture without order id",
      () =>
        paypalDelivery(
          JSON.stringify({
            id: "WH-2",
            event_type: "PAYMENT.CAPTURE.COMPLETED",
            resource: { id: "C", status: "COMPLETED", amount: { currency_code: "EUR", value: "100.00" } },
          }),
        ),
      400,
    ],
    ["paypal: unknown order", () => paypalDelivery(paypalCapture("ORDER-UNKNOWN")), 200],
    ["paypal: wrong amount", () => paypalDelivery(paypalCapture(paypal.ref, "99.99")), 200],
    ["paypal: inexact amount", () => paypalDelivery(paypalCapture(paypal.ref, "100.001")), 200],
    ["paypal: wrong currency", () => paypalDelivery(paypalCapture(paypal.ref, "100.00", "USD")), 200],
  ];
  expect(cases.length).toBeGreaterThanOrEqual(30);

  const eventsBefore = await rows<{ n: number }>(`select count(*)::int as n from provider_events`);
  const got: [string, number][] = [];
  for (const [name, build, _expected] of cases) got.push([name, await deliver(await build())]);
  expect(got).toEqual(cases.map(([name, , expected]) => [name, expected]));

  for (const receiptId of [redsys.receiptId, stripeAttempt.receiptId, paypal.receiptId]) {
    expect((await receiptState(receiptId)).status).toBe("pending");
  }
  // Rejected deliveries left nothing behind: only the 2xx ones are in the inbox.
  const eventsAfter = await rows<{ n: number }>(`select count(*)::int as n from provider_events`);
  expect(eventsAfter[0]!.n - eventsBefore[0]!.n).toBeLessThanOrEqual(cases.filter(([, , s]) => s === 200).length);
  // The mismatches are in front of staff, with the evidence.
  for (const receiptId of [redsys.receiptId, stripeAttempt.receiptId, paypal.receiptId]) {
    const flagged = await rows<{ kind: string }>(`select kind from attention_items where receipt_id = $1`, [receiptId]);
    expect(flagged).toEqual([{ kind: "amount_mismatch" }]);
  }
  expect((await fetch(`${apps[0]}/`)).status).toBe(200);
});

test("the same notification 20 times at once, across two app processes, pays once", async () => {
  const { receiptId, ref } = await startedAttempt("redsys");
  const notification = redsysNotification(redsysParams(ref));
  const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => deliver(notification, apps[i % 2])));
  expect(statuses).toEqual(Array(20).fill(200));
  expect((await receiptState(receiptId)).status).toBe("paid");
  const [audit] = await rows<{ n: number }>(`select count(*)::int as n from audit_events where receipt_id = $1 and action = 'receipt.paid'`, [receiptId]);
  expect(audit!.n).toBe(1);
  const mails = await rows<{ template: string }>(`select template from messages where receipt_id = $1`, [receiptId]);
  expect(mails).toEqual([{ template: "payment_received" }]);
  const [inbox] = await rows<{ n: number }>(
    `select count(*)::int as n from provider_events e join payment_attempts a on a.id = e.attempt_id where a.receipt_id = $1`,
    [receiptId],
  );
  expect(inbox!.n).toBe(1);
});

test("an oversized delivery is refused before it is read as an event", async () => {
  const body = `Ds_SignatureVersion=HMAC_SHA256_V1&Ds_MerchantParameters=${"A".repeat(300 * 1024)}&Ds_Signature=x`;
  for (const path of ["redsys", "stripe", "paypal"]) {
    expect(await deliver({ path, headers: { "content-type": "application/x-www-form-urlencoded" }, body })).toBe(413);
  }
  expect((await fetch(`${apps[0]}/api/health`)).status).toBe(200);
});
