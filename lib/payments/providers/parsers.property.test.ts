// Property-based checks of the webhook parsers with random and mutated deliveries: a parser
// either refuses a delivery with WebhookRejected (4xx, nothing stored) or, when the signature
// still holds, reads exactly what was signed. It never throws anything else (a 5xx).
import fc from "fast-check";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { encodeParameters, signForNotification } from "@/sandbox/redsys/signature";
import { sandboxCredentials } from "@/scripts/sandbox-env";
import { WebhookRejected, type PaymentProvider } from "./provider";
import { createRedsysProvider } from "./redsys";
import { createStripeProvider } from "./stripe";

const redsys = createRedsysProvider({
  merchantCode: sandboxCredentials.redsysMerchantCode,
  terminal: sandboxCredentials.redsysTerminal,
  secretKey: sandboxCredentials.redsysSecretKey,
  baseUrl: "http://127.0.0.1:9/redsys",
  mode: "sandbox",
});
const stripeProvider = createStripeProvider({
  secretKey: sandboxCredentials.stripeSecretKey,
  webhookSecret: sandboxCredentials.stripeWebhookSecret,
  apiBase: "http://127.0.0.1:9",
  mode: "sandbox",
});
const stripe = new Stripe(sandboxCredentials.stripeSecretKey);

/** What the parser made of a delivery: its events' ids and outcomes, or the rejection's status. */
async function outcome(provider: PaymentProvider, rawBody: string, headers: Record<string, string> = {}) {
  try {
    const events = await provider.parseWebhook({ rawBody, headers: new Headers(headers) });
    return { accepted: events.map((e) => ({ eventId: e.eventId, outcome: e.outcome })) };
  } catch (error) {
    if (error instanceof WebhookRejected) {
      expect([400, 401]).toContain(error.status);
      return { rejected: error.status };
    }
    throw error;
  }
}

/** One character of text replaced, inserted or removed (header values can only carry printable ASCII). */
const mutation = (text: string, unit: "binary" | "grapheme-ascii" = "binary") =>
  fc
    .record({
      at: fc.nat({ max: Math.max(0, text.length - 1) }),
      kind: fc.constantFrom("replace", "insert", "delete"),
      char: fc.string({ minLength: 1, maxLength: 1, unit }),
    })
    .map(({ at, kind, char }) => {
      if (kind === "insert") return text.slice(0, at) + char + text.slice(at);
      if (kind === "delete") return text.slice(0, at) + text.slice(at + 1);
      return text.slice(0, at) + char + text.slice(at + 1);
    });

const order = "2611ABC12345";
const redsysParams = {
  Ds_Date: "27/11/2026",
  Ds_Hour: "12:00",
  Ds_Amount: "10000",
  Ds_Currency: "978",
  Ds_Order: order,
  Ds_MerchantCode: sandboxCredentials.redsysMerchantCode,
  Ds_Terminal: "001",
  Ds_Response: "0000",
  Ds_TransactionType: "0",
  Ds_SecurePayment: "1",
  Ds_AuthorisationCode: "123456",
};
function redsysBody(params: Record<string, unknown>, secret: string = sandboxCredentials.redsysSecretKey, signOrder: string = order) {
  const merchantParameters = encodeParameters(params);
  return new URLSearchParams({
    Ds_SignatureVersion: "HMAC_SHA256_V1",
    Ds_MerchantParameters: merchantParameters,
    Ds_Signature: signForNotification(secret, signOrder, merchantParameters),
  }).toString();
}

describe("the Redsys parser", () => {
  it("reads the signed notification (the baseline the mutations start from)", async () => {
    const result = await outcome(redsys, redsysBody(redsysParams));
    expect(result.accepted).toHaveLength(1);
  });

  it("refuses or reads unchanged any one-character mutation of a signed notification", async () => {
    const valid = redsysBody(redsysParams);
    const original = await outcome(redsys, valid);
    await fc.assert(
      fc.asyncProperty(mutation(valid), async (body) => {
        const result = await outcome(redsys, body);
        // A mutation that survives verification can only be one that does not change what was signed.
        if (result.accepted) expect(result).toEqual(original);
      }),
      { numRuns: 1500 },
    );
  });

  it("refuses any parameters signed with another key, or for another order's key", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ Ds_Amount: fc.integer({ min: 1, max: 10_000_000 }).map(String), Ds_Response: fc.constantFrom("0000", "0099", "0190", "9915") }),
        // Another merchant's key: 24 random bytes, as Redsys keys are.
        fc.oneof(
          fc.uint8Array({ minLength: 24, maxLength: 24 }).map((bytes) => Buffer.from(bytes).toString("base64")),
          fc.constant(""),
        ),
        async (overrides, wrongKey) => {
          const params = { ...redsysParams, ...overrides };
          if (wrongKey && wrongKey !== sandboxCredentials.redsysSecretKey) expect((await outcome(redsys, redsysBody(params, wrongKey))).rejected).toBe(401);
          expect((await outcome(redsys, redsysBody(params, sandboxCredentials.redsysSecretKey, "9999XYZ00000"))).rejected).toBe(401);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses random bodies and random form fields", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300, unit: "binary" }),
          fc
            .dictionary(fc.constantFrom("Ds_SignatureVersion", "Ds_MerchantParameters", "Ds_Signature", "x"), fc.string({ maxLength: 120 }))
            .map((d) => new URLSearchParams(d).toString()),
          fc.jsonValue().map((v) =>
            new URLSearchParams({
              Ds_SignatureVersion: "HMAC_SHA256_V1",
              Ds_MerchantParameters: Buffer.from(JSON.stringify(v)).toString("base64"),
              Ds_Signature: "AAAA",
            }).toString(),
          ),
        ),
        async (body) => {
          expect((await outcome(redsys, body)).rejected).toBeDefined();
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe("the Stripe parser", () => {
  const payload = JSON.stringify({
    id: "evt_test_property0001",
    object: "event",
    type: "checkout.session.completed",
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: "cs_test_property0001",
        object: "checkout.session",
        payment_status: "paid",
        status: "complete",
        amount_total: 10000,
        currency: "eur",
        payment_intent: "pi_property0001",
      },
    },
  });
  const header = (body: string, secret: string = sandboxCredentials.stripeWebhookSecret, timestamp?: number) =>
    stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });

  it("reads the signed event (the baseline)", async () => {
    expect((await outcome(stripeProvider, payload, { "stripe-signature": header(payload) })).accepted).toHaveLength(1);
  });

  it("refuses any one-character mutation of a signed body, and of its signature header", async () => {
    const signature = header(payload);
    await fc.assert(
      fc.asyncProperty(mutation(payload), mutation(signature, "grapheme-ascii"), fc.boolean(), async (body, mutatedHeader, mutateBody) => {
        const result = mutateBody
          ? await outcome(stripeProvider, body, { "stripe-signature": signature })
          : await outcome(stripeProvider, payload, { "stripe-signature": mutatedHeader });
        // A header mutation can leave a valid v1 signature in place (e.g. in an ignored scheme); then nothing changed.
        if (result.accepted) expect(mutateBody ? body : payload).toBe(payload);
      }),
      { numRuns: 1500 },
    );
  });

  it("refuses events signed with another secret or too long ago, and random bodies", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 10, maxLength: 40 }),
        fc.integer({ min: 301, max: 10 * 365 * 86_400 }),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        async (otherSecret, ageSeconds, randomBody) => {
          expect((await outcome(stripeProvider, payload, { "stripe-signature": header(payload, `whsec_${otherSecret}`) })).rejected).toBe(401);
          expect(
            (await outcome(stripeProvider, payload, { "stripe-signature": header(payload, undefined, Math.floor(Date.now() / 1000) - ageSeconds) })).rejected,
          ).toBe(401);
          expect((await outcome(stripeProvider, randomBody, { "stripe-signature": header(payload) })).rejected).toBe(401);
          expect((await outcome(stripeProvider, randomBody)).rejected).toBe(400);
        },
      ),
      { numRuns: 300 },
    );
  });
});
