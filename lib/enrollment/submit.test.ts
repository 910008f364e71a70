// Submitting enrollments on a real PostgreSQL: seats under a rush, double submissions, payers.
import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Database } from "@/db/client";
import * as t from "@/db/schema";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { submitEnrollment, type EnrollmentRequest } from "./submit";

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_enrollment");
});
afterAll(() => database.close());

async function course(capacity: number, alreadyTaken = 0) {
  const [row] = await database.db
    .insert(t.courses)
    .values({
      code: `C-${randomUUID().slice(0, 8)}`,
      name: "Inglés B1",
      startDate: "2026-09-01",
      endDate: "2027-06-30",
      capacity,
      enrollmentFee: 4000,
      monthlyFee: 6500,
      status: "open",
    })
    .returning({ id: t.courses.id });
  for (let i = 0; i < alreadyTaken; i++) {
    const [s] = await database.db
      .insert(t.students)
      .values({ firstName: "Ya", lastName: `Inscrito ${i}`, email: `ya${i}@correo.test` })
      .returning({ id: t.students.id });
    await database.db.insert(t.enrollments).values({ studentId: s!.id, courseId: row!.id, status: "confirmed" });
  }
  return row!.id;
}

let dni = 10_000_000;
function request(courseId: string, overrides: Partial<EnrollmentRequest> = {}): EnrollmentRequest {
  const n = dni++;
  return {
    submissionKey: randomUUID(),
    courseId,
    student: {
      firstName: "Laia",
      lastName: `Serra ${n}`,
      documentType: "dni",
      documentNumber: `${n}${"TRWAGMYFPDXBNJZSQVHLCKE"[n % 23]}`,
      email: `laia${n}@correo.test`,
      phone: "+34612345678",
      birthDate: "1995-04-12",
      postcode: "46004",
      city: "Valencia",
    },
    consents: { dataProtection: true, terms: true, imageRights: false },
    method: "redsys",
    locale: "es",
    joinWaitlist: false,
    ...overrides,
  };
}

describe("submitEnrollment", () => {
  it("holds exactly the seats left when 50 people submit at once", async () => {
    const courseId = await course(12, 7);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => submitEnrollment(database.db, request(courseId, { joinWaitlist: i % 2 === 0 }))));
    const kinds = results.map((r) => r.kind);
    expect(kinds.filter((k) => k === "held")).toHaveLength(5);
    expect(kinds.filter((k) => k === "waitlisted" || k === "full")).toHaveLength(45);
    const [counts] = await queryRows<{ pending: number; confirmed: number; waitlisted: number; receipts: number }>(
      database.db,
      sql`select
        (count(*) filter (where status = 'pending_payment'))::int as pending,
        (count(*) filter (where status = 'confirmed'))::int as confirmed,
        (count(*) filter (where status = 'waitlisted'))::int as waitlisted,
        (select count(*)::int from receipts r join enrollments e on e.id = r.enrollment_id where e.course_id = ${courseId}) as receipts
      from enrollments where course_id = ${courseId}`,
    );
    expect(counts).toEqual({ pending: 5, confirmed: 7, waitlisted: kinds.filter((k) => k === "waitlisted").length, receipts: 5 });
    const positions = results.flatMap((r) => (r.kind === "waitlisted" ? [r.position] : [])).sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: positions.length }, (_, i) => i + 1));
  });

  it("gives a double click or a second tab the same enrollment and receipt", async () => {
    const courseId = await course(10);
    const same = request(courseId);
    const [a, b, c] = await Promise.all([submitEnrollment(database.db, same), submitEnrollment(database.db, same), submitEnrollment(database.db, same)]);
    expect(a!.kind).toBe("held");
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    // Back button with a new submission key but the same person: still one enrollment.
    const again = await submitEnrollment(database.db, { ...same, submissionKey: randomUUID() });
    expect(again).toEqual(a);
    const rows = await database.db.select().from(t.enrollments).where(eq(t.enrollments.courseId, courseId));
    expect(rows).toHaveLength(1);
  });

  it("charges the enrollment fee plus the first month, to the guardian of a minor", async () => {
    const courseId = await course(10);
    const result = await submitEnrollment(
      database.db,
      request(courseId, {
        student: { ...request(courseId).student, birthDate: "2014-03-01" },
        guardian: {
          firstName: "Marta",
          lastName: "Serra",
          documentType: "dni",
          documentNumber: "11111111H",
          email: "marta@correo.test",
          phone: "+34600000000",
          relationship: "mother",
        },
        method: "bizum",
      }),
      { now: new Date("2026-11-27T10:00:00Z") },
    );
    expect(result).toMatchObject({ kind: "held", amount: 10500, currency: "EUR", method: "bizum" });
    if (result.kind !== "held") throw new Error("not held");
    expect(result.holdExpiresAt.toISOString()).toBe("2026-11-27T10:30:00.000Z");
    const [receipt] = await database.db.select().from(t.receipts).where(eq(t.receipts.id, result.receiptId));
    expect(receipt).toMatchObject({ kind: "enrollment", payerName: "Marta Serra", payerEmail: "marta@correo.test", amount: 10500, dueDate: "2026-11-27" });
    const guardians = await database.db.select().from(t.guardians).where(eq(t.guardians.studentId, receipt!.studentId));
    expect(guardians.map((g) => [g.firstName, g.isPayer])).toEqual([["Marta", true]]);
  });

  it("frees the seat of an expired hold for the next person", async () => {
    const courseId = await course(1);
    const first = await submitEnrollment(database.db, request(courseId), { now: new Date(Date.now() - 2 * 3600_000) });
    expect(first.kind).toBe("held");
    const second = await submitEnrollment(database.db, request(courseId));
    expect(second.kind).toBe("held");
    const third = await submitEnrollment(database.db, request(courseId));
    expect(third.kind).toBe("full");
  });

  it("refuses a closed course", async () => {
    const courseId = await course(5);
    await database.db.update(t.courses).set({ status: "closed" }).where(eq(t.courses.id, courseId));
    expect(await submitEnrollment(database.db, request(courseId))).toEqual({ kind: "closed" });
  });

  it("refuses a student outside the course's age range on its start date, and holds nothing", async () => {
    const courseId = await course(5);
    await database.db.update(t.courses).set({ minAge: 10, maxAge: 13 }).where(eq(t.courses.id, courseId));
    // The course starts on 2026-09-01: 12 then, an adult, and 9 (10 only in October).
    const guardian = {
      firstName: "Rosa",
      lastName: "Sanz",
      documentType: "dni" as const,
      documentNumber: "00000000T",
      email: "rosa@correo.test",
      phone: "+34600111222",
      relationship: "mother",
    };
    const child = (birthDate: string): EnrollmentRequest => {
      const r = request(courseId);
      return { ...r, student: { ...r.student, birthDate, documentType: undefined, documentNumber: undefined }, guardian };
    };
    expect(await submitEnrollment(database.db, request(courseId))).toEqual({ kind: "age_out_of_range", minAge: 10, maxAge: 13 });
    expect(await submitEnrollment(database.db, child("2016-10-01"), { now: new Date("2026-08-01T10:00:00Z") })).toMatchObject({ kind: "age_out_of_range" });
    expect(await submitEnrollment(database.db, child("2014-06-15"), { now: new Date("2026-08-01T10:00:00Z") })).toMatchObject({ kind: "held" });
    const [{ n } = { n: 0 }] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from enrollments where course_id = ${courseId}`);
    expect(n).toBe(1);
  });
});
