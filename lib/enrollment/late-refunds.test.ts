// A payment arriving after its enrollment was cancelled, with the seat taken meanwhile, is
// returned through the provider (the real sandbox over HTTP), on a real PostgreSQL.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { allSandboxAppEnv } from "@/scripts/sandbox-env";
import { createTestDatabase } from "@/scripts/testing/postgres";
import { startSandbox, type Sandbox } from "@/sandbox/server";
import type { EnrollmentRequest } from "./submit";

const APP_URL = "http://127.0.0.1:9";
let sandbox: Sandbox;
let database: Database;
let modules: {
  submit: typeof import("./submit");
  holds: typeof import("./holds");
  lateRefunds: typeof import("./late-refunds");
  checkout: typeof import("@/lib/payments/checkout");
  refresh: typeof import("@/lib/payments/refresh");
};

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, env: {}, log: () => {}, webhookRetryDelaysMs: [] });
  const url = await createTestDatabase(process.env.TEST_DATABASE_URL!, "academy_test_late_refunds");
  // env() is read once per module graph: set it before loading the modules that read it.
  Object.assign(process.env, allSandboxAppEnv(sandbox.port), { APP_URL, DATABASE_URL: url, DATABASE_DRIVER: "pg", SMTP_URL: "" });
  modules = {
    submit: await import("./submit"),
    holds: await import("./holds"),
    lateRefunds: await import("./late-refunds"),
    checkout: await import("@/lib/payments/checkout"),
    refresh: await import("@/lib/payments/refresh"),
  };
  database = await (await import("@/db/client")).database();
  await database.migrate();
  // Notifications are lost: the payment reaches us later, through reconciliation.
  await fetch(`${sandbox.urls.control}/faults/redsys`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ neverDeliver: true }),
  });
});
afterAll(async () => {
  await database?.close();
  await sandbox?.close();
});

let n = 60_000_000;
function request(courseId: string): EnrollmentRequest {
  const dni = n++;
  return {
    submissionKey: randomUUID(),
    courseId,
    student: {
      firstName: "Noa",
      lastName: `Vidal ${dni}`,
      documentType: "dni",
      documentNumber: `${dni}${"TRWAGMYFPDXBNJZSQVHLCKE"[dni % 23]}`,
      email: `noa${dni}@correo.test`,
      phone: "+34612345678",
      birthDate: "1991-01-01",
      postcode: "46003",
      city: "Valencia",
    },
    consents: { dataProtection: true, terms: true, imageRights: false },
    method: "redsys",
    locale: "es",
    joinWaitlist: false,
  };
}

describe("a late payment with no seat left", () => {
  it("is refunded through the provider once, the payer is told and the flag is closed", async () => {
    const [course] = await database.db
      .insert(t.courses)
      .values({
        code: "LATE-1",
        name: "Inglés C1",
        startDate: "2026-09-01",
        endDate: "2027-06-30",
        capacity: 1,
        enrollmentFee: 4000,
        monthlyFee: 6500,
        status: "open",
      })
      .returning({ id: t.courses.id });
    const held = await modules.submit.submitEnrollment(database.db, request(course!.id), { now: new Date(Date.now() - 2 * 3600_000) });
    if (held.kind !== "held") throw new Error("not held");
    const started = await modules.checkout.startCheckout(database.db, {
      receiptId: held.receiptId,
      method: "redsys",
      locale: "es",
      source: "payer",
      appUrl: APP_URL,
    });
    if (started.action.type !== "form") throw new Error("expected a Redsys form");

    // The hold runs out and someone else takes the only seat…
    await modules.holds.expireHolds(database.db);
    expect((await modules.submit.submitEnrollment(database.db, request(course!.id))).kind).toBe("held");

    // …then the first family pays at the bank anyway.
    const start = await fetch(started.action.url, { method: "POST", body: new URLSearchParams(started.action.fields), redirect: "manual" });
    const pay = await fetch(`${start.headers.get("location")}/card`, {
      method: "POST",
      body: new URLSearchParams({ pan: "4548810000000003", expiry: "12/39", cvv: "123", action: "pay" }),
      redirect: "manual",
    });
    expect(pay.status).toBe(303);
    await modules.refresh.refreshAttempt(database.db, started.attemptId, "reconciliation");

    const [receipt] = await database.db.select({ status: t.receipts.status }).from(t.receipts).where(eq(t.receipts.id, held.receiptId));
    expect(receipt!.status).toBe("cancelled");
    const scheduled = await database.db.select().from(t.refunds).where(eq(t.refunds.receiptId, held.receiptId));
    expect(scheduled.map((r) => [r.status, r.amount, r.reason])).toEqual([["pending", 10500, "late_payment_no_seat"]]);

    expect(await modules.lateRefunds.refundLatePayments(database.db)).toEqual({ refunded: 1, failed: 0 });
    expect(await modules.lateRefunds.refundLatePayments(database.db)).toEqual({ refunded: 0, failed: 0 });

    const [refund] = await database.db.select().from(t.refunds).where(eq(t.refunds.receiptId, held.receiptId));
    expect(refund).toMatchObject({ status: "succeeded", amount: 10500 });
    expect(refund!.providerRef).toMatch(new RegExp(`^${started.providerRef}/`));
    const state = (await (await fetch(`${sandbox.urls.control}/state`)).json()) as { orders: { provider: string; id: string; status: string }[] };
    expect(state.orders.find((o) => o.id === started.providerRef)?.status).toMatch(/refunded 105\.00/);
    const items = await database.db
      .select({ kind: t.attentionItems.kind, resolvedAt: t.attentionItems.resolvedAt })
      .from(t.attentionItems)
      .where(eq(t.attentionItems.receiptId, held.receiptId));
    expect(items).toHaveLength(1);
    expect(items[0]!.kind).toBe("late_payment");
    expect(items[0]!.resolvedAt).toBeInstanceOf(Date);
    const mails = await database.db.select({ template: t.messages.template }).from(t.messages).where(eq(t.messages.receiptId, held.receiptId));
    expect(mails.map((m) => m.template)).toContain("late_payment_refunded");
    const [after] = await database.db.select({ status: t.receipts.status }).from(t.receipts).where(eq(t.receipts.id, held.receiptId));
    expect(after!.status).toBe("cancelled");
  });
});
