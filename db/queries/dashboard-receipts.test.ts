// The dashboard's receipts list on a real PostgreSQL: keyset pages neither repeat nor skip rows
// (ties on issued_at and microsecond timestamps included), and totals match the filter.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Database } from "@/db/client";
import * as t from "@/db/schema";
import { issueReceipt } from "@/lib/receipts/issue";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { recordManualPayment } from "@/lib/payments/manual";
import { getDashboardReceipt, getDashboardReceiptTotals, getReceiptTimeline, listDashboardReceipts, type ReceiptFilter } from "./dashboard-receipts";

let database: Database;
const timeZone = "Europe/Madrid";

beforeAll(async () => {
  database = await openTestDatabase("academy_test_dashboard_receipts");
  const [ana] = await database.db
    .insert(t.students)
    .values({ firstName: "Ana", lastName: "Pérez Gil", email: "ana@correo.test", documentType: "dni", documentNumber: "12345678Z" })
    .returning({ id: t.students.id });
  const [luis] = await database.db
    .insert(t.students)
    .values({ firstName: "Luis", lastName: "Martín", email: "luis@correo.test" })
    .returning({ id: t.students.id });
  // 60 receipts in three transactions: each transaction's rows share now(), so issued_at ties.
  for (let batch = 0; batch < 3; batch++) {
    await database.db.transaction(async (tx) => {
      for (let i = 0; i < 20; i++) {
        const n = batch * 20 + i;
        await issueReceipt(
          tx,
          {
            studentId: n % 3 === 0 ? ana!.id : luis!.id,
            kind: n % 2 ? "monthly" : "other",
            period: n % 2 ? `2026-${String((n % 4) + 9).padStart(2, "0")}` : undefined,
            concept: `Recibo ${n}`,
            amount: 1000 + n * 7,
            currency: "EUR",
            dueDate: n % 5 === 0 ? "2020-01-10" : "2099-01-10",
            payer: { name: n % 3 === 0 ? "Ana Pérez" : "Luis Martín", email: "x@correo.test" },
          },
          "api",
        );
      }
    });
  }
  // Some rows a few microseconds apart (a JS Date would round them to the same millisecond), some paid.
  await database.db.execute(sql`update receipts set issued_at = issued_at + (series_number % 4) * interval '1 microsecond' where series_number % 7 = 0`);
  await database.db.execute(sql`update receipts set status = 'paid', paid_at = now(), paid_method = 'cash' where series_number % 4 = 1`);
});
afterAll(() => database.close());

async function everyPage(filter: ReceiptFilter, limit: number) {
  const ids: string[] = [];
  let after: { issuedAt: string; id: string } | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await listDashboardReceipts(database.db, { filter, after, limit });
    expect(page.rows.length).toBeLessThanOrEqual(limit);
    ids.push(...page.rows.map((r) => r.id));
    if (!page.next) return ids;
    after = page.next;
  }
  throw new Error("pagination did not end");
}

async function expected(where: string) {
  return queryRows<{ id: string; amount: number }>(
    database.db,
    sql.raw(`select r.id, r.amount from receipts r join students s on s.id = r.student_id where ${where} order by r.issued_at desc, r.id desc`),
  );
}

describe("listDashboardReceipts", () => {
  const cases: { name: string; filter: ReceiptFilter; where: string }[] = [
    { name: "everything", filter: { timeZone }, where: "true" },
    { name: "pending", filter: { timeZone, status: "pending" }, where: "r.status = 'pending'" },
    { name: "paid in cash", filter: { timeZone, method: "cash" }, where: "r.paid_method = 'cash'" },
    { name: "a period", filter: { timeZone, period: "2026-10" }, where: "r.period = '2026-10'" },
    { name: "overdue", filter: { timeZone, overdue: true }, where: "r.status = 'pending' and r.due_date < current_date" },
    { name: "a student's name", filter: { timeZone, q: "pérez" }, where: "s.last_name = 'Pérez Gil'" },
    { name: "a document", filter: { timeZone, q: "12345678z" }, where: "s.document_number = '12345678Z'" },
    { name: "issued today", filter: { timeZone, issuedFrom: "2000-01-01", issuedTo: "2999-12-31", status: "paid" }, where: "r.status = 'paid'" },
    { name: "issued before 2001", filter: { timeZone, issuedTo: "2000-12-31" }, where: "false" },
  ];
  for (const c of cases) {
    it(`pages through ${c.name} without overlap or gaps, and totals match`, async () => {
      const want = await expected(c.where);
      for (const limit of [1, 7, 25, 100]) {
        const ids = await everyPage(c.filter, limit);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toEqual(want.map((r) => r.id));
      }
      const totals = await getDashboardReceiptTotals(database.db, c.filter);
      expect(totals.count).toBe(want.length);
      const amount = want.reduce((sum, r) => sum + Number(r.amount), 0);
      expect(totals.byCurrency).toEqual(want.length ? [{ currency: "EUR", count: want.length, amount }] : []);
    });
  }

  it("finds a receipt by its number, and treats % as a letter", async () => {
    const [one] = await queryRows<{ number: string; id: string }>(database.db, sql`select number, id from receipts order by series_number limit 1 offset 11`);
    const page = await listDashboardReceipts(database.db, { filter: { timeZone, q: one!.number }, limit: 10 });
    expect(page.rows.map((r) => r.id)).toEqual([one!.id]);
    expect((await listDashboardReceipts(database.db, { filter: { timeZone, q: "%" }, limit: 10 })).rows).toEqual([]);
  });
});

describe("getReceiptTimeline", () => {
  it("tells a receipt's story in order: audit lines, then the e-mail they queued", async () => {
    const [receipt] = await queryRows<{ id: string }>(database.db, sql`select id from receipts where status = 'pending' order by series_number limit 1`);
    const [staff] = await database.db
      .insert(t.staffUsers)
      .values({ email: "tl@academia.test", name: "Pablo", passwordHash: "x" })
      .returning({ id: t.staffUsers.id });
    await recordManualPayment(database.db, { receiptId: receipt!.id, method: "transfer", note: "Ref. 42", staffUserId: staff!.id });
    const timeline = await getReceiptTimeline(database.db, receipt!.id);
    expect(timeline.map((e) => [e.kind, e.action])).toEqual([
      ["audit", "receipt.issued"],
      ["audit", "attempt.succeeded"],
      ["audit", "receipt.paid"],
      ["audit", "message.queued"],
      ["message", "payment_received"],
    ]);
    expect(timeline[2]).toMatchObject({ source: "staff", staffName: "Pablo", detail: { method: "transfer", note: "Ref. 42" } });
    const page = await getDashboardReceipt(database.db, receipt!.id);
    expect(page).toMatchObject({
      status: "paid",
      paidMethod: "transfer",
      attempts: [{ provider: "manual", method: "transfer", status: "succeeded" }],
      refunds: [],
      attention: [],
    });
  });
});
