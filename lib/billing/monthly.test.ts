// Monthly issuing on a real PostgreSQL: amounts after percent and fixed discounts (a 100 % one
// issues nothing), idempotence, two issuers of one month at once, interleaving with single
// receipts (numbers stay gapless), course date bounds, the first-month rule and who pays.
// Each test works in a year of its own (courses run only then), so the tests do not see each
// other's enrollments.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Database } from "@/db/client";
import * as t from "@/db/schema";
import { issueReceipt } from "@/lib/receipts/issue";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { addDays, issueMonth, monthLabel, previewMonth } from "./monthly";

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase("academy_test_billing_monthly");
});
afterAll(() => database.close());

let counter = 0;

async function course(values: { start: string; end: string; fee: number; firstMonthOnEnrollment?: boolean; name?: string }) {
  const code = `C${++counter}`;
  const [row] = await database.db
    .insert(t.courses)
    .values({
      code,
      name: values.name ?? `Curso ${code}`,
      startDate: values.start,
      endDate: values.end,
      capacity: 500,
      enrollmentFee: 3000,
      monthlyFee: values.fee,
      firstMonthOnEnrollment: values.firstMonthOnEnrollment ?? false,
      status: "open",
    })
    .returning({ id: t.courses.id, name: t.courses.name });
  return row!;
}

async function student(values: { locale?: "es" | "en"; guardian?: { isPayer: boolean } } = {}) {
  const n = ++counter;
  const [row] = await database.db
    .insert(t.students)
    .values({
      firstName: `Alumno${n}`,
      lastName: `Apellido${n}`,
      email: `alumno${n}@correo.test`,
      documentType: "dni",
      documentNumber: `DOC${n}`,
      locale: values.locale ?? "es",
    })
    .returning({ id: t.students.id });
  if (values.guardian) {
    await database.db.insert(t.guardians).values({
      studentId: row!.id,
      firstName: `Tutor${n}`,
      lastName: `Apellido${n}`,
      email: `tutor${n}@correo.test`,
      documentType: "dni",
      documentNumber: `TUT${n}`,
      isPayer: values.guardian.isPayer,
    });
  }
  return row!.id;
}

type EnrollOptions = {
  status?: "confirmed" | "pending_payment" | "cancelled" | "withdrawn" | "waitlisted";
  discount?: { kind: "percent" | "fixed"; value: number };
  createdAt?: Date;
};

async function enroll(studentId: string, courseId: string, options: EnrollOptions = {}) {
  const [row] = await database.db
    .insert(t.enrollments)
    .values({
      studentId,
      courseId,
      status: options.status ?? "confirmed",
      discountKind: options.discount?.kind ?? null,
      discountValue: options.discount?.value ?? null,
      ...(options.createdAt ? { createdAt: options.createdAt } : {}),
    })
    .returning({ id: t.enrollments.id });
  return row!.id;
}

type ReceiptRow = {
  id: string;
  enrollment_id: string;
  number: string;
  series_year: number;
  series_number: number;
  amount: number;
  discount_amount: number;
  concept: string;
  due_date: string;
  payer_name: string;
  payer_email: string;
  payer_document: string | null;
  currency: string;
};

async function receiptsOf(period: string): Promise<ReceiptRow[]> {
  return queryRows<ReceiptRow>(
    database.db,
    sql`select id, enrollment_id, number, series_year, series_number, amount, discount_amount, concept, to_char(due_date, 'YYYY-MM-DD') as due_date,
          payer_name, payer_email, payer_document, currency
        from receipts where period = ${period} and kind = 'monthly' order by series_year, series_number`,
  );
}

/** Every year's series: numbers 1..last_number, each used once. */
async function expectGaplessSeries() {
  const rows = await queryRows<{ year: number; last_number: number; used: number; distinct_used: number; max_used: number | null }>(
    database.db,
    sql`select s.year, s.last_number,
          (select count(*)::int from receipts r where r.series_year = s.year) as used,
          (select count(distinct series_number)::int from receipts r where r.series_year = s.year) as distinct_used,
          (select max(series_number) from receipts r where r.series_year = s.year) as max_used
        from receipt_number_series s`,
  );
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) {
    expect(row, `series ${row.year}`).toEqual({
      ...row,
      used: row.last_number,
      distinct_used: row.last_number,
      max_used: row.last_number === 0 ? null : row.last_number,
    });
  }
}

describe("issueMonth", () => {
  it("applies percent and fixed discounts, rounds half up, and skips what a discount leaves at zero", async () => {
    const c = await course({ start: "2031-01-01", end: "2031-06-30", fee: 10000, name: "Inglés B1" });
    const small = await course({ start: "2031-01-01", end: "2031-06-30", fee: 333, name: "Taller" });
    const none = await enroll(await student(), c.id);
    const percent = await enroll(await student(), c.id, { discount: { kind: "percent", value: 15 } });
    const fixed = await enroll(await student({ locale: "en" }), c.id, { discount: { kind: "fixed", value: 2500 } });
    const half = await enroll(await student(), small.id, { discount: { kind: "percent", value: 50 } });
    const free = await enroll(await student(), c.id, { discount: { kind: "percent", value: 100 } });
    const overFixed = await enroll(await student(), c.id, { discount: { kind: "fixed", value: 20000 } });
    const now = new Date("2031-02-27T23:30:00Z"); // 28 February in Madrid

    const preview = await previewMonth(database.db, "2031-03");
    expect(preview.count).toBe(4);
    expect(preview.totals).toEqual([{ currency: "EUR", count: 4, amount: 10000 + 8500 + 7500 + 166 }]);
    expect(preview.sample.map((r) => r.courseName)).toEqual(["Inglés B1", "Inglés B1", "Inglés B1", "Taller"]);

    const result = await issueMonth(database.db, { period: "2031-03", source: "system", now });
    expect(result.issued).toBe(4);
    expect(result.total).toEqual(preview.totals);
    expect(result.dueDate).toBe("2031-03-10");

    const rows = await receiptsOf("2031-03");
    const byEnrollment = new Map(rows.map((r) => [r.enrollment_id, r]));
    expect(byEnrollment.get(none)).toMatchObject({ amount: 10000, discount_amount: 0, concept: `Mensualidad Inglés B1 — ${monthLabel("2031-03", "es")}` });
    expect(byEnrollment.get(percent)).toMatchObject({ amount: 8500, discount_amount: 1500 });
    expect(byEnrollment.get(fixed)).toMatchObject({ amount: 7500, discount_amount: 2500, concept: "Monthly fee Inglés B1 — March 2031" });
    // 50 % of 3.33 is 1.665: the discount is rounded half up to 1.67, 1.66 is owed.
    expect(byEnrollment.get(half)).toMatchObject({ amount: 166, discount_amount: 167 });
    expect(byEnrollment.has(free)).toBe(false);
    expect(byEnrollment.has(overFixed)).toBe(false);
    expect(monthLabel("2031-03", "es")).toBe("marzo de 2031");
    for (const row of rows) {
      expect(row.due_date).toBe("2031-03-10");
      expect(row.series_year).toBe(2031);
      expect(row.number).toBe(`2031-${String(row.series_number).padStart(6, "0")}`);
    }

    // One "receipt.issued" line per receipt, shaped as lib/receipts/issue.ts writes it.
    const audit = await queryRows<{ receipt_id: string; source: string; data: { number: string; amount: number } }>(
      database.db,
      sql`select receipt_id, source, data from audit_events where action = 'receipt.issued' and receipt_id in (select id from receipts where period = '2031-03')`,
    );
    expect(audit).toHaveLength(4);
    for (const line of audit) {
      const receipt = rows.find((r) => r.id === line.receipt_id)!;
      expect(line).toEqual({ receipt_id: receipt.id, source: "system", data: { number: receipt.number, amount: receipt.amount } });
    }
    const runs = await queryRows<{ source: string; issued_count: number; issued_total: number; created_by: string | null }>(
      database.db,
      sql`select source, issued_count, issued_total, created_by from billing_runs where period = '2031-03'`,
    );
    expect(runs).toEqual([{ source: "system", issued_count: 4, issued_total: 26166, created_by: null }]);
    await expectGaplessSeries();
  });

  it("issues nothing new the second time; a staff run is recorded even then, a scheduled one is not", async () => {
    const c = await course({ start: "2037-01-01", end: "2037-12-31", fee: 5000 });
    for (let i = 0; i < 3; i++) await enroll(await student(), c.id);
    const [staff] = await database.db
      .insert(t.staffUsers)
      .values({ email: "ana@academia.test", name: "Ana", passwordHash: "x" })
      .returning({ id: t.staffUsers.id });

    const first = await issueMonth(database.db, { period: "2037-05", source: "staff", staffUserId: staff!.id });
    expect(first.issued).toBe(3);
    const again = await issueMonth(database.db, { period: "2037-05", source: "staff", staffUserId: staff!.id });
    expect(again).toMatchObject({ issued: 0, total: [] });
    expect(again.runId).not.toBeNull();
    const scheduled = await issueMonth(database.db, { period: "2037-05", source: "system" });
    expect(scheduled).toMatchObject({ issued: 0, runId: null });
    expect((await previewMonth(database.db, "2037-05")).count).toBe(0);
    expect(await receiptsOf("2037-05")).toHaveLength(3);
    const runs = await queryRows<{ source: string; issued_count: number; created_by: string | null }>(
      database.db,
      sql`select source, issued_count, created_by from billing_runs where period = '2037-05' order by created_at, issued_count desc`,
    );
    expect(runs).toEqual([
      { source: "staff", issued_count: 3, created_by: staff!.id },
      { source: "staff", issued_count: 0, created_by: staff!.id },
    ]);
    await expectGaplessSeries();
  });

  it("two issuers of the same month at once issue each receipt once, with gapless numbers", async () => {
    const c = await course({ start: "2032-01-01", end: "2032-12-31", fee: 4000 });
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await enroll(await student(), c.id, i % 4 === 0 ? { discount: { kind: "percent", value: 10 } } : {}));
    const now = new Date("2032-04-02T08:00:00Z");
    const [before] = await queryRows<{ last_number: number | null }>(
      database.db,
      sql`select (select last_number from receipt_number_series where year = 2032) as last_number`,
    );

    const results = await Promise.all([
      issueMonth(database.db, { period: "2032-04", source: "staff", now }),
      issueMonth(database.db, { period: "2032-04", source: "system", now }),
      issueMonth(database.db, { period: "2032-04", source: "staff", now }),
    ]);
    expect(results.map((r) => r.issued).sort((a, b) => a - b)).toEqual([0, 0, 40]);

    const rows = await receiptsOf("2032-04");
    expect(rows.map((r) => r.enrollment_id).sort()).toEqual([...ids].sort());
    const start = before!.last_number ?? 0;
    expect(rows.map((r) => r.series_number)).toEqual(Array.from({ length: 40 }, (_, i) => start + i + 1));
    await expectGaplessSeries();
  });

  it("interleaved with single receipts issued one at a time, keeps the series gapless", async () => {
    const c = await course({ start: "2033-01-01", end: "2033-12-31", fee: 6000 });
    for (let i = 0; i < 25; i++) await enroll(await student(), c.id);
    const loner = await student();
    // issueReceipt numbers in the current year's series: issue the month now too, so both share it.
    const single = (n: number) =>
      database.db.transaction((tx) =>
        issueReceipt(
          tx,
          {
            studentId: loner,
            kind: "other",
            concept: `Libro ${n}`,
            amount: 1500 + n,
            currency: "EUR",
            dueDate: "2033-01-15",
            payer: { name: "X", email: "x@correo.test" },
          },
          "api",
        ),
      );
    const [month1, , month2] = await Promise.all([
      issueMonth(database.db, { period: "2033-02", source: "system" }),
      Promise.all(Array.from({ length: 6 }, (_, n) => single(n))),
      issueMonth(database.db, { period: "2033-03", source: "system" }),
      Promise.all(Array.from({ length: 6 }, (_, n) => single(10 + n))),
    ]);
    expect(month1.issued + month2.issued).toBe(50);
    expect(await receiptsOf("2033-02")).toHaveLength(25);
    expect(await receiptsOf("2033-03")).toHaveLength(25);
    await expectGaplessSeries();
  });

  it("bills a course only in the months it runs, and only confirmed enrollments", async () => {
    const c = await course({ start: "2034-02-15", end: "2034-04-10", fee: 7000 });
    const confirmed = await enroll(await student(), c.id);
    for (const status of ["pending_payment", "cancelled", "withdrawn", "waitlisted"] as const) await enroll(await student(), c.id, { status });
    const counts: Record<string, number> = {};
    for (const period of ["2034-01", "2034-02", "2034-03", "2034-04", "2034-05"]) {
      counts[period] = (await previewMonth(database.db, period)).count;
    }
    expect(counts).toEqual({ "2034-01": 0, "2034-02": 1, "2034-03": 1, "2034-04": 1, "2034-05": 0 });
    expect((await issueMonth(database.db, { period: "2034-05", source: "system" })).issued).toBe(0);
    expect((await issueMonth(database.db, { period: "2034-02", source: "system" })).issued).toBe(1);
    expect((await receiptsOf("2034-02")).map((r) => r.enrollment_id)).toEqual([confirmed]);
  });

  it("does not bill again the month the enrollment receipt charged, nor months before the enrollment", async () => {
    const withFirst = await course({ start: "2035-01-01", end: "2035-12-31", fee: 8000, firstMonthOnEnrollment: true });
    const withoutFirst = await course({ start: "2035-01-01", end: "2035-12-31", fee: 8000, firstMonthOnEnrollment: false });
    // Enrolled in November for a course starting in January: the enrollment receipt carried January.
    const early = await enroll(await student(), withFirst.id, { createdAt: new Date("2034-11-20T10:00:00Z") });
    await database.db.transaction(async (tx) => {
      const receipt = await issueReceipt(
        tx,
        {
          studentId: (
            await tx
              .select({ id: t.enrollments.studentId })
              .from(t.enrollments)
              .where(sql`id = ${early}`)
          )[0]!.id,
          kind: "enrollment",
          enrollmentId: early,
          concept: "Matrícula y primera mensualidad",
          amount: 11000,
          currency: "EUR",
          dueDate: "2034-11-20",
          payer: { name: "X", email: "x@correo.test" },
        },
        "enrollment",
      );
      await tx.execute(sql`update receipts set issued_at = '2034-11-20T10:00:00Z' where id = ${receipt.id}`);
    });
    // Enrolled at 00:30 on 1 March in Madrid (still February in UTC), no enrollment receipt: March is the first month.
    const lateMidnight = await enroll(await student(), withFirst.id, { createdAt: new Date("2035-02-28T23:30:00Z") });
    // The same day on a course that bills the first month monthly: March is billed, February is not.
    const monthlyFirst = await enroll(await student(), withoutFirst.id, { createdAt: new Date("2035-02-28T23:30:00Z") });

    const issued = async (period: string) => {
      await issueMonth(database.db, { period, source: "system" });
      return (await receiptsOf(period)).map((r) => r.enrollment_id).sort();
    };
    expect(await issued("2035-01")).toEqual([]);
    expect(await issued("2035-02")).toEqual([early]);
    expect(await issued("2035-03")).toEqual([early, monthlyFirst].sort());
    expect(await issued("2035-04")).toEqual([early, lateMidnight, monthlyFirst].sort());
  });

  it("charges a minor's paying guardian, and the student when the guardian is not the payer", async () => {
    const c = await course({ start: "2036-01-01", end: "2036-12-31", fee: 4500 });
    const minor = await enroll(await student({ guardian: { isPayer: true } }), c.id);
    const adult = await enroll(await student({ guardian: { isPayer: false } }), c.id);
    await issueMonth(database.db, { period: "2036-09", source: "system" });
    const rows = new Map((await receiptsOf("2036-09")).map((r) => [r.enrollment_id, r]));
    expect(rows.get(minor)).toMatchObject({
      payer_name: expect.stringMatching(/^Tutor\d+ Apellido\d+$/),
      payer_email: expect.stringMatching(/^tutor\d+@/),
      payer_document: expect.stringMatching(/^TUT/),
    });
    expect(rows.get(adult)).toMatchObject({
      payer_name: expect.stringMatching(/^Alumno\d+ Apellido\d+$/),
      payer_email: expect.stringMatching(/^alumno\d+@/),
      payer_document: expect.stringMatching(/^DOC/),
    });
  });
});

describe("addDays", () => {
  it("adds calendar days across month and year ends", () => {
    expect(addDays("2031-02-27", 10)).toBe("2031-03-09");
    expect(addDays("2031-12-28", 10)).toBe("2032-01-07");
    expect(addDays("2032-03-31", 0)).toBe("2032-03-31");
  });
});
