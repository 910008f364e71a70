// Hold expiry on a real PostgreSQL: cancelled enrollment and receipt, seat offered to the
// waiting list with its own receipt and payment link e-mail, paid holds untouched.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { expireHolds } from "./holds";
import { submitEnrollment, type EnrollmentRequest } from "./submit";

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase("academy_test_holds");
});
afterAll(() => database.close());

let n = 20_000_000;
function request(courseId: string, joinWaitlist = false): EnrollmentRequest {
  const dni = n++;
  return {
    submissionKey: randomUUID(),
    courseId,
    student: {
      firstName: "Hugo",
      lastName: `Gil ${dni}`,
      documentType: "dni",
      documentNumber: `${dni}${"TRWAGMYFPDXBNJZSQVHLCKE"[dni % 23]}`,
      email: `hugo${dni}@correo.test`,
      phone: "+34612345678",
      birthDate: "1990-01-01",
      postcode: "46001",
      city: "Valencia",
    },
    consents: { dataProtection: true, terms: true, imageRights: true },
    method: "bizum",
    locale: "es",
    joinWaitlist,
  };
}

describe("expireHolds", () => {
  it("cancels an expired hold and its receipt, and offers the seat to the first on the waiting list", async () => {
    const [course] = await database.db
      .insert(t.courses)
      .values({
        code: `H-${randomUUID().slice(0, 6)}`,
        name: "Francés A1",
        startDate: "2026-09-01",
        endDate: "2027-06-30",
        capacity: 1,
        enrollmentFee: 3500,
        monthlyFee: 6000,
        status: "open",
      })
      .returning({ id: t.courses.id });
    const start = new Date("2026-11-27T10:00:00Z");
    const held = await submitEnrollment(database.db, request(course!.id), { now: start });
    const firstInLine = await submitEnrollment(database.db, request(course!.id, true), { now: start });
    const secondInLine = await submitEnrollment(database.db, request(course!.id, true), { now: start });
    expect([held.kind, firstInLine.kind, secondInLine.kind]).toEqual(["held", "waitlisted", "waitlisted"]);
    if (held.kind !== "held" || firstInLine.kind !== "waitlisted") throw new Error("unexpected");

    // Not yet expired: nothing happens.
    expect(await expireHolds(database.db, { now: new Date(start.getTime() + 29 * 60_000) })).toEqual({ expired: 0, offered: 0 });
    const later = new Date(start.getTime() + 31 * 60_000);
    expect(await expireHolds(database.db, { now: later })).toEqual({ expired: 1, offered: 1 });
    expect(await expireHolds(database.db, { now: later })).toEqual({ expired: 0, offered: 0 });

    const [cancelled] = await database.db.select().from(t.enrollments).where(eq(t.enrollments.id, held.enrollmentId));
    expect(cancelled).toMatchObject({ status: "cancelled", cancelReason: "hold_expired" });
    const [oldReceipt] = await database.db.select().from(t.receipts).where(eq(t.receipts.id, held.receiptId));
    expect(oldReceipt!.status).toBe("cancelled");
    const told = await database.db.select().from(t.messages).where(eq(t.messages.enrollmentId, held.enrollmentId));
    expect(told.map((m) => m.template)).toEqual(["hold_expired"]);
    expect(told[0]!.subject).toContain("Plaza liberada: Francés A1");
    expect(told[0]!.bodyText).toMatch(/\/inscripcion\/H-/);

    const [offered] = await database.db.select().from(t.enrollments).where(eq(t.enrollments.id, firstInLine.enrollmentId));
    expect(offered!.status).toBe("pending_payment");
    expect(offered!.holdExpiresAt!.getTime()).toBeGreaterThan(later.getTime() + 47 * 3600_000);
    const [offeredReceipt] = await database.db.select().from(t.receipts).where(eq(t.receipts.enrollmentId, firstInLine.enrollmentId));
    expect(offeredReceipt).toMatchObject({ kind: "enrollment", status: "pending", amount: 9500 });
    const mails = await database.db.select().from(t.messages).where(eq(t.messages.receiptId, offeredReceipt!.id));
    expect(mails.map((m) => m.template)).toEqual(["payment_link"]);
    expect(mails[0]!.bodyText).toMatch(/\/pay\/[A-Za-z0-9_-]{43}/);
    const timeline = await database.db.select({ action: t.auditEvents.action }).from(t.auditEvents).where(eq(t.auditEvents.enrollmentId, held.enrollmentId));
    expect(timeline.map((e) => e.action)).toEqual(expect.arrayContaining(["enrollment.held", "enrollment.hold_expired", "receipt.cancelled"]));

    // The second in line keeps waiting: there was one seat.
    const [still] = await database.db
      .select()
      .from(t.enrollments)
      .where(eq(t.enrollments.id, (secondInLine as { enrollmentId: string }).enrollmentId));
    expect(still!.status).toBe("waitlisted");
  });
});
