// A provider API that answers too late, on a real PostgreSQL against the sandbox over HTTP (its
// slowApiSeconds fault does the work at once and answers after the client's timeout):
// - checkout: the attempt fails as provider_unavailable, the receipt stays payable, and the
//   next try pays it, once;
// - refund: nothing counts as refunded while the answer is missing, and asking again with the
//   same key settles it with the one refund the provider made.
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { allSandboxAppEnv, sandboxCredentials } from "@/scripts/sandbox-env";
import { createTestDatabase } from "@/scripts/testing/postgres";
import { startSandbox, type Sandbox } from "@/sandbox/server";

const APP_URL = "http://127.0.0.1:9";

let sandbox: Sandbox;
let stripe: Stripe;
let database: Database;
let studentId: string;
let checkout: typeof import("./checkout");
let refunds: typeof import("./refunds");
let refresh: typeof import("./refresh");
let issue: typeof import("@/lib/receipts/issue");

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, env: {}, log: () => {}, webhookRetryDelaysMs: [], stripe: { webhookUrl: `${APP_URL}/api/webhooks/stripe` } });
  const url = await createTestDatabase(process.env.TEST_DATABASE_URL!, "academy_test_provider_timeouts");
  // env() is parsed once per module graph: set it before the first module that reads it loads.
  Object.assign(process.env, allSandboxAppEnv(sandbox.port), {
    APP_URL,
    DATABASE_URL: url,
    DATABASE_DRIVER: "pg",
    SMTP_URL: "",
    PROVIDER_TIMEOUT_SECONDS: "0.4",
  });
  checkout = await import("./checkout");
  refunds = await import("./refunds");
  refresh = await import("./refresh");
  issue = await import("@/lib/receipts/issue");
  database = await (await import("@/db/client")).database();
  await database.migrate();
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Tomás", lastName: "Lento", email: "tomas@correo.test" })
    .returning({ id: t.students.id });
  studentId = student!.id;
  stripe = new Stripe(sandboxCredentials.stripeSecretKey, { host: "127.0.0.1", port: sandbox.port, protocol: "http" });
});
afterAll(async () => {
  await database?.close();
  await sandbox?.close();
});

async function slowStripe(seconds: number) {
  const response = await fetch(`${sandbox.urls.control}/faults/stripe`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(seconds ? { slowApiSeconds: seconds } : {}),
  });
  expect(response.status).toBe(200);
}

async function pendingReceipt(amount: number) {
  return database.db.transaction((tx) =>
    issue.issueReceipt(
      tx,
      {
        studentId,
        kind: "other",
        concept: "Libro",
        amount,
        currency: "EUR",
        dueDate: "2026-12-20",
        payer: { name: "Tomás Lento", email: "tomas@correo.test" },
      },
      "api",
    ),
  );
}

const start = (receiptId: string) =>
  checkout.startCheckout(database.db, { receiptId, method: "stripe", ui: "redirect", locale: "es", source: "payer", appUrl: APP_URL });

/** Pays the receipt by card on the sandbox's Checkout page, then has the app ask Stripe (no webhooks reach this test). */
async function payWithStripe(receiptId: string) {
  const started = await start(receiptId);
  if (started.action.type !== "redirect") throw new Error("expected a redirect to Checkout");
  const page = await fetch(started.action.url, { method: "POST", body: new URLSearchParams({ outcome: "pay" }), redirect: "manual" });
  expect(page.status).toBeLessThan(400);
  await refresh.refreshAttempt(database.db, started.attemptId, "return_page");
  return started.attemptId;
}

async function receiptRow(id: string) {
  const [row] = await database.db
    .select({ status: t.receipts.status, refundedAmount: t.receipts.refundedAmount })
    .from(t.receipts)
    .where(eq(t.receipts.id, id));
  return row!;
}

describe("a provider API that answers after the timeout", () => {
  it("fails the checkout attempt, keeps the receipt payable, and lets the next try pay it once", async () => {
    const receipt = await pendingReceipt(3300);
    await slowStripe(2);
    await expect(start(receipt.id)).rejects.toMatchObject({ code: "provider_unavailable" });
    await slowStripe(0);

    const attempts = await database.db
      .select({ id: t.paymentAttempts.id, status: t.paymentAttempts.status, failureCode: t.paymentAttempts.failureCode })
      .from(t.paymentAttempts)
      .where(eq(t.paymentAttempts.receiptId, receipt.id));
    expect(attempts).toEqual([{ id: attempts[0]!.id, status: "failed", failureCode: "provider_unavailable" }]);
    expect((await receiptRow(receipt.id)).status).toBe("pending");
    // The SDK tried three times with one idempotency key: Stripe made one session, not three.
    const sessions = (await stripe.checkout.sessions.list({ limit: 100 })).data.filter((s) => s.client_reference_id === attempts[0]!.id);
    expect(sessions).toHaveLength(1);

    await payWithStripe(receipt.id);
    expect((await receiptRow(receipt.id)).status).toBe("paid");
    const after = await database.db
      .select({ status: t.paymentAttempts.status })
      .from(t.paymentAttempts)
      .where(eq(t.paymentAttempts.receiptId, receipt.id))
      .orderBy(t.paymentAttempts.createdAt);
    expect(after.map((a) => a.status)).toEqual(["failed", "succeeded"]);
  }, 60_000);

  it("counts nothing as refunded without an answer, and the same request again settles the one refund Stripe made", async () => {
    const receipt = await pendingReceipt(5000);
    const attemptId = await payWithStripe(receipt.id);
    const [attempt] = await database.db
      .select({ paymentRef: t.paymentAttempts.providerPaymentRef })
      .from(t.paymentAttempts)
      .where(eq(t.paymentAttempts.id, attemptId));
    const request = { receiptId: receipt.id, amount: 1200, source: "staff" as const, idempotencyKey: `timeout-${receipt.id}` };

    await slowStripe(2);
    await expect(refunds.requestRefund(database.db, request)).rejects.toMatchObject({ code: "provider_unavailable" });
    await slowStripe(0);
    const [pending] = await database.db
      .select({ status: t.refunds.status, providerRef: t.refunds.providerRef })
      .from(t.refunds)
      .where(eq(t.refunds.receiptId, receipt.id));
    expect(pending).toEqual({ status: "pending", providerRef: null });
    expect(await receiptRow(receipt.id)).toEqual({ status: "paid", refundedAmount: 0 });
    // Stripe did the work once, whatever the retries.
    expect((await stripe.refunds.list({ payment_intent: attempt!.paymentRef! })).data).toHaveLength(1);

    expect(await refunds.requestRefund(database.db, request)).toMatchObject({ status: "succeeded", amount: 1200 });
    expect(await receiptRow(receipt.id)).toEqual({ status: "partially_refunded", refundedAmount: 1200 });
    expect((await stripe.refunds.list({ payment_intent: attempt!.paymentRef! })).data).toHaveLength(1);
    const rows = await database.db.select({ status: t.refunds.status }).from(t.refunds).where(eq(t.refunds.receiptId, receipt.id));
    expect(rows).toEqual([{ status: "succeeded" }]);
    // A third call is a plain replay.
    expect(await refunds.requestRefund(database.db, request)).toMatchObject({ status: "succeeded" });
    expect((await stripe.refunds.list({ payment_intent: attempt!.paymentRef! })).data).toHaveLength(1);
  }, 60_000);
});
