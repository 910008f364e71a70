// Staff's hand on enrollments, on a real PostgreSQL: confirming at the desk (paying the receipt
// with a manual attempt, or confirming one already paid), cancelling with a reason (the seat goes
// to the waiting list), withdrawing (future monthly receipts cancelled), and closing attention
// items, each leaving audit lines with the staff member's id.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { cancelEnrollment, confirmEnrollmentByHand, refundExtraPayment, resolveAttentionItem, StaffActionError, withdrawEnrollment } from "./staff-actions";
import { submitEnrollment, type EnrollmentRequest } from "./submit";

let database: Database;
let staffUserId: string;
beforeAll(async () => {
  database = await openTestDatabase("academy_test_staff_actions");
  const [user] = await database.db
    .insert(t.staffUsers)
    .values({ email: `desk-${randomUUID().slice(0, 6)}@academia.test`, name: "Pablo Ortega", passwordHash: "x", role: "staff" })
    .returning({ id: t.staffUsers.id });
  staffUserId = user!.id;
});
afterAll(() => database.close());

let n = 30_000_000;
function request(courseId: string, joinWaitlist = false): EnrollmentRequest {
  const dni = n++;
  return {
    submissionKey: randomUUID(),
    courseId,
    student: {
      firstName: "Lucía",
      lastName: `Prieto ${dni}`,
      documentType: "dni",
      documentNumber: `${dni}${"TRWAGMYFPDXBNJZSQVHLCKE"[dni % 23]}`,
      email: `lucia${dni}@correo.test`,
      phone: "+34612345678",
      birthDate: "1990-01-01",
      postcode: "28001",
      city: "Madrid",
    },
    consents: { dataProtection: true, terms: true, imageRights: false },
    method: "bizum",
    locale: "es",
    joinWaitlist,
  };
}

async function course(capacity: number) {
  const [row] = await database.db
    .insert(t.courses)
    .values({
      code: `S-${randomUUID().slice(0, 6)}`,
      name: "Alemán B1",
      startDate: "2026-09-01",
      endDate: "2027-06-30",
      capacity,
      enrollmentFee: 4000,
      monthlyFee: 8550,
      status: "open",
    })
    .returning({ id: t.courses.id });
  return row!.id;
}

async function held(courseId: string) {
  const result = await submitEnrollment(database.db, request(courseId));
  if (result.kind !== "held") throw new Error(`expected a hold, got ${result.kind}`);
  return result;
}

async function waitlisted(courseId: string) {
  const result = await submitEnrollment(database.db, request(courseId, true));
  if (result.kind !== "waitlisted") throw new Error(`expected the waiting list, got ${result.kind}`);
  return result;
}

async function enrollment(id: string) {
  const [row] = await database.db.select().from(t.enrollments).where(eq(t.enrollments.id, id));
  return row!;
}

async function staffAudit(enrollmentId: string) {
  const rows = await database.db
    .select({ action: t.auditEvents.action, staffUserId: t.auditEvents.staffUserId, source: t.auditEvents.source, data: t.auditEvents.data })
    .from(t.auditEvents)
    .where(and(eq(t.auditEvents.enrollmentId, enrollmentId), eq(t.auditEvents.source, "staff")))
    .orderBy(t.auditEvents.id);
  return rows;
}

async function expectCode(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StaffActionError);
  expect((error as StaffActionError).code).toBe(code);
}

describe("confirmEnrollmentByHand", () => {
  it("pays the pending receipt with the method taken at the desk and confirms the enrollment", async () => {
    const courseId = await course(2);
    const hold = await held(courseId);
    await expectCode(confirmEnrollmentByHand(database.db, { enrollmentId: hold.enrollmentId, staffUserId }), "method_required");
    expect((await enrollment(hold.enrollmentId)).status).toBe("pending_payment");

    expect(await confirmEnrollmentByHand(database.db, { enrollmentId: hold.enrollmentId, staffUserId, method: "cash", note: "En secretaría" })).toEqual({
      paidNow: true,
    });
    const confirmed = await enrollment(hold.enrollmentId);
    expect(confirmed).toMatchObject({ status: "confirmed", holdExpiresAt: null });
    const [receipt] = await database.db.select().from(t.receipts).where(eq(t.receipts.id, hold.receiptId));
    expect(receipt).toMatchObject({ status: "paid", paidMethod: "cash", amount: 4000 + 8550 });
    const attempts = await database.db.select().from(t.paymentAttempts).where(eq(t.paymentAttempts.receiptId, hold.receiptId));
    expect(attempts.filter((a) => a.status === "succeeded").map((a) => [a.provider, a.amount])).toEqual([["manual", 12550]]);
    const audit = await staffAudit(hold.enrollmentId);
    expect(audit.map((a) => a.action)).toEqual(["enrollment.confirmed", "enrollment.confirmed_by_staff"]);
    expect(audit.find((a) => a.action === "enrollment.confirmed_by_staff")).toMatchObject({
      staffUserId,
      data: { method: "cash", note: "En secretaría", from: "pending_payment" },
    });
    const mails = await database.db.select({ template: t.messages.template }).from(t.messages).where(eq(t.messages.enrollmentId, hold.enrollmentId));
    expect(mails.map((m) => m.template)).toContain("enrollment_confirmed");

    // Twice is refused: it is confirmed already, and paid once.
    await expectCode(confirmEnrollmentByHand(database.db, { enrollmentId: hold.enrollmentId, staffUserId, method: "cash" }), "not_allowed");
  });

  it("confirms an enrollment whose receipt was paid but never confirmed, and closes its attention item", async () => {
    const courseId = await course(3);
    const hold = await held(courseId);
    // The payment landed but the hold had been cancelled meanwhile (the state "paid but not confirmed").
    const [attempt] = await database.db
      .insert(t.paymentAttempts)
      .values({
        receiptId: hold.receiptId,
        provider: "stripe",
        method: "stripe",
        mode: "sandbox",
        amount: hold.amount,
        currency: "EUR",
        status: "succeeded",
        providerRef: `cs_${randomUUID()}`,
        finalizedAt: new Date(),
      })
      .returning({ id: t.paymentAttempts.id });
    await database.db.update(t.receipts).set({ status: "paid", paidAt: new Date(), paidMethod: "stripe" }).where(eq(t.receipts.id, hold.receiptId));
    await database.db
      .update(t.enrollments)
      .set({ status: "cancelled", holdExpiresAt: null, cancelReason: "hold_expired" })
      .where(eq(t.enrollments.id, hold.enrollmentId));
    const [item] = await database.db
      .insert(t.attentionItems)
      .values({ kind: "paid_not_confirmed", receiptId: hold.receiptId, attemptId: attempt!.id, evidence: { amount: hold.amount } })
      .returning({ id: t.attentionItems.id });

    expect(await confirmEnrollmentByHand(database.db, { enrollmentId: hold.enrollmentId, staffUserId })).toEqual({ paidNow: false });
    expect(await enrollment(hold.enrollmentId)).toMatchObject({ status: "confirmed", cancelReason: null });
    const attempts = await database.db.select().from(t.paymentAttempts).where(eq(t.paymentAttempts.receiptId, hold.receiptId));
    expect(attempts).toHaveLength(1);
    const [closed] = await database.db.select().from(t.attentionItems).where(eq(t.attentionItems.id, item!.id));
    expect(closed).toMatchObject({ resolvedBy: staffUserId, resolution: "confirmed_by_hand" });
    expect(closed!.resolvedAt).not.toBeNull();
  });

  it("refuses a hold that ran out when the course is full meanwhile", async () => {
    const courseId = await course(1);
    const first = await held(courseId);
    await database.db
      .update(t.enrollments)
      .set({ holdExpiresAt: new Date(Date.now() - 60_000) })
      .where(eq(t.enrollments.id, first.enrollmentId));
    const second = await held(courseId);
    await expectCode(confirmEnrollmentByHand(database.db, { enrollmentId: first.enrollmentId, staffUserId, method: "transfer" }), "no_free_seat");
    const [receipt] = await database.db.select().from(t.receipts).where(eq(t.receipts.id, first.receiptId));
    expect(receipt!.status).toBe("pending");
    expect((await enrollment(second.enrollmentId)).status).toBe("pending_payment");
  });
});

describe("cancelEnrollment", () => {
  it("cancels a hold and its receipt with the reason, and offers the seat to the first in line", async () => {
    const courseId = await course(1);
    const hold = await held(courseId);
    const first = await waitlisted(courseId);
    const second = await waitlisted(courseId);
    await expectCode(cancelEnrollment(database.db, { enrollmentId: randomUUID(), reason: "x", staffUserId }), "not_found");

    expect(await cancelEnrollment(database.db, { enrollmentId: hold.enrollmentId, reason: "Se ha mudado", staffUserId })).toEqual({ offered: true });
    expect(await enrollment(hold.enrollmentId)).toMatchObject({ status: "cancelled", cancelReason: "Se ha mudado", holdExpiresAt: null });
    const [receipt] = await database.db.select().from(t.receipts).where(eq(t.receipts.id, hold.receiptId));
    expect(receipt).toMatchObject({ status: "cancelled", cancelReason: "Se ha mudado" });
    const links = await database.db.select().from(t.paymentLinks).where(eq(t.paymentLinks.receiptId, hold.receiptId));
    expect(links.every((l) => l.revokedAt !== null)).toBe(true);
    expect((await enrollment(first.enrollmentId)).status).toBe("pending_payment");
    expect((await enrollment(second.enrollmentId)).status).toBe("waitlisted");
    const audit = await staffAudit(hold.enrollmentId);
    expect(audit.map((a) => a.action)).toEqual(["enrollment.cancelled", "receipt.cancelled"]);
    expect(audit.every((a) => a.staffUserId === staffUserId)).toBe(true);

    // A place on the waiting list can be given up too; nobody is offered anything for it.
    expect(await cancelEnrollment(database.db, { enrollmentId: second.enrollmentId, reason: "Ya no le interesa", staffUserId })).toEqual({ offered: false });
    expect((await enrollment(second.enrollmentId)).status).toBe("cancelled");
  });

  it("refuses a confirmed enrollment (that is a withdrawal) and a paid receipt", async () => {
    const courseId = await course(2);
    const hold = await held(courseId);
    await confirmEnrollmentByHand(database.db, { enrollmentId: hold.enrollmentId, staffUserId, method: "cash" });
    await expectCode(cancelEnrollment(database.db, { enrollmentId: hold.enrollmentId, reason: "x", staffUserId }), "not_allowed");
    expect((await enrollment(hold.enrollmentId)).status).toBe("confirmed");
  });
});

describe("withdrawEnrollment", () => {
  it("stops future monthly receipts, keeps what is owed, and frees the seat for the waiting list", async () => {
    const courseId = await course(1);
    const hold = await held(courseId);
    const next = await waitlisted(courseId);
    await expectCode(withdrawEnrollment(database.db, { enrollmentId: hold.enrollmentId, reason: "x", staffUserId }), "not_allowed");
    await confirmEnrollmentByHand(database.db, { enrollmentId: hold.enrollmentId, staffUserId, method: "cash" });
    const [student] = await database.db.select({ id: t.enrollments.studentId }).from(t.enrollments).where(eq(t.enrollments.id, hold.enrollmentId));
    const now = new Date("2026-11-27T12:00:00Z");
    const monthly = (period: string, number: number) => ({
      number: `2099-${String(number).padStart(6, "0")}`,
      seriesYear: 2099,
      seriesNumber: number,
      kind: "monthly" as const,
      studentId: student!.id,
      enrollmentId: hold.enrollmentId,
      period,
      concept: `Mensualidad ${period}`,
      amount: 8550,
      dueDate: `${period}-05`,
      payerName: "Lucía Prieto",
      payerEmail: "lucia@correo.test",
    });
    const base = 100_000 + Math.floor(Math.random() * 800_000);
    const inserted = await database.db
      .insert(t.receipts)
      .values([monthly("2026-11", base), monthly("2026-12", base + 1), monthly("2027-01", base + 2)])
      .returning({ id: t.receipts.id, period: t.receipts.period });

    expect(
      await withdrawEnrollment(database.db, {
        enrollmentId: hold.enrollmentId,
        reason: "Cambio de horario laboral",
        staffUserId,
        now,
        timeZone: "Europe/Madrid",
      }),
    ).toEqual({ cancelledReceipts: 2, offered: true });
    expect(await enrollment(hold.enrollmentId)).toMatchObject({ status: "withdrawn", cancelReason: "Cambio de horario laboral" });
    const after = await database.db
      .select({ period: t.receipts.period, status: t.receipts.status })
      .from(t.receipts)
      .where(eq(t.receipts.enrollmentId, hold.enrollmentId));
    const byPeriod = Object.fromEntries(after.filter((r) => r.period).map((r) => [r.period, r.status]));
    expect(byPeriod).toEqual({ "2026-11": "pending", "2026-12": "cancelled", "2027-01": "cancelled" });
    expect(inserted).toHaveLength(3);
    expect((await enrollment(next.enrollmentId)).status).toBe("pending_payment");
    const audit = await staffAudit(hold.enrollmentId);
    expect(audit.filter((a) => a.action === "receipt.cancelled")).toHaveLength(2);
    expect(audit.find((a) => a.action === "enrollment.withdrawn")).toMatchObject({
      staffUserId,
      data: { reason: "Cambio de horario laboral", cancelledReceipts: 2 },
    });
  });
});

describe("attention items", () => {
  it("are resolved once, with the note and an audit line", async () => {
    const courseId = await course(2);
    const hold = await held(courseId);
    const [item] = await database.db
      .insert(t.attentionItems)
      .values({ kind: "refund_at_provider", receiptId: hold.receiptId, evidence: { refundRef: "re_1", amount: 1000 } })
      .returning({ id: t.attentionItems.id });
    await resolveAttentionItem(database.db, { itemId: item!.id, staffUserId, resolution: "acknowledged", note: "Devuelto en el TPV" });
    const [row] = await database.db.select().from(t.attentionItems).where(eq(t.attentionItems.id, item!.id));
    expect(row).toMatchObject({ resolvedBy: staffUserId, resolution: "acknowledged: Devuelto en el TPV" });
    await expectCode(resolveAttentionItem(database.db, { itemId: item!.id, staffUserId, resolution: "acknowledged" }), "already_resolved");
    await expectCode(resolveAttentionItem(database.db, { itemId: randomUUID(), staffUserId, resolution: "acknowledged" }), "not_found");
    const audit = await database.db
      .select()
      .from(t.auditEvents)
      .where(and(eq(t.auditEvents.receiptId, hold.receiptId), eq(t.auditEvents.action, "attention.resolved")));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      source: "staff",
      staffUserId,
      data: { itemId: item!.id, kind: "refund_at_provider", resolution: "acknowledged", note: "Devuelto en el TPV" },
    });
  });

  it("only return money for payments that did not pay their receipt, made online", async () => {
    const courseId = await course(2);
    const hold = await held(courseId);
    const [mismatch] = await database.db
      .insert(t.attentionItems)
      .values({ kind: "amount_mismatch", receiptId: hold.receiptId, evidence: {} })
      .returning({ id: t.attentionItems.id });
    await expectCode(refundExtraPayment(database.db, { itemId: mismatch!.id, staffUserId }), "not_refundable");
    const [attempt] = await database.db
      .insert(t.paymentAttempts)
      .values({
        receiptId: hold.receiptId,
        provider: "manual",
        method: "cash",
        mode: "live",
        amount: hold.amount,
        currency: "EUR",
        status: "succeeded",
        finalizedAt: new Date(),
      })
      .returning({ id: t.paymentAttempts.id });
    const [cash] = await database.db
      .insert(t.attentionItems)
      .values({ kind: "double_payment", receiptId: hold.receiptId, attemptId: attempt!.id, evidence: {} })
      .returning({ id: t.attentionItems.id });
    await expectCode(refundExtraPayment(database.db, { itemId: cash!.id, staffUserId }), "not_refundable");
    const refundRows = await database.db.select().from(t.refunds).where(eq(t.refunds.receiptId, hold.receiptId));
    expect(refundRows).toHaveLength(0);
  });
});
