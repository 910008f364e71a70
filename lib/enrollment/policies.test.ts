// Failure and late-payment policies end to end on a real PostgreSQL, through the same
// applyProviderEvent path the webhooks use.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { applyProviderEvent } from "@/lib/after-payment";
import type { ProviderOutcome } from "@/lib/payments/types";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { expireHolds } from "./holds";
import { submitEnrollment, type EnrollmentRequest } from "./submit";

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase("academy_test_policies");
});
afterAll(() => database.close());

let n = 40_000_000;
function request(courseId: string, joinWaitlist = false): EnrollmentRequest {
  const dni = n++;
  return {
    submissionKey: randomUUID(),
    courseId,
    student: {
      firstName: "Irene",
      lastName: `Ramos ${dni}`,
      documentType: "dni",
      documentNumber: `${dni}${"TRWAGMYFPDXBNJZSQVHLCKE"[dni % 23]}`,
      email: `irene${dni}@correo.test`,
      phone: "+34612345678",
      birthDate: "1992-02-02",
      postcode: "46002",
      city: "Valencia",
    },
    consents: { dataProtection: true, terms: true, imageRights: false },
    method: "redsys",
    locale: "es",
    joinWaitlist,
  };
}

async function course(capacity: number) {
  const [row] = await database.db
    .insert(t.courses)
    .values({
      code: `P-${randomUUID().slice(0, 6)}`,
      name: "Alemán A2",
      startDate: "2026-09-01",
      endDate: "2027-06-30",
      capacity,
      enrollmentFee: 3500,
      monthlyFee: 6500,
      status: "open",
    })
    .returning({ id: t.courses.id });
  return row!.id;
}

async function setPolicy(onPaymentFailure: "keep_hold" | "cancel") {
  await database.db
    .insert(t.settings)
    .values({ key: "enrollment_policies", value: { onPaymentFailure } })
    .onConflictDoUpdate({ target: t.settings.key, set: { value: { onPaymentFailure } } });
}

/** A redirected Redsys attempt for the receipt, and a way to deliver its outcome. */
async function attemptFor(receiptId: string, amount: number) {
  const ref = `${String(Math.floor(Math.random() * 9000) + 1000)}${randomUUID().replace(/-/g, "").slice(0, 8)}`;
  const [attempt] = await database.db
    .insert(t.paymentAttempts)
    .values({ receiptId, provider: "redsys", method: "redsys", mode: "sandbox", amount, currency: "EUR", status: "redirected", providerRef: ref })
    .returning({ id: t.paymentAttempts.id });
  const deliver = (outcome: ProviderOutcome) =>
    applyProviderEvent(
      database.db,
      { provider: "redsys", eventId: `${ref}:${outcome.type}`, eventType: "test", ref: { by: "order", value: ref }, outcome, payload: {}, rawBody: "" },
      "webhook",
    );
  return { id: attempt!.id, deliver };
}

async function state(enrollmentId: string, receiptId: string) {
  const [e] = await database.db.select({ status: t.enrollments.status }).from(t.enrollments).where(eq(t.enrollments.id, enrollmentId));
  const [r] = await database.db.select({ status: t.receipts.status }).from(t.receipts).where(eq(t.receipts.id, receiptId));
  return { enrollment: e?.status, receipt: r?.status };
}

describe("after a failed payment", () => {
  it("keeps the hold and e-mails a retry link (keep_hold)", async () => {
    await setPolicy("keep_hold");
    const held = await submitEnrollment(database.db, request(await course(5)));
    if (held.kind !== "held") throw new Error("not held");
    const attempt = await attemptFor(held.receiptId, held.amount);
    await attempt.deliver({ type: "failed", code: "0190" });
    expect(await state(held.enrollmentId, held.receiptId)).toEqual({ enrollment: "pending_payment", receipt: "pending" });
    const mails = await database.db.select().from(t.messages).where(eq(t.messages.receiptId, held.receiptId));
    expect(mails.map((m) => m.template)).toEqual(["payment_failed"]);
    expect(mails[0]!.bodyText).toMatch(/\/pay\/[A-Za-z0-9_-]{43}/);
  });

  it("cancels at once and offers the seat to the waiting list (cancel)", async () => {
    await setPolicy("cancel");
    const courseId = await course(1);
    const held = await submitEnrollment(database.db, request(courseId));
    const waiting = await submitEnrollment(database.db, request(courseId, true));
    if (held.kind !== "held" || waiting.kind !== "waitlisted") throw new Error("unexpected");
    const attempt = await attemptFor(held.receiptId, held.amount);
    await attempt.deliver({ type: "cancelled" });
    expect(await state(held.enrollmentId, held.receiptId)).toEqual({ enrollment: "cancelled", receipt: "cancelled" });
    const [offered] = await database.db.select({ status: t.enrollments.status }).from(t.enrollments).where(eq(t.enrollments.id, waiting.enrollmentId));
    expect(offered!.status).toBe("pending_payment");
    await setPolicy("keep_hold");
  });
});

describe("a payment arriving after the hold expired", () => {
  it("re-confirms the enrollment when its seat is still free", async () => {
    const courseId = await course(2);
    const held = await submitEnrollment(database.db, request(courseId), { now: new Date(Date.now() - 2 * 3600_000) });
    if (held.kind !== "held") throw new Error("not held");
    const attempt = await attemptFor(held.receiptId, held.amount);
    await expireHolds(database.db);
    expect(await state(held.enrollmentId, held.receiptId)).toEqual({ enrollment: "cancelled", receipt: "cancelled" });
    const result = await attempt.deliver({ type: "succeeded", amount: held.amount, currency: "EUR", paymentRef: "123456" });
    expect(result).toMatchObject({ result: "applied", changed: true });
    expect(await state(held.enrollmentId, held.receiptId)).toEqual({ enrollment: "confirmed", receipt: "paid" });
    const timeline = await database.db.select({ action: t.auditEvents.action }).from(t.auditEvents).where(eq(t.auditEvents.enrollmentId, held.enrollmentId));
    expect(timeline.map((e) => e.action)).toEqual(
      expect.arrayContaining(["enrollment.hold_expired", "enrollment.reinstated_late_payment", "enrollment.confirmed"]),
    );
  });

  it("leaves it for a refund in 'needs attention' when the seat has gone", async () => {
    const courseId = await course(1);
    const held = await submitEnrollment(database.db, request(courseId), { now: new Date(Date.now() - 2 * 3600_000) });
    if (held.kind !== "held") throw new Error("not held");
    const attempt = await attemptFor(held.receiptId, held.amount);
    await expireHolds(database.db);
    const other = await submitEnrollment(database.db, request(courseId));
    expect(other.kind).toBe("held");
    const result = await attempt.deliver({ type: "succeeded", amount: held.amount, currency: "EUR", paymentRef: "654321" });
    expect(result).toMatchObject({ result: "flagged", reason: "late_payment" });
    expect(await state(held.enrollmentId, held.receiptId)).toEqual({ enrollment: "cancelled", receipt: "cancelled" });
    const items = await database.db.select({ kind: t.attentionItems.kind }).from(t.attentionItems).where(eq(t.attentionItems.receiptId, held.receiptId));
    expect(items).toEqual([{ kind: "late_payment" }]);
  });
});
