// The receipts export end to end below HTTP, on a real PostgreSQL: the stream holds exactly the
// rows the list's filter matches, in the list's order, across keyset batches (ties on issued_at
// included), with the accountants' columns: days in Madrid, amounts exact, the paying reference.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Database } from "@/db/client";
import { listDashboardReceipts, listReceiptsForExport, type ReceiptFilter } from "@/db/queries/dashboard-receipts";
import * as t from "@/db/schema";
import { openTestDatabase } from "@/scripts/testing/postgres";
import { exportColumns, receiptsCsvStream, type ExportLabels } from "./receipts-export";

let database: Database;
const timeZone = "Europe/Madrid";
const labels: ExportLabels = { column: (key) => `[${key}]`, status: (s) => `S:${s}`, method: (m) => `M:${m}` };

beforeAll(async () => {
  database = await openTestDatabase("academy_test_receipts_export");
  const [ana] = await database.db
    .insert(t.students)
    .values({ firstName: "Ana", lastName: 'Pérez; "Gil"', email: "ana@correo.test" })
    .returning({ id: t.students.id });
  // 53 receipts; groups of 5 share one issued_at (ties broken by id, as in the list).
  await database.db.insert(t.receipts).values(
    Array.from({ length: 53 }, (_, i) => ({
      number: `2026-${String(i + 1).padStart(6, "0")}`,
      seriesYear: 2026,
      seriesNumber: i + 1,
      kind: i % 2 ? ("monthly" as const) : ("other" as const),
      period: i % 2 ? "2026-10" : null,
      studentId: ana!.id,
      concept: i === 0 ? '=HYPERLINK("http://x.test")' : `Mensualidad ${i}`,
      amount: 1_000_000 + i * 101,
      discountAmount: i % 3 === 0 ? 1_050 : 0,
      dueDate: "2026-10-05",
      payerName: "Luis Pérez",
      payerEmail: "luis@correo.test",
      payerDocument: "X1234567L",
      status: i % 4 === 1 ? ("paid" as const) : ("pending" as const),
      paidAt: i % 4 === 1 ? new Date("2026-10-31T23:30:00Z") : null,
      paidMethod: i % 4 === 1 ? ("bizum" as const) : null,
      // 23:30 UTC on 31 October is 1 November in Madrid.
      issuedAt: new Date(Date.UTC(2026, 9, 31, 23, 30, Math.floor(i / 5))),
    })),
  );
  await database.db.execute(sql`
    insert into payment_attempts (receipt_id, provider, method, mode, amount, currency, status, provider_ref, provider_payment_ref, finalized_at)
    select id, 'redsys', 'bizum', 'sandbox', amount, currency, 'succeeded', 'ORD' || series_number, 'AUTH' || series_number, paid_at
    from receipts where status = 'paid'
  `);
  const [attempts] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from payment_attempts`);
  expect(attempts!.n).toBe(13);
});
afterAll(() => database.close());

async function exportText(filter: ReceiptFilter, batch: number): Promise<string> {
  const stream = receiptsCsvStream((after) => listReceiptsForExport(database.db, { filter, after, limit: batch }), labels);
  // Response.text() would drop the BOM: decode keeping it.
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await new Response(stream).arrayBuffer());
}

async function listIds(filter: ReceiptFilter): Promise<string[]> {
  const ids: string[] = [];
  let after: { issuedAt: string; id: string } | undefined;
  do {
    const page = await listDashboardReceipts(database.db, { filter, after, limit: 25 });
    ids.push(...page.rows.map((r) => r.id));
    after = page.next;
  } while (after);
  return ids;
}

describe("the receipts CSV", () => {
  for (const [name, filter] of [
    ["everything", { timeZone }],
    ["paid", { timeZone, status: "paid" }],
    ["a period", { timeZone, period: "2026-10" }],
    ["nothing", { timeZone, status: "refunded" }],
  ] as [string, ReceiptFilter][]) {
    it(`holds exactly the list's rows for ${name}, in its order, whatever the batch size`, async () => {
      const all = await queryRows<{ id: string; number: string }>(database.db, sql`select id, number from receipts`);
      const numberOf = new Map(all.map((r) => [r.id, r.number]));
      const numbers = (await listIds(filter)).map((id) => ({ number: numberOf.get(id) }));
      if (filter.status !== "refunded") expect(numbers.length).toBeGreaterThan(0);
      for (const batch of [1, 5, 7, 53, 1000]) {
        const text = await exportText(filter, batch);
        expect(text.startsWith("\uFEFF[number];[issuedOn];")).toBe(true);
        const lines = text.slice(1).split("\r\n");
        expect(lines.at(-1)).toBe("");
        expect(lines[0]).toBe(exportColumns.map((k) => `[${k}]`).join(";"));
        expect(lines.slice(1, -1).map((line) => line.split(";")[0])).toEqual(numbers.map((r) => r.number));
      }
    });
  }

  it("writes each column as accountants read it", async () => {
    const text = await exportText({ timeZone, q: "2026-000002" }, 10);
    const [, line] = text.slice(1).split("\r\n");
    expect(line).toBe(
      [
        "2026-000002",
        "01/11/2026",
        "05/10/2026",
        '"Ana Pérez; ""Gil"""',
        "X1234567L",
        "Luis Pérez",
        "Mensualidad 1",
        "2026-10",
        "10001,01",
        "0,00",
        "EUR",
        "S:paid",
        "M:bizum",
        "01/11/2026",
        "0,00",
        "AUTH2",
      ].join(";"),
    );
    const first = (await exportText({ timeZone, q: "2026-000001" }, 10)).slice(1).split("\r\n")[1]!;
    // The formula is text, the discount exact, no method or payment day while pending.
    expect(first).toContain(`;"'=HYPERLINK(""http://x.test"")";`);
    expect(first).toContain(";10000,00;10,50;EUR;S:pending;;;0,00;");
  });

  it("adds up to the database's sum, to the cent", async () => {
    const text = await exportText({ timeZone }, 7);
    const cents = text
      .slice(1)
      .split("\r\n")
      .slice(1, -1)
      .map((line) => {
        const amount = line.split(";").at(-8)!;
        const [whole, fraction] = amount.split(",");
        return Number(whole) * 100 + Number(fraction);
      });
    const [sum] = await queryRows<{ total: string }>(database.db, sql`select sum(amount)::text as total from receipts`);
    expect(cents.reduce((a, b) => a + b, 0)).toBe(Number(sum!.total));
  });

  it("pulls a batch only when the reader asks for more", async () => {
    let calls = 0;
    const stream = receiptsCsvStream(async (after) => {
      calls += 1;
      return listReceiptsForExport(database.db, { filter: { timeZone }, after, limit: 5 });
    }, labels);
    const reader = stream.getReader();
    await reader.read(); // BOM and header
    await reader.read(); // first batch
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBeLessThanOrEqual(2);
    await reader.cancel();
  });
});
