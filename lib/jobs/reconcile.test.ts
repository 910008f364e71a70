// Reconciliation resolves lost webhooks, on a real PostgreSQL against the real provider sandbox
// over HTTP: a payment whose notification the sandbox drops stays open until the reconcile job
// asks the provider, which marks the receipt paid (source "reconciliation"); a second run changes
// nothing. (The cron route in front of the same job is tested in app/api/cron/[job]/route.test.ts.)
import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { allSandboxAppEnv } from "@/scripts/sandbox-env";
import { createTestDatabase } from "@/scripts/testing/postgres";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import { waitFor } from "@/sandbox/test-support/wait-for";
import { payAtRedsysSandbox } from "@/scripts/testing/redsys-payer";

/** Where the providers would notify us: nothing listens there, and the fault drops them anyway. */
const APP_URL = "http://127.0.0.1:9";

let sandbox: Sandbox;
let database: Database;
let studentId: string;
let jobs: typeof import("./run");
let checkout: typeof import("@/lib/payments/checkout");
let receipts: typeof import("@/lib/receipts/issue");

beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    env: {},
    log: () => {},
    webhookRetryDelaysMs: [],
    stripe: { webhookUrl: `${APP_URL}/api/webhooks/stripe` },
    paypal: { webhookUrl: `${APP_URL}/api/webhooks/paypal` },
  });
  const url = await createTestDatabase(process.env.TEST_DATABASE_URL!, "academy_test_jobs_reconcile");
  // env() is parsed once per module graph: set it before the first module that reads it loads.
  // The process's database is the test database, so the cron route (which opens it) runs here too.
  Object.assign(process.env, allSandboxAppEnv(sandbox.port), {
    APP_URL,
    DATABASE_URL: url,
    DATABASE_DRIVER: "pg",
    SMTP_URL: "",
    RECONCILE_AFTER_SECONDS: "",
  });
  jobs = await import("./run");
  checkout = await import("@/lib/payments/checkout");
  receipts = await import("@/lib/receipts/issue");
  database = await (await import("@/db/client")).database();
  await database.migrate();
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Lucía", lastName: "Martín", email: "lucia@correo.test" })
    .returning({ id: t.students.id });
  studentId = student!.id;

  // Every notification of every provider is lost.
  for (const provider of ["redsys", "stripe", "paypal"]) {
    const response = await fetch(`${sandbox.urls.control}/faults/${provider}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ neverDeliver: true }),
    });
    expect(response.status).toBe(200);
  }
});

afterAll(async () => {
  await database?.close();
  await sandbox?.close();
});

async function newReceipt(amount: number) {
  return database.db.transaction((tx) =>
    receipts.issueReceipt(
      tx,
      {
        studentId,
        kind: "other",
        concept: "Mensualidad",
        amount,
        currency: "EUR",
        dueDate: "2026-12-05",
        payer: { name: "Lucía Martín", email: "lucia@correo.test" },
      },
      "api",
    ),
  );
}

async function receiptStatus(id: string) {
  const [row] = await database.db.select({ status: t.receipts.status, paidMethod: t.receipts.paidMethod }).from(t.receipts).where(eq(t.receipts.id, id));
  return row!;
}

async function attemptRow(id: string) {
  const [row] = await database.db
    .select({ status: t.paymentAttempts.status, finalizedBy: t.paymentAttempts.finalizedBy, providerPaymentRef: t.paymentAttempts.providerPaymentRef })
    .from(t.paymentAttempts)
    .where(eq(t.paymentAttempts.id, id));
  return row!;
}

async function timeline(receiptId: string) {
  const rows = await database.db
    .select({ action: t.auditEvents.action, source: t.auditEvents.source })
    .from(t.auditEvents)
    .where(eq(t.auditEvents.receiptId, receiptId))
    .orderBy(t.auditEvents.id);
  return rows;
}

/** Everything a second reconciliation could change: counts of the rows it would write. */
async function footprint(receiptId: string) {
  const [audit] = await database.db.select({ n: count() }).from(t.auditEvents).where(eq(t.auditEvents.receiptId, receiptId));
  const [events] = await database.db.select({ n: count() }).from(t.providerEvents);
  const [mails] = await database.db.select({ n: count() }).from(t.messages).where(eq(t.messages.receiptId, receiptId));
  const [flags] = await database.db.select({ n: count() }).from(t.attentionItems).where(eq(t.attentionItems.receiptId, receiptId));
  return { audit: audit!.n, events: events!.n, mails: mails!.n, flags: flags!.n, receipt: await receiptStatus(receiptId) };
}

type SandboxDelivery = { ref: string; eventType: string; state: string };

/** The sandbox's notifications about `ref`, once at least one exists (they are recorded as they happen). */
async function deliveriesFor(provider: string, ref: string): Promise<SandboxDelivery[]> {
  return waitFor(
    async () => {
      const response = await fetch(`${sandbox.urls.control}/deliveries?provider=${provider}&ref=${encodeURIComponent(ref)}`);
      const { data } = (await response.json()) as { data: SandboxDelivery[] };
      return data.length > 0 ? data : undefined;
    },
    { what: `${provider} notifications for ${ref}` },
  );
}

/** Reconciles with a threshold of zero (the attempt just happened) and checks what it did. */
async function reconcileAndExpectPaid(receiptId: string, attemptId: string, method: string) {
  const first = await jobs.runJob("reconcile-payments", database.db, { reconcile: { olderThanMs: 0 } });
  expect(first).toMatchObject({ job: "reconcile-payments", complete: true, report: { failed: 0 } });
  expect(first.report).toHaveProperty("checked", 1);

  expect(await receiptStatus(receiptId)).toEqual({ status: "paid", paidMethod: method });
  expect(await attemptRow(attemptId)).toMatchObject({ status: "succeeded", finalizedBy: "reconciliation" });
  const events = await timeline(receiptId);
  expect(events).toContainEqual({ action: "receipt.paid", source: "reconciliation" });
  expect(events.filter((e) => e.action === "receipt.paid")).toHaveLength(1);
  expect(events.some((e) => e.source === "webhook")).toBe(false);

  const before = await footprint(receiptId);
  const second = await jobs.runJob("reconcile-payments", database.db, { reconcile: { olderThanMs: 0 } });
  expect(second).toEqual({ job: "reconcile-payments", complete: true, report: { checked: 0, failed: 0 } });
  expect(await footprint(receiptId)).toEqual(before);
}

/** The threshold holds: with the default (RECONCILE_AFTER_SECONDS, 300 s) a fresh attempt is left alone. */
async function expectUntouchedByLongThreshold(attemptId: string) {
  const report = await jobs.reconcilePayments(database.db);
  expect(report).toEqual({ checked: 0, failed: 0 });
  expect((await attemptRow(attemptId)).status).toBe("redirected");
}

describe("reconcile-payments", () => {
  it("resolves a Redsys card payment whose notification was lost", async () => {
    const { receipt, started } = await payRedsysLosingTheNotification(4500);
    expect((await attemptRow(started.attemptId)).status).toBe("redirected");
    expect((await receiptStatus(receipt.id)).status).toBe("pending");
    await expectUntouchedByLongThreshold(started.attemptId);

    await reconcileAndExpectPaid(receipt.id, started.attemptId, "redsys");
  });

  it("resolves a Stripe Checkout session paid with its webhooks lost", async () => {
    const receipt = await newReceipt(6500);
    const started = await checkout.startCheckout(database.db, { receiptId: receipt.id, method: "stripe", locale: "es", source: "payer", appUrl: APP_URL });
    if (started.action.type !== "redirect") throw new Error(`expected a redirect, got ${started.action.type}`);

    // The hosted checkout page's "pay" button, over plain HTTP.
    const paid = await fetch(started.action.url, { method: "POST", body: new URLSearchParams({ outcome: "pay" }), redirect: "manual" });
    expect(paid.status).toBeGreaterThanOrEqual(300);
    expect(paid.status).toBeLessThan(400);

    const notifications = await deliveriesFor("stripe", started.providerRef);
    expect(notifications.map((d) => d.eventType)).toContain("checkout.session.completed");
    expect(new Set(notifications.map((d) => d.state))).toEqual(new Set(["dropped"]));
    expect((await attemptRow(started.attemptId)).status).toBe("redirected");
    await expectUntouchedByLongThreshold(started.attemptId);

    await reconcileAndExpectPaid(receipt.id, started.attemptId, "stripe");
    expect((await attemptRow(started.attemptId)).providerPaymentRef).toMatch(/^pi_/);
  });

  it("captures a PayPal order the payer approved but nobody captured", async () => {
    const receipt = await newReceipt(3000);
    const started = await checkout.startCheckout(database.db, { receiptId: receipt.id, method: "paypal", locale: "es", source: "payer", appUrl: APP_URL });
    if (started.action.type !== "redirect") throw new Error(`expected a redirect, got ${started.action.type}`);

    // Approve on PayPal's page; the payer never comes back to our return page, so no capture.
    const approved = await fetch(`${sandbox.urls.paypal}/checkoutnow/${started.providerRef}`, {
      method: "POST",
      body: new URLSearchParams({ choice: "approve" }),
      redirect: "manual",
    });
    expect(approved.status).toBe(303);
    expect(approved.headers.get("location")).toContain(`/pay/return/${started.attemptId}`);
    expect(await paypalOrderStatus(started.providerRef)).toBe("APPROVED");
    expect((await attemptRow(started.attemptId)).status).toBe("redirected");
    await expectUntouchedByLongThreshold(started.attemptId);

    await reconcileAndExpectPaid(receipt.id, started.attemptId, "paypal");
    expect(await paypalOrderStatus(started.providerRef)).toMatch(/^COMPLETED \(capture COMPLETED\)$/);
    const captureEvents = await deliveriesFor("paypal", started.providerRef);
    expect(captureEvents.filter((d) => d.eventType === "PAYMENT.CAPTURE.COMPLETED").map((d) => d.state)).toEqual(["dropped"]);
  });
});

async function paypalOrderStatus(orderId: string): Promise<string | undefined> {
  const response = await fetch(`${sandbox.urls.control}/state`);
  const state = (await response.json()) as { orders: { provider: string; id: string; status: string }[] };
  return state.orders.find((o) => o.provider === "paypal" && o.id === orderId)?.status;
}

async function payRedsysLosingTheNotification(amount: number, locale: "es" | "en" = "es") {
  const receipt = await newReceipt(amount);
  const started = await checkout.startCheckout(database.db, { receiptId: receipt.id, method: "redsys", locale, source: "payer", appUrl: APP_URL });
  await payAtRedsysSandbox(started.action);
  expect((await deliveriesFor("redsys", started.providerRef)).map((d) => d.state)).toEqual(["dropped"]);
  return { receipt, started };
}

describe("reconcile-payments, when the provider has no answer yet", () => {
  it("leaves an attempt the provider has no outcome for as it is", async () => {
    const receipt = await newReceipt(1200);
    const started = await checkout.startCheckout(database.db, { receiptId: receipt.id, method: "stripe", locale: "es", source: "payer", appUrl: APP_URL });
    // Open for 10 minutes, past the default threshold (RECONCILE_AFTER_SECONDS, 300 s).
    await database.db
      .update(t.paymentAttempts)
      .set({ updatedAt: sql`now() - interval '10 minutes'` })
      .where(eq(t.paymentAttempts.id, started.attemptId));
    const result = await jobs.runJob("reconcile-payments", database.db);
    expect(result).toEqual({ job: "reconcile-payments", complete: true, report: { checked: 1, failed: 0 } });
    expect((await attemptRow(started.attemptId)).status).toBe("redirected");
    expect((await receiptStatus(receipt.id)).status).toBe("pending");
  });
});
