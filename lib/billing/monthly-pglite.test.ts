// Monthly issuing on the embedded PGlite (the default database a newcomer runs): the same SQL
// issues the month with its discounts and numbers, lists the run, and a second run issues 0.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queryRows, type Database } from "@/db/client";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { listBillingRuns } from "@/db/queries/billing";
import * as t from "@/db/schema";
import { issueMonth, previewMonth } from "./monthly";

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_monthly_pglite", { driver: "pglite" });
});
afterAll(() => database.close());

it("issues a month with its discounts on PGlite, and nothing the second time", async () => {
  const [course] = await database.db
    .insert(t.courses)
    .values({
      code: "PG",
      name: "Alemán A1",
      startDate: "2031-01-01",
      endDate: "2031-12-31",
      capacity: 10,
      enrollmentFee: 0,
      monthlyFee: 9000,
      firstMonthOnEnrollment: false,
      status: "open",
    })
    .returning({ id: t.courses.id });
  for (const [i, discount] of [null, { kind: "percent" as const, value: 20 }, { kind: "fixed" as const, value: 500 }].entries()) {
    const [student] = await database.db
      .insert(t.students)
      .values({ firstName: `Leo${i}`, lastName: "Sanz", email: `leo${i}@correo.test` })
      .returning({ id: t.students.id });
    await database.db.insert(t.enrollments).values({
      studentId: student!.id,
      courseId: course!.id,
      status: "confirmed",
      discountKind: discount?.kind ?? null,
      discountValue: discount?.value ?? null,
    });
  }
  expect(await previewMonth(database.db, "2031-05")).toMatchObject({ count: 3, totals: [{ currency: "EUR", count: 3, amount: 9000 + 7200 + 8500 }] });
  const first = await issueMonth(database.db, { period: "2031-05", source: "system", now: new Date("2031-05-01T06:00:00Z") });
  expect(first).toMatchObject({ issued: 3, total: [{ currency: "EUR", count: 3, amount: 24700 }], dueDate: "2031-05-11" });
  expect(await issueMonth(database.db, { period: "2031-05", source: "system" })).toMatchObject({ issued: 0, runId: null });

  const numbers = await queryRows<{ number: string; discount_amount: number }>(database.db, sql`select number, discount_amount from receipts order by number`);
  expect(numbers.map((r) => r.number)).toEqual(["2031-000001", "2031-000002", "2031-000003"]);
  expect(numbers.map((r) => r.discount_amount).sort((a, b) => a - b)).toEqual([0, 500, 1800]);
  expect(await listBillingRuns(database.db, { limit: 5 })).toEqual([
    expect.objectContaining({ period: "2031-05", source: "system", issuedCount: 3, issuedTotal: 24700, staffName: null }),
  ]);
});
