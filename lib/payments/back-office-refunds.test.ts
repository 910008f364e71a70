// Refunds made at the provider, not through us (Stripe's Dashboard, PayPal's and the bank's
// Redsys back office), and a refund Stripe first answers as pending: on a real PostgreSQL, with
// the sandbox sending its signed webhooks over HTTP to the app's own webhook handler. Each shows
// on the receipt once.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { allSandboxAppEnv, sandboxCredentials } from "@/scripts/sandbox-env";
import { createTestDatabase } from "@/scripts/testing/postgres";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { quietPeriod, waitFor } from "@/sandbox/test-support/wait-for";
import { payAtRedsysSandbox } from "@/scripts/testing/redsys-payer";

let sandbox: Sandbox;
let app: Server;
let stripe: Stripe;
let database: Database;
let studentId: string;
let checkout: typeof import("./checkout");
let refresh: typeof import("./refresh");
let refunds: typeof import("./refunds");
let providers: typeof import("./providers");
let issue: typeof import("@/lib/receipts/issue");

beforeAll(async () => {
  // The app's webhook route, as Next serves it: the raw request goes to handleWebhook.
  let handle: (provider: "stripe" | "paypal" | "redsys", request: Request) => Promise<Response> = async () => new Response(null, { status: 503 });
  app = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const provider = (req.url ?? "").split("/").pop() as "stripe" | "paypal" | "redsys";
      const headers = new Headers(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as [string, string]] : [])));
      const response = await handle(provider, new Request(`http://app${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) }));
      res.writeHead(response.status, { "content-type": "application/json" }).end(await response.text());
    });
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  sandbox = await startSandbox({
    port: 0,
    env: {},
    log: () => {},
    webhookRetryDelaysMs: [],
    stripe: { webhookUrl: `${appUrl}/api/webhooks/stripe`, webhookSecret: sandboxCredentials.stripeWebhookSecret },
    paypal: { webhookUrl: `${appUrl}/api/webhooks/paypal`, webhookId: sandboxCredentials.paypalWebhookId },
  });
  const url = await createTestDatabase(process.env.TEST_DATABASE_URL!, "academy_test_back_office_refunds");
  Object.assign(process.env, allSandboxAppEnv(sandbox.port), { APP_URL: appUrl, DATABASE_URL: url, DATABASE_DRIVER: "pg", SMTP_URL: "" });
  checkout = await import("./checkout");
  refresh = await import("./refresh");
  refunds = await import("./refunds");
  providers = await import("./providers");
  issue = await import("@/lib/receipts/issue");
  handle = (await import("./webhooks")).handleWebhook;
  database = await (await import("@/db/client")).database();
  await database.migrate();
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Nuria", lastName: "Devuelta", email: "nuria@correo.test" })
    .returning({ id: t.students.id });
  studentId = student!.id;
  stripe = new Stripe(sandboxCredentials.stripeSecretKey, { host: "127.0.0.1", port: sandbox.port, protocol: "http" });
});
afterAll(async () => {
  await sandbox?.close();
  await new Promise((resolve) => app?.close(resolve));
  await database?.close();
});

async function stripeFaults(faults: Record<string, unknown>) {
  const response = await fetch(`${sandbox.urls.control}/faults/stripe`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(faults),
  });
  expect(response.status).toBe(200);
}

async function paidReceipt(method: "stripe" | "paypal" | "redsys", amount: number) {
  const receipt = await database.db.transaction((tx) =>
    issue.issueReceipt(
      tx,
      {
        studentId,
        kind: "other",
        concept: "Curso intensivo",
        amount,
        currency: "EUR",
        dueDate: "2026-12-20",
        payer: { name: "Nuria Devuelta", email: "nuria@correo.test" },
      },
      "api",
    ),
  );
  const started = await checkout.startCheckout(database.db, {
    receiptId: receipt.id,
    method,
    ui: "redirect",
    locale: "es",
    source: "payer",
    appUrl: process.env.APP_URL!,
  });
  if (method === "redsys") {
    await payAtRedsysSandbox(started.action);
  } else {
    if (started.action.type !== "redirect") throw new Error("expected a redirect");
    const page =
      method === "stripe"
        ? await fetch(started.action.url, { method: "POST", body: new URLSearchParams({ outcome: "pay" }), redirect: "manual" })
        : await fetch(`${sandbox.urls.paypal}/checkoutnow/${started.providerRef}`, {
            method: "POST",
            body: new URLSearchParams({ choice: "approve" }),
            redirect: "manual",
          });
    expect(page.status).toBeLessThan(400);
  }
  await refresh.refreshAttempt(database.db, started.attemptId, "return_page");
  await waitFor(async () => (await receiptOf(receipt.id)).status === "paid", { what: "the receipt paid" });
  const [attempt] = await database.db.select().from(t.paymentAttempts).where(eq(t.paymentAttempts.id, started.attemptId));
  return { receiptId: receipt.id, attempt: attempt! };
}

async function receiptOf(id: string) {
  const [row] = await database.db
    .select({ status: t.receipts.status, refundedAmount: t.receipts.refundedAmount })
    .from(t.receipts)
    .where(eq(t.receipts.id, id));
  return row!;
}
const refundRows = (receiptId: string) =>
  database.db
    .select({ status: t.refunds.status, amount: t.refunds.amount, providerRef: t.refunds.providerRef })
    .from(t.refunds)
    .where(eq(t.refunds.receiptId, receiptId))
    .orderBy(t.refunds.createdAt);

describe("refunds made at the provider reach the books once", () => {
  it("a refund made in Stripe's Dashboard shows on the receipt once, with an item for staff", async () => {
    const { receiptId, attempt } = await paidReceipt("stripe", 6000);
    await stripe.refunds.create({ payment_intent: attempt.providerPaymentRef!, amount: 1500 });
    await waitFor(async () => (await receiptOf(receiptId)).refundedAmount === 1500, { what: "the refund on the receipt" });
    // refund.created and charge.refunded both name it: still one refund.
    await quietPeriod(300);
    expect(await receiptOf(receiptId)).toEqual({ status: "partially_refunded", refundedAmount: 1500 });
    expect((await refundRows(receiptId)).map((r) => [r.status, r.amount])).toEqual([["succeeded", 1500]]);
    const items = await database.db.select({ kind: t.attentionItems.kind }).from(t.attentionItems).where(eq(t.attentionItems.receiptId, receiptId));
    expect(items).toEqual([{ kind: "refund_at_provider" }]);
  });

  it("a Dashboard refund that Stripe answers pending is booked when Stripe says it succeeded, and not before", async () => {
    const { receiptId, attempt } = await paidReceipt("stripe", 4000);
    await stripeFaults({ refundPending: "succeed", asyncDelaySeconds: 1 });
    try {
      const made = await stripe.refunds.create({ payment_intent: attempt.providerPaymentRef!, amount: 4000 });
      expect(made.status).toBe("pending");
      await quietPeriod(400);
      expect(await receiptOf(receiptId)).toEqual({ status: "paid", refundedAmount: 0 });
      await waitFor(async () => (await receiptOf(receiptId)).status === "refunded", { what: "the refund succeeded" });
      expect((await refundRows(receiptId)).map((r) => [r.status, r.amount, r.providerRef])).toEqual([["succeeded", 4000, made.id]]);
    } finally {
      await stripeFaults({});
    }
  });

  it("a refund staff ask for that Stripe answers pending settles from Stripe's word: succeeded, or failed with the money kept", async () => {
    const ok = await paidReceipt("stripe", 3000);
    const failing = await paidReceipt("stripe", 3000);
    await stripeFaults({ refundPending: "succeed", asyncDelaySeconds: 1 });
    try {
      expect(
        await refunds.requestRefund(database.db, { receiptId: ok.receiptId, amount: 1000, source: "staff", idempotencyKey: `pending-${ok.receiptId}` }),
      ).toMatchObject({ status: "pending" });
      expect(await receiptOf(ok.receiptId)).toEqual({ status: "paid", refundedAmount: 0 });
      await waitFor(async () => (await receiptOf(ok.receiptId)).refundedAmount === 1000, { what: "the pending refund settled" });
      expect((await refundRows(ok.receiptId)).map((r) => r.status)).toEqual(["succeeded"]);

      await stripeFaults({ refundPending: "fail", asyncDelaySeconds: 1 });
      expect(
        await refunds.requestRefund(database.db, {
          receiptId: failing.receiptId,
          amount: 1000,
          source: "staff",
          idempotencyKey: `pending-${failing.receiptId}`,
        }),
      ).toMatchObject({ status: "pending" });
      await waitFor(async () => (await refundRows(failing.receiptId))[0]?.status === "failed", { what: "the pending refund failed" });
      expect(await receiptOf(failing.receiptId)).toEqual({ status: "paid", refundedAmount: 0 });
    } finally {
      await stripeFaults({});
    }
  });

  it("refunds made in the bank's Redsys back office show on the receipt once each, one without an authorisation code included", async () => {
    const { receiptId, attempt } = await paidReceipt("redsys", 6000);
    const backOffice = (body: Record<string, unknown>) =>
      fetch(`${sandbox.url}/_control/redsys/backoffice/refund`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ order: attempt.providerRef, ...body }),
      });
    expect((await backOffice({ amount: 1000 })).status).toBe(200);
    await waitFor(async () => (await receiptOf(receiptId)).refundedAmount === 1000, { what: "the first back-office refund" });
    // Without an authorisation code: named by its date, time and amount.
    expect((await backOffice({ amount: 500, withoutAuthorisation: true })).status).toBe(200);
    await waitFor(async () => (await receiptOf(receiptId)).refundedAmount === 1500, { what: "the second back-office refund" });
    await quietPeriod(300);
    expect(await receiptOf(receiptId)).toEqual({ status: "partially_refunded", refundedAmount: 1500 });
    expect((await refundRows(receiptId)).map((r) => [r.status, r.amount])).toEqual([
      ["succeeded", 1000],
      ["succeeded", 500],
    ]);
  });

  it("a refund made in PayPal's back office shows on the receipt once", async () => {
    const { receiptId, attempt } = await paidReceipt("paypal", 5000);
    // The provider's own refund API, as the back office uses it: nothing of ours is involved.
    const made = await providers.paymentProvider("paypal").refund({
      attempt: {
        id: attempt.id,
        method: attempt.method,
        providerRef: attempt.providerRef,
        providerPaymentRef: attempt.providerPaymentRef,
        amount: attempt.amount,
        currency: attempt.currency,
        createdAt: attempt.createdAt,
      },
      amount: 5000,
      currency: "EUR",
      idempotencyKey: `back-office-${attempt.id}`,
    });
    expect(made.status).toBe("succeeded");
    await waitFor(async () => (await receiptOf(receiptId)).status === "refunded", { what: "the PayPal refund on the receipt" });
    expect((await refundRows(receiptId)).map((r) => [r.status, r.amount])).toEqual([["succeeded", 5000]]);
  });
});
