// The demo academy: what the README and the e2e specs promise about it.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Database } from "@/db/client";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { isSeeded, seedDemo } from "./seed";

let database: Database;
const now = new Date("2026-11-27T10:00:00Z");

beforeAll(async () => {
  database = await openTestDatabase("academy_test_seed", { driver: "pglite" });
  expect(await isSeeded(database.db)).toBe(false);
  await seedDemo(database.db, { now, apiKey: "ak_seed_test_key_0123456789abcdef" });
});
afterAll(() => database.close());

const one = async <T>(query: ReturnType<typeof sql>) => (await queryRows<T>(database.db, query))[0]!;

describe("seedDemo", () => {
  it("marks the database as seeded", async () => {
    expect(await isSeeded(database.db)).toBe(true);
  });

  it("creates six open courses, one full and one with a single seat left", async () => {
    const courses = await queryRows<{ code: string; left: number }>(
      database.db,
      sql`select c.code, c.capacity - (select count(*)::int from enrollments e where e.course_id = c.id
            and (e.status = 'confirmed' or (e.status = 'pending_payment' and e.hold_expires_at > ${now.toISOString()}::timestamptz))) as left
          from courses c where c.status = 'open'`,
    );
    expect(courses).toHaveLength(6);
    expect(courses.filter((c) => c.left === 0)).toHaveLength(1);
    expect(courses.filter((c) => c.left === 1)).toHaveLength(1);
  });

  it("creates forty students, the minors with a paying guardian", async () => {
    const row = await one<{ students: number; minors: number; minors_with_guardian: number }>(sql`
      select count(*)::int as students,
        (count(*) filter (where birth_date > (${now.toISOString()}::date - interval '18 years')))::int as minors,
        (count(*) filter (where birth_date > (${now.toISOString()}::date - interval '18 years')
           and exists (select 1 from guardians g where g.student_id = students.id and g.is_payer)))::int as minors_with_guardian
      from students`);
    expect(row.students).toBe(40);
    expect(row.minors).toBeGreaterThan(0);
    expect(row.minors_with_guardian).toBe(row.minors);
  });

  it("issues a year of receipts in every state, numbered without gaps", async () => {
    const statuses = await queryRows<{ status: string; n: number }>(database.db, sql`select status, count(*)::int as n from receipts group by status`);
    expect(statuses.map((s) => s.status).sort()).toEqual(["cancelled", "paid", "partially_refunded", "pending", "refunded"]);
    const periods = await one<{ n: number }>(sql`select count(distinct period)::int as n from receipts where kind = 'monthly'`);
    expect(periods.n).toBeGreaterThanOrEqual(12);
    const series = await queryRows<{ year: number; n: number; max: number; last: number }>(
      database.db,
      sql`select r.series_year as year, count(*)::int as n, max(r.series_number) as max, s.last_number as last
          from receipts r join receipt_number_series s on s.year = r.series_year group by r.series_year, s.last_number`,
    );
    for (const year of series) {
      expect(year.max).toBe(year.n);
      expect(year.last).toBe(year.n);
    }
  });

  it("keeps every paid receipt's money consistent with its payment and refunds", async () => {
    const bad = await one<{ n: number }>(sql`
      select count(*)::int as n from receipts r
      where (r.status in ('paid', 'refunded', 'partially_refunded') and not exists (
              select 1 from payment_attempts a where a.receipt_id = r.id and a.status = 'succeeded' and a.amount = r.amount))
         or (r.refunded_amount <> coalesce((select sum(f.amount) from refunds f where f.receipt_id = r.id and f.status = 'succeeded'), 0))
         or (r.status = 'refunded' and r.refunded_amount <> r.amount)
         or (r.status = 'partially_refunded' and not (r.refunded_amount between 1 and r.amount - 1))`);
    expect(bad.n).toBe(0);
  });

  it("stores the API key only as a hash", async () => {
    const key = await one<{ key_hash: string; prefix: string }>(sql`select key_hash, prefix from api_keys`);
    expect(key.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.prefix).toBe("ak_seed_te");
  });
});
