// The "issue-monthly-receipts" job on a real PostgreSQL: it waits for the academy's issue day
// (in Madrid, not UTC), does nothing while automatic issuing is off, issues the current month
// once the day has come (a later day catches up and issues nothing twice), and the cron door
// runs the same job with its bearer secret.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Database } from "@/db/client";
import * as t from "@/db/schema";
import { settingKeys } from "@/lib/settings/schemas";
import { handleCronRequest } from "@/lib/jobs/cron";
import { isJobName } from "@/lib/jobs/queues";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { issueDueMonth } from "./schedule";

const SECRET = "cron-secret-for-billing-tests-0123";
let database: Database;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_billing_schedule");
  const [course] = await database.db
    .insert(t.courses)
    .values({
      code: "SCH",
      name: "Francés A2",
      startDate: "2036-01-01",
      endDate: "2036-12-31",
      capacity: 20,
      enrollmentFee: 0,
      monthlyFee: 5200,
      firstMonthOnEnrollment: false,
      status: "open",
    })
    .returning({ id: t.courses.id });
  for (let i = 0; i < 3; i++) {
    const [student] = await database.db
      .insert(t.students)
      .values({ firstName: `Eva${i}`, lastName: "Roca", email: `eva${i}@correo.test` })
      .returning({ id: t.students.id });
    await database.db.insert(t.enrollments).values({ studentId: student!.id, courseId: course!.id, status: "confirmed" });
  }
});
afterAll(() => database.close());

async function setBilling(value: Record<string, unknown>) {
  await database.db.insert(t.settings).values({ key: settingKeys.billing, value }).onConflictDoUpdate({ target: t.settings.key, set: { value } });
}

async function monthlyCount(period: string) {
  const [row] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from receipts where period = ${period}`);
  return row!.n;
}

describe("issueDueMonth", () => {
  it("waits for the issue day in Madrid, skips while manual, then issues the month once", async () => {
    await setBilling({ issueDay: 5, automatic: true });
    // 23:30 UTC on 4 March is already 5 March in Madrid; 22:30 is still the 4th.
    expect(await issueDueMonth(database.db, { now: new Date("2036-03-04T22:30:00Z") })).toEqual({
      outcome: "before_issue_day",
      period: "2036-03",
      issueDay: 5,
    });
    expect(await monthlyCount("2036-03")).toBe(0);

    await setBilling({ issueDay: 5, automatic: false });
    expect(await issueDueMonth(database.db, { now: new Date("2036-03-06T08:00:00Z") })).toEqual({ outcome: "manual", period: "2036-03" });
    expect(await monthlyCount("2036-03")).toBe(0);

    await setBilling({ issueDay: 5, automatic: true });
    expect(await issueDueMonth(database.db, { now: new Date("2036-03-04T23:30:00Z") })).toEqual({
      outcome: "issued",
      period: "2036-03",
      issued: 3,
      total: [{ currency: "EUR", count: 3, amount: 15600 }],
    });
    // The next days' runs catch up nothing and issue nothing twice.
    expect(await issueDueMonth(database.db, { now: new Date("2036-03-20T05:00:00Z") })).toMatchObject({ outcome: "issued", issued: 0 });
    expect(await monthlyCount("2036-03")).toBe(3);
    const runs = await queryRows<{ source: string; issued_count: number }>(
      database.db,
      sql`select source, issued_count from billing_runs where period = '2036-03'`,
    );
    expect(runs).toEqual([{ source: "system", issued_count: 3 }]);
    // Due in dueAfterDays (10 by default) from the Madrid issue date, 5 March.
    const due = await queryRows<{ due: string }>(
      database.db,
      sql`select distinct to_char(due_date, 'YYYY-MM-DD') as due from receipts where period = '2036-03'`,
    );
    expect(due).toEqual([{ due: "2036-03-15" }]);
  });
});

describe("the cron door", () => {
  const call = (authorization?: string) =>
    handleCronRequest(
      new Request("http://127.0.0.1:9/api/cron/issue-monthly-receipts", { method: "POST", headers: authorization ? { authorization } : {} }),
      "issue-monthly-receipts",
      {
        secret: SECRET,
        db: database.db,
        jobs: { billing: { now: new Date("2036-04-10T09:00:00Z") } },
      },
    );

  it("is a job name the route knows", () => {
    expect(isJobName("issue-monthly-receipts")).toBe(true);
  });

  it("refuses without the secret and issues the month with it", async () => {
    await setBilling({ issueDay: 1, automatic: true });
    const refused = await call("Bearer wrong-secret-0123456789");
    expect(refused.status).toBe(401);
    expect(await monthlyCount("2036-04")).toBe(0);

    const response = await call(`Bearer ${SECRET}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ job: "issue-monthly-receipts", ok: true, report: { outcome: "issued", period: "2036-04", issued: 3 } });
    expect(await monthlyCount("2036-04")).toBe(3);
    const again = await call(`Bearer ${SECRET}`);
    expect(await again.json()).toMatchObject({ ok: true, report: { issued: 0 } });
  });
});
