// The people lists' queries on a real PostgreSQL: keyset pages that visit every row once in
// order, and the searches staff type (document in any case, e-mail, a guardian's name).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { listAttentionItems } from "./dashboard-attention";
import { getDashboardCourse, listWaitingList } from "./dashboard-courses";
import { countDashboardEnrollments, listDashboardEnrollments } from "./dashboard-enrollments";
import { getDashboardStudent, listDashboardStudents } from "./dashboard-students";

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase("academy_test_dashboard_people");
});
afterAll(() => database.close());

async function seed() {
  const tag = randomUUID().slice(0, 6);
  // Same surname for all, so the first name and then the id break the ties.
  const people = await database.db
    .insert(t.students)
    .values(
      ["Eva", "Ana", "Íñigo", "Ana", "Zoe", "Bea", "Ciro"].map((firstName, i) => ({
        firstName,
        lastName: `Soler${tag}`,
        email: `${firstName.toLowerCase()}${i}.${tag}@correo.test`,
        documentType: "dni" as const,
        documentNumber: `${tag.toUpperCase()}${i}X`,
      })),
    )
    .returning({ id: t.students.id, firstName: t.students.firstName });
  await database.db.insert(t.guardians).values({ studentId: people[4]!.id, firstName: "Ramón", lastName: `Tutor${tag}`, email: `ramon.${tag}@correo.test` });
  const [course] = await database.db
    .insert(t.courses)
    .values({
      code: `Q-${tag}`,
      name: "Ruso A1",
      startDate: "2027-01-01",
      endDate: "2027-06-30",
      capacity: 3,
      enrollmentFee: 1000,
      monthlyFee: 5000,
      status: "open",
    })
    .returning({ id: t.courses.id });
  const statuses = ["confirmed", "pending_payment", "waitlisted", "waitlisted", "cancelled", "pending_payment", "confirmed"] as const;
  const base = Date.now() - 3_600_000;
  const enrollments = [];
  for (const [i, person] of people.entries()) {
    const status = statuses[i]!;
    const [row] = await database.db
      .insert(t.enrollments)
      .values({
        studentId: person.id,
        courseId: course!.id,
        status,
        // One hold still running, one expired: only the first holds a seat.
        holdExpiresAt: status === "pending_payment" ? new Date(i === 1 ? Date.now() + 600_000 : Date.now() - 600_000) : null,
        createdAt: new Date(base + i * 1000),
      })
      .returning({ id: t.enrollments.id });
    enrollments.push(row!.id);
  }
  return { tag, people, courseId: course!.id, enrollments };
}

describe("people queries", () => {
  it("page students by surname and name, every one once, and find them as staff type", async () => {
    const { tag, people } = await seed();
    const seen: string[] = [];
    let after;
    for (let pages = 0; pages < 10; pages++) {
      const page = await listDashboardStudents(database.db, { q: `Soler${tag}`, after, limit: 3 });
      seen.push(...page.rows.map((r) => r.firstName));
      if (!page.next) break;
      after = page.next;
    }
    // Pages of 3 walk the same order as one page of all, with no row twice or missing.
    const whole = await listDashboardStudents(database.db, { q: `Soler${tag}`, limit: 100 });
    expect(seen).toEqual(whole.rows.map((r) => r.firstName));
    expect([...seen].sort()).toEqual(people.map((p) => p.firstName).sort());
    expect(seen.slice(0, 3)).toEqual(["Ana", "Ana", "Bea"]);
    const live = Object.fromEntries(whole.rows.map((r) => [r.firstName, r.liveEnrollments]));
    expect([live.Eva, live.Zoe, live.Ciro]).toEqual([1, 0, 1]);

    const byDocument = await listDashboardStudents(database.db, { q: `${tag.toLowerCase()}2x`, limit: 10 });
    expect(byDocument.rows.map((r) => r.firstName)).toEqual(["Íñigo"]);
    const byEmail = await listDashboardStudents(database.db, { q: `ZOE4.${tag}@correo.test`, limit: 10 });
    expect(byEmail.rows.map((r) => r.firstName)).toEqual(["Zoe"]);
    const byGuardian = await listDashboardStudents(database.db, { q: `ramón tutor${tag}`, limit: 10 });
    expect(byGuardian.rows.map((r) => r.firstName)).toEqual(["Zoe"]);
    // A % typed by staff is a character, not a wildcard.
    expect((await listDashboardStudents(database.db, { q: `Soler${tag}%`, limit: 10 })).rows).toHaveLength(0);

    const zoe = await getDashboardStudent(database.db, people[4]!.id);
    expect(zoe?.guardians.map((g) => g.firstName)).toEqual(["Ramón"]);
    expect(zoe?.enrollments.map((e) => e.status)).toEqual(["cancelled"]);
  });

  it("page enrollments newest first with filters, and count seats as the enrollment path does", async () => {
    const { tag, courseId, enrollments } = await seed();
    const seen: string[] = [];
    let after;
    for (let pages = 0; pages < 10; pages++) {
      const page = await listDashboardEnrollments(database.db, { filter: { courseId }, after, limit: 2 });
      seen.push(...page.rows.map((r) => r.id));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen).toEqual([...enrollments].reverse());
    const waiting = await listDashboardEnrollments(database.db, { filter: { courseId, status: "waitlisted" }, limit: 10 });
    expect(waiting.rows.map((r) => r.id)).toEqual([enrollments[3], enrollments[2]]);
    const counts = await countDashboardEnrollments(database.db, { courseId });
    expect(counts.total).toBe(7);
    expect(Object.fromEntries(counts.byStatus.map((s) => [s.status, s.count]))).toEqual({ confirmed: 2, pending_payment: 2, waitlisted: 2, cancelled: 1 });
    const bySearch = await listDashboardEnrollments(database.db, { filter: { courseId, q: `ciro soler${tag}` }, limit: 10 });
    expect(bySearch.rows.map((r) => r.id)).toEqual([enrollments[6]]);

    const course = await getDashboardCourse(database.db, courseId);
    expect(course).toMatchObject({ capacity: 3, confirmed: 2, held: 1, free: 0, waiting: 2 });
    expect((await listWaitingList(database.db, courseId)).map((w) => w.enrollmentId)).toEqual([enrollments[2], enrollments[3]]);
  });

  it("page attention items: open oldest first, resolved newest first", async () => {
    const tag = randomUUID().slice(0, 6);
    const [student] = await database.db
      .insert(t.students)
      .values({ firstName: "Leo", lastName: `Paz${tag}`, email: `leo.${tag}@correo.test` })
      .returning({ id: t.students.id });
    const n = Math.floor(Math.random() * 900_000) + 1;
    const [receipt] = await database.db
      .insert(t.receipts)
      .values({
        number: `2097-${n}`,
        seriesYear: 2097,
        seriesNumber: n,
        kind: "other",
        studentId: student!.id,
        concept: "Libro",
        amount: 2500,
        dueDate: "2026-12-01",
        payerName: "Leo",
        payerEmail: "leo@correo.test",
      })
      .returning({ id: t.receipts.id });
    const base = Date.now() - 60_000;
    const items = await database.db
      .insert(t.attentionItems)
      .values(
        [0, 1, 2, 3, 4].map((i) => ({
          kind: "amount_mismatch" as const,
          receiptId: receipt!.id,
          evidence: { i },
          createdAt: new Date(base + i * 1000),
          resolvedAt: i >= 3 ? new Date(base + (10 - i) * 1000) : null,
        })),
      )
      .returning({ id: t.attentionItems.id });
    const open: string[] = [];
    let after;
    for (let pages = 0; pages < 10; pages++) {
      const page = await listAttentionItems(database.db, { state: "open", after, limit: 2 });
      open.push(...page.rows.filter((r) => r.receiptId === receipt!.id).map((r) => r.id));
      if (!page.next) break;
      after = page.next;
    }
    expect(open).toEqual([items[0]!.id, items[1]!.id, items[2]!.id]);
    const resolved = await listAttentionItems(database.db, { state: "resolved", limit: 50 });
    expect(resolved.rows.filter((r) => r.receiptId === receipt!.id).map((r) => r.id)).toEqual([items[3]!.id, items[4]!.id]);
    expect(resolved.rows.find((r) => r.id === items[3]!.id)).toMatchObject({ receiptAmount: 2500, studentName: `Leo Paz${tag}`, evidence: { i: 3 } });
  });
});
