// The reports' figures on a real PostgreSQL, against rows this test inserts: months cut at
// midnight in Madrid (not UTC), methods kept apart, other currencies and unpaid receipts left
// out, overdue as a part of pending, and the funnel counting by the enrollment's day.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import * as t from "@/db/schema";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { getCollectedByMonth, getEnrollmentFunnel, getOpenAmounts, monthsUpTo } from "./reports";

let database: Database;
const timeZone = "Europe/Madrid";
const now = new Date("2026-11-15T12:00:00Z");
let studentId = "";
let courseId = "";
let serial = 0;

type ReceiptInput = Partial<typeof t.receipts.$inferInsert> & { amount: number };

async function receipt(values: ReceiptInput) {
  serial += 1;
  const [row] = await database.db
    .insert(t.receipts)
    .values({
      number: `2026-${String(serial).padStart(6, "0")}`,
      seriesYear: 2026,
      seriesNumber: serial,
      kind: "other",
      studentId,
      concept: `Recibo ${serial}`,
      dueDate: "2099-01-01",
      payerName: "Ana Pérez",
      payerEmail: "ana@correo.test",
      ...values,
    })
    .returning({ id: t.receipts.id });
  return row!.id;
}

const paid = (at: string, method: (typeof t.paymentMethod.enumValues)[number], amount: number, extra: Partial<ReceiptInput> = {}) =>
  receipt({ amount, status: "paid", paidAt: new Date(at), paidMethod: method, ...extra });

beforeAll(async () => {
  database = await openTestDatabase("academy_test_reports");
  const [student] = await database.db
    .insert(t.students)
    .values({ firstName: "Ana", lastName: "Pérez", email: "ana@correo.test" })
    .returning({ id: t.students.id });
  studentId = student!.id;
  const [course] = await database.db
    .insert(t.courses)
    .values({
      code: "ING-R",
      name: "Inglés",
      startDate: "2026-09-01",
      endDate: "2027-06-30",
      capacity: 100,
      enrollmentFee: 5000,
      monthlyFee: 9000,
      status: "open",
    })
    .returning({ id: t.courses.id });
  courseId = course!.id;
});
afterAll(() => database.close());

describe("getCollectedByMonth", () => {
  it("adds what was paid per month (Madrid time) and method, over the last 12 months", async () => {
    // 23:30 UTC on 31 October is 00:30 on 1 November in Madrid.
    await paid("2026-10-31T23:30:00Z", "bizum", 2_345);
    await paid("2026-11-02T10:00:00Z", "bizum", 1_001);
    await paid("2026-11-03T10:00:00Z", "cash", 7_000);
    await paid("2026-10-31T22:30:00Z", "redsys", 12_345_678); // 23:30 on 31 October in Madrid
    // Refunded later: still money received in its month.
    await receipt({ amount: 5_000, status: "partially_refunded", paidAt: new Date("2026-10-05T09:00:00Z"), paidMethod: "stripe", refundedAmount: 1_000 });
    // 30 November 2025 23:59 Madrid is before the window; 1 December 00:00 Madrid is its first minute.
    await paid("2025-11-30T22:59:00Z", "transfer", 999);
    await paid("2025-11-30T23:00:00Z", "transfer", 111);
    // Never counted: another currency, unpaid, cancelled, and next month.
    await paid("2026-11-04T10:00:00Z", "paypal", 4_000, { currency: "USD" });
    await receipt({ amount: 3_000 });
    await receipt({ amount: 3_000, status: "cancelled", cancelledAt: new Date("2026-11-01T10:00:00Z") });
    await paid("2026-11-30T23:00:00Z", "cash", 50);

    const months = await getCollectedByMonth(database.db, { timeZone, currency: "EUR", months: 12, now });
    expect(months.map((m) => m.month)).toEqual(monthsUpTo(now, timeZone, 12));
    expect(months[0]!.month).toBe("2025-12");
    expect(months.at(-1)!.month).toBe("2026-11");
    const byMonth = Object.fromEntries(months.map((m) => [m.month, m]));
    expect(byMonth["2026-11"]).toMatchObject({ total: 2_345 + 1_001 + 7_000, payments: 3, byMethod: { bizum: 3_346, cash: 7_000, paypal: 0 } });
    expect(byMonth["2026-10"]).toMatchObject({ total: 12_345_678 + 5_000, payments: 2, byMethod: { redsys: 12_345_678, stripe: 5_000, bizum: 0 } });
    expect(byMonth["2025-12"]).toMatchObject({ total: 111, payments: 1, byMethod: { transfer: 111 } });
    for (const month of months.filter((m) => !["2025-12", "2026-10", "2026-11"].includes(m.month))) {
      expect(month.total, month.month).toBe(0);
    }
    // The sum of every month equals what the rows say was paid in the window.
    expect(months.reduce((sum, m) => sum + m.total, 0)).toBe(2_345 + 1_001 + 7_000 + 12_345_678 + 5_000 + 111);
  });

  it("counts the months across a year boundary", () => {
    expect(monthsUpTo(new Date("2026-02-10T12:00:00Z"), timeZone, 4)).toEqual(["2025-11", "2025-12", "2026-01", "2026-02"]);
    // 23:30 UTC on 31 December is already January in Madrid.
    expect(monthsUpTo(new Date("2026-12-31T23:30:00Z"), timeZone, 1)).toEqual(["2027-01"]);
  });
});

describe("getOpenAmounts", () => {
  it("sums pending receipts, and the overdue part of them, from the rows", async () => {
    const before = await getOpenAmounts(database.db, { timeZone, currency: "EUR" });
    await receipt({ amount: 10_050, dueDate: "2020-01-01" });
    await receipt({ amount: 20_000, dueDate: "2099-12-31" });
    await receipt({ amount: 777, dueDate: "2020-01-01", currency: "USD" });
    await paid("2026-01-01T10:00:00Z", "cash", 5_000, { dueDate: "2020-01-01" });
    const after = await getOpenAmounts(database.db, { timeZone, currency: "EUR" });
    expect(after).toEqual({
      pendingAmount: before.pendingAmount + 30_050,
      pendingCount: before.pendingCount + 2,
      overdueAmount: before.overdueAmount + 10_050,
      overdueCount: before.overdueCount + 1,
    });
    // Against the table itself.
    const rows = await database.db.select().from(t.receipts);
    const pending = rows.filter((r) => r.status === "pending" && r.currency === "EUR");
    expect(after.pendingAmount).toBe(pending.reduce((sum, r) => sum + r.amount, 0));
    expect(after.overdueCount).toBe(pending.filter((r) => r.dueDate < new Date().toISOString().slice(0, 10)).length);
  });
});

describe("getEnrollmentFunnel", () => {
  it("counts started, paid and cancelled enrollments of a range of days in Madrid", async () => {
    const students = await database.db
      .insert(t.students)
      .values(Array.from({ length: 6 }, (_, i) => ({ firstName: `Alumno${i}`, lastName: "Funnel", email: `f${i}@correo.test` })))
      .returning({ id: t.students.id });
    const enroll = async (i: number, createdAt: string, status: (typeof t.enrollmentStatus.enumValues)[number]) => {
      const [row] = await database.db
        .insert(t.enrollments)
        .values({ studentId: students[i]!.id, courseId, status, createdAt: new Date(createdAt) })
        .returning({ id: t.enrollments.id });
      return row!.id;
    };
    // In range (1–30 September, Madrid): 00:10 on 1 September in Madrid is 22:10 UTC on 31 August.
    const paidOne = await enroll(0, "2026-08-31T22:10:00Z", "confirmed");
    const refundedOne = await enroll(1, "2026-09-10T10:00:00Z", "withdrawn");
    await enroll(2, "2026-09-12T10:00:00Z", "cancelled");
    const unpaid = await enroll(3, "2026-09-30T21:59:00Z", "pending_payment"); // 23:59 on 30 September in Madrid
    // Out of range: 23:59 on 31 August and 00:00 on 1 October in Madrid.
    await enroll(4, "2026-08-31T21:59:00Z", "cancelled");
    await enroll(5, "2026-09-30T22:00:00Z", "confirmed");
    await receipt({ amount: 5_000, kind: "enrollment", enrollmentId: paidOne, status: "paid", paidAt: new Date("2026-09-01T10:00:00Z"), paidMethod: "bizum" });
    await receipt({
      amount: 5_000,
      kind: "enrollment",
      enrollmentId: refundedOne,
      status: "refunded",
      refundedAmount: 5_000,
      paidAt: new Date("2026-09-11T10:00:00Z"),
      paidMethod: "stripe",
    });
    // A paid monthly receipt is not the enrollment's payment.
    await receipt({
      amount: 9_000,
      kind: "monthly",
      period: "2026-09",
      enrollmentId: unpaid,
      status: "paid",
      paidAt: new Date("2026-09-30T10:00:00Z"),
      paidMethod: "cash",
    });

    expect(await getEnrollmentFunnel(database.db, { timeZone, from: "2026-09-01", to: "2026-09-30" })).toEqual({ started: 4, paid: 2, cancelled: 1 });
    expect(await getEnrollmentFunnel(database.db, { timeZone, from: "2026-08-31", to: "2026-08-31" })).toEqual({ started: 1, paid: 0, cancelled: 1 });
    expect(await getEnrollmentFunnel(database.db, { timeZone, from: "2026-09-01", to: "2026-10-01" })).toEqual({ started: 5, paid: 2, cancelled: 1 });
  });
});
