// Creating and editing courses on a real PostgreSQL: fees in cents, an audit line with the staff
// member, capacity never below the seats taken, a code used once, and "offer the seat".
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { submitEnrollment, type EnrollmentRequest } from "@/lib/enrollment/submit";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { CourseError, createCourse, offerFreeSeat, updateCourse } from "./manage";
import { parseCourseForm, type CourseInput } from "./schema";

let database: Database;
let staffUserId: string;
beforeAll(async () => {
  database = await openTestDatabase("academy_test_courses_manage");
  const [user] = await database.db
    .insert(t.staffUsers)
    .values({ email: "curso@academia.test", name: "Ana Ruiz", passwordHash: "x", role: "staff" })
    .returning({ id: t.staffUsers.id });
  staffUserId = user!.id;
});
afterAll(() => database.close());

function input(overrides: Record<string, string> = {}): CourseInput {
  const parsed = parseCourseForm({
    code: `C-${randomUUID().slice(0, 6)}`,
    name: "Portugués A2",
    description: "",
    level: "A2",
    schedule: "V 17:00",
    startDate: "2027-01-10",
    endDate: "2027-06-10",
    capacity: "2",
    enrollmentFee: "35",
    monthlyFee: "72,40",
    status: "open",
    campusCourseId: "",
    ...overrides,
  });
  if (!parsed.ok) throw new Error(`invalid course: ${parsed.fields.join(", ")}`);
  return parsed.course;
}

let n = 40_000_000;
function request(courseId: string, joinWaitlist = false): EnrollmentRequest {
  const dni = n++;
  return {
    submissionKey: randomUUID(),
    courseId,
    student: {
      firstName: "Nuria",
      lastName: `Vidal ${dni}`,
      documentType: "dni",
      documentNumber: `${dni}${"TRWAGMYFPDXBNJZSQVHLCKE"[dni % 23]}`,
      email: `nuria${dni}@correo.test`,
      phone: "+34612345678",
      birthDate: "1990-01-01",
      postcode: "08001",
      city: "Barcelona",
    },
    consents: { dataProtection: true, terms: true, imageRights: false },
    method: "bizum",
    locale: "es",
    joinWaitlist,
  };
}

async function expectCode(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CourseError);
  expect((error as CourseError).code).toBe(code);
}

describe("courses", () => {
  it("are created with fees in cents and an audit line, and a code is used once", async () => {
    const course = input();
    const { courseId } = await createCourse(database.db, { course, staffUserId });
    const [row] = await database.db.select().from(t.courses).where(eq(t.courses.id, courseId));
    expect(row).toMatchObject({ enrollmentFee: 3500, monthlyFee: 7240, currency: "EUR", capacity: 2, status: "open" });
    const audit = await database.db
      .select()
      .from(t.auditEvents)
      .where(and(eq(t.auditEvents.action, "course.created"), sql`${t.auditEvents.data}->>'courseId' = ${courseId}`));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.staffUserId).toBe(staffUserId);
    await expectCode(createCourse(database.db, { course: { ...input(), code: course.code }, staffUserId }), "code_taken");
  });

  it("keep capacity at or above the seats taken, and record what changed", async () => {
    const { courseId } = await createCourse(database.db, { course: input({ capacity: "3" }), staffUserId });
    for (let i = 0; i < 2; i++) expect((await submitEnrollment(database.db, request(courseId))).kind).toBe("held");

    await expectCode(updateCourse(database.db, { courseId, course: input({ capacity: "1" }), staffUserId }), "capacity_below_taken");
    const error = await updateCourse(database.db, { courseId, course: input({ capacity: "1" }), staffUserId }).catch((e: unknown) => e);
    expect((error as CourseError).detail).toEqual({ taken: 2 });

    const [before] = await database.db.select({ code: t.courses.code }).from(t.courses).where(eq(t.courses.id, courseId));
    const changed = await updateCourse(database.db, { courseId, course: input({ code: before!.code, capacity: "2", monthlyFee: "90,25" }), staffUserId });
    expect(changed.changed.sort()).toEqual(["capacity", "monthlyFee"]);
    const [row] = await database.db.select().from(t.courses).where(eq(t.courses.id, courseId));
    expect(row).toMatchObject({ capacity: 2, monthlyFee: 9025 });
    const [audit] = await database.db
      .select()
      .from(t.auditEvents)
      .where(and(eq(t.auditEvents.action, "course.updated"), sql`${t.auditEvents.data}->>'courseId' = ${courseId}`));
    expect(audit!.data).toMatchObject({ changes: { capacity: { from: 3, to: 2 }, monthlyFee: { from: 7240, to: 9025 } } });
    await expectCode(updateCourse(database.db, { courseId: randomUUID(), course: input(), staffUserId }), "course_not_found");
  });

  it("offer a free seat to the first on the waiting list, and refuse when none is free", async () => {
    const { courseId } = await createCourse(database.db, { course: input({ capacity: "1" }), staffUserId });
    expect((await submitEnrollment(database.db, request(courseId))).kind).toBe("held");
    const first = await submitEnrollment(database.db, request(courseId, true));
    const second = await submitEnrollment(database.db, request(courseId, true));
    if (first.kind !== "waitlisted" || second.kind !== "waitlisted") throw new Error("expected the waiting list");
    await expectCode(offerFreeSeat(database.db, { courseId, staffUserId }), "no_free_seat");

    const [current] = await database.db.select({ code: t.courses.code }).from(t.courses).where(eq(t.courses.id, courseId));
    await updateCourse(database.db, { courseId, course: input({ code: current!.code, capacity: "2" }), staffUserId });
    await offerFreeSeat(database.db, { courseId, staffUserId });
    const statuses = await database.db
      .select({ id: t.enrollments.id, status: t.enrollments.status })
      .from(t.enrollments)
      .where(eq(t.enrollments.courseId, courseId));
    const byId = Object.fromEntries(statuses.map((s) => [s.id, s.status]));
    expect(byId[first.enrollmentId]).toBe("pending_payment");
    expect(byId[second.enrollmentId]).toBe("waitlisted");
    await expectCode(offerFreeSeat(database.db, { courseId, staffUserId }), "no_free_seat");
  });
});
