// Issuing one receipt: the next number of the year's series, the row, and its first timeline line.
import "server-only";
import type { DbOrTx } from "@/db/client";
import { recordAudit, type AuditSource } from "@/db/queries/audit";
import { allocateReceiptNumbers, insertReceipt } from "@/db/queries/receipts";
import { calendarYear } from "@/lib/dates";
import { assertMinorUnits } from "@/lib/money";
import { formatReceiptNumber } from "./numbering";

export type NewReceipt = {
  studentId: string;
  kind: "enrollment" | "monthly" | "other";
  enrollmentId?: string;
  period?: string;
  concept: string;
  amount: number;
  currency: string;
  dueDate: string;
  payer: { name: string; email: string; document?: string | null };
};

/** Call inside a transaction: the number is only final when the caller commits. */
export async function issueReceipt(tx: DbOrTx, input: NewReceipt, source: AuditSource, staffUserId?: string) {
  assertMinorUnits(input.amount);
  // The series is the year of issue in Spain: a receipt issued on 31 December belongs to that year.
  const year = calendarYear(new Date());
  const [sequence] = await allocateReceiptNumbers(tx, year, 1);
  const number = formatReceiptNumber(year, sequence!);
  const row = await insertReceipt(tx, {
    number,
    seriesYear: year,
    seriesNumber: sequence!,
    kind: input.kind,
    studentId: input.studentId,
    enrollmentId: input.enrollmentId,
    period: input.period,
    concept: input.concept,
    amount: input.amount,
    currency: input.currency,
    dueDate: input.dueDate,
    payerName: input.payer.name,
    payerEmail: input.payer.email,
    payerDocument: input.payer.document ?? null,
  });
  await recordAudit(tx, { source, action: "receipt.issued", receiptId: row.id, staffUserId, data: { number, amount: input.amount } });
  return row;
}
