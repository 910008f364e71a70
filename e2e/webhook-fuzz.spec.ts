// 10,000 generated bad webhook deliveries across the three providers, over HTTP against the
// production build: forged, tampered, stale, re-signed with other keys, random bodies and
// headers. Each must get a 4xx; none may store an event or move money; the server keeps serving.
// fast-check generates them from a fixed seed, so a failure names a reproducible delivery.
import { expect, test } from "@playwright/test";
import fc from "fast-check";
import Stripe from "stripe";
import { encodeParameters, signForNotification } from "../sandbox/redsys/signature";
import { sandboxCredentials } from "../scripts/sandbox-env";
import { receiptState } from "./support/api";
import { rows } from "./support/db";
import {
  apps,
  paypalCapture,
  paypalDelivery,
  redsysNotification,
  redsysParams,
  startedAttempt,
  stripeEvent,
  stripeSession,
  type Delivery,
} from "./support/deliveries";

const stripe = new Stripe(sandboxCredentials.stripeSecretKey);
const seed = 20261127;

/** One character of text replaced, inserted or removed, guaranteed to differ from the original. */
function mutated(text: string, unit: "binary" | "grapheme-ascii" = "binary"): fc.Arbitrary<string> {
  return fc
    .record({
      at: fc.nat({ max: text.length - 1 }),
      kind: fc.constantFrom("replace", "insert", "delete"),
      char: fc.string({ minLength: 1, maxLength: 1, unit }),
    })
    .map(({ at, kind, char }) =>
      kind === "insert"
        ? text.slice(0, at) + char + text.slice(at)
        : kind === "delete"
          ? text.slice(0, at) + text.slice(at + 1)
          : text.slice(0, at) + char + text.slice(at + 1),
    )
    .filter((result) => result !== text);
}

const randomKey = fc
  .uint8Array({ minLength: 24, maxLength: 24 })
  .map((bytes) => Buffer.from(bytes).toString("base64"))
  .filter((key) => key !== sandboxCredentials.redsysSecretKey);
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

function redsysBad(order: string): fc.Arbitrary<Delivery> {
  const valid = redsysNotification(redsysParams(order));
  const validForm = new URLSearchParams(valid.body);
  const validParams = validForm.get("Ds_MerchantParameters")!;
  const headers = { "content-type": "application/x-www-form-urlencoded" };
  const amountOrResponse = fc.record({
    Ds_Amount: fc.integer({ min: 1, max: 10_000_000 }).map(String),
    Ds_Response: fc.constantFrom("0000", "0099", "0184", "9915"),
  });
  return fc.oneof(
    // Signed with another merchant's key.
    fc.tuple(amountOrResponse, randomKey).map(([o, key]) => redsysNotification(redsysParams(order, o), { secret: key })),
    // Signed with our key but for another order.
    amountOrResponse.map((o) => redsysNotification(redsysParams(order, o), { signOrder: "9999ZZZZ0000" })),
    // Our signature over the parameters, parameters changed afterwards.
    fc
      .tuple(amountOrResponse, fc.constantFrom("Ds_Amount", "Ds_Response", "Ds_Order", "Ds_Currency"))
      .filter(([o, field]) => field !== "Ds_Amount" || o.Ds_Amount !== "10000")
      .map(([o, field]) => {
        const changed = {
          ...redsysParams(order),
          [field]: field === "Ds_Order" ? "2611ZZZZ9999" : field === "Ds_Currency" ? "840" : o[field as "Ds_Amount" | "Ds_Response"],
        };
        return {
          ...valid,
          body: form({ Ds_SignatureVersion: "HMAC_SHA256_V1", Ds_MerchantParameters: encodeParameters(changed), Ds_Signature: validForm.get("Ds_Signature")! }),
        };
      })
      .filter((d) => d.body !== valid.body),
    // The base64 parameters mutated by one character under the original signature.
    mutated(validParams, "grapheme-ascii").map((params) => ({
      ...valid,
      body: form({ Ds_SignatureVersion: "HMAC_SHA256_V1", Ds_MerchantParameters: params, Ds_Signature: validForm.get("Ds_Signature")! }),
    })),
    // A random signature.
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((sig) => ({
      ...valid,
      body: form({ Ds_SignatureVersion: "HMAC_SHA256_V1", Ds_MerchantParameters: validParams, Ds_Signature: Buffer.from(sig).toString("base64url") }),
    })),
    // Anything at all as the body, or as the form's fields, or JSON that is not a notification.
    fc.string({ maxLength: 400, unit: "binary" }).map((body) => ({ path: "redsys", headers, body })),
    fc
      .dictionary(fc.constantFrom("Ds_SignatureVersion", "Ds_MerchantParameters", "Ds_Signature", "Ds_Order"), fc.string({ maxLength: 100 }))
      .map((d) => ({ path: "redsys", headers, body: form(d) })),
    fc.tuple(fc.jsonValue({ maxDepth: 3 }), randomKey).map(([value, key]) => {
      const params = Buffer.from(JSON.stringify(value)).toString("base64");
      return {
        path: "redsys",
        headers,
        body: form({ Ds_SignatureVersion: "HMAC_SHA256_V1", Ds_MerchantParameters: params, Ds_Signature: signForNotification(key, order, params) }),
      };
    }),
  );
}

function stripeBad(sessionId: string): fc.Arbitrary<Delivery> {
  const payload = stripeEvent("checkout.session.completed", stripeSession(sessionId));
  const sign = (body: string, secret: string = sandboxCredentials.stripeWebhookSecret, timestamp?: number) =>
    stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
  const delivery = (body: string, header?: string): Delivery => ({
    path: "stripe",
    headers: { "content-type": "application/json", ...(header === undefined ? {} : { "stripe-signature": header }) },
    body,
  });
  const now = Math.floor(Date.now() / 1000);
  return fc.oneof(
    mutated(payload).map((body) => delivery(body, sign(payload))),
    fc.string({ minLength: 8, maxLength: 40 }).map((secret) => delivery(payload, sign(payload, `whsec_${secret}`))),
    fc.integer({ min: 301, max: 5 * 365 * 86_400 }).map((age) => delivery(payload, sign(payload, undefined, now - age))),
    // The header's signature or timestamp changed (not just dressed differently: "t=123x" still reads as 123).
    fc.tuple(fc.nat({ max: 63 }), fc.constantFrom(..."0123456789abcdef")).map(([at, digit]) => {
      const [t, v1] = sign(payload).split(",v1=") as [string, string];
      const changed = v1.slice(0, at) + (v1[at] === digit ? (digit === "0" ? "1" : "0") : digit) + v1.slice(at + 1);
      return delivery(payload, `${t},v1=${changed}`);
    }),
    fc
      .integer({ min: -300, max: 300 })
      .filter((shift) => shift !== 0)
      .map((shift) => {
        const [, v1] = sign(payload, undefined, now).split(",v1=");
        return delivery(payload, `t=${now + shift},v1=${v1}`);
      }),
    fc.jsonValue({ maxDepth: 3 }).map((value) => delivery(JSON.stringify(value), sign(payload))),
    fc.string({ maxLength: 400, unit: "binary" }).map((body) => delivery(body)),
    fc.string({ maxLength: 120, unit: "grapheme-ascii" }).map((header) => delivery(payload, header)),
  );
}

function paypalBad(signed: Delivery): fc.Arbitrary<Delivery> {
  const header = (name: string) => signed.headers[name]!;
  return fc.oneof(
    // The signed headers over another body.
    mutated(signed.body).map((body) => ({ ...signed, body })),
    fc.jsonValue({ maxDepth: 3 }).map((value) => ({ ...signed, body: JSON.stringify(value) })),
    // One signed header changed: the transmission id or time, or one character of the signature
    // (another base64 character, away from the end whose spare bits a decoder ignores).
    fc
      .constantFrom("paypal-transmission-id", "paypal-transmission-time")
      .chain((name) => mutated(header(name), "grapheme-ascii").map((value) => ({ ...signed, headers: { ...signed.headers, [name]: value } }))),
    fc
      .tuple(
        fc.nat({ max: header("paypal-transmission-sig").length - 5 }),
        fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
      )
      .map(([at, char]) => {
        const sig = header("paypal-transmission-sig");
        const changed = sig.slice(0, at) + (sig[at] === char ? (char === "A" ? "B" : "A") : char) + sig.slice(at + 1);
        return { ...signed, headers: { ...signed.headers, "paypal-transmission-sig": changed } };
      }),
    // The certificate from somewhere else.
    fc.webUrl().map((url) => ({ ...signed, headers: { ...signed.headers, "paypal-cert-url": url } })),
    // No signature at all.
    fc.string({ maxLength: 400, unit: "binary" }).map((body) => ({ path: "paypal", headers: { "content-type": "application/json" }, body })),
  );
}

async function sendAll(deliveries: Delivery[], concurrency: number): Promise<{ status: number; delivery: Delivery }[]> {
  const results: { status: number; delivery: Delivery }[] = [];
  let next = 0;
  const worker = async (app: string) => {
    while (next < deliveries.length) {
      const delivery = deliveries[next++]!;
      const response = await fetch(`${app}/api/webhooks/${delivery.path}`, { method: "POST", body: delivery.body, headers: delivery.headers });
      await response.arrayBuffer();
      results.push({ status: response.status, delivery });
    }
  };
  // Half the workers on each of the two app processes.
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(apps[i % apps.length]!)));
  return results;
}

test("10,000 generated bad deliveries: all refused with a 4xx, nothing stored, nothing paid", async () => {
  test.setTimeout(300_000);
  const targets = { redsys: await startedAttempt("redsys"), stripe: await startedAttempt("stripe"), paypal: await startedAttempt("paypal") };
  const paypalSigned = await paypalDelivery(paypalCapture(targets.paypal.ref));
  const paidReceipts = async () => (await rows<{ paid: number }>("select count(*)::int as paid from receipts where paid_at is not null"))[0]!.paid;
  const paidBefore = await paidReceipts();
  const startedAt = new Date();

  const deliveries = [
    ...fc.sample(redsysBad(targets.redsys.ref), { numRuns: 3400, seed }),
    ...fc.sample(stripeBad(targets.stripe.ref), { numRuns: 3400, seed: seed + 1 }),
    ...fc.sample(paypalBad(paypalSigned), { numRuns: 3200, seed: seed + 2 }),
  ];
  expect(deliveries).toHaveLength(10_000);

  const results = await sendAll(deliveries, 16);
  expect(results).toHaveLength(10_000);
  const notRefused = results.filter((r) => r.status < 400 || r.status >= 500);
  // On failure, the first few deliveries that got through or broke the server, to reproduce.
  expect(notRefused.slice(0, 5).map((r) => ({ status: r.status, ...r.delivery }))).toEqual([]);

  for (const target of Object.values(targets)) {
    const state = await receiptState(target.receiptId);
    expect(state.status).toBe("pending");
    expect(state.webhookEvents).toBe(0);
  }
  const stored = await rows<{ n: number }>(
    "select count(*)::int as n from provider_events e join payment_attempts a on a.id = e.attempt_id where a.provider_ref = any($1)",
    [Object.values(targets).map((t) => t.ref)],
  );
  expect(stored[0]!.n).toBe(0);
  const webhookEvents = await rows<{ n: number }>("select count(*)::int as n from audit_events where source = 'webhook' and occurred_at >= $1", [startedAt]);
  expect(webhookEvents[0]!.n).toBe(0);
  expect(await paidReceipts()).toBe(paidBefore);
  // Both processes still answer.
  for (const app of apps) expect((await fetch(`${app}/api/health`)).status).toBe(200);
});
