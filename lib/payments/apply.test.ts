// applyProviderEvent on a real PostgreSQL: idempotency under concurrency, out-of-order
// deliveries, and money that cannot be applied as a normal payment.
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { issueReceipt } from "@/lib/receipts/issue";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { applyProviderEvent } from "@/lib/after-payment";
import type { ProviderEvent, ProviderOutcome } from "./types";

let database: Database;
let studentId: string;
let courseId: string;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_apply");
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Ana", lastName: "Pérez Gil", email: "ana@correo.test" })
    .returning({ id: t.students.id });
  studentId = student!.id;
  const [course] = await database.db
    .insert(t.courses)
    .values({
      code: "APPLY",
      name: "Curso",
      startDate: "2026-09-01",
      endDate: "2027-06-30",
      capacity: 10,
      enrollmentFee: 4000,
      monthlyFee: 6500,
      status: "open",
    })
    .returning({ id: t.courses.id });
  courseId = course!.id;
});
afterAll(() => database.close());

/** A pending receipt (optionally paying an enrollment) with one redirected attempt at a provider. */
async function receiptWithAttempt(options: { amount?: number; enrollment?: boolean } = {}) {
  const amount = options.amount ?? 10500;
  return database.db.transaction(async (tx) => {
    let enrollmentId: string | undefined;
    if (options.enrollment) {
      const [student] = await tx.insert(t.students).values({ firstName: "E", lastName: "Nrol", email: "e@correo.test" }).returning({ id: t.students.id });
      const [enrollment] = await tx
        .insert(t.enrollments)
        .values({ studentId: student!.id, courseId, status: "pending_payment", holdExpiresAt: new Date(Date.now() + 3_600_000) })
        .returning({ id: t.enrollments.id });
      enrollmentId = enrollment!.id;
    }
    const receipt = await issueReceipt(
      tx,
      {
        studentId,
        kind: options.enrollment ? "enrollment" : "other",
        enrollmentId,
        concept: "Matrícula",
        amount,
        currency: "EUR",
        dueDate: "2026-12-05",
        payer: { name: "Ana Pérez", email: "ana@correo.test" },
      },
      "api",
    );
    const attempt = await newAttempt(tx, receipt.id, amount);
    return { receipt, attempt, enrollmentId };
  });
}

async function newAttempt(tx: Parameters<Parameters<Database["db"]["transaction"]>[0]>[0], receiptId: string, amount: number) {
  const ref = `ord-${randomUUID()}`;
  const [attempt] = await tx
    .insert(t.paymentAttempts)
    .values({ receiptId, provider: "stripe", method: "stripe", mode: "sandbox", amount, currency: "EUR", status: "redirected", providerRef: ref })
    .returning({ id: t.paymentAttempts.id, providerRef: t.paymentAttempts.providerRef });
  return { id: attempt!.id, ref };
}

function event(ref: string, outcome: ProviderOutcome, eventId = `evt_${randomUUID()}`, by: "order" | "payment" = "order"): ProviderEvent {
  return {
    provider: "stripe",
    eventId,
    eventType: `test.${outcome.type}`,
    ref: { by, value: ref },
    outcome,
    payload: { outcome },
    rawBody: JSON.stringify(outcome),
  };
}

const paid = (amount: number, currency = "EUR", paymentRef = `pi_${randomUUID()}`): ProviderOutcome => ({ type: "succeeded", amount, currency, paymentRef });

async function receiptRow(id: string) {
  const [row] = await database.db.select().from(t.receipts).where(eq(t.receipts.id, id));
  return row!;
}
async function attemptRow(id: string) {
  const [row] = await database.db.select().from(t.paymentAttempts).where(eq(t.paymentAttempts.id, id));
  return row!;
}
async function auditActions(receiptId: string) {
  const rows = await database.db
    .select({ action: t.auditEvents.action })
    .from(t.auditEvents)
    .where(eq(t.auditEvents.receiptId, receiptId))
    .orderBy(t.auditEvents.id);
  return rows.map((r) => r.action);
}
async function attention(receiptId: string) {
  return database.db
    .select({ kind: t.attentionItems.kind, evidence: t.attentionItems.evidence })
    .from(t.attentionItems)
    .where(eq(t.attentionItems.receiptId, receiptId));
}

describe("applyProviderEvent", () => {
  it("marks the receipt paid, confirms its enrollment and writes the timeline", async () => {
    const { receipt, attempt, enrollmentId } = await receiptWithAttempt({ enrollment: true });
    const result = await applyProviderEvent(database.db, event(attempt.ref, paid(10500)), "webhook");
    expect(result).toMatchObject({ result: "applied", changed: true });
    const row = await receiptRow(receipt.id);
    expect(row.status).toBe("paid");
    expect(row.paidAt).toBeInstanceOf(Date);
    expect(row.paidMethod).toBe("stripe");
    expect((await attemptRow(attempt.id)).status).toBe("succeeded");
    expect((await attemptRow(attempt.id)).finalizedBy).toBe("webhook");
    const [enrollment] = await database.db.select().from(t.enrollments).where(eq(t.enrollments.id, enrollmentId!));
    expect(enrollment!.status).toBe("confirmed");
    expect(await auditActions(receipt.id)).toEqual(["receipt.issued", "attempt.succeeded", "receipt.paid", "enrollment.confirmed", "message.queued"]);
    // The payer is told twice (payment, enrollment); the adult student, at another address, once.
    const mails = await database.db
      .select({ template: t.messages.template, to: t.messages.toAddress })
      .from(t.messages)
      .where(eq(t.messages.receiptId, receipt.id));
    expect(mails.map((m) => `${m.template} ${m.to}`).sort()).toEqual([
      "enrollment_confirmed ana@correo.test",
      "enrollment_confirmed e@correo.test",
      "payment_received ana@correo.test",
    ]);
  });

  it("changes state once when the same event arrives 20 times at once", async () => {
    const { receipt, attempt } = await receiptWithAttempt();
    const delivery = event(attempt.ref, paid(10500));
    const results = await Promise.all(Array.from({ length: 20 }, () => applyProviderEvent(database.db, delivery, "webhook")));
    expect(results.filter((r) => r.result === "applied")).toHaveLength(1);
    expect(results.filter((r) => r.result === "duplicate")).toHaveLength(19);
    expect((await auditActions(receipt.id)).filter((a) => a === "receipt.paid")).toHaveLength(1);
    const stored = await database.db.select().from(t.providerEvents).where(eq(t.providerEvents.eventId, delivery.eventId));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.outcome).toBe("applied");
    const mails = await database.db.select().from(t.messages).where(eq(t.messages.receiptId, receipt.id));
    expect(mails.map((m) => [m.template, m.toAddress])).toEqual([["payment_received", "ana@correo.test"]]);
  });

  it("never pays a receipt with an amount or currency other than asked, and flags it", async () => {
    for (const outcome of [paid(10499), paid(10500, "USD")]) {
      const { receipt, attempt } = await receiptWithAttempt();
      const result = await applyProviderEvent(database.db, event(attempt.ref, outcome), "webhook");
      expect(result).toMatchObject({ result: "flagged", reason: "amount_mismatch" });
      expect((await receiptRow(receipt.id)).status).toBe("pending");
      const items = await attention(receipt.id);
      expect(items.map((i) => i.kind)).toEqual(["amount_mismatch"]);
      expect(items[0]!.evidence).toMatchObject({ asked: { amount: 10500, currency: "EUR" } });
    }
  });

  it("flags a second success on a paid receipt as a double payment", async () => {
    const { receipt, attempt } = await receiptWithAttempt();
    await applyProviderEvent(database.db, event(attempt.ref, paid(10500)), "webhook");
    const second = await database.db.transaction((tx) => newAttempt(tx, receipt.id, 10500));
    const result = await applyProviderEvent(database.db, event(second.ref, paid(10500)), "webhook");
    expect(result).toMatchObject({ result: "flagged", reason: "double_payment" });
    const row = await receiptRow(receipt.id);
    expect(row.status).toBe("paid");
    expect((await attention(receipt.id)).map((i) => i.kind)).toEqual(["double_payment"]);
    expect((await auditActions(receipt.id)).filter((a) => a === "receipt.paid")).toHaveLength(1);
  });

  it("a refund of the second payment leaves the receipt paid by the first and closes the double-payment item", async () => {
    const { receipt, attempt } = await receiptWithAttempt();
    await applyProviderEvent(database.db, event(attempt.ref, paid(10500)), "webhook");
    const second = await database.db.transaction((tx) => newAttempt(tx, receipt.id, 10500));
    await applyProviderEvent(database.db, event(second.ref, paid(10500)), "webhook");
    // Returned from the provider's own back office: no refund row of ours exists for it.
    const refundRef = `re_${randomUUID()}`;
    const result = await applyProviderEvent(database.db, event(second.ref, { type: "refunded", refundRef, amount: 10500, currency: "EUR" }), "webhook");
    expect(result).toMatchObject({ result: "applied", changed: true });
    expect(await receiptRow(receipt.id)).toMatchObject({ status: "paid", refundedAmount: 0, paidAttemptId: attempt.id });
    const refunds = await database.db.select().from(t.refunds).where(eq(t.refunds.receiptId, receipt.id));
    expect(refunds.map((r) => ({ attemptId: r.attemptId, status: r.status, amount: r.amount }))).toEqual([
      { attemptId: second.id, status: "succeeded", amount: 10500 },
    ]);
    const items = await database.db.select().from(t.attentionItems).where(eq(t.attentionItems.receiptId, receipt.id));
    expect(items.map((i) => ({ kind: i.kind, resolved: i.resolvedAt !== null }))).toEqual([{ kind: "double_payment", resolved: true }]);
    expect(await auditActions(receipt.id)).toContain("refund.extra_payment_returned");
    // A refund of the payment that did pay it still changes the receipt.
    await applyProviderEvent(database.db, event(attempt.ref, { type: "refunded", refundRef: `re_${randomUUID()}`, amount: 500, currency: "EUR" }), "webhook");
    expect(await receiptRow(receipt.id)).toMatchObject({ status: "partially_refunded", refundedAmount: 500 });
  });

  it("flags a payment on a cancelled receipt", async () => {
    const { receipt, attempt } = await receiptWithAttempt();
    await database.db.update(t.receipts).set({ status: "cancelled", cancelledAt: new Date() }).where(eq(t.receipts.id, receipt.id));
    const result = await applyProviderEvent(database.db, event(attempt.ref, paid(10500)), "webhook");
    expect(result).toMatchObject({ result: "flagged", reason: "payment_on_cancelled" });
    expect((await receiptRow(receipt.id)).status).toBe("cancelled");
  });

  it("ends refunded when the refund arrives before the payment it returns", async () => {
    const { receipt, attempt } = await receiptWithAttempt();
    const paymentRef = `pi_${randomUUID()}`;
    const refund = event(attempt.ref, { type: "refunded", refundRef: `re_${randomUUID()}`, amount: 10500, currency: "EUR" });
    expect(await applyProviderEvent(database.db, refund, "webhook")).toMatchObject({ result: "applied" });
    expect((await receiptRow(receipt.id)).status).toBe("pending");
    await applyProviderEvent(database.db, event(attempt.ref, paid(10500, "EUR", paymentRef)), "webhook");
    const row = await receiptRow(receipt.id);
    expect(row.status).toBe("refunded");
    expect(row.refundedAmount).toBe(10500);
    const refunds = await database.db.select().from(t.refunds).where(eq(t.refunds.receiptId, receipt.id));
    expect(refunds.map((r) => r.status)).toEqual(["succeeded"]);
    expect((await attention(receipt.id)).map((i) => i.kind)).toEqual(["refund_at_provider"]);
  });

  it("keeps a paid receipt paid when an expiry arrives after the payment", async () => {
    const { receipt, attempt } = await receiptWithAttempt();
    await applyProviderEvent(database.db, event(attempt.ref, paid(10500)), "webhook");
    const result = await applyProviderEvent(database.db, event(attempt.ref, { type: "expired" }), "webhook");
    expect(result).toMatchObject({ result: "applied", changed: false });
    expect((await attemptRow(attempt.id)).status).toBe("succeeded");
    expect((await receiptRow(receipt.id)).status).toBe("paid");
  });

  it("applies partial refunds by the payment reference, then the rest", async () => {
    const { receipt, attempt } = await receiptWithAttempt();
    const paymentRef = `pi_${randomUUID()}`;
    await applyProviderEvent(database.db, event(attempt.ref, paid(10500, "EUR", paymentRef)), "webhook");
    const first = event(paymentRef, { type: "refunded", refundRef: "re_1" + randomUUID(), amount: 500, currency: "EUR" }, undefined, "payment");
    await applyProviderEvent(database.db, first, "webhook");
    expect(await receiptRow(receipt.id)).toMatchObject({ status: "partially_refunded", refundedAmount: 500 });
    // The same refund reported again under another event id changes nothing.
    await applyProviderEvent(database.db, { ...first, eventId: `evt_${randomUUID()}` }, "webhook");
    expect(await receiptRow(receipt.id)).toMatchObject({ status: "partially_refunded", refundedAmount: 500 });
    await applyProviderEvent(
      database.db,
      event(paymentRef, { type: "refunded", refundRef: "re_2" + randomUUID(), amount: 10000, currency: "EUR" }, undefined, "payment"),
      "webhook",
    );
    expect(await receiptRow(receipt.id)).toMatchObject({ status: "refunded", refundedAmount: 10500 });
    // More than was paid is flagged, never applied.
    const over = await applyProviderEvent(
      database.db,
      event(paymentRef, { type: "refunded", refundRef: "re_3" + randomUUID(), amount: 1, currency: "EUR" }, undefined, "payment"),
      "webhook",
    );
    expect(over).toMatchObject({ result: "flagged" });
    expect(await receiptRow(receipt.id)).toMatchObject({ status: "refunded", refundedAmount: 10500 });
  });

  it("lets a declined attempt fail and the receipt stay payable", async () => {
    const { receipt, attempt } = await receiptWithAttempt();
    await applyProviderEvent(database.db, event(attempt.ref, { type: "failed", code: "card_declined", message: "Your card was declined." }), "webhook");
    expect(await attemptRow(attempt.id)).toMatchObject({ status: "failed", failureCode: "card_declined" });
    expect((await receiptRow(receipt.id)).status).toBe("pending");
    const retry = await database.db.transaction((tx) => newAttempt(tx, receipt.id, 10500));
    await applyProviderEvent(database.db, event(retry.ref, paid(10500)), "webhook");
    expect((await receiptRow(receipt.id)).status).toBe("paid");
  });

  it("stores an event for an unknown order as ignored and changes nothing", async () => {
    const delivery = event("ord-unknown", paid(10500));
    expect(await applyProviderEvent(database.db, delivery, "webhook")).toEqual({ result: "unknown_attempt" });
    const [stored] = await database.db
      .select()
      .from(t.providerEvents)
      .where(and(eq(t.providerEvents.provider, "stripe"), eq(t.providerEvents.eventId, delivery.eventId)));
    expect(stored!.outcome).toBe("ignored");
  });

  it("rolls everything back when applying fails half-way, so a retry applies it cleanly", async () => {
    const { receipt, attempt } = await receiptWithAttempt();
    const delivery = event(attempt.ref, paid(10500));
    // A trigger that fails the audit insert of this receipt's payment simulates a crash mid-way.
    await database.db.execute(
      sql.raw(`
      create or replace function fail_paid_audit() returns trigger as $$
      begin
        if new.action = 'receipt.paid' and new.receipt_id = '${receipt.id}' then raise exception 'injected failure'; end if;
        return new;
      end $$ language plpgsql;
      create trigger fail_paid_audit before insert on audit_events for each row execute function fail_paid_audit();`),
    );
    await expect(applyProviderEvent(database.db, delivery, "webhook")).rejects.toThrow();
    await database.db.execute(sql.raw(`drop trigger fail_paid_audit on audit_events; drop function fail_paid_audit();`));
    expect((await receiptRow(receipt.id)).status).toBe("pending");
    expect((await attemptRow(attempt.id)).status).toBe("redirected");
    expect(await database.db.select().from(t.providerEvents).where(eq(t.providerEvents.eventId, delivery.eventId))).toHaveLength(0);
    expect(await applyProviderEvent(database.db, delivery, "webhook")).toMatchObject({ result: "applied", changed: true });
    expect((await receiptRow(receipt.id)).status).toBe("paid");
  });
});
